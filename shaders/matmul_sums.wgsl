// The products' helpers (prepended: matmul_common.wgsl), elementwise over flat arrays:
//   act_backward         dz = dy · act'(z) for the epilogue's activation
//   sum_splits           adds the split-K partial products
//   sum_splits_epilogue  the same, then the product's epilogue (bias, activation)
//   sum_splits4, sum_splits_epilogue4: the two sums four elements at a time
//   transpose            an operand in the other layout, through workgroup tiles
// Constants of the prelude: WG, ACT, HAS_BIAS.

struct FlatParams {
  n: u32, // elements of the output
  splits: u32, // sum_splits: partial slices to add
  cols: u32, // sum_splits_epilogue: N (the bias repeats every N elements)
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> fp: FlatParams;

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// act_backward: dz = dy · act'(z)
@group(0) @binding(1) var<storage, read> z_in: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dz: array<f32>;

@compute @workgroup_size(WG)
fn act_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= fp.n) { return; }
  dz[i] = dy[i] * act_df(z_in[i]);
}

// sum_splits: out[i] = Σ_s partial[s · n + i]   (the split-K reduction; coalesced over i)
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> summed: array<f32>;

fn slices_sum(i: u32) -> f32 {
  var acc = 0.0;
  for (var s = 0u; s < fp.splits; s++) { acc += partial[s * fp.n + i]; }
  return acc;
}

@compute @workgroup_size(WG)
fn sum_splits(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= fp.n) { return; }
  summed[i] = slices_sum(i);
}

// sum_splits_epilogue: sum_splits, then the product's epilogue, which the split slices leave
// out (it applies to the whole sum): z = Σ_s partial + bias[n] (HAS_BIAS; a base was added
// by the first slice); pre = z when there is an activation; out = act(z).
@group(0) @binding(3) var<storage, read> bias: array<f32>; // (N); read only with HAS_BIAS
@group(0) @binding(4) var<storage, read_write> pre: array<f32>; // (n), written with ACT

@compute @workgroup_size(WG)
fn sum_splits_epilogue(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= fp.n) { return; }
  var z = slices_sum(i);
  if (HAS_BIAS) { z += bias[i % fp.cols]; }
  if (ACT != ACT_NONE) { pre[i] = z; }
  summed[i] = act_f(z);
}

// The two sums four elements at a time (vec4 loads: n and N multiples of 4), for the large
// (M, N) outputs of the models' products, where these passes are memory-bound.
@group(0) @binding(1) var<storage, read> partial4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> summed4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> pre4: array<vec4<f32>>;

fn slices_sum4(i: u32) -> vec4<f32> {
  let n4 = fp.n / 4u;
  var acc = vec4(0.0);
  for (var s = 0u; s < fp.splits; s++) { acc += partial4[s * n4 + i]; }
  return acc;
}

@compute @workgroup_size(WG)
fn sum_splits4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= fp.n / 4u) { return; }
  summed4[i] = slices_sum4(i);
}

@compute @workgroup_size(WG)
fn sum_splits_epilogue4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= fp.n / 4u) { return; }
  var z = slices_sum4(i);
  if (HAS_BIAS) { z += bias4[i % (fp.cols / 4u)]; }
  if (ACT != ACT_NONE) { pre4[i] = z; }
  summed4[i] = vec4(act_f(z.x), act_f(z.y), act_f(z.z), act_f(z.w));
}

// transpose: t_out (C, R) = t_in (R, C)ᵀ with R = fp.n, C = fp.cols, through 16 × 16 tiles
// of workgroup memory so that both the reads and the writes are coalesced. An operand
// stored (N, K) (a product's transposed B) becomes (K, N), which block8 loads as vec4s
// straight into its tile, where the transposed layout needs scalar stores.
@group(0) @binding(1) var<storage, read> t_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> t_out: array<f32>;
var<workgroup> t_tile: array<array<f32, 17>, 16>;

@compute @workgroup_size(16, 16)
fn transpose(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let R = fp.n;
  let C = fp.cols;
  let r = wid.y * 16u + lid.y;
  let c = wid.x * 16u + lid.x;
  if (r < R && c < C) { t_tile[lid.y][lid.x] = t_in[r * C + c]; }
  workgroupBarrier();
  let out_row = wid.x * 16u + lid.y; // a column of t_in
  let out_col = wid.y * 16u + lid.x; // a row of t_in
  if (out_row < C && out_col < R) { t_out[out_row * R + out_col] = t_tile[lid.x][lid.y]; }
}
