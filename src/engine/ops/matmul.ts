// Matrix multiply with a fused bias + activation epilogue, its backward, `linear` for the
// models, and the f64 CPU reference. Kernels in shaders/matmul.wgsl.
//   M, K, N = rows of the output, inner dim, cols of the output;  B = batch.
//   a (..., M, K) or, with transA, (..., K, M);  b (K, N) or, with transB, (N, K);
//   or batched: a (B, M, K), b (B, K, N)  →  out (..., M, N) / (B, M, N).
import source from '../../../shaders/matmul.wgsl?raw';
import { grid1d, uniformStruct, type KernelDef } from '../../gpu/kernel';
import { accumulateGrad } from '../autograd';
import type { Tensor } from '../tensor';
import { sumRows } from './reduce';

export const MatmulParams = uniformStruct('Params', {
  M: 'u32',
  K: 'u32',
  N: 'u32',
  a_sm: 'u32',
  a_sk: 'u32',
  a_sb: 'u32',
  b_sk: 'u32',
  b_sn: 'u32',
  b_sb: 'u32',
  splits: 'u32',
  k_chunk: 'u32',
  _pad0: 'u32',
});
export const FlatParams = uniformStruct('FlatParams', { n: 'u32', splits: 'u32', _pad0: 'u32', _pad1: 'u32' });

export type Activation = 'none' | 'gelu' | 'relu';
const ACT_CODE: Record<Activation, number> = { none: 0, gelu: 1, relu: 2 };

/** Kernel variants (named so tests and the benchmark can pick one). */
export type MatmulKernel = 'matmulNaive' | 'matmulTiled';
/** The variant training uses: the winner of `npm run bench` (src/cli/bench/matmul.ts): on an
 *  H200 3–12× naive at the model shapes, 30× on weight gradients (split K), 2× on lavapipe. */
export const DEFAULT_MATMUL_KERNEL: MatmulKernel = 'matmulTiled';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  /** (N), added in the epilogue. */
  bias?: Tensor;
  act?: Activation;
  /** Kernel variant; defaults to DEFAULT_MATMUL_KERNEL. Gradients use the same one. */
  kernel?: MatmulKernel;
}

// ---- kernels ----------------------------------------------------------------------------

const NAIVE = { WG_X: 16, WG_Y: 16 };
/** Tiled: 16 × 16 threads, 4 × 4 outputs each → 64 × 64 tiles of C, 16 deep in K.
 *  Chosen by a sweep on an H200 (Dawn/Vulkan): 16.0 TFLOP/s at 4096², 15.2 at (5248, 256, 1024);
 *  8 × 8 blocks per thread ran 7× slower there (the register block spills), 8 × 8 threads
 *  of 4 × 4 were 10–15% slower except at the smallest model shape. */
export const TILED = { TX: 16, TY: 16, TM: 4, TN: 4, BK: 16 };
const FLAT_WG = 256;
/** Split K when a product has fewer output tiles than this (about two per SM on a big GPU). */
const SPLIT_TARGET_TILES = 256;
/** …and keep at least this much K per chunk, so the extra reduction pays for itself. */
const SPLIT_MIN_CHUNK = 128;
const MATMUL_BINDINGS: KernelDef['bindings'] = ['uniform', 'read', 'read', 'read', 'rw', 'rw'];

interface Variant {
  kernel: MatmulKernel;
  vec4: boolean;
  transA: boolean;
  transB: boolean;
  act: Activation;
  bias: boolean;
}

function matmulKernel(v: Variant): KernelDef {
  const entryPoint = v.kernel === 'matmulNaive' ? 'naive' : v.vec4 ? 'tiled_vec4' : 'tiled';
  const epilogue = { ACT: ACT_CODE[v.act], HAS_BIAS: v.bias ? 1 : 0 };
  const constants =
    v.kernel === 'matmulNaive' ? { ...NAIVE, ...epilogue } : { ...TILED, ...epilogue, TRANS_A: v.transA ? 1 : 0, TRANS_B: v.transB ? 1 : 0 };
  const name = `${entryPoint === 'naive' ? 'matmulNaive' : entryPoint === 'tiled' ? 'matmulTiled' : 'matmulTiledVec4'}` +
    `${v.transA ? '_tA' : ''}${v.transB ? '_tB' : ''}${v.bias ? '_bias' : ''}${v.act !== 'none' ? `_${v.act}` : ''}`;
  return { name, source, entryPoint, bindings: MATMUL_BINDINGS, constants };
}

const actBackwardKernel = (act: Activation): KernelDef => ({
  name: `matmul_${act}_backward`,
  source,
  entryPoint: 'act_backward',
  bindings: ['uniform', 'read', 'read', 'rw'],
  constants: { WG: FLAT_WG, ACT: ACT_CODE[act] },
});

const sumSplitsKernel: KernelDef = { name: 'matmul_sum_splits', source, entryPoint: 'sum_splits', bindings: ['uniform', 'read', 'rw'], constants: { WG: FLAT_WG } };

// ---- the core dispatch --------------------------------------------------------------------

/** One (possibly batched) product: out[bi] = act(op(a[bi]) · op(b[bi]) + bias). */
interface Gemm {
  batch: number;
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
  /** Whether a / b advance per batch (false: the same matrix for every batch). */
  batchedA: boolean;
  batchedB: boolean;
}

const MAX_GROUPS = 65535;

/** Dispatches one product (no autograd). Returns the output and, with an activation, the
 *  pre-activation z that the backward needs. */
function gemm(
  a: Tensor,
  b: Tensor,
  s: Gemm,
  outShape: number[],
  kernel: MatmulKernel,
  bias?: Tensor,
  act: Activation = 'none',
  requiresGrad = false,
): { out: Tensor; pre?: Tensor } {
  const g = a.graph;
  const { batch, M, K, N, transA, transB } = s;
  const out = g.tensor(outShape, requiresGrad, `matmul(${a.label}, ${b.label})`);
  const pre = act !== 'none' ? g.tensor(outShape, false, `pre(${out.label})`) : undefined;
  // Stand-ins for bindings the specialised kernel never touches (HAS_BIAS / ACT are off):
  // b again as a read-only binding (read-only aliasing is allowed), a 1-float scratch output.
  const biasT = bias ?? b;
  const preT = pre ?? g.tensor([1], false, 'unused');
  const BM = TILED.TY * TILED.TM;
  const BN = TILED.TX * TILED.TN;
  const tiled = kernel === 'matmulTiled';
  const tiles = tiled ? Math.ceil(M / BM) * Math.ceil(N / BN) * batch : 0;
  // Split K only without an epilogue (bias and activation apply to the full sum) and without
  // a batch (the partial slices are then (splits, M, N)): the weight gradients, whose (D, 4D)
  // outputs are a handful of tiles with K = batch · tokens.
  let splits = 1;
  if (tiled && batch === 1 && !bias && act === 'none' && tiles < SPLIT_TARGET_TILES) {
    splits = Math.max(1, Math.min(Math.ceil(SPLIT_TARGET_TILES / tiles), Math.floor(K / SPLIT_MIN_CHUNK)));
  }
  // chunks are whole BK steps, so vec4 loads never straddle a chunk's end
  const kChunk = splits > 1 ? Math.ceil(K / splits / TILED.BK) * TILED.BK : K;
  if (splits > 1) splits = Math.ceil(K / kChunk);
  const params = MatmulParams.pack({
    M,
    K,
    N,
    a_sm: transA ? 1 : K,
    a_sk: transA ? M : 1,
    a_sb: s.batchedA ? M * K : 0,
    b_sk: transB ? 1 : N,
    b_sn: transB ? K : 1,
    b_sb: s.batchedB ? K * N : 0,
    splits,
    k_chunk: kChunk,
    _pad0: 0,
  });
  // vec4 loads need each operand's contiguous dim (and so its batch stride) to be a multiple of 4
  const vec4 = tiled && (transA ? M : K) % 4 === 0 && (transB ? K : N) % 4 === 0;
  const workgroups: [number, number, number] = tiled
    ? [Math.ceil(N / BN), Math.ceil(M / BM), batch * splits]
    : [Math.ceil(N / NAIVE.WG_X), Math.ceil(M / NAIVE.WG_Y), batch];
  if (workgroups.some((w) => w > MAX_GROUPS)) {
    throw new Error(`matmul of (${M}, ${K}) · (${K}, ${N}) × ${batch} needs a grid of [${workgroups.join(', ')}] workgroups, more than WebGPU allows (65535 per dimension).`);
  }
  // with split K the kernel writes (splits, M, N) partial sums, added up below
  const target = splits > 1 ? g.tensor([splits, ...outShape], false, `partial(${out.label})`) : out;
  const def = matmulKernel({ kernel, vec4, transA, transB, act, bias: !!bias });
  g.dispatch(def, params, [a, b, biasT, target, preT], workgroups);
  if (splits > 1) g.dispatch(sumSplitsKernel, FlatParams.pack({ n: out.size, splits, _pad0: 0, _pad1: 0 }), [target, out], grid1d(out.size, FLAT_WG));
  return { out, pre };
}

/** dz = dy ⊙ act'(z). */
function actBackward(z: Tensor, dy: Tensor, act: Activation): Tensor {
  const g = z.graph;
  const dz = g.tensor(z.shape, false, `d${z.label}`);
  g.dispatch(actBackwardKernel(act), FlatParams.pack({ n: z.size, splits: 1, _pad0: 0, _pad1: 0 }), [z, dy, dz], grid1d(z.size, FLAT_WG));
  return dz;
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
  const kernel = opts.kernel ?? DEFAULT_MATMUL_KERNEL;
  const bias = opts.bias;
  const [ar, ac] = dims(a, 'a');
  const [br, bc] = dims(b, 'b');
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const [Kb, N] = transB ? [bc, br] : [br, bc];
  const lead = a.shape.slice(0, -2);
  const leadSize = lead.reduce((x, y) => x * y, 1);
  if (K !== Kb) throw new Error(`matmul: inner dims differ: ${a}${transA ? 'ᵀ' : ''} · ${b}${transB ? 'ᵀ' : ''}`);
  if (b.shape.length > 3) throw new Error(`matmul: b must be (K, N) or (batch, K, N), got ${b}`);
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== N)) throw new Error(`matmul: bias must be (${N}), got ${bias}`);
  let s: Gemm;
  if (b.shape.length === 3) {
    if (a.shape.length !== 3 || a.shape[0] !== b.shape[0]) throw new Error(`matmul: batched b ${b} needs a of shape (${b.shape[0]}, M, K), got ${a}`);
    s = { batch: b.shape[0], M, K, N, transA, transB, batchedA: true, batchedB: true };
  } else if (!transA) {
    s = { batch: 1, M: leadSize * M, K, N, transA, transB, batchedA: false, batchedB: false };
  } else {
    // (..., K, M) blocks are each transposed: one batch per leading index, b shared
    s = { batch: leadSize, M, K, N, transA, transB, batchedA: true, batchedB: false };
  }
  const outShape = [...(b.shape.length === 3 ? [b.shape[0]] : lead), M, N];
  const needsGrad = a.requiresGrad || b.requiresGrad || !!bias?.requiresGrad;
  const { out, pre } = gemm(a, b, s, outShape, kernel, bias, act, needsGrad);

  a.graph.record(out, (dout) => {
    // The activation's backward reads the pre-activation z, kept as a second output of the
    // forward kernel: one extra store per element, where recomputing z would cost a second
    // full matmul (and GELU cannot be inverted from its output).
    const dz = pre ? actBackward(pre, dout, act) : dout; // (..., M, N)
    if (bias?.requiresGrad) accumulateGrad(bias, sumRows(dz, dz.size / N, [N]));
    if (a.requiresGrad) accumulateGrad(a, gradA(dz, b, s, a.shape as number[], kernel));
    if (b.requiresGrad) accumulateGrad(b, gradB(a, dz, s, b.shape as number[], kernel));
  });
  return out;
}

/** da in a's layout. op(A) = dz · op(B)ᵀ (M, K); with transA, da = op(B) · dzᵀ (K, M). */
function gradA(dz: Tensor, b: Tensor, s: Gemm, aShape: number[], kernel: MatmulKernel): Tensor {
  const { batch, M, K, N } = s;
  // dz (M, N) is batched exactly as the output; b as in the forward
  if (!s.transA) {
    // dz (M, N) · op(B)ᵀ (N, K): op(B)ᵀ is b itself with the transpose flag flipped
    return gemm(dz, b, { batch, M, K: N, N: K, transA: false, transB: !s.transB, batchedA: batch > 1, batchedB: s.batchedB }, aShape, kernel).out;
  }
  // op(B) (K, N) · dzᵀ (N, M) → (K, M)
  return gemm(b, dz, { batch, M: K, K: N, N: M, transA: s.transB, transB: true, batchedA: s.batchedB, batchedB: batch > 1 }, aShape, kernel).out;
}

/** db in b's layout. op(B) = op(A)ᵀ · dz (K, N); with transB, db = dzᵀ · op(A) (N, K).
 *  A b shared across batches sums its per-batch gradients. */
function gradB(a: Tensor, dz: Tensor, s: Gemm, bShape: number[], kernel: MatmulKernel): Tensor {
  const { batch, M, K, N } = s;
  const perBatch = !s.batchedB && batch > 1; // b broadcast over a batch: sum afterwards
  const shape = perBatch ? [batch, ...bShape] : bShape;
  const db = !s.transB
    ? // op(A)ᵀ (K, M) · dz (M, N)
      gemm(a, dz, { batch, M: K, K: M, N, transA: !s.transA, transB: false, batchedA: s.batchedA, batchedB: batch > 1 }, shape, kernel).out
    : // dzᵀ (N, M) · op(A) (M, K)
      gemm(dz, a, { batch, M: N, K: M, N: K, transA: true, transB: s.transA, batchedA: batch > 1, batchedB: s.batchedA }, shape, kernel).out;
  return perBatch ? sumRows(db, batch, bShape) : db;
}

// ---- linear (the models' layer) -------------------------------------------------------------

export interface LinearOptions {
  /** 'out_in': nn.Linear weight [out, in] (mamba-ssm); 'in_out': GPT-2 Conv1D weight [in, out]. */
  layout?: 'out_in' | 'in_out';
  act?: Activation;
  kernel?: MatmulKernel;
}

/** x (..., in) → act(x · W + bias) (..., out), W in either checkpoint layout. */
export function linear(x: Tensor, W: Tensor, bias?: Tensor, opts: LinearOptions = {}): Tensor {
  const layout = opts.layout ?? 'out_in';
  if (W.shape.length !== 2) throw new Error(`linear: weight must be 2-D, got ${W}`);
  return matmul(x, W, { transB: layout === 'out_in', bias, act: opts.act, kernel: opts.kernel });
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
export function matmulRef(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number, opts: MatmulRefOptions = {}): Float64Array {
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
