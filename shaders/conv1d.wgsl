// Depthwise causal conv1d (Mamba's conv on x): kernel K (override), bias, K − 1 zeros of
// left padding, PyTorch Conv1d weight layout (E, 1, K).
// Legend: B batch, L length, E channels, K taps; R = B·L rows.
//   conv_fwd: out[b, t, e] = bias[e] + Σ_k w[e, k] · x[b, t − (K−1) + k, e]
//   conv_bwd: dx[b, t, e]  = Σ_k w[e, k] · dout[b, t + (K−1) − k, e], and per block of rows
//             the partial sums of dout · x (per tap: dw) and of dout (db), summed by
//             sum_rows (no atomics).
// SILU (Mamba's conv is followed by SiLU): the forward also writes out = SiLU(pre) and keeps
// pre, the conv's own output; the backward turns dout into dpre = dout · SiLU'(pre) as it
// reads it, so the activation costs no dispatch of its own.

struct Params {
  batch: u32,
  len: u32,
  chans: u32,
  nblk: u32, // row blocks of conv_bwd
}

override WG: u32 = 256u;
override K: u32 = 4u;
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

// Backward, one kernel: dx and the partial sums of the weight and bias gradients. A workgroup
// covers CW adjacent channels (coalesced rows) × RL lanes over one block of rows (blocks of
// ⌈R / nblk⌉ rows); each lane walks its own run of the block's rows from last to first,
// keeping the K − 1 later rows' dpre in registers for dx. The lanes' sums meet in workgroup
// memory; the blocks' partials are summed by sum_rows.
const CW = 64u; // channels per workgroup
const RL = 4u;  // row lanes
override WRITE_DX: bool = true;

@group(0) @binding(1) var<storage, read> bdout: array<f32>;        // (B, L, E)
@group(0) @binding(2) var<storage, read> bx: array<f32>;           // (B, L, E)
@group(0) @binding(3) var<storage, read> bw: array<f32>;           // (E, 1, K)
@group(0) @binding(4) var<storage, read_write> bdx: array<f32>;    // (B, L, E), WRITE_DX
@group(0) @binding(5) var<storage, read_write> wpart: array<f32>;  // (nblk, E, K)
@group(0) @binding(6) var<storage, read_write> bpart: array<f32>;  // (nblk, E)
@group(0) @binding(7) var<storage, read> bpre: array<f32>;         // (B, L, E), read when SILU

var<workgroup> lane_sums: array<f32, (K + 1u) * RL * CW>; // [tap | bias][lane][channel]

// dpre = dout · SiLU'(pre) of row r (0 past the last row)
fn dpre(r: u32, e: u32) -> f32 {
  if (r >= p.batch * p.len) { return 0.0; }
  let j = r * p.chans + e;
  if (SILU) { return bdout[j] * silu_grad(bpre[j]); }
  return bdout[j];
}

@compute @workgroup_size(CW, RL)
fn conv_bwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let E = p.chans;
  let R = p.batch * p.len;
  let c = lid.x;
  let lane = lid.y;
  let e = wid.x * CW + c;
  let e_ok = e < E;
  let ec = min(e, E - 1u);
  let rb = (R + p.nblk - 1u) / p.nblk; // rows per block
  let run = (rb + RL - 1u) / RL;       // rows per lane
  let r0 = min(R, wid.y * rb + lane * run);
  let r1 = min(min(R, wid.y * rb + rb), r0 + run);
  var w: array<f32, 8>;
  for (var k = 0u; k < K; k++) { w[k] = bw[ec * K + k]; }
  var acc: array<f32, 9>; // taps, then the bias
  var later: array<f32, 8>; // dpre of rows r + 1 … r + K − 1
  if (e_ok && r1 > r0) {
    for (var f = 1u; f < K; f++) { later[f - 1u] = dpre(r1 - 1u + f, ec); }
    for (var r = r1; r > r0; r--) {
      let row = r - 1u;
      let t = row % p.len;
      let d = dpre(row, ec);
      if (WRITE_DX) {
        // dx[t] = Σ_k w[k] · dpre[t + (K−1) − k], within the sequence
        var dx = w[K - 1u] * d;
        for (var f = 1u; f < K; f++) {
          if (t + f < p.len) { dx += w[K - 1u - f] * later[f - 1u]; }
        }
        bdx[row * E + e] = dx;
      }
      for (var f = K - 1u; f > 1u; f--) { later[f - 1u] = later[f - 2u]; }
      later[0] = d;
      acc[K] += d;
      for (var k = 0u; k < K; k++) {
        let back = K - 1u - k;
        if (t >= back) { acc[k] += d * bx[(row - back) * E + e]; }
      }
    }
  }
  for (var k = 0u; k <= K; k++) { lane_sums[(k * RL + lane) * CW + c] = acc[k]; }
  workgroupBarrier();
  if (lane == 0u && e_ok) {
    for (var k = 0u; k <= K; k++) {
      var s = 0.0;
      for (var l = 0u; l < RL; l++) { s += lane_sums[(k * RL + l) * CW + c]; }
      if (k < K) { wpart[(wid.y * E + e) * K + k] = s; } else { bpart[wid.y * E + e] = s; }
    }
  }
}
