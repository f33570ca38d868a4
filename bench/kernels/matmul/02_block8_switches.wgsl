// 02 block8 with every switch it was tuned with (after shaders/matmul_common.wgsl): the
// production kernel (shaders/matmul_block8.wgsl) is this one with WIDE, DOUBLE and BAND off.
//   PREFETCH  the next tile's global loads are issued before the current tile's FMAs
//   WIDE      8 × 16 outputs per thread (NV = 4 vec4 columns) instead of 8 × 8
//   DOUBLE    two tile buffers, one barrier per BK step (implies prefetch)
//   BAND      > 0: workgroups walk the grid in bands of this many tile rows, column by
//             column, so the workgroups resident at one time share their tiles in L2
//   SUM_K     as in production (sums over k into `pre`, here also the base's binding)
// Constants of the prelude: TX, TY, BK, PREFETCH, WIDE, DOUBLE, BAND, SUM_K, ACT, TRANS_A,
// TRANS_B, A4_COLS, B4_COLS, and the codes of matmul_common.wgsl.

// ---- block8: 8 × 8 (or 8 × 16) outputs per thread, vec4 throughout ------------------------
// A workgroup of TX × TY threads computes a (BM, BN) = (8·TY, 4·NV·TX) tile of C, BK deep,
// NV = 2 vec4 columns per thread (8 × 8 outputs) or, with WIDE, 4 (8 × 16 outputs).
// Thread (tx, ty) owns rows 4·ty + {0..3} and BM/2 + 4·ty + {0..3}, and the vec4 columns
// tx + q·TX (q < NV) of the tile: per k it reads two vec4 of the A tile and NV of the B tile
// (consecutive threads read consecutive vec4s) for 32·NV FMAs. The register block is indexed
// by constants only (no loop over it), so it stays in registers: an array indexed in a loop
// may be put in local memory, which is what made an 8 × 8 `tiled` 7× slower on the H200.
// DOUBLE keeps two tile buffers: step i multiplies one while storing step i + 1's tiles
// (fetched from global memory before the FMAs) into the other, one barrier per step.
// Preconditions (checked by the TS side): the tiled_vec4 ones, N % 4 = 0 (so c, pre, bias
// can be addressed as vec4) and k_chunk a multiple of BK.

@group(0) @binding(3) var<storage, read> bias4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> c4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> pre4: array<vec4<f32>>;

// PREFETCH: each thread's share of the next tiles is read into registers before this tile's
// FMAs (more registers; otherwise other workgroups on the SM hide the reads' latency)
// > 0: workgroups walk the grid in bands of this many tile rows, column by column, so the
// workgroups resident at one time share their A and B tiles in L2 (0: row by row)
// Sum one operand over this slice's k range as well (the bias gradient Σ_k dz, from the weight
// gradient's product, which holds dz as an operand): SUM_ROWS_A = op(A)'s rows (one sum per row
// m of C), SUM_COLS_B = op(B)'s columns (one per column n). The workgroups of the first tile
// column (rows) or tile row (columns) add, on their first thread column or row, the vec4s they
// already read for the FMAs; the sums go to the `pre` binding (unused without an activation)
// as (grid z, M) or (grid z, N), and the caller adds the slices (split K, batches).
const NV: u32 = select(2u, 4u, WIDE); // vec4 columns per thread
// vec4s of each tile that one thread loads per BK step (≤ MAX_LOADS)
const A_LOADS: u32 = 2u * BK / TX;
const B_LOADS: u32 = NV * BK / TY;
const MAX_LOADS: u32 = 4u;

// Tiles are stored k-major as vec4 along m (A) and n (B): row j·BK + k of buffer j,
//   As4[j·BK + k][m / 4][m % 4] = op(A)[m0 + m, k0 + k],  Bs4[j·BK + k][n / 4][n % 4] = op(B)[k0 + k, n0 + n].
// multiply_b8 reads rows by constant index (its k steps are written out), so the clamp that
// WebGPU puts on every runtime index folds away there, and each read is one shared-memory
// load at a fixed offset from a base held in a register. (The same tile in one flat array
// took an index computation and a clamp per read: H200, 4096², the 128 × 128 tile 28.2 →
// 36.9 TFLOP/s.) Rows of an inner array need a constant length, which an override cannot
// give: the prelude sets A4_COLS = BM/4 + pad and B4_COLS = BN/4 + pad per configuration.
// An operand whose
// vec4 loads run along k is written transposed, one float at a time: its padding vec4 per row
// spreads those stores over all banks.
const TILE_ROWS: u32 = select(1u, 2u, DOUBLE) * BK;
var<workgroup> As4: array<array<vec4<f32>, A4_COLS>, TILE_ROWS>;
var<workgroup> Bs4: array<array<vec4<f32>, B4_COLS>, TILE_ROWS>;

/** The i-th vec4 of this thread's share of the A tile at (m0, k0): global read. */
fn fetch_a8(s: Slice, m0: u32, k0: u32, e: u32) -> vec4<f32> {
  if (TRANS_A) { return load_a4(s.batch, m0 + (e % (2u * TY)) * 4u, k0 + e / (2u * TY), s.k_hi); }
  return load_a4(s.batch, m0 + e / (BK / 4u), k0 + (e % (BK / 4u)) * 4u, s.k_hi);
}

/** Store a fetched vec4 into A tile buffer `j`. */
fn put_a8(j: u32, e: u32, v: vec4<f32>) {
  if (TRANS_A) {
    As4[j * BK + e / (2u * TY)][e % (2u * TY)] = v;
  } else {
    let m = e / (BK / 4u);
    let r = j * BK + (e % (BK / 4u)) * 4u;
    As4[r][m / 4u][m % 4u] = v.x;
    As4[r + 1u][m / 4u][m % 4u] = v.y;
    As4[r + 2u][m / 4u][m % 4u] = v.z;
    As4[r + 3u][m / 4u][m % 4u] = v.w;
  }
}

fn fetch_b8(s: Slice, k0: u32, n0: u32, e: u32) -> vec4<f32> {
  if (TRANS_B) { return load_b4(s.batch, k0 + (e % (BK / 4u)) * 4u, n0 + e / (BK / 4u), s.k_hi); }
  return load_b4(s.batch, k0 + e / (NV * TX), n0 + (e % (NV * TX)) * 4u, s.k_hi);
}

fn put_b8(j: u32, e: u32, v: vec4<f32>) {
  if (TRANS_B) {
    let n = e / (BK / 4u);
    let k = (e % (BK / 4u)) * 4u;
    let r = j * BK + k;
    Bs4[r][n / 4u][n % 4u] = v.x;
    Bs4[r + 1u][n / 4u][n % 4u] = v.y;
    Bs4[r + 2u][n / 4u][n % 4u] = v.z;
    Bs4[r + 3u][n / 4u][n % 4u] = v.w;
  } else {
    Bs4[j * BK + e / (NV * TX)][e % (NV * TX)] = v;
  }
}

/** One k of the register block: acc[2r + h] += a_r · b_h and, with WIDE, acc[16 + 2r + h] +=
 *  a_r · b_{2+h}, for rows r of the thread (0–3 from a_lo, 4–7 from a_hi) and vec4 columns h.
 *  Written out, so that every index into the register block is a constant. */
fn fma_block8(a_lo: vec4<f32>, a_hi: vec4<f32>, b_0: vec4<f32>, b_1: vec4<f32>, b_2: vec4<f32>, b_3: vec4<f32>,
              acc: ptr<function, array<vec4<f32>, 32>>) {
  (*acc)[0] = fma(vec4(a_lo.x), b_0, (*acc)[0]);
  (*acc)[1] = fma(vec4(a_lo.x), b_1, (*acc)[1]);
  (*acc)[2] = fma(vec4(a_lo.y), b_0, (*acc)[2]);
  (*acc)[3] = fma(vec4(a_lo.y), b_1, (*acc)[3]);
  (*acc)[4] = fma(vec4(a_lo.z), b_0, (*acc)[4]);
  (*acc)[5] = fma(vec4(a_lo.z), b_1, (*acc)[5]);
  (*acc)[6] = fma(vec4(a_lo.w), b_0, (*acc)[6]);
  (*acc)[7] = fma(vec4(a_lo.w), b_1, (*acc)[7]);
  (*acc)[8] = fma(vec4(a_hi.x), b_0, (*acc)[8]);
  (*acc)[9] = fma(vec4(a_hi.x), b_1, (*acc)[9]);
  (*acc)[10] = fma(vec4(a_hi.y), b_0, (*acc)[10]);
  (*acc)[11] = fma(vec4(a_hi.y), b_1, (*acc)[11]);
  (*acc)[12] = fma(vec4(a_hi.z), b_0, (*acc)[12]);
  (*acc)[13] = fma(vec4(a_hi.z), b_1, (*acc)[13]);
  (*acc)[14] = fma(vec4(a_hi.w), b_0, (*acc)[14]);
  (*acc)[15] = fma(vec4(a_hi.w), b_1, (*acc)[15]);
  if (WIDE) {
    (*acc)[16] = fma(vec4(a_lo.x), b_2, (*acc)[16]);
    (*acc)[17] = fma(vec4(a_lo.x), b_3, (*acc)[17]);
    (*acc)[18] = fma(vec4(a_lo.y), b_2, (*acc)[18]);
    (*acc)[19] = fma(vec4(a_lo.y), b_3, (*acc)[19]);
    (*acc)[20] = fma(vec4(a_lo.z), b_2, (*acc)[20]);
    (*acc)[21] = fma(vec4(a_lo.z), b_3, (*acc)[21]);
    (*acc)[22] = fma(vec4(a_lo.w), b_2, (*acc)[22]);
    (*acc)[23] = fma(vec4(a_lo.w), b_3, (*acc)[23]);
    (*acc)[24] = fma(vec4(a_hi.x), b_2, (*acc)[24]);
    (*acc)[25] = fma(vec4(a_hi.x), b_3, (*acc)[25]);
    (*acc)[26] = fma(vec4(a_hi.y), b_2, (*acc)[26]);
    (*acc)[27] = fma(vec4(a_hi.y), b_3, (*acc)[27]);
    (*acc)[28] = fma(vec4(a_hi.z), b_2, (*acc)[28]);
    (*acc)[29] = fma(vec4(a_hi.z), b_3, (*acc)[29]);
    (*acc)[30] = fma(vec4(a_hi.w), b_2, (*acc)[30]);
    (*acc)[31] = fma(vec4(a_hi.w), b_3, (*acc)[31]);
  }
}

/** SUM_K: adds one k's operand vec4s to this thread's sums (see SUM_K). */
fn add_ksum(a_lo: vec4<f32>, a_hi: vec4<f32>, b_0: vec4<f32>, b_1: vec4<f32>, b_2: vec4<f32>, b_3: vec4<f32>,
            ks: ptr<function, array<vec4<f32>, 4>>) {
  if (SUM_K == SUM_ROWS_A) {
    (*ks)[0] += a_lo;
    (*ks)[1] += a_hi;
  } else {
    (*ks)[0] += b_0;
    (*ks)[1] += b_1;
    if (WIDE) {
      (*ks)[2] += b_2;
      (*ks)[3] += b_3;
    }
  }
}

/** Whether this thread keeps SUM_K's sums: the first thread column of the first tile column
 *  (rows of A), or the first thread row of the first tile row (columns of B). */
fn sums_k(tile: vec2<u32>, lid: vec3<u32>) -> bool {
  if (SUM_K == SUM_ROWS_A) { return tile.x == 0u && lid.x == 0u; }
  return SUM_K == SUM_COLS_B && tile.y == 0u && lid.y == 0u;
}

/** SUM_K's vec4 stores into `pre`: rows m0 + 4·ty + {0..3} and + BM/2 (M % 4 = 0: the A
 *  operand is then transposed, its m contiguous), or the thread's NV vec4 columns. */
fn store_ksum(zi: u32, m0: u32, n0: u32, lid: vec3<u32>, ks: ptr<function, array<vec4<f32>, 4>>) {
  if (SUM_K == SUM_ROWS_A) {
    let m = m0 + 4u * lid.y;
    if (m < p.M) { pre4[(zi * p.M + m) / 4u] = (*ks)[0]; }
    if (m + 4u * TY < p.M) { pre4[(zi * p.M + m + 4u * TY) / 4u] = (*ks)[1]; }
  } else {
    // constant indices into ks (see fma_block8)
    let n = n0 + 4u * lid.x;
    let nq = 4u * TX;
    if (n < p.N) { pre4[(zi * p.N + n) / 4u] = (*ks)[0]; }
    if (n + nq < p.N) { pre4[(zi * p.N + n + nq) / 4u] = (*ks)[1]; }
    if (WIDE) {
      if (n + 2u * nq < p.N) { pre4[(zi * p.N + n + 2u * nq) / 4u] = (*ks)[2]; }
      if (n + 3u * nq < p.N) { pre4[(zi * p.N + n + 3u * nq) / 4u] = (*ks)[3]; }
    }
  }
}

/** One k of the register block (tile row r): fma_block8 and, with `sum`, SUM_K's sums. */
fn k_step(r: u32, tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 32>>, sum: bool,
          ks: ptr<function, array<vec4<f32>, 4>>) {
  let a_lo = As4[r][ty];
  let a_hi = As4[r][ty + TY];
  let b_0 = Bs4[r][tx];
  let b_1 = Bs4[r][tx + TX];
  // b_2, b_3 only with WIDE (otherwise unused, and dropped)
  var b_2 = vec4(0.0);
  var b_3 = vec4(0.0);
  if (WIDE) {
    b_2 = Bs4[r][tx + 2u * TX];
    b_3 = Bs4[r][tx + 3u * TX];
  }
  fma_block8(a_lo, a_hi, b_0, b_1, b_2, b_3, acc);
  if (SUM_K != SUM_NONE && sum) { add_ksum(a_lo, a_hi, b_0, b_1, b_2, b_3, ks); }
}

/** Eight k steps, tile rows r to r + 7. */
fn k_steps8(r: u32, tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 32>>, sum: bool,
            ks: ptr<function, array<vec4<f32>, 4>>) {
  k_step(r, tx, ty, acc, sum, ks);
  k_step(r + 1u, tx, ty, acc, sum, ks);
  k_step(r + 2u, tx, ty, acc, sum, ks);
  k_step(r + 3u, tx, ty, acc, sum, ks);
  k_step(r + 4u, tx, ty, acc, sum, ks);
  k_step(r + 5u, tx, ty, acc, sum, ks);
  k_step(r + 6u, tx, ty, acc, sum, ks);
  k_step(r + 7u, tx, ty, acc, sum, ks);
}

/** The register block's update over tile buffer j: its BK (8 or 16) rows, each by a constant
 *  index once the driver has inlined these calls (see As4; with DOUBLE, j is not a constant
 *  and each read is clamped). Written as a loop, the same steps ran 14–16% slower (H200,
 *  64 × 128 tile). */
fn multiply_b8(j: u32, tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 32>>, sum: bool,
               ks: ptr<function, array<vec4<f32>, 4>>) {
  k_steps8(j * BK, tx, ty, acc, sum, ks);
  if (BK == 16u) { k_steps8(j * BK + 8u, tx, ty, acc, sum, ks); }
}

/** Bias, activation and vec4 stores of C[m, n..n+3] (n % 4 = 0, N % 4 = 0: all in or all out). */
fn epilogue4(zi: u32, m: u32, n: u32, acc: vec4<f32>) {
  if (m >= p.M || n >= p.N) { return; }
  var z = acc;
  if ((p.epilogue & EPI_BIAS) != 0u) { z += bias4[n / 4u]; }
  let i = ((zi * p.M + m) * p.N + n) / 4u;
  if ((p.epilogue & EPI_BASE) != 0u && zi % p.splits == 0u) { z += pre4[(((zi / p.splits) * p.M + m) * p.N + n) / 4u]; }
  if (ACT != ACT_NONE) { pre4[i] = z; }
  c4[i] = vec4(act_f(z.x), act_f(z.y), act_f(z.z), act_f(z.w));
}

/** The register block's stores: rows m + r and m + BM/2 + r (r < 4), vec4 columns n + q · 4·TX
 *  from acc[2r + q] and acc[8 + 2r + q] for q < 2, acc[16 + …] for q = 2, 3 (WIDE). */
fn store_b8(zi: u32, m0: u32, n0: u32, lid: vec3<u32>, acc: ptr<function, array<vec4<f32>, 32>>) {
  let m = m0 + 4u * lid.y;
  let n = n0 + 4u * lid.x;
  let mh = m + 4u * TY;
  let nq = 4u * TX;
  epilogue4(zi, m, n, (*acc)[0]);
  epilogue4(zi, m, n + nq, (*acc)[1]);
  epilogue4(zi, m + 1u, n, (*acc)[2]);
  epilogue4(zi, m + 1u, n + nq, (*acc)[3]);
  epilogue4(zi, m + 2u, n, (*acc)[4]);
  epilogue4(zi, m + 2u, n + nq, (*acc)[5]);
  epilogue4(zi, m + 3u, n, (*acc)[6]);
  epilogue4(zi, m + 3u, n + nq, (*acc)[7]);
  epilogue4(zi, mh, n, (*acc)[8]);
  epilogue4(zi, mh, n + nq, (*acc)[9]);
  epilogue4(zi, mh + 1u, n, (*acc)[10]);
  epilogue4(zi, mh + 1u, n + nq, (*acc)[11]);
  epilogue4(zi, mh + 2u, n, (*acc)[12]);
  epilogue4(zi, mh + 2u, n + nq, (*acc)[13]);
  epilogue4(zi, mh + 3u, n, (*acc)[14]);
  epilogue4(zi, mh + 3u, n + nq, (*acc)[15]);
  if (WIDE) {
    epilogue4(zi, m, n + 2u * nq, (*acc)[16]);
    epilogue4(zi, m, n + 3u * nq, (*acc)[17]);
    epilogue4(zi, m + 1u, n + 2u * nq, (*acc)[18]);
    epilogue4(zi, m + 1u, n + 3u * nq, (*acc)[19]);
    epilogue4(zi, m + 2u, n + 2u * nq, (*acc)[20]);
    epilogue4(zi, m + 2u, n + 3u * nq, (*acc)[21]);
    epilogue4(zi, m + 3u, n + 2u * nq, (*acc)[22]);
    epilogue4(zi, m + 3u, n + 3u * nq, (*acc)[23]);
    epilogue4(zi, mh, n + 2u * nq, (*acc)[24]);
    epilogue4(zi, mh, n + 3u * nq, (*acc)[25]);
    epilogue4(zi, mh + 1u, n + 2u * nq, (*acc)[26]);
    epilogue4(zi, mh + 1u, n + 3u * nq, (*acc)[27]);
    epilogue4(zi, mh + 2u, n + 2u * nq, (*acc)[28]);
    epilogue4(zi, mh + 2u, n + 3u * nq, (*acc)[29]);
    epilogue4(zi, mh + 3u, n + 2u * nq, (*acc)[30]);
    epilogue4(zi, mh + 3u, n + 3u * nq, (*acc)[31]);
  }
}

/** The (column, row) of the output tile that workgroup (x, y) computes (see BAND). */
fn tile_of(wid: vec3<u32>, nwg: vec3<u32>) -> vec2<u32> {
  if (BAND == 0u) { return wid.xy; }
  let id = wid.y * nwg.x + wid.x;
  let per_band = BAND * nwg.x;
  let row0 = (id / per_band) * BAND;
  let rows = min(BAND, nwg.y - row0);
  let j = id % per_band;
  return vec2(j / rows, row0 + j % rows);
}

@compute @workgroup_size(TX, TY)
fn block8(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
          @builtin(num_workgroups) nwg: vec3<u32>) {
  let tile = tile_of(wid, nwg);
  let n0 = tile.x * 4u * NV * TX;
  let m0 = tile.y * 8u * TY;
  let s = slice_of(wid.z);
  let tid = lid.y * TX + lid.x;
  let threads = TX * TY;
  var acc: array<vec4<f32>, 32>; // 16 without WIDE (the rest is dropped)
  var ks: array<vec4<f32>, 4>; // SUM_K's sums (dropped without it)
  let sum = sums_k(tile, lid);
  var ra: array<vec4<f32>, MAX_LOADS>; // this thread's share of the next tiles, in flight
  var rb: array<vec4<f32>, MAX_LOADS>;
  if (DOUBLE) {
    for (var i = 0u; i < A_LOADS; i++) { put_a8(0u, tid + i * threads, fetch_a8(s, m0, s.k_lo, tid + i * threads)); }
    for (var i = 0u; i < B_LOADS; i++) { put_b8(0u, tid + i * threads, fetch_b8(s, s.k_lo, n0, tid + i * threads)); }
    workgroupBarrier();
    var j = 0u;
    for (var k0 = s.k_lo; k0 < s.k_hi; k0 += BK) {
      // the next step's tiles (zeros past k_hi, stored at the last step into a buffer nobody
      // reads: no branch, see load_a4)
      for (var i = 0u; i < A_LOADS; i++) { ra[i] = fetch_a8(s, m0, k0 + BK, tid + i * threads); }
      for (var i = 0u; i < B_LOADS; i++) { rb[i] = fetch_b8(s, k0 + BK, n0, tid + i * threads); }
      multiply_b8(j, lid.x, lid.y, &acc, sum, &ks);
      // buffer 1 - j was last read before the previous step's barrier
      for (var i = 0u; i < A_LOADS; i++) { put_a8(1u - j, tid + i * threads, ra[i]); }
      for (var i = 0u; i < B_LOADS; i++) { put_b8(1u - j, tid + i * threads, rb[i]); }
      workgroupBarrier();
      j = 1u - j;
    }
  } else {
    if (PREFETCH) {
      for (var i = 0u; i < A_LOADS; i++) { ra[i] = fetch_a8(s, m0, s.k_lo, tid + i * threads); }
      for (var i = 0u; i < B_LOADS; i++) { rb[i] = fetch_b8(s, s.k_lo, n0, tid + i * threads); }
    }
    for (var k0 = s.k_lo; k0 < s.k_hi; k0 += BK) {
      if (!PREFETCH) {
        for (var i = 0u; i < A_LOADS; i++) { ra[i] = fetch_a8(s, m0, k0, tid + i * threads); }
        for (var i = 0u; i < B_LOADS; i++) { rb[i] = fetch_b8(s, k0, n0, tid + i * threads); }
      }
      for (var i = 0u; i < A_LOADS; i++) { put_a8(0u, tid + i * threads, ra[i]); }
      for (var i = 0u; i < B_LOADS; i++) { put_b8(0u, tid + i * threads, rb[i]); }
      workgroupBarrier();
      if (PREFETCH) {
        // the next tiles' global reads overlap this tile's FMAs (past k_hi they read zeros)
        for (var i = 0u; i < A_LOADS; i++) { ra[i] = fetch_a8(s, m0, k0 + BK, tid + i * threads); }
        for (var i = 0u; i < B_LOADS; i++) { rb[i] = fetch_b8(s, k0 + BK, n0, tid + i * threads); }
      }
      multiply_b8(0u, lid.x, lid.y, &acc, sum, &ks);
      workgroupBarrier();
    }
  }
  store_b8(wid.z, m0, n0, lid, &acc);
  if (SUM_K != SUM_NONE && sum) { store_ksum(wid.z, m0, n0, lid, &ks); }
}
