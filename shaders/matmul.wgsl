// Matrix multiply with a fused epilogue:  C[b] = act(op(A[b]) · op(B[b]) + bias)
//   M, K, N = rows of C, inner dim, cols of C;  b = batch index (the z grid dimension).
//   op(A) (M, K) is read through strides (a_sm, a_sk): transposes cost nothing, no copy.
//   op(B) (K, N) likewise through (b_sk, b_sn). A batch stride of 0 broadcasts that operand.
//   Split K: grid z = batch · splits; z reduces k in [s · k_chunk, (s + 1) · k_chunk) of batch
//   z / splits into its own (M, N) slice of c, and the caller sums the slices. Products with
//   few output tiles and a long K (weight gradients: (D, B·T) · (B·T, 4D)) fill the GPU so.
// Entry points:
//   naive         one output per thread, straight from global memory (reference GPU variant)
//   tiled         workgroup tiles of (BM, BK) and (BK, BN) staged in workgroup memory, each
//                 thread accumulating a TM × TN block of outputs in registers
//   tiled_vec4    tiled, with A and B tiles fetched as vec4 along their contiguous dimension
//                 (used when that dimension and the batch strides are multiples of 4)
//   block8        8 × 8 (or 8 × 16) outputs per thread in (8·TY, 8·TX) (or (8·TY, 16·TX))
//                 tiles, vec4 everywhere: global loads, workgroup reads of both tiles, the
//                 stores of C (also needs N % 4 = 0); with PREFETCH, the next tile's loads are
//                 issued before the current tile is multiplied (into a second tile buffer with
//                 DOUBLE)
//   (block8 can also sum one operand over k: SUM_K, a bias's gradient made by its weight
//   gradient's product)
//   act_backward  dz = dy · act'(z) for the epilogue's activation
//   sum_splits    adds the split-K partial products
// Every entry writes every output element it owns (planned buffers hold garbage).

struct Params {
  M: u32,
  K: u32,
  N: u32,
  a_sm: u32, // A: elements between rows m of op(A)
  a_sk: u32, //    between columns k of op(A)
  a_sb: u32, //    between batches (0 = broadcast)
  b_sk: u32, // B: between rows k of op(B)
  b_sn: u32, //    between columns n of op(B)
  b_sb: u32, //    between batches (0 = broadcast)
  splits: u32, // K split into this many chunks (1: no split)
  k_chunk: u32, // K per chunk (K when splits = 1)
  // block8's bias and base, read at run time (EPI_BIAS | EPI_BASE): one pipeline serves a
  // tile with and without them, fewer to compile before a first step. The other products
  // use the HAS_BIAS and HAS_BASE overrides.
  epilogue: u32,
}

/** The slice of the grid's z a workgroup works on: batch of A and B, and its range of K. */
struct Slice {
  batch: u32,
  k_lo: u32,
  k_hi: u32,
}

fn slice_of(z: u32) -> Slice {
  let k_lo = (z % p.splits) * p.k_chunk;
  return Slice(z / p.splits, k_lo, min(p.K, k_lo + p.k_chunk));
}

const ACT_NONE: u32 = 0u;
const ACT_GELU: u32 = 1u;
const ACT_RELU: u32 = 2u;

override ACT: u32 = 0u;
override HAS_BIAS: bool = false;
// add a whole (batch, M, N) matrix held in the pre binding (no activation then): a gradient
// accumulated in the same pass, or a residual stream; with split K, the first slice adds it
override HAS_BASE: bool = false;
const EPI_BIAS: u32 = 1u;
const EPI_BASE: u32 = 2u;
// Which dimension of each operand is contiguous in memory: picks the coalesced load order.
override TRANS_A: bool = false; // A stored (K, M): contiguous along m
override TRANS_B: bool = false; // B stored (N, K): contiguous along k

// naive: WG_X × WG_Y threads, one output each.
override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;

// tiled: a workgroup of TX × TY threads computes a BM × BN tile of C, BK columns of K at a time.
override TX: u32 = 16u;
override TY: u32 = 16u;
override TM: u32 = 4u; // rows per thread   (≤ MAX_T)
override TN: u32 = 4u; // cols per thread   (≤ MAX_T)
override BK: u32 = 16u;
override BM: u32 = TY * TM;
override BN: u32 = TX * TN;
// Workgroup tiles are stored k-major with one float of padding per row, so both the
// transposed and the plain load orders write them without bank conflicts.
override AS_STRIDE: u32 = BM + 1u;
override BS_STRIDE: u32 = BN + 1u;
override AS_SIZE: u32 = BK * AS_STRIDE;
override BS_SIZE: u32 = BK * BS_STRIDE;
// Function-scope arrays need a constant size: registers are sized for the largest block;
// the loops run to TM, TN (constants at pipeline creation), so unused slots are dropped.
const MAX_T: u32 = 8u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>; // (N); a stand-in binding without HAS_BIAS
@group(0) @binding(4) var<storage, read_write> c: array<f32>; // (batch, M, N)
@group(0) @binding(5) var<storage, read_write> pre: array<f32>; // (batch, M, N): the pre-activation (written) with ACT, the base (read) with HAS_BASE; else a stand-in

fn gelu_inner(x: f32) -> f32 {
  // clamp keeps tanh away from exp overflow on some drivers (as in elementwise.wgsl)
  return clamp(0.7978845608028654 * (x + 0.044715 * x * x * x), -15.0, 15.0);
}

fn act_f(z: f32) -> f32 {
  switch ACT {
    case ACT_GELU: { return 0.5 * z * (1.0 + tanh(gelu_inner(z))); }
    case ACT_RELU: { return max(z, 0.0); }
    default: { return z; }
  }
}

fn act_df(z: f32) -> f32 {
  switch ACT {
    case ACT_GELU: {
      let t = tanh(gelu_inner(z));
      let du = 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * z * z);
      return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du;
    }
    case ACT_RELU: { return select(0.0, 1.0, z > 0.0); }
    default: { return 1.0; }
  }
}

/** Bias, activation and the stores for one output element (m, n) of grid slice `zi`. */
fn epilogue(zi: u32, m: u32, n: u32, acc: f32) {
  var z = acc;
  if (HAS_BIAS) { z += bias[n]; }
  let i = (zi * p.M + m) * p.N + n;
  if (HAS_BASE && zi % p.splits == 0u) { z += pre[((zi / p.splits) * p.M + m) * p.N + n]; }
  if (ACT != ACT_NONE) { pre[i] = z; }
  c[i] = act_f(z);
}

// ---- naive ------------------------------------------------------------------------------

@compute @workgroup_size(WG_X, WG_Y)
fn naive(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  let m = gid.y;
  if (m >= p.M || n >= p.N) { return; }
  let s = slice_of(gid.z);
  let a0 = s.batch * p.a_sb + m * p.a_sm;
  let b0 = s.batch * p.b_sb + n * p.b_sn;
  var acc = 0.0;
  for (var k = s.k_lo; k < s.k_hi; k++) {
    acc = fma(a[a0 + k * p.a_sk], b[b0 + k * p.b_sk], acc);
  }
  epilogue(gid.z, m, n, acc);
}

// ---- tiled ------------------------------------------------------------------------------

var<workgroup> As: array<f32, AS_SIZE>; // As[k * AS_STRIDE + m] = op(A)[m0 + m, k0 + k]
var<workgroup> Bs: array<f32, BS_SIZE>; // Bs[k * BS_STRIDE + n] = op(B)[k0 + k, n0 + n]

fn load_a(bi: u32, m: u32, k: u32, k_hi: u32) -> f32 {
  if (m >= p.M || k >= k_hi) { return 0.0; }
  return a[bi * p.a_sb + m * p.a_sm + k * p.a_sk];
}

fn load_b(bi: u32, k: u32, n: u32, k_hi: u32) -> f32 {
  if (k >= k_hi || n >= p.N) { return 0.0; }
  return b[bi * p.b_sb + k * p.b_sk + n * p.b_sn];
}

/** Stage the (BM, BK) and (BK, BN) tiles at (m0, k0, n0); consecutive threads read
 *  consecutive addresses of whichever dimension is contiguous. */
fn load_tiles_scalar(s: Slice, m0: u32, k0: u32, n0: u32, tid: u32) {
  let threads = TX * TY;
  for (var e = tid; e < BM * BK; e += threads) {
    var m: u32;
    var k: u32;
    if (TRANS_A) { m = e % BM; k = e / BM; } else { k = e % BK; m = e / BK; }
    As[k * AS_STRIDE + m] = load_a(s.batch, m0 + m, k0 + k, s.k_hi);
  }
  for (var e = tid; e < BK * BN; e += threads) {
    var k: u32;
    var n: u32;
    if (TRANS_B) { k = e % BK; n = e / BK; } else { n = e % BN; k = e / BN; }
    Bs[k * BS_STRIDE + n] = load_b(s.batch, k0 + k, n0 + n, s.k_hi);
  }
}

/** One BK step of the register block: thread (tx, ty) owns rows ty + i·TY, cols tx + j·TX
 *  (strided, so neighbouring threads read neighbouring workgroup words and store coalesced). */
fn multiply_tiles(tx: u32, ty: u32, acc: ptr<function, array<f32, 64>>) {
  var ar: array<f32, MAX_T>;
  var br: array<f32, MAX_T>;
  for (var k = 0u; k < BK; k++) {
    for (var i = 0u; i < TM; i++) { ar[i] = As[k * AS_STRIDE + ty + i * TY]; }
    for (var j = 0u; j < TN; j++) { br[j] = Bs[k * BS_STRIDE + tx + j * TX]; }
    for (var i = 0u; i < TM; i++) {
      for (var j = 0u; j < TN; j++) {
        (*acc)[i * MAX_T + j] = fma(ar[i], br[j], (*acc)[i * MAX_T + j]);
      }
    }
  }
}

fn store_block(zi: u32, m0: u32, n0: u32, tx: u32, ty: u32, acc: ptr<function, array<f32, 64>>) {
  for (var i = 0u; i < TM; i++) {
    let m = m0 + ty + i * TY;
    if (m >= p.M) { continue; }
    for (var j = 0u; j < TN; j++) {
      let n = n0 + tx + j * TX;
      if (n < p.N) { epilogue(zi, m, n, (*acc)[i * MAX_T + j]); }
    }
  }
}

@compute @workgroup_size(TX, TY)
fn tiled(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n0 = wid.x * BN;
  let m0 = wid.y * BM;
  let s = slice_of(wid.z);
  let tid = lid.y * TX + lid.x;
  var acc: array<f32, 64>; // MAX_T × MAX_T, zero-initialised
  for (var k0 = s.k_lo; k0 < s.k_hi; k0 += BK) {
    load_tiles_scalar(s, m0, k0, n0, tid);
    workgroupBarrier();
    multiply_tiles(lid.x, lid.y, &acc);
    workgroupBarrier();
  }
  store_block(wid.z, m0, n0, lid.x, lid.y, &acc);
}

// ---- tiled_vec4: the same tiles, fetched 4 floats at a time -------------------------------
// Bound to the same buffers as a and b (a different entry point, so no two variables that
// share a binding are used together). Valid when the contiguous dimension of each operand
// (K for plain A, M for transposed A, N for plain B, K for transposed B) and the batch
// strides are multiples of 4; the TS side checks this. Tiles past the edge read zeros.

@group(0) @binding(1) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b4: array<vec4<f32>>;

// Past an edge these read a clamped address and select zero, without a branch: loads under a
// branch kept the NVIDIA driver from overlapping them with the FMAs (H200: the 64 × 128 tile
// 25.5 → 32.3 TFLOP/s at 4096², 23.1 → 26.2 on the D = 256 MLP's forward).
fn load_a4(bi: u32, m: u32, k: u32, k_hi: u32) -> vec4<f32> {
  // 4 consecutive elements along the contiguous dim starting at (m, k); all in range or zero,
  // because that dim's size (and k_chunk) is a multiple of 4 and so is the start
  let v = a4[min((bi * p.a_sb + m * p.a_sm + k * p.a_sk) / 4u, arrayLength(&a4) - 1u)];
  return select(vec4(0.0), v, m < p.M && k < k_hi);
}

fn load_b4(bi: u32, k: u32, n: u32, k_hi: u32) -> vec4<f32> {
  let v = b4[min((bi * p.b_sb + k * p.b_sk + n * p.b_sn) / 4u, arrayLength(&b4) - 1u)];
  return select(vec4(0.0), v, k < k_hi && n < p.N);
}

fn load_tiles_vec4(s: Slice, m0: u32, k0: u32, n0: u32, tid: u32) {
  let threads = TX * TY;
  for (var e = tid; e < BM * BK / 4u; e += threads) {
    if (TRANS_A) {
      let m = (e % (BM / 4u)) * 4u;
      let k = e / (BM / 4u);
      let v = load_a4(s.batch, m0 + m, k0 + k, s.k_hi);
      let base = k * AS_STRIDE + m;
      As[base] = v.x; As[base + 1u] = v.y; As[base + 2u] = v.z; As[base + 3u] = v.w;
    } else {
      let k = (e % (BK / 4u)) * 4u;
      let m = e / (BK / 4u);
      let v = load_a4(s.batch, m0 + m, k0 + k, s.k_hi);
      As[k * AS_STRIDE + m] = v.x;
      As[(k + 1u) * AS_STRIDE + m] = v.y;
      As[(k + 2u) * AS_STRIDE + m] = v.z;
      As[(k + 3u) * AS_STRIDE + m] = v.w;
    }
  }
  for (var e = tid; e < BK * BN / 4u; e += threads) {
    if (TRANS_B) {
      let k = (e % (BK / 4u)) * 4u;
      let n = e / (BK / 4u);
      let v = load_b4(s.batch, k0 + k, n0 + n, s.k_hi);
      Bs[k * BS_STRIDE + n] = v.x;
      Bs[(k + 1u) * BS_STRIDE + n] = v.y;
      Bs[(k + 2u) * BS_STRIDE + n] = v.z;
      Bs[(k + 3u) * BS_STRIDE + n] = v.w;
    } else {
      let n = (e % (BN / 4u)) * 4u;
      let k = e / (BN / 4u);
      let v = load_b4(s.batch, k0 + k, n0 + n, s.k_hi);
      let base = k * BS_STRIDE + n;
      Bs[base] = v.x; Bs[base + 1u] = v.y; Bs[base + 2u] = v.z; Bs[base + 3u] = v.w;
    }
  }
}

@compute @workgroup_size(TX, TY)
fn tiled_vec4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n0 = wid.x * BN;
  let m0 = wid.y * BM;
  let s = slice_of(wid.z);
  let tid = lid.y * TX + lid.x;
  var acc: array<f32, 64>;
  for (var k0 = s.k_lo; k0 < s.k_hi; k0 += BK) {
    load_tiles_vec4(s, m0, k0, n0, tid);
    workgroupBarrier();
    multiply_tiles(lid.x, lid.y, &acc);
    workgroupBarrier();
  }
  store_block(wid.z, m0, n0, lid.x, lid.y, &acc);
}

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
override PREFETCH: bool = true;
override WIDE: bool = false;
override DOUBLE: bool = false;
// > 0: workgroups walk the grid in bands of this many tile rows, column by column, so the
// workgroups resident at one time share their A and B tiles in L2 (0: row by row)
override BAND: u32 = 0u;
// Sum one operand over this slice's k range as well (the bias gradient Σ_k dz, from the weight
// gradient's product, which holds dz as an operand): SUM_ROWS_A = op(A)'s rows (one sum per row
// m of C), SUM_COLS_B = op(B)'s columns (one per column n). The workgroups of the first tile
// column (rows) or tile row (columns) add, on their first thread column or row, the vec4s they
// already read for the FMAs; the sums go to the `pre` binding (unused without an activation)
// as (grid z, M) or (grid z, N), and the caller adds the slices (split K, batches).
const SUM_NONE: u32 = 0u;
const SUM_ROWS_A: u32 = 1u;
const SUM_COLS_B: u32 = 2u;
override SUM_K: u32 = 0u;
override NV: u32 = select(2u, 4u, WIDE); // vec4 columns per thread
// vec4s of each tile that one thread loads per BK step (≤ MAX_LOADS)
override A_LOADS: u32 = 2u * BK / TX;
override B_LOADS: u32 = NV * BK / TY;
const MAX_LOADS: u32 = 4u;

// Tiles are stored k-major as vec4 along m (A) and n (B): row j·BK + k of buffer j,
//   As4[j·BK + k][m / 4][m % 4] = op(A)[m0 + m, k0 + k],  Bs4[j·BK + k][n / 4][n % 4] = op(B)[k0 + k, n0 + n].
// multiply_b8 reads rows by constant index (its k steps are written out), so the clamp that
// WebGPU puts on every runtime index folds away there, and each read is one shared-memory
// load at a fixed offset from a base held in a register. (The same tile in one flat array
// took an index computation and a clamp per read: H200, 4096², the 128 × 128 tile 28.2 →
// 36.9 TFLOP/s.) Rows of an inner array need a constant length, which an override cannot
// give: matmul.ts (block8Source) sets A4_COLS = BM/4 + pad and B4_COLS = BN/4 + pad per
// configuration; these defaults are the 128 × 128 tile's with a plain A. An operand whose
// vec4 loads run along k is written transposed, one float at a time: its padding vec4 per row
// spreads those stores over all banks.
const A4_COLS: u32 = 33u;
const B4_COLS: u32 = 32u;
override TILE_ROWS: u32 = select(1u, 2u, DOUBLE) * BK;
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
fn fma_block8(a_lo: vec4<f32>, a_hi: vec4<f32>, b_0: vec4<f32>, b_1: vec4<f32>, b_2: vec4<f32>, b_3: vec4<f32>, acc: ptr<function, array<vec4<f32>, 32>>) {
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
fn add_ksum(a_lo: vec4<f32>, a_hi: vec4<f32>, b_0: vec4<f32>, b_1: vec4<f32>, b_2: vec4<f32>, b_3: vec4<f32>, ks: ptr<function, array<vec4<f32>, 4>>) {
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
fn k_step(r: u32, tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 32>>, sum: bool, ks: ptr<function, array<vec4<f32>, 4>>) {
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
fn k_steps8(r: u32, tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 32>>, sum: bool, ks: ptr<function, array<vec4<f32>, 4>>) {
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
fn multiply_b8(j: u32, tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 32>>, sum: bool, ks: ptr<function, array<vec4<f32>, 4>>) {
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
fn block8(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
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

// ---- elementwise helpers: act_backward, sum_splits ---------------------------------------

struct FlatParams {
  n: u32, // elements of the output
  splits: u32, // sum_splits: partial slices to add
  cols: u32, // sum_splits_epilogue: N (the bias repeats every N elements)
  _pad1: u32,
}

override WG: u32 = 256u;

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
@group(0) @binding(3) var<storage, read> addend: array<f32>; // bias (N); a stand-in without HAS_BIAS
@group(0) @binding(4) var<storage, read_write> split_pre: array<f32>; // (n) with an activation; a stand-in otherwise

@compute @workgroup_size(WG)
fn sum_splits_epilogue(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= fp.n) { return; }
  var z = slices_sum(i);
  if (HAS_BIAS) { z += addend[i % fp.cols]; }
  if (ACT != ACT_NONE) { split_pre[i] = z; }
  summed[i] = act_f(z);
}

// The two sums four elements at a time (vec4 loads: n and N multiples of 4), for the large
// (M, N) outputs of the models' products, where these passes are memory-bound.
@group(0) @binding(1) var<storage, read> partial4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> summed4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> addend4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> split_pre4: array<vec4<f32>>;

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
  if (HAS_BIAS) { z += addend4[i % (fp.cols / 4u)]; }
  if (ACT != ACT_NONE) { split_pre4[i] = z; }
  summed4[i] = vec4(act_f(z.x), act_f(z.y), act_f(z.z), act_f(z.w));
}

// transpose: t_out (C, R) = t_in (R, C)ᵀ with R = fp.n, C = fp.cols, through 16 × 16 tiles
// of workgroup memory so that both the reads and the writes are coalesced. An operand
// stored (N, K) (a product's transposed B) becomes (K, N), which block8 loads as vec4s
// straight into its tile, where the transposed layout needs scalar stores (see TRANS_SMALL_B).
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
