// Shared part of the "register" selective-scan kernels, prepended to
// selective_scan_reg.wgsl (forward) and selective_scan_reg_bwd.wgsl (backward) by
// src/engine/ops/selectiveScan.ts: the uniform struct, the sizes, bindings 0–5 (the same in
// both) and the block loader.
// Legend: B batch, L length, E channels, N state (NS), G threads per channel, S steps per block,
// M blocks per segment (the span of one saved state).

struct Params {
  batch: u32,
  len: u32,
  chans: u32,
  nchunks: u32, // blocks of S steps, ceil(L / S)
  neb: u32,     // channel blocks, ceil(E / EB)
  nseg: u32,    // segments of M blocks, ceil(nchunks / M) (one saved state each)
  off_db: u32,  // offsets (floats) of the backward's partial sections in `scr`
  off_da: u32,
  off_dd: u32,
  _pad0: u32,
  _pad1: u32,
}

// The register arrays' sizes are prepended per pipeline by src/engine/ops/selectiveScan.ts
// (WGSL sizes function-scope arrays with constants only, and spare elements cost registers):
// NMAX = N / G states per thread, SMAX = S steps per block, BMAX = S · N / G (a block's B or
// C per thread), HMAX = M · S · N / G (a segment's states, backward).
override EB: u32 = 32u;  // channels per workgroup (local x)
override G: u32 = 4u;    // threads per channel, each with N / G states (local y)
override S: u32 = 4u;    // steps per block
override M: u32 = 1u;    // blocks per segment: the forward saves the state once per segment
override NS: u32 = 16u;  // state size N
override GATED: bool = false;
override NPT: u32 = NS / G; // states per thread

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;      // (B, L, E)
@group(0) @binding(2) var<storage, read> delta: array<f32>;  // (B, L, E), already softplus'ed
@group(0) @binding(3) var<storage, read> ad: array<f32>;     // (E, N + 1): A_log | D
@group(0) @binding(4) var<storage, read> bc: array<f32>;     // (B, L, 2N): B | C
@group(0) @binding(5) var<storage, read> z: array<f32>;      // (B, L, E), GATED only

// A = −exp(A_log) for this thread's states of channel ec (n = j·G + q)
fn load_a(ec: u32, q: u32) -> array<f32, NMAX> {
  var A: array<f32, NMAX>;
  for (var j = 0u; j < NPT; j++) { A[j] = -exp(ad[ec * (NS + 1u) + j * G + q]); }
  return A;
}

// v ⊙ SiLU(z) when GATED (the output gate, and dy from dout), v otherwise
fn gate(v: f32, zv: f32) -> f32 {
  if (GATED) { return v * zv / (1.0 + exp(-zv)); }
  return v;
}

// One block's inputs for this thread, loaded together (one memory latency per block, and the
// next block's loads are issued before the current block's arithmetic).
struct Block {
  x: array<f32, SMAX>,  // u (0 past L or E)
  dt: array<f32, SMAX>, // Δ (0 past L or E: h stays)
  z: array<f32, SMAX>,
  bn: array<f32, BMAX>, // B of this thread's states, [step][j]
  cn: array<f32, BMAX>, // C
}

fn load_block(b: u32, blk: u32, e: u32, q: u32) -> Block {
  var k: Block;
  let E = p.chans;
  let L = p.len;
  for (var s = 0u; s < S; s++) {
    let t = blk * S + s;
    k.x[s] = 0.0;
    k.dt[s] = 0.0;
    k.z[s] = 0.0;
    if (e < E && t < L) {
      let gi = (b * L + t) * E + e;
      k.x[s] = u[gi];
      k.dt[s] = delta[gi];
      if (GATED) { k.z[s] = z[gi]; }
    }
    let r = (b * L + min(t, L - 1u)) * 2u * NS;
    for (var j = 0u; j < NPT; j++) {
      k.bn[s * NPT + j] = bc[r + j * G + q];
      k.cn[s * NPT + j] = bc[r + NS + j * G + q];
    }
  }
  return k;
}
