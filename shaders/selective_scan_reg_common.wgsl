// Shared part of the "register" selective-scan kernels, prepended to
// selective_scan_reg.wgsl (forward) and selective_scan_reg_bwd.wgsl (backward) by
// src/engine/ops/selectiveScan.ts: the uniform struct, bindings 0–5 (the same in both) and
// the output gate. Legend: B batch, L length, E channels, N state (NS).

struct Params {
  batch: u32,
  len: u32,
  chans: u32,
  nchunks: u32, // the backward's blocks of S steps, ceil(L / S)
  neb: u32,     // the backward's channel blocks, ceil(E / EB)
  nseg: u32,    // segments of K = S · M steps, ceil(L / K) (one saved state each)
  off_db: u32,  // offsets (floats) of the backward's partial sections in `scr`
  off_da: u32,
  off_dd: u32,
  _pad0: u32,
  _pad1: u32,
}

override EB: u32 = 32u;  // channels per workgroup
override NS: u32 = 16u;  // state size N
override GATED: bool = false;

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
