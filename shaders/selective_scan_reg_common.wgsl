// Shared part of the selective-scan kernels, put before selective_scan_reg.wgsl (forward)
// and selective_scan_reg_bwd.wgsl (backward) by src/engine/ops/selectiveScan.ts: the uniform
// struct, the sizes, bindings 0–5 (the same in both), the output gate and the segment loaders.
// Legend: B batch, L length, E channels, N state (NS), K steps per segment.

struct Params {
  batch: u32,
  len: u32,
  chans: u32,
  neb: u32,     // the backward's channel blocks, ceil(E / EB)
  nseg: u32,    // segments of K steps, ceil(L / K) (one saved state each)
  off_db: u32,  // offsets (floats) of the backward's partial sections in `scr`
  off_da: u32,
  off_dd: u32,
}

// Constants of the kernel's prelude (src/engine/ops/selectiveScan.ts; constants, not
// overrides: they size nested workgroup arrays, whose inner sizes must be constants, and
// constant sizes let the compiler fold every constant part of an index into the address):
// NS the state size N, GATED whether out = y ⊙ SiLU(z), and EB channels per
// workgroup (local x), G threads per channel (local y; thread q holds the state groups
// v = j·G + q), NV = ceil(N / 4) vec4 groups of states (padded states have A = B = C = 0),
// NVT = NV / G per thread, K steps per segment, BCPT = ceil(K · 8 · NV / (EB · G)) floats of
// B | C each thread loads per segment.

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;      // (B, L, E)
@group(0) @binding(2) var<storage, read> delta: array<f32>;  // (B, L, E), already softplus'ed
@group(0) @binding(3) var<storage, read> ad: array<f32>;     // (E, N + 1): A_log | D
@group(0) @binding(4) var<storage, read> bc: array<f32>;     // (B, L, 2N): B | C
@group(0) @binding(5) var<storage, read> z: array<f32>;      // (B, L, E), GATED only

// v ⊙ SiLU(z) when GATED (the output gate, and dy from dout), v otherwise
fn gate(v: f32, zv: f32) -> f32 {
  if (GATED) { return v * zv / (1.0 + exp(-zv)); }
  return v;
}

// B | C of two segments, [buffer][step][0: B, 1: C][vec4 group v]; the runtime parts of an
// index (buffer, v) are the same in every access of a step, so the compiler clamps them once
var<workgroup> bcs: array<array<array<array<vec4<f32>, NV>, 2>, K>, 2>;

// where the forward saves, and the backward reads, state n of channel e at the start of
// segment seg: hck (B, nseg, N, E), channel-fastest so that a workgroup's accesses coalesce
fn saved_state_index(b: u32, seg: u32, n: u32, e: u32) -> u32 {
  return ((b * p.nseg + seg) * NS + n) * p.chans + e;
}

// this thread's A · log2(e) for exp2 (Ā = exp2(Δ A2))
var<private> A2: array<vec4<f32>, NVT>;

// one (B, L, E) input's values at this thread's channel for a segment's K steps (0 past L or
// E); `which` picks the input through step_input, which each kernel defines (0 u, 1 Δ, 2 z,
// 3 dout: the backward only)
fn load_steps(which: u32, b: u32, seg: u32, e: u32) -> array<f32, K> {
  var r: array<f32, K>;
  for (var s = 0u; s < K; s++) {
    let t = seg * K + s;
    r[s] = 0.0;
    if (e < p.chans && t < p.len) { r[s] = step_input(which, (b * p.len + t) * p.chans + e); }
  }
  return r;
}

// this thread's share of a segment's B | C, element i = tid + r · EB · G of the padded
// [step][B | C][8 · NV] block (0 on padded states and past L)
fn load_bc_share(b: u32, seg: u32, tid: u32) -> array<f32, BCPT> {
  var r: array<f32, BCPT>;
  for (var j = 0u; j < BCPT; j++) {
    let i = tid + j * EB * G;
    let s = i / (8u * NV);
    let c = i % (8u * NV);
    let half = c / (4u * NV); // 0: B, 1: C
    let n = c % (4u * NV);
    let t = seg * K + s;
    r[j] = 0.0;
    if (s < K && n < NS && t < p.len) { r[j] = bc[(b * p.len + t) * 2u * NS + half * NS + n]; }
  }
  return r;
}

fn store_bc_share(share: array<f32, BCPT>, buf: u32, tid: u32) {
  for (var j = 0u; j < BCPT; j++) {
    let i = tid + j * EB * G;
    let s = i / (8u * NV);
    if (s < K) {
      let c = i % (8u * NV);
      let n = c % (4u * NV);
      bcs[buf][s][c / (4u * NV)][n / 4u][n % 4u] = share[j];
    }
  }
}

// this thread's states of channel ec: A · log2(e) for exp2 (Ā = exp2(Δ A2)), 0 on padded states
fn load_a2(ec: u32, q: u32) {
  for (var j = 0u; j < NVT; j++) {
    for (var c = 0u; c < 4u; c++) {
      let n = 4u * (j * G + q) + c;
      A2[j][c] = 0.0;
      if (n < NS) { A2[j][c] = -exp(ad[ec * (NS + 1u) + n]) * 1.4426950408889634; }
    }
  }
}
