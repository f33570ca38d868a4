// Split along the last dimension and its backward, and its inverse, concat_last.
// Legend: R rows (all leading dims), W = Σ sizes the input width, w one part's width.
//   split_gather:  part[r, j] = x[r, off + j]                        (R, w) from (R, W)
//   split_scatter: dx[r, c]   = base[r, c] + (c − off ∈ [0, w) ? dpart[r, c − off] : 0)
//                  (R, W); base is the gradient so far (HAS_BASE), so the parts' gradients
//                  are summed without a separate add, and columns of unused parts get 0.
//   concat_last:   out (R, W1 + W2) = a (R, W1) | b (R, W2), row by row

struct Params {
  rows: u32,
  width: u32, // W
  off: u32,   // first column of the part
  part: u32,  // w
}

override WG: u32 = 256u;
override HAS_BASE: bool = false;

@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read_write> gpart: array<f32>;

@compute @workgroup_size(WG)
fn split_gather(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= p.rows * p.part) { return; }
  let r = i / p.part;
  gpart[i] = gx[r * p.width + p.off + i % p.part];
}

@group(0) @binding(1) var<storage, read> sdpart: array<f32>;
@group(0) @binding(2) var<storage, read> sbase: array<f32>;
@group(0) @binding(3) var<storage, read_write> sdx: array<f32>;

@compute @workgroup_size(WG)
fn split_scatter(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= p.rows * p.width) { return; }
  let r = i / p.width;
  let c = i % p.width;
  var v = 0.0;
  if (HAS_BASE) { v = sbase[i]; }
  if (c >= p.off && c < p.off + p.part) { v += sdpart[r * p.part + c - p.off]; }
  sdx[i] = v;
}

struct ConcatParams {
  rows: u32,
  w1: u32,
  w2: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> cp: ConcatParams;
@group(0) @binding(1) var<storage, read> ca: array<f32>;
@group(0) @binding(2) var<storage, read> cb: array<f32>;
@group(0) @binding(3) var<storage, read_write> cout: array<f32>;

@compute @workgroup_size(256)
fn concat_last(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = cp.w1 + cp.w2;
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= cp.rows * w) { return; }
  let r = i / w;
  let c = i % w;
  if (c < cp.w1) { cout[i] = ca[r * cp.w1 + c]; } else { cout[i] = cb[r * cp.w2 + c - cp.w1]; }
}
