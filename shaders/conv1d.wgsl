// Depthwise causal conv1d (Mamba's conv on x): kernel K (override), bias, K − 1 zeros of
// left padding, PyTorch Conv1d weight layout (E, 1, K).
// Legend: B batch, L length, E channels, K taps; R = B·L rows.
//   conv_fwd: out[b, t, e] = bias[e] + Σ_k w[e, k] · x[b, t − (K−1) + k, e]
//   conv_dx:  dx[b, t, e]  = Σ_k w[e, k] · dout[b, t + (K−1) − k, e]
//   conv_dw:  partial sums over a block of RB rows of dout · x (per tap) and of dout
//             (bias); the blocks are summed by sum_rows (no atomics).
// SILU (Mamba's conv is followed by SiLU): the forward also writes out = SiLU(pre) and keeps
// pre, the conv's own output; the backward kernels turn dout into dpre = dout · SiLU'(pre)
// as they read it, so the activation costs no dispatch of its own.

struct Params {
  batch: u32,
  len: u32,
  chans: u32,
  nblk: u32, // row blocks of conv_dw
}

override WG: u32 = 256u;
override K: u32 = 4u;
override RB: u32 = 64u; // rows per conv_dw block
override SILU: bool = false;

fn silu(v: f32) -> f32 { return v / (1.0 + exp(-v)); }
fn silu_grad(v: f32) -> f32 {
  let s = 1.0 / (1.0 + exp(-v));
  return s * (1.0 + v * (1.0 - s));
}

@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@group(0) @binding(1) var<storage, read> fx: array<f32>;     // (B, L, E)
@group(0) @binding(2) var<storage, read> fw: array<f32>;     // (E, 1, K)
@group(0) @binding(3) var<storage, read> fbias: array<f32>;  // (E)
@group(0) @binding(4) var<storage, read_write> fout: array<f32>; // (B, L, E): SiLU(pre) when SILU
@group(0) @binding(5) var<storage, read_write> fpre: array<f32>; // (B, L, E), written when SILU

@compute @workgroup_size(WG)
fn conv_fwd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  let E = p.chans;
  if (i >= p.batch * p.len * E) { return; }
  let e = i % E;
  let t = (i / E) % p.len;
  var acc = fbias[e];
  for (var k = 0u; k < K; k++) {
    let back = K - 1u - k; // steps into the past
    if (t >= back) { acc += fw[e * K + k] * fx[i - back * E]; }
  }
  if (SILU) {
    fpre[i] = acc;
    fout[i] = silu(acc);
  } else {
    fout[i] = acc;
  }
}

@group(0) @binding(1) var<storage, read> bdout: array<f32>; // (B, L, E)
@group(0) @binding(2) var<storage, read> bw: array<f32>;    // (E, 1, K)
@group(0) @binding(3) var<storage, read_write> bdx: array<f32>; // (B, L, E)
@group(0) @binding(4) var<storage, read> bpre: array<f32>;      // (B, L, E), read when SILU

fn dpre_dx(j: u32) -> f32 {
  if (SILU) { return bdout[j] * silu_grad(bpre[j]); }
  return bdout[j];
}

@compute @workgroup_size(WG)
fn conv_dx(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  let E = p.chans;
  if (i >= p.batch * p.len * E) { return; }
  let e = i % E;
  let t = (i / E) % p.len;
  var acc = 0.0;
  for (var k = 0u; k < K; k++) {
    let fwd = K - 1u - k; // the output this input feeds through tap k
    if (t + fwd < p.len) { acc += bw[e * K + k] * dpre_dx(i + fwd * E); }
  }
  bdx[i] = acc;
}

@group(0) @binding(1) var<storage, read> wdout: array<f32>;      // (B, L, E)
@group(0) @binding(2) var<storage, read> wx: array<f32>;         // (B, L, E)
@group(0) @binding(3) var<storage, read_write> wpart: array<f32>; // (nblk, E, K)
@group(0) @binding(4) var<storage, read_write> bpart: array<f32>; // (nblk, E)
@group(0) @binding(5) var<storage, read> wpre: array<f32>;        // (B, L, E), read when SILU

// One thread per (block, channel): threads of a workgroup are consecutive channels, so
// each row's reads coalesce.
@compute @workgroup_size(WG)
fn conv_dw(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  let E = p.chans;
  if (i >= p.nblk * E) { return; }
  let e = i % E;
  let blk = i / E;
  let R = p.batch * p.len;
  var acc: array<f32, 8>; // taps, K ≤ 8
  var accb = 0.0;
  for (var r = blk * RB; r < min(R, blk * RB + RB); r++) {
    let t = r % p.len;
    var d = wdout[r * E + e];
    if (SILU) { d *= silu_grad(wpre[r * E + e]); }
    accb += d;
    for (var k = 0u; k < K; k++) {
      let back = K - 1u - k;
      if (t >= back) { acc[k] += d * wx[(r - back) * E + e]; }
    }
  }
  for (var k = 0u; k < K; k++) { wpart[(blk * E + e) * K + k] = acc[k]; }
  bpart[blk * E + e] = accb;
}
