// Reductions of a row-major (R, C) matrix:
//   sum_rows: out[y, c] = Σ_{r in row chunk y} x[r, c]: partial column sums per chunk of
//             rows; the host repeats it on the partials until one row is left (the
//             backward of a broadcast over leading dims: bias and positional gradients)
//   sum_cols: out[r] = Σ_c x[r, c]   (R outputs)
//   sum_partials: total[c] = Σ_r parts[offset + r·C + c]: one section of a buffer of partial
//             sums (the selective scan's backward writes its dB|dC, dA_log and dD so)

struct Params {
  rows: u32,
  cols: u32,
  alpha: f32,       // result scale
  rows_per_wg: u32, // sum_rows: rows in one workgroup's chunk
}

override WG: u32 = 256u;
// sum_rows: a workgroup covers COLS adjacent columns (coalesced loads) × WG / COLS row lanes
const COLS: u32 = 64u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, WG>;

fn tree_sum(lid: u32) -> f32 {
  var stride = WG / 2u;
  loop {
    if (stride == 0u) { break; }
    workgroupBarrier();
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    stride = stride / 2u;
  }
  workgroupBarrier();
  return partial[0];
}

@compute @workgroup_size(WG)
fn sum_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let lid = lid3.x;
  let c = wid.x * COLS + lid % COLS;
  let lane = lid / COLS;
  let lanes = WG / COLS;
  let r0 = wid.y * p.rows_per_wg;
  let r1 = min(r0 + p.rows_per_wg, p.rows);
  var acc = 0.0;
  if (c < p.cols) {
    for (var r = r0 + lane; r < r1; r += lanes) { acc += x[r * p.cols + c]; }
  }
  partial[lid] = acc;
  workgroupBarrier();
  if (lane == 0u && c < p.cols) {
    var total = 0.0;
    for (var l = 0u; l < lanes; l++) { total += partial[l * COLS + lid]; }
    out[wid.y * p.cols + c] = p.alpha * total;
  }
}

@compute @workgroup_size(WG)
fn sum_cols(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let r = wid.x + wid.y * 65535u;
  let lid = lid3.x;
  var acc = 0.0;
  if (r < p.rows) {
    for (var c = lid; c < p.cols; c += WG) { acc += x[r * p.cols + c]; }
  }
  partial[lid] = acc;
  let total = tree_sum(lid);
  if (lid == 0u && r < p.rows) { out[r] = p.alpha * total; }
}

// The backward of both sums: spread a vector over the (R, C) matrix, times alpha.
//   expand_rows: out[r, c] = alpha · v[c]     (backward of sum_rows)
//   expand_cols: out[r, c] = alpha · v[r]     (backward of sum_cols)
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> expanded: array<f32>;

override ALONG_ROWS: bool = true;

@compute @workgroup_size(WG)
fn expand(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.rows * p.cols) { return; }
  if (ALONG_ROWS) { expanded[i] = p.alpha * v[i % p.cols]; } else { expanded[i] = p.alpha * v[i / p.cols]; }
}

// sum_partials: a workgroup covers PARTS_WG adjacent columns (coalesced) × PARTS_RL row lanes;
// each thread keeps two independent sums so that its loads overlap, and the lanes are added
// in workgroup memory.
struct SumParams {
  rows: u32,
  cols: u32,
  offset: u32,
  _pad: u32,
}

override PARTS_WG: u32 = 64u; // columns per workgroup
const PARTS_RL = 4u;          // row lanes
@group(0) @binding(0) var<uniform> sp: SumParams;
@group(0) @binding(1) var<storage, read> parts: array<f32>;
@group(0) @binding(2) var<storage, read_write> total: array<f32>;

var<workgroup> lane_sums: array<f32, PARTS_WG * PARTS_RL>;

@compute @workgroup_size(PARTS_WG, PARTS_RL)
fn sum_partials(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = (wid.x + wid.y * nwg.x) * PARTS_WG + lid.x;
  var a0 = 0.0;
  var a1 = 0.0;
  if (j < sp.cols) {
    var r = lid.y;
    for (; r + PARTS_RL < sp.rows; r += 2u * PARTS_RL) {
      a0 += parts[sp.offset + r * sp.cols + j];
      a1 += parts[sp.offset + (r + PARTS_RL) * sp.cols + j];
    }
    if (r < sp.rows) { a0 += parts[sp.offset + r * sp.cols + j]; }
  }
  lane_sums[lid.y * PARTS_WG + lid.x] = a0 + a1;
  workgroupBarrier();
  if (lid.y == 0u && j < sp.cols) {
    var acc = 0.0;
    for (var l = 0u; l < PARTS_RL; l++) { acc += lane_sums[l * PARTS_WG + lid.x]; }
    total[j] = acc;
  }
}
