// LayerNorm over the last dim of a row-major (R, C) matrix, with weight and bias:
//   out[r, c] = (x[r, c] − mean_r) · rstd_r · weight[c] + bias[c],  rstd_r = 1/√(var_r + eps)
// R = rows, C = channels.
//
// Thread layout (forward and backward): a workgroup of WG threads holds WG/LANES row-lanes;
// each row-lane of LANES threads owns one row at a time, thread `lane` owning the columns
// lane + k·LANES (k < KPER), so loads are coalesced and a row's values stay in registers.
// Row sums are trees of log2(LANES) steps in workgroup memory.
//
//   layernorm_forward           one row per row-lane; saves mean and rstd (R) for backward
//   layernorm_backward          dx per row, plus this workgroup's partial sums of dweight
//                               and dbias over a chunk of rows → partial (chunks, 2, C)
//   layernorm_param_grads       dweight, dbias = Σ over chunks of the partial sums
// No atomics: each partial sum has one writer, and the final sum is a second kernel.

struct Params {
  rows: u32,           // R
  cols: u32,           // C
  rows_per_chunk: u32, // backward: rows each workgroup folds into one partial sum
  eps: f32,
}

override WG: u32 = 256u;            // threads per workgroup
override LANES: u32 = 32u;          // threads per row: a power of two dividing WG
override KPER: u32 = 1u;            // columns per thread: ⌈C / LANES⌉ ≤ MAXK
const MAXK: u32 = 8u;               // register arrays' capacity (C ≤ 8·LANES)
override ROWS_PER_WG: u32 = WG / LANES;

@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> red: array<vec2<f32>, WG>;

// Sum of v over the LANES threads of this thread's row-lane (two sums at once). Every
// thread of the workgroup must call it (it has barriers).
fn row_sum(tid: u32, lane: u32, v: vec2<f32>) -> vec2<f32> {
  red[tid] = v;
  for (var s = LANES / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (lane < s) { red[tid] += red[tid + s]; }
  }
  workgroupBarrier();
  let total = red[tid - lane];
  workgroupBarrier(); // red is written again by the next call
  return total;
}

// ---- forward ----------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> fx: array<f32>;              // (R, C)
@group(0) @binding(2) var<storage, read> fweight: array<f32>;         // (C)
@group(0) @binding(3) var<storage, read> fbias: array<f32>;           // (C)
@group(0) @binding(4) var<storage, read_write> fout: array<f32>;      // (R, C)
@group(0) @binding(5) var<storage, read_write> fmean: array<f32>;     // (R)
@group(0) @binding(6) var<storage, read_write> frstd: array<f32>;     // (R)

@compute @workgroup_size(WG)
fn layernorm_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) tid: u32) {
  let lane = tid % LANES;
  let row = (wid.x + wid.y * nwg.x) * ROWS_PER_WG + tid / LANES;
  let valid = row < p.rows;
  let C = p.cols;
  let base = row * C;

  // two passes over registers: mean, then Σ (x − mean)² (stable for large |mean|)
  var v: array<f32, MAXK>;
  var s = 0.0;
  for (var k = 0u; k < KPER; k++) {
    let c = lane + k * LANES;
    var xv = 0.0;
    if (valid && c < C) { xv = fx[base + c]; }
    v[k] = xv;
    s += xv;
  }
  let mean = row_sum(tid, lane, vec2(s, 0.0)).x / f32(C);
  var sq = 0.0;
  for (var k = 0u; k < KPER; k++) {
    let c = lane + k * LANES;
    if (c < C) { let d = v[k] - mean; sq += d * d; }
  }
  let rstd = inverseSqrt(row_sum(tid, lane, vec2(sq, 0.0)).x / f32(C) + p.eps);

  if (!valid) { return; }
  for (var k = 0u; k < KPER; k++) {
    let c = lane + k * LANES;
    if (c < C) { fout[base + c] = (v[k] - mean) * rstd * fweight[c] + fbias[c]; }
  }
  if (lane == 0u) {
    fmean[row] = mean;
    frstd[row] = rstd;
  }
}

// ---- backward: dx and partial dweight, dbias ----------------------------------------------
// With x̂ = (x − mean)·rstd and g = dout ⊙ weight:
//   dx = rstd · (g − mean_c(g) − x̂ · mean_c(g ⊙ x̂)),  dweight = Σ_r dout ⊙ x̂,  dbias = Σ_r dout

@group(0) @binding(1) var<storage, read> bdout: array<f32>;           // (R, C)
@group(0) @binding(2) var<storage, read> bx: array<f32>;              // (R, C)
@group(0) @binding(3) var<storage, read> bweight: array<f32>;         // (C)
@group(0) @binding(4) var<storage, read> bmean: array<f32>;           // (R)
@group(0) @binding(5) var<storage, read> brstd: array<f32>;           // (R)
@group(0) @binding(6) var<storage, read_write> bdx: array<f32>;       // (R, C)
@group(0) @binding(7) var<storage, read_write> bpartial: array<f32>;  // (chunks, 2, C)
// x's gradient so far (a residual stream's), added to dx here rather than by another pass
@group(0) @binding(8) var<storage, read> bbase: array<f32>;           // (R, C), HAS_BASE
override HAS_BASE: bool = false;

@compute @workgroup_size(WG)
fn layernorm_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_index) tid: u32) {
  let lane = tid % LANES;
  let rl = tid / LANES;
  let C = p.cols;
  let chunk = wid.x + wid.y * nwg.x;
  let start = chunk * p.rows_per_chunk;
  let end = min(p.rows, start + p.rows_per_chunk);

  var dw: array<f32, MAXK>;
  var db: array<f32, MAXK>;
  for (var k = 0u; k < KPER; k++) { dw[k] = 0.0; db[k] = 0.0; }

  for (var r0 = start; r0 < end; r0 += ROWS_PER_WG) {
    let row = r0 + rl;
    let valid = row < end;
    let base = row * C;
    var mean = 0.0;
    var rstd = 0.0;
    if (valid) { mean = bmean[row]; rstd = brstd[row]; }
    var xh: array<f32, MAXK>;
    var g: array<f32, MAXK>;
    var sums = vec2(0.0, 0.0);
    for (var k = 0u; k < KPER; k++) {
      let c = lane + k * LANES;
      xh[k] = 0.0;
      g[k] = 0.0;
      if (valid && c < C) {
        let dy = bdout[base + c];
        let xhat = (bx[base + c] - mean) * rstd;
        let gw = dy * bweight[c];
        xh[k] = xhat;
        g[k] = gw;
        sums += vec2(gw, gw * xhat);
        dw[k] += dy * xhat;
        db[k] += dy;
      }
    }
    let m = row_sum(tid, lane, sums) / f32(C);
    if (valid) {
      for (var k = 0u; k < KPER; k++) {
        let c = lane + k * LANES;
        if (c < C) {
          var d = rstd * (g[k] - m.x - xh[k] * m.y);
          if (HAS_BASE) { d += bbase[base + c]; }
          bdx[base + c] = d;
        }
      }
    }
  }

  // fold the row-lanes' sums together: this workgroup's partial (2, C), every column written
  for (var k = 0u; k < KPER; k++) {
    red[tid] = vec2(dw[k], db[k]);
    workgroupBarrier();
    let c = lane + k * LANES;
    if (rl == 0u && c < C) {
      var acc = vec2(0.0, 0.0);
      for (var r = 0u; r < ROWS_PER_WG; r++) { acc += red[r * LANES + lane]; }
      bpartial[chunk * 2u * C + c] = acc.x;
      bpartial[(chunk * 2u + 1u) * C + c] = acc.y;
    }
    workgroupBarrier();
  }
}

// ---- finish: dweight, dbias = Σ over chunks --------------------------------------------

struct FinishParams {
  cols: u32,   // C
  chunks: u32, // partial sums to add
}

@group(0) @binding(0) var<uniform> fp: FinishParams;
@group(0) @binding(1) var<storage, read> ppartial: array<f32>;        // (chunks, 2, C)
@group(0) @binding(2) var<storage, read_write> pdweight: array<f32>;  // (C)
@group(0) @binding(3) var<storage, read_write> pdbias: array<f32>;    // (C)

// A workgroup covers PG_COLS adjacent columns × PG_LANES chunk lanes (many lanes: C is a few
// hundred columns, so there are few workgroups, and up to ~1000 chunks); each thread keeps
// four independent sums so its loads overlap; lanes are added in workgroup memory.
const PG_COLS = 16u;
const PG_LANES = 16u;
var<workgroup> pg_sums: array<vec2<f32>, PG_COLS * PG_LANES>;

fn chunk_sums(ch: u32, c: u32, C: u32) -> vec2<f32> {
  return vec2(ppartial[ch * 2u * C + c], ppartial[(ch * 2u + 1u) * C + c]);
}

@compute @workgroup_size(PG_COLS, PG_LANES)
fn layernorm_param_grads(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x * PG_COLS + lid.x;
  let C = fp.cols;
  var a0 = vec2(0.0, 0.0);
  var a1 = vec2(0.0, 0.0);
  var a2 = vec2(0.0, 0.0);
  var a3 = vec2(0.0, 0.0);
  if (c < C) {
    var ch = lid.y;
    for (; ch + 3u * PG_LANES < fp.chunks; ch += 4u * PG_LANES) {
      a0 += chunk_sums(ch, c, C);
      a1 += chunk_sums(ch + PG_LANES, c, C);
      a2 += chunk_sums(ch + 2u * PG_LANES, c, C);
      a3 += chunk_sums(ch + 3u * PG_LANES, c, C);
    }
    for (; ch < fp.chunks; ch += PG_LANES) { a0 += chunk_sums(ch, c, C); }
  }
  pg_sums[lid.y * PG_COLS + lid.x] = (a0 + a1) + (a2 + a3);
  workgroupBarrier();
  if (lid.y == 0u && c < C) {
    var acc = vec2(0.0, 0.0);
    for (var l = 0u; l < PG_LANES; l++) { acc += pg_sums[l * PG_COLS + lid.x]; }
    pdweight[c] = acc.x;
    pdbias[c] = acc.y;
  }
}
