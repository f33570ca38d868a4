// The tiled products (prepended: matmul_common.wgsl): a workgroup of TX × TY threads computes
// a BM × BN tile of C, BK columns of K at a time, staged in workgroup memory; each thread
// accumulates a TM × TN block of outputs in registers. The fallback of block8 (matmul_block8.wgsl)
// for products it cannot take (an operand's contiguous dimension or N not a multiple of 4, or
// tiles past the device's workgroup memory).
//   tiled       scalar loads of the tiles
//   tiled_vec4  the same tiles, fetched as vec4 along each operand's contiguous dimension
// Constants of the prelude: TX, TY, TM, TN (≤ MAX_T), BK; HAS_BIAS, HAS_BASE, ACT; TRANS_A
// (A stored (K, M): contiguous along m), TRANS_B (B stored (N, K): contiguous along k), which
// pick the coalesced load order.

const BM: u32 = TY * TM;
const BN: u32 = TX * TN;
// Workgroup tiles are stored k-major with one float of padding per row, so both the
// transposed and the plain load orders write them without bank conflicts.
const AS_STRIDE: u32 = BM + 1u;
const BS_STRIDE: u32 = BN + 1u;
const AS_SIZE: u32 = BK * AS_STRIDE;
const BS_SIZE: u32 = BK * BS_STRIDE;
// Function-scope arrays need a constant size: registers are sized for the largest block;
// the loops run to TM, TN (constants), so unused slots are dropped.
const MAX_T: u32 = 8u;

@group(0) @binding(3) var<storage, read> bias: array<f32>; // (N); read only with HAS_BIAS
@group(0) @binding(4) var<storage, read_write> c: array<f32>; // (batch, M, N)
@group(0) @binding(5) var<storage, read_write> pre: array<f32>; // (batch, M, N), written with ACT
@group(0) @binding(6) var<storage, read> base: array<f32>; // (batch, M, N), added with HAS_BASE

/** Bias, base, activation and the stores for one output element (m, n) of grid slice `zi`;
 *  with split K the first slice adds the base. */
fn epilogue(zi: u32, m: u32, n: u32, acc: f32) {
  var z = acc;
  if (HAS_BIAS) { z += bias[n]; }
  let i = (zi * p.M + m) * p.N + n;
  if (HAS_BASE && zi % p.splits == 0u) { z += base[((zi / p.splits) * p.M + m) * p.N + n]; }
  if (ACT != ACT_NONE) { pre[i] = z; }
  c[i] = act_f(z);
}

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

// ---- tiled_vec4: the same tiles, fetched 4 floats at a time (tiles past the edge read zeros)

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
