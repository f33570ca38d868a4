// Matrix multiply with a fused epilogue:  C[b] = act(op(A[b]) · op(B[b]) + bias) (+ base)
//   M, K, N = rows of C, inner dim, cols of C;  b = batch index (the z grid dimension).
//   op(A) (M, K) is read through strides (a_sm, a_sk): transposes cost nothing, no copy.
//   op(B) (K, N) likewise through (b_sk, b_sn). A batch stride of 0 broadcasts that operand.
//   Split K: grid z = batch · splits; z reduces k in [s · k_chunk, (s + 1) · k_chunk) of batch
//   z / splits into its own (M, N) slice of c, and the caller sums the slices. Products with
//   few output tiles and a long K (weight gradients: (D, B·T) · (B·T, 4D)) fill the GPU so.
// This part is shared by the products (matmul_tiled.wgsl, matmul_block8.wgsl) and their
// helpers (matmul_sums.wgsl): the uniforms, the operands, the activations and the vec4 loads.
// Every constant comes from the kernel's prelude (src/engine/ops/gemm.ts), which also
// generates the codes below from its tables: ACT (ACT_NONE, ACT_GELU, ACT_RELU), the
// epilogue bits EPI_BIAS and EPI_BASE of Params.epilogue, TRANS_A, TRANS_B.
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
  // tile with and without them, fewer to compile before a first step. The tiled products
  // use the HAS_BIAS and HAS_BASE constants.
  epilogue: u32,
}

/** The slice of the grid's z a workgroup works on: batch of A and B, and its range of K. */
struct Slice {
  batch: u32,
  k_lo: u32,
  k_hi: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
// The same operands four floats at a time, for the entry points that read them so (another
// entry point, so no two variables that share a binding are used together). Valid when the
// contiguous dimension of each operand (K for plain A, M for transposed A, N for plain B, K
// for transposed B) and the batch strides are multiples of 4; the TS side checks this.
@group(0) @binding(1) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b4: array<vec4<f32>>;

fn slice_of(z: u32) -> Slice {
  let k_lo = (z % p.splits) * p.k_chunk;
  return Slice(z / p.splits, k_lo, min(p.K, k_lo + p.k_chunk));
}

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

// Past an edge these read a clamped address and select zero, without a branch: loads under a
// branch kept the NVIDIA driver from overlapping them with the FMAs.
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
