// block8 (prepended: matmul_common.wgsl): 8 × 8 outputs per thread, vec4 throughout: global
// loads, workgroup reads of both tiles, the stores of C. The products' kernel wherever it can
// run (matmul_tiled.wgsl takes the rest).
// A workgroup of TX × TY threads computes a (BM, BN) = (8·TY, 8·TX) tile of C, BK deep.
// Thread (tx, ty) owns rows 4·ty + {0..3} and BM/2 + 4·ty + {0..3}, and the vec4 columns tx
// and tx + TX of the tile: per k it reads two vec4 of the A tile and two of the B tile
// (consecutive threads read consecutive vec4s) for 64 FMAs. The register block is indexed by
// constants only (no loop over it), so it stays in registers: an array indexed in a loop may
// be put in local memory, which is what made an 8 × 8 `tiled` 7× slower on the H200.
// Constants of the prelude: TX, TY, BK (8 or 16), PREFETCH, SUM_K (SUM_NONE, SUM_ROWS_A,
// SUM_COLS_B), ACT, TRANS_A, TRANS_B, and A4_COLS, B4_COLS (see As4).
// Preconditions (checked by the TS side): the vec4 loads' (matmul_common.wgsl), N % 4 = 0 (so
// c, pre, base, bias can be addressed as vec4) and k_chunk a multiple of BK.
// PREFETCH: each thread's share of the next tiles is read into registers before this tile's
// FMAs (more registers; otherwise other workgroups on the SM hide the reads' latency).
// SUM_K: sum one operand over this slice's k range as well (the bias gradient Σ_k dz, from the
// weight gradient's product, which holds dz as an operand): SUM_ROWS_A = op(A)'s rows (one sum
// per row m of C), SUM_COLS_B = op(B)'s columns (one per column n). The workgroups of the first
// tile column (rows) or tile row (columns) add, on their first thread column or row, the vec4s
// they already read for the FMAs; the sums go to `ksum` as (grid z, M) or (grid z, N), and the
// caller adds the slices (split K, batches).

@group(0) @binding(3) var<storage, read> bias4: array<vec4<f32>>; // (N), added with EPI_BIAS
@group(0) @binding(4) var<storage, read_write> c4: array<vec4<f32>>; // (batch, M, N)
@group(0) @binding(5) var<storage, read_write> pre4: array<vec4<f32>>; // (batch, M, N), written with ACT
@group(0) @binding(6) var<storage, read> base4: array<vec4<f32>>; // (batch, M, N), added with EPI_BASE
@group(0) @binding(7) var<storage, read_write> ksum4: array<vec4<f32>>; // (grid z, M or N), with SUM_K

// vec4s of each tile that one thread loads per BK step (≤ MAX_LOADS)
const A_LOADS: u32 = 2u * BK / TX;
const B_LOADS: u32 = 2u * BK / TY;
const MAX_LOADS: u32 = 4u;

// Tiles are stored k-major as vec4 along m (A) and n (B):
//   As4[k][m / 4][m % 4] = op(A)[m0 + m, k0 + k],  Bs4[k][n / 4][n % 4] = op(B)[k0 + k, n0 + n].
// multiply_b8 reads rows by constant index (its k steps are written out), so the clamp that
// WebGPU puts on every runtime index folds away there, and each read is one shared-memory
// load at a fixed offset from a base held in a register. (The same tile in one flat array
// took an index computation and a clamp per read: 28.2 → 36.9 TFLOP/s at 4096² on an H200.)
// Rows of an inner array need a constant length: the prelude's A4_COLS = BM/4 + pad and
// B4_COLS = BN/4 + pad. An operand whose vec4 loads run along k is written transposed, one
// float at a time: its padding vec4 per row spreads those stores over all banks.
var<workgroup> As4: array<array<vec4<f32>, A4_COLS>, BK>;
var<workgroup> Bs4: array<array<vec4<f32>, B4_COLS>, BK>;

/** The i-th vec4 of this thread's share of the A tile at (m0, k0): global read. */
fn fetch_a8(s: Slice, m0: u32, k0: u32, e: u32) -> vec4<f32> {
  if (TRANS_A) { return load_a4(s.batch, m0 + (e % (2u * TY)) * 4u, k0 + e / (2u * TY), s.k_hi); }
  return load_a4(s.batch, m0 + e / (BK / 4u), k0 + (e % (BK / 4u)) * 4u, s.k_hi);
}

/** Store a fetched vec4 into the A tile. */
fn put_a8(e: u32, v: vec4<f32>) {
  if (TRANS_A) {
    As4[e / (2u * TY)][e % (2u * TY)] = v;
  } else {
    let m = e / (BK / 4u);
    let r = (e % (BK / 4u)) * 4u;
    As4[r][m / 4u][m % 4u] = v.x;
    As4[r + 1u][m / 4u][m % 4u] = v.y;
    As4[r + 2u][m / 4u][m % 4u] = v.z;
    As4[r + 3u][m / 4u][m % 4u] = v.w;
  }
}

fn fetch_b8(s: Slice, k0: u32, n0: u32, e: u32) -> vec4<f32> {
  if (TRANS_B) { return load_b4(s.batch, k0 + (e % (BK / 4u)) * 4u, n0 + e / (BK / 4u), s.k_hi); }
  return load_b4(s.batch, k0 + e / (2u * TX), n0 + (e % (2u * TX)) * 4u, s.k_hi);
}

fn put_b8(e: u32, v: vec4<f32>) {
  if (TRANS_B) {
    let n = e / (BK / 4u);
    let r = (e % (BK / 4u)) * 4u;
    Bs4[r][n / 4u][n % 4u] = v.x;
    Bs4[r + 1u][n / 4u][n % 4u] = v.y;
    Bs4[r + 2u][n / 4u][n % 4u] = v.z;
    Bs4[r + 3u][n / 4u][n % 4u] = v.w;
  } else {
    Bs4[e / (2u * TX)][e % (2u * TX)] = v;
  }
}

/** One k of the register block: acc[2r + h] += a_r · b_h for rows r of the thread (0–3 from
 *  a_lo, 4–7 from a_hi) and vec4 columns h. Written out, so that every index into the
 *  register block is a constant. */
fn fma_block8(a_lo: vec4<f32>, a_hi: vec4<f32>, b_0: vec4<f32>, b_1: vec4<f32>,
              acc: ptr<function, array<vec4<f32>, 16>>) {
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
}

/** SUM_K: adds one k's operand vec4s to this thread's sums. */
fn add_ksum(a_lo: vec4<f32>, a_hi: vec4<f32>, b_0: vec4<f32>, b_1: vec4<f32>, ks: ptr<function, array<vec4<f32>, 2>>) {
  if (SUM_K == SUM_ROWS_A) {
    (*ks)[0] += a_lo;
    (*ks)[1] += a_hi;
  } else {
    (*ks)[0] += b_0;
    (*ks)[1] += b_1;
  }
}

/** Whether this thread keeps SUM_K's sums: the first thread column of the first tile column
 *  (rows of A), or the first thread row of the first tile row (columns of B). */
fn sums_k(tile: vec2<u32>, lid: vec3<u32>) -> bool {
  if (SUM_K == SUM_ROWS_A) { return tile.x == 0u && lid.x == 0u; }
  return SUM_K == SUM_COLS_B && tile.y == 0u && lid.y == 0u;
}

/** SUM_K's vec4 stores: rows m0 + 4·ty + {0..3} and + BM/2 (M % 4 = 0: the A operand is then
 *  transposed, its m contiguous), or the thread's two vec4 columns. */
fn store_ksum(zi: u32, m0: u32, n0: u32, lid: vec3<u32>, ks: ptr<function, array<vec4<f32>, 2>>) {
  if (SUM_K == SUM_ROWS_A) {
    let m = m0 + 4u * lid.y;
    if (m < p.M) { ksum4[(zi * p.M + m) / 4u] = (*ks)[0]; }
    if (m + 4u * TY < p.M) { ksum4[(zi * p.M + m + 4u * TY) / 4u] = (*ks)[1]; }
  } else {
    let n = n0 + 4u * lid.x;
    let nq = 4u * TX;
    if (n < p.N) { ksum4[(zi * p.N + n) / 4u] = (*ks)[0]; }
    if (n + nq < p.N) { ksum4[(zi * p.N + n + nq) / 4u] = (*ks)[1]; }
  }
}

/** One k of the register block (tile row r): fma_block8 and, with `sum`, SUM_K's sums. */
fn k_step(r: u32, tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 16>>, sum: bool,
          ks: ptr<function, array<vec4<f32>, 2>>) {
  let a_lo = As4[r][ty];
  let a_hi = As4[r][ty + TY];
  let b_0 = Bs4[r][tx];
  let b_1 = Bs4[r][tx + TX];
  fma_block8(a_lo, a_hi, b_0, b_1, acc);
  if (SUM_K != SUM_NONE && sum) { add_ksum(a_lo, a_hi, b_0, b_1, ks); }
}

/** Eight k steps, tile rows r to r + 7. */
fn k_steps8(r: u32, tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 16>>, sum: bool,
            ks: ptr<function, array<vec4<f32>, 2>>) {
  k_step(r, tx, ty, acc, sum, ks);
  k_step(r + 1u, tx, ty, acc, sum, ks);
  k_step(r + 2u, tx, ty, acc, sum, ks);
  k_step(r + 3u, tx, ty, acc, sum, ks);
  k_step(r + 4u, tx, ty, acc, sum, ks);
  k_step(r + 5u, tx, ty, acc, sum, ks);
  k_step(r + 6u, tx, ty, acc, sum, ks);
  k_step(r + 7u, tx, ty, acc, sum, ks);
}

/** The register block's update over the tiles: their BK (8 or 16) rows, each by a constant
 *  index once the driver has inlined these calls (see As4). Written as a loop, the same steps
 *  ran 14–16% slower (H200, 64 × 128 tile). */
fn multiply_b8(tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 16>>, sum: bool,
               ks: ptr<function, array<vec4<f32>, 2>>) {
  k_steps8(0u, tx, ty, acc, sum, ks);
  if (BK == 16u) { k_steps8(8u, tx, ty, acc, sum, ks); }
}

/** Bias, base, activation and vec4 stores of C[m, n..n+3] (n % 4 = 0, N % 4 = 0: all in or
 *  all out); with split K the first slice adds the base. */
fn epilogue4(zi: u32, m: u32, n: u32, acc: vec4<f32>) {
  if (m >= p.M || n >= p.N) { return; }
  var z = acc;
  if ((p.epilogue & EPI_BIAS) != 0u) { z += bias4[n / 4u]; }
  let i = ((zi * p.M + m) * p.N + n) / 4u;
  if ((p.epilogue & EPI_BASE) != 0u && zi % p.splits == 0u) {
    z += base4[(((zi / p.splits) * p.M + m) * p.N + n) / 4u];
  }
  if (ACT != ACT_NONE) { pre4[i] = z; }
  c4[i] = vec4(act_f(z.x), act_f(z.y), act_f(z.z), act_f(z.w));
}

/** The register block's stores: rows m + r and m + BM/2 + r (r < 4), vec4 columns n and
 *  n + 4·TX from acc[2r + q] and acc[8 + 2r + q]. */
fn store_b8(zi: u32, m0: u32, n0: u32, lid: vec3<u32>, acc: ptr<function, array<vec4<f32>, 16>>) {
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
}

@compute @workgroup_size(TX, TY)
fn block8(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile = wid.xy;
  let n0 = tile.x * 8u * TX;
  let m0 = tile.y * 8u * TY;
  let s = slice_of(wid.z);
  let tid = lid.y * TX + lid.x;
  let threads = TX * TY;
  var acc: array<vec4<f32>, 16>;
  var ks: array<vec4<f32>, 2>; // SUM_K's sums (dropped without it)
  let sum = sums_k(tile, lid);
  var ra: array<vec4<f32>, MAX_LOADS>; // this thread's share of the next tiles, in flight
  var rb: array<vec4<f32>, MAX_LOADS>;
  if (PREFETCH) {
    for (var i = 0u; i < A_LOADS; i++) { ra[i] = fetch_a8(s, m0, s.k_lo, tid + i * threads); }
    for (var i = 0u; i < B_LOADS; i++) { rb[i] = fetch_b8(s, s.k_lo, n0, tid + i * threads); }
  }
  for (var k0 = s.k_lo; k0 < s.k_hi; k0 += BK) {
    if (!PREFETCH) {
      for (var i = 0u; i < A_LOADS; i++) { ra[i] = fetch_a8(s, m0, k0, tid + i * threads); }
      for (var i = 0u; i < B_LOADS; i++) { rb[i] = fetch_b8(s, k0, n0, tid + i * threads); }
    }
    for (var i = 0u; i < A_LOADS; i++) { put_a8(tid + i * threads, ra[i]); }
    for (var i = 0u; i < B_LOADS; i++) { put_b8(tid + i * threads, rb[i]); }
    workgroupBarrier();
    if (PREFETCH) {
      // the next tiles' global reads overlap this tile's FMAs (past k_hi they read zeros)
      for (var i = 0u; i < A_LOADS; i++) { ra[i] = fetch_a8(s, m0, k0 + BK, tid + i * threads); }
      for (var i = 0u; i < B_LOADS; i++) { rb[i] = fetch_b8(s, k0 + BK, n0, tid + i * threads); }
    }
    multiply_b8(lid.x, lid.y, &acc, sum, &ks);
    workgroupBarrier();
  }
  store_b8(wid.z, m0, n0, lid, &acc);
  if (SUM_K != SUM_NONE && sum) { store_ksum(wid.z, m0, n0, lid, &ks); }
}
