// Matrix multiply with a fused bias + activation epilogue, its backward, `linear` for the
// models, and the f64 CPU reference. The products themselves are in gemm.ts (kernels, split K)
// and gemmTiles.ts (tiles); the kernel variants they were chosen from are in bench/kernels/matmul/.
//   M, K, N = rows of the output, inner dim, cols of the output;  B = batch.
//   a (..., M, K) or, with transA, (..., K, M);  b (K, N) or, with transB, (N, K);
//   or batched: a (B, M, K), b (B, K, N)  →  out (..., M, N) / (B, M, N).
import { accumulateGrad } from './grad';
import type { Tensor } from '../tensor';
import { actBackward, gemm, type Activation } from './gemm';
import { type Block8Config, type Gemm, type KernelChoice, type MatmulKernel } from './gemmTiles';
import { sumRows } from './reduce';

export { FlatParams, MatmulParams, type Activation } from './gemm';
export { BLOCK8_TILES, block8Bytes, type Block8Config, type MatmulKernel } from './gemmTiles';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  /** (N), added in the epilogue. */
  bias?: Tensor;
  act?: Activation;
  /** The product kernel: matmulBlock8 (the default, matmulTiled where block8 cannot run) or
   *  matmulTiled (tests of the fallback). Gradients use the same one. */
  kernel?: MatmulKernel;
  /** matmulBlock8 only: this configuration instead of the one chosen per shape (tests);
   *  gradients use it too. */
  block?: Block8Config;
  /** Added to the output in the same pass (the output's shape; no activation): a residual
   *  stream, x + f(x), without a separate add. Its gradient is the output's. */
  residual?: Tensor;
}

// ---- matmul -------------------------------------------------------------------------------

function dims(t: Tensor, what: string): [number, number] {
  if (t.shape.length < 2) throw new Error(`matmul: ${what} must have at least 2 dims, got ${t}`);
  return [t.shape[t.shape.length - 2], t.shape[t.shape.length - 1]];
}

/**
 * act(op(a) · op(b) + bias), op = transpose when transA / transB is set.
 * - b 2-D: a (..., M, K) (transA: (..., K, M)); without transA the leading dims flatten into M.
 * - b 3-D (B, K, N) (transB: (B, N, K)): a must be (B, M, K) (transA: (B, K, M)): batched.
 * Gradients: da, db in their own layouts, dbias (sum over rows), through the activation.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  const act = opts.act ?? 'none';
  const kernel: KernelChoice = { kernel: opts.kernel ?? 'matmulBlock8', block: opts.block };
  const bias = opts.bias;
  const [ar, ac] = dims(a, 'a');
  const [br, bc] = dims(b, 'b');
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const [Kb, N] = transB ? [bc, br] : [br, bc];
  const lead = a.shape.slice(0, -2);
  const leadSize = lead.reduce((x, y) => x * y, 1);
  if (K !== Kb) throw new Error(`matmul: inner dims differ: ${a}${transA ? 'ᵀ' : ''} · ${b}${transB ? 'ᵀ' : ''}`);
  if (b.shape.length > 3) throw new Error(`matmul: b must be (K, N) or (batch, K, N), got ${b}`);
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== N))
    throw new Error(`matmul: bias must be (${N}), got ${bias}`);
  const residual = opts.residual;
  let s: Gemm;
  if (b.shape.length === 3) {
    if (a.shape.length !== 3 || a.shape[0] !== b.shape[0])
      throw new Error(`matmul: batched b ${b} needs a of shape (${b.shape[0]}, M, K), got ${a}`);
    s = { batch: b.shape[0], M, K, N, transA, transB, batchedA: true, batchedB: true };
  } else if (!transA) {
    s = { batch: 1, M: leadSize * M, K, N, transA, transB, batchedA: false, batchedB: false };
  } else {
    // (..., K, M) blocks are each transposed: one batch per leading index, b shared
    s = { batch: leadSize, M, K, N, transA, transB, batchedA: true, batchedB: false };
  }
  const outShape = [...(b.shape.length === 3 ? [b.shape[0]] : lead), M, N];
  if (residual && (act !== 'none' || residual.shape.join() !== outShape.join()))
    throw new Error(
      `matmul: a residual must have the output's shape (${outShape.join(', ')}) and go without an ` +
        `activation, got ${residual}`,
    );
  const needsGrad = a.requiresGrad || b.requiresGrad || !!bias?.requiresGrad || !!residual?.requiresGrad;
  const { out, pre } = gemm(a, b, s, outShape, kernel, { bias, act, requiresGrad: needsGrad, base: residual });

  a.graph.record(out, (dout) => {
    // The activation's backward reads the pre-activation z, kept as a second output of the
    // forward kernel: one extra store per element, where recomputing z would cost a second
    // full matmul (and GELU cannot be inverted from its output).
    const dz = pre ? actBackward(pre, dout, act) : dout; // (..., M, N)
    if (residual) accumulateGrad(residual, dout);
    // da = a's gradient so far + this one, in the same pass (no separate add)
    if (a.requiresGrad) a.grad = gradA(dz, b, s, a.shape as number[], kernel, a.grad);
    // the bias's gradient Σ_rows dz comes from b's gradient product where it can
    const withBias = !!bias?.requiresGrad;
    const { db, dbias } = b.requiresGrad ? gradB(a, dz, s, b.shape as number[], kernel, withBias) : {};
    if (db) accumulateGrad(b, db);
    if (withBias) accumulateGrad(bias!, dbias ?? sumRows(dz, dz.size / N, [N]));
  });
  return out;
}

/** da in a's layout. op(A) = dz · op(B)ᵀ (M, K); with transA, da = op(B) · dzᵀ (K, M). */
function gradA(dz: Tensor, b: Tensor, s: Gemm, aShape: number[], kernel: KernelChoice, base?: Tensor): Tensor {
  const { batch, M, K, N } = s;
  // dz (M, N) is batched exactly as the output; b as in the forward
  if (!s.transA) {
    // dz (M, N) · op(B)ᵀ (N, K): op(B)ᵀ is b itself with the transpose flag flipped
    return gemm(
      dz,
      b,
      { batch, M, K: N, N: K, transA: false, transB: !s.transB, batchedA: batch > 1, batchedB: s.batchedB },
      aShape,
      kernel,
      { base },
    ).out;
  }
  // op(B) (K, N) · dzᵀ (N, M) → (K, M)
  return gemm(
    b,
    dz,
    { batch, M: K, K: N, N: M, transA: s.transB, transB: true, batchedA: s.batchedB, batchedB: batch > 1 },
    aShape,
    kernel,
    { base },
  ).out;
}

/** db in b's layout. op(B) = op(A)ᵀ · dz (K, N); with transB, db = dzᵀ · op(A) (N, K).
 *  A b shared across batches sums its per-batch gradients. With `withBias`, the product also
 *  sums dz over its rows (dz is its B, or with transB its A), the bias's gradient, when its
 *  kernel can (dbias undefined otherwise). */
function gradB(
  a: Tensor,
  dz: Tensor,
  s: Gemm,
  bShape: number[],
  kernel: KernelChoice,
  withBias: boolean,
): { db: Tensor; dbias?: Tensor } {
  const { batch, M, K, N } = s;
  const perBatch = !s.batchedB && batch > 1; // b broadcast over a batch: sum afterwards
  const shape = perBatch ? [batch, ...bShape] : bShape;
  const { out: db, sum: dbias } = !s.transB
    ? // op(A)ᵀ (K, M) · dz (M, N)
      gemm(
        a,
        dz,
        { batch, M: K, K: M, N, transA: !s.transA, transB: false, batchedA: s.batchedA, batchedB: batch > 1 },
        shape,
        kernel,
        { sumK: withBias ? 'colsB' : undefined },
      )
    : // dzᵀ (N, M) · op(A) (M, K)
      gemm(
        dz,
        a,
        { batch, M: N, K: M, N: K, transA: true, transB: s.transA, batchedA: batch > 1, batchedB: s.batchedA },
        shape,
        kernel,
        { sumK: withBias ? 'rowsA' : undefined },
      );
  return { db: perBatch ? sumRows(db, batch, bShape) : db, dbias };
}

// ---- linear (the models' layer) -------------------------------------------------------------

export interface LinearOptions {
  /** 'out_in': nn.Linear weight [out, in] (mamba-ssm); 'in_out': GPT-2 Conv1D weight [in, out]. */
  layout?: 'out_in' | 'in_out';
  act?: Activation;
  kernel?: MatmulKernel;
  /** (..., out), added in the same pass: residual + linear(x). */
  residual?: Tensor;
}

/** x (..., in) → act(x · W + bias) (..., out), W in either checkpoint layout. */
export function linear(x: Tensor, W: Tensor, bias?: Tensor, opts: LinearOptions = {}): Tensor {
  const layout = opts.layout ?? 'out_in';
  if (W.shape.length !== 2) throw new Error(`linear: weight must be 2-D, got ${W}`);
  return matmul(x, W, {
    transB: layout === 'out_in',
    bias,
    act: opts.act,
    kernel: opts.kernel,
    residual: opts.residual,
  });
}

// ---- CPU reference (f64) --------------------------------------------------------------------

export interface MatmulRefOptions {
  transA?: boolean;
  transB?: boolean;
  bias?: ArrayLike<number>;
  act?: Activation;
  /** Batch count; a and b each hold `batch` matrices unless their batched flag is false. */
  batch?: number;
  batchedA?: boolean;
  batchedB?: boolean;
}

export function actRef(act: Activation, z: number): number {
  if (act === 'gelu') return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
  if (act === 'relu') return Math.max(z, 0);
  return z;
}

export function actGradRef(act: Activation, z: number): number {
  if (act === 'gelu') {
    const c = Math.sqrt(2 / Math.PI);
    const t = Math.tanh(c * (z + 0.044715 * z ** 3));
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * 0.044715 * z * z);
  }
  if (act === 'relu') return z > 0 ? 1 : 0;
  return 1;
}

/** out (batch, M, N) = act(op(a) · op(b) + bias), a stored (M, K) or (K, M) with transA,
 *  b stored (K, N) or (N, K) with transB; the living definition of the GPU kernels. */
export function matmulRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
  opts: MatmulRefOptions = {},
): Float64Array {
  const { transA = false, transB = false, bias, act = 'none', batch = 1, batchedA = true, batchedB = true } = opts;
  const out = new Float64Array(batch * M * N);
  for (let bi = 0; bi < batch; bi++) {
    const a0 = batchedA ? bi * M * K : 0;
    const b0 = batchedB ? bi * K * N : 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) {
          const av = a[a0 + (transA ? k * M + m : m * K + k)];
          const bv = b[b0 + (transB ? n * K + k : k * N + n)];
          acc += av * bv;
        }
        out[(bi * M + m) * N + n] = actRef(act, acc + (bias ? bias[n] : 0));
      }
    }
  }
  return out;
}

/** Reference backward: given dout (batch, M, N), the gradients of a, b (their own layouts,
 *  b's summed over batches when shared) and bias. */
export function matmulBackwardRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  dout: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
  opts: MatmulRefOptions = {},
): { da: Float64Array; db: Float64Array; dbias: Float64Array } {
  const { transA = false, transB = false, bias, act = 'none', batch = 1, batchedA = true, batchedB = true } = opts;
  const da = new Float64Array((batchedA ? batch : 1) * M * K);
  const db = new Float64Array((batchedB ? batch : 1) * K * N);
  const dbias = new Float64Array(N);
  const z = matmulRef(a, b, M, K, N, { transA, transB, bias, batch, batchedA, batchedB }); // pre-activation
  for (let bi = 0; bi < batch; bi++) {
    const a0 = batchedA ? bi * M * K : 0;
    const b0 = batchedB ? bi * K * N : 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        const i = (bi * M + m) * N + n;
        const dz = dout[i] * actGradRef(act, z[i]);
        dbias[n] += dz;
        for (let k = 0; k < K; k++) {
          const ai = a0 + (transA ? k * M + m : m * K + k);
          const bj = b0 + (transB ? n * K + k : k * N + n);
          da[ai] += dz * b[bj];
          db[bj] += dz * a[ai];
        }
      }
    }
  }
  return { da, db, dbias };
}
