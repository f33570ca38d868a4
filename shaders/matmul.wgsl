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
  _pad0: u32,
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
@group(0) @binding(3) var<storage, read> bias: array<f32>; // (N); a stand-in binding when !HAS_BIAS
@group(0) @binding(4) var<storage, read_write> c: array<f32>; // (batch, M, N)
@group(0) @binding(5) var<storage, read_write> pre: array<f32>; // (batch, M, N) pre-activation; a stand-in when ACT == NONE

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

fn load_a4(bi: u32, m: u32, k: u32, k_hi: u32) -> vec4<f32> {
  // 4 consecutive elements along the contiguous dim starting at (m, k); all in range or zero,
  // because that dim's size (and k_chunk) is a multiple of 4 and so is the start
  if (m >= p.M || k >= k_hi) { return vec4<f32>(0.0); }
  return a4[(bi * p.a_sb + m * p.a_sm + k * p.a_sk) / 4u];
}

fn load_b4(bi: u32, k: u32, n: u32, k_hi: u32) -> vec4<f32> {
  if (k >= k_hi || n >= p.N) { return vec4<f32>(0.0); }
  return b4[(bi * p.b_sb + k * p.b_sk + n * p.b_sn) / 4u];
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

// ---- elementwise helpers: act_backward, sum_splits ---------------------------------------

struct FlatParams {
  n: u32, // elements of the output
  splits: u32, // sum_splits: partial slices to add
  _pad0: u32,
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

@compute @workgroup_size(WG)
fn sum_splits(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= fp.n) { return; }
  var acc = 0.0;
  for (var s = 0u; s < fp.splits; s++) { acc += partial[s * fp.n + i]; }
  summed[i] = acc;
}
