// The products behind matmul (matmul.ts): one (possibly batched) product with its epilogue,
// on the kernel and tile that gemmTiles.ts chooses per shape, split K, and the helpers they
// need (the split-K sums, the activation's backward, a transpose). No autograd here.
// Kernels: block8 (shaders/matmul_block8.wgsl) wherever it can run, the tiled kernel
// (matmul_tiled.wgsl) elsewhere, helpers in matmul_sums.wgsl; each after matmul_common.wgsl.
// Every constant reaches them in the kernel's prelude, the codes below included.
//   M, K, N = rows of the output, inner dim, cols of the output;  B = batch.
import block8Source from '../../../shaders/matmul_block8.wgsl?raw';
import commonSource from '../../../shaders/matmul_common.wgsl?raw';
import sumsSource from '../../../shaders/matmul_sums.wgsl?raw';
import tiledSource from '../../../shaders/matmul_tiled.wgsl?raw';
import { entryPoint, grid1d, kernel, uniformStruct, type Prelude } from '../../gpu/kernel';
import type { Tensor } from '../tensor';
import {
  block8Columns,
  block8ConfigValid,
  block8Fits,
  block8Tile,
  chooseBlock8,
  MATMUL_TUNING,
  splitsFor,
  TILED,
  tileCount,
  type Block8Config,
  type Gemm,
  type KernelChoice,
} from './gemmTiles';

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
  epilogue: 'u32',
});
export const FlatParams = uniformStruct('FlatParams', { n: 'u32', splits: 'u32', cols: 'u32', _pad1: 'u32' });

export type Activation = 'none' | 'gelu' | 'relu';
/** An operand summed over k by the product itself: 'rowsA' gives (M) sums of op(A)'s rows,
 *  'colsB' (N) sums of op(B)'s columns. A bias gradient Σ_rows dz made by the weight
 *  gradient's product, which has dz as an operand. */
export type SumK = 'rowsA' | 'colsB';

// The codes the WGSL reads, defined here only (each kernel's prelude carries them).
const ACT_CODE = { none: 0, gelu: 1, relu: 2 } satisfies Record<Activation, number>;
const SUM_CODE = { none: 0, rowsA: 1, colsB: 2 } satisfies Record<SumK | 'none', number>;
/** Bits of Params.epilogue: what block8 adds to the product at run time. */
const EPILOGUE_BITS = { bias: 1, base: 2 } as const;
export const MATMUL_CODES: Prelude = {
  ACT_NONE: ACT_CODE.none,
  ACT_GELU: ACT_CODE.gelu,
  ACT_RELU: ACT_CODE.relu,
  SUM_NONE: SUM_CODE.none,
  SUM_ROWS_A: SUM_CODE.rowsA,
  SUM_COLS_B: SUM_CODE.colsB,
  EPI_BIAS: EPILOGUE_BITS.bias,
  EPI_BASE: EPILOGUE_BITS.base,
};

const FLAT_WG = 256;
const MAX_GROUPS = 65535;

// ---- kernels --------------------------------------------------------------------------------

/** The products' bindings: bias, base and pre are read or written only when the epilogue
 *  has them (stand-ins otherwise); ksum holds block8's sums over k. */
const PRODUCT = { p: 'uniform', a: 'read', b: 'read', bias: 'read', c: 'rw', pre: 'rw', base: 'read' } as const;
const TILED_SCALAR = entryPoint(commonSource + tiledSource, 'tiled', PRODUCT);
const TILED_VEC4 = entryPoint(commonSource + tiledSource, 'tiled_vec4', PRODUCT);
const BLOCK8 = entryPoint(commonSource + block8Source, 'block8', { ...PRODUCT, ksum: 'rw' });
const sums = commonSource + sumsSource;
const ACT_BACKWARD = entryPoint(sums, 'act_backward', { fp: 'uniform', z_in: 'read', dy: 'read', dz: 'rw' });
const SUM_SPLITS = entryPoint(sums, 'sum_splits', { fp: 'uniform', partial: 'read', summed: 'rw' });
const SUM_SPLITS4 = entryPoint(sums, 'sum_splits4', { fp: 'uniform', partial: 'read', summed: 'rw' });
const SPLITS_EPILOGUE = { fp: 'uniform', partial: 'read', summed: 'rw', bias: 'read', pre: 'rw' } as const;
const SUM_SPLITS_EPILOGUE = entryPoint(sums, 'sum_splits_epilogue', SPLITS_EPILOGUE);
const SUM_SPLITS_EPILOGUE4 = entryPoint(sums, 'sum_splits_epilogue4', SPLITS_EPILOGUE);
const TRANSPOSE = entryPoint(sums, 'transpose', { fp: 'uniform', t_in: 'read', t_out: 'rw' });
export const ENTRY_POINTS = [
  TILED_SCALAR,
  TILED_VEC4,
  BLOCK8,
  ACT_BACKWARD,
  SUM_SPLITS,
  SUM_SPLITS4,
  SUM_SPLITS_EPILOGUE,
  SUM_SPLITS_EPILOGUE4,
  TRANSPOSE,
];

/** What a product kernel is specialised for. */
interface Variant {
  transA: boolean;
  transB: boolean;
  act: Activation;
  bias: boolean;
  /** Adds a whole output-shaped matrix: a gradient so far, or a residual stream. */
  base: boolean;
}

const suffix = (v: Variant, withAddends: boolean) =>
  `${v.transA ? '_tA' : ''}${v.transB ? '_tB' : ''}${withAddends && v.bias ? '_bias' : ''}` +
  `${withAddends && v.base ? '_base' : ''}${v.act !== 'none' ? `_${v.act}` : ''}`;

const tiledKernel = (v: Variant, vec4: boolean) =>
  kernel(vec4 ? TILED_VEC4 : TILED_SCALAR, `matmulTiled${vec4 ? 'Vec4' : ''}${suffix(v, true)}`, {
    prelude: {
      ...MATMUL_CODES,
      ...TILED,
      ACT: ACT_CODE[v.act],
      HAS_BIAS: v.bias,
      HAS_BASE: v.base,
      TRANS_A: v.transA,
      TRANS_B: v.transB,
    },
  });

/** block8 reads bias and base at run time (Params.epilogue): one pipeline with and without. */
function block8Kernel(v: Variant, cfg: Block8Config, sumK: SumK | undefined) {
  if (!block8ConfigValid(cfg)) {
    throw new Error(
      `matmul: block8 configuration ${JSON.stringify(cfg)}: BK must be 8 or 16, and the tile loads must ` +
        `divide evenly among the threads`,
    );
  }
  const [BM, BN] = block8Tile(cfg);
  const [a4Cols, b4Cols] = block8Columns(cfg, v.transA, v.transB);
  const { TX, TY, BK, prefetch } = cfg;
  const name =
    `matmulBlock8_${BM}x${BN}x${BK}${prefetch ? '' : '_noprefetch'}${suffix(v, false)}` +
    `${sumK ? `_sum${sumK === 'rowsA' ? 'A' : 'B'}` : ''}`;
  const sizes = { TX, TY, BK, PREFETCH: prefetch, A4_COLS: a4Cols, B4_COLS: b4Cols };
  return kernel(BLOCK8, name, {
    prelude: {
      ...MATMUL_CODES,
      ...sizes,
      ACT: ACT_CODE[v.act],
      SUM_K: SUM_CODE[sumK ?? 'none'],
      TRANS_A: v.transA,
      TRANS_B: v.transB,
    },
    heavy: true,
  });
}

const sumsPrelude = (act: Activation, bias: boolean): Prelude => ({
  ...MATMUL_CODES,
  WG: FLAT_WG,
  ACT: ACT_CODE[act],
  HAS_BIAS: bias,
});
const actBackwardKernel = (act: Activation) =>
  kernel(ACT_BACKWARD, `matmul_${act}_backward`, { prelude: sumsPrelude(act, false) });
const sumSplitsKernel = (vec4: boolean) =>
  kernel(vec4 ? SUM_SPLITS4 : SUM_SPLITS, `matmul_sum_splits${vec4 ? '4' : ''}`, {
    prelude: sumsPrelude('none', false),
  });
/** The split-K sum with the product's epilogue: bias (N), then the activation (its input kept as pre). */
const sumSplitsEpilogueKernel = (act: Activation, bias: boolean, vec4: boolean) =>
  kernel(
    vec4 ? SUM_SPLITS_EPILOGUE4 : SUM_SPLITS_EPILOGUE,
    `matmul_sum_splits${vec4 ? '4' : ''}${bias ? '_bias' : ''}${act !== 'none' ? `_${act}` : ''}`,
    {
      prelude: sumsPrelude(act, bias),
    },
  );
const transposeKernel = kernel(TRANSPOSE, 'matmul_transpose', { prelude: sumsPrelude('none', false) });

// ---- the dispatch ---------------------------------------------------------------------------

export interface GemmOptions {
  bias?: Tensor;
  act?: Activation;
  requiresGrad?: boolean;
  /** An output-shaped matrix added in the epilogue (a gradient so far, a residual stream). */
  base?: Tensor;
  /** Also sum an operand over k; returned as `sum` when the chosen kernel can. */
  sumK?: SumK;
}

/** Dispatches one product (no autograd). Returns the output and, with an activation, the
 *  pre-activation z that the backward needs; with sumK, the sums over k when the chosen
 *  kernel made them (block8 only; undefined otherwise, and the caller sums itself). */
export function gemm(
  a: Tensor,
  b: Tensor,
  s: Gemm,
  outShape: number[],
  choice: KernelChoice,
  opts: GemmOptions = {},
): { out: Tensor; pre?: Tensor; sum?: Tensor } {
  const g = a.graph;
  const { batch, M, K, N, transA, transB } = s;
  if (
    choice.kernel === 'matmulBlock8' &&
    transB &&
    !transA &&
    batch === 1 &&
    4 * N <= M &&
    N * K >= MATMUL_TUNING.transposeMinB
  ) {
    return gemm(a, transpose(b, N, K), { ...s, transB: false, batchedB: false }, outShape, choice, opts);
  }
  const { bias, act = 'none', requiresGrad = false, base } = opts;
  const out = g.tensor(outShape, requiresGrad, `matmul(${a.label}, ${b.label})`);
  const pre = act !== 'none' ? g.tensor(outShape, false, `pre(${out.label})`) : undefined;
  if (base && (act !== 'none' || opts.sumK || base.size !== out.size))
    throw new Error(`matmul: a base ${base} goes with no activation, no sums over k and the output's shape`);
  // with split K the epilogue (bias, activation) moves into the sum of the slices; the first
  // slice adds the base
  let block: Block8Config | undefined;
  if (choice.kernel === 'matmulBlock8') {
    const maxBytes = g.gpu.limits.maxComputeWorkgroupStorageSize;
    block = choice.block && block8Fits(s, choice.block, maxBytes) ? choice.block : chooseBlock8(s, maxBytes);
  }
  const [BM, BN, BK] = block ? [...block8Tile(block), block.BK] : [TILED.TY * TILED.TM, TILED.TX * TILED.TN, TILED.BK];
  let splits = splitsFor(s, tileCount(s, BM, BN), batch === 1);
  // chunks are whole BK steps, so vec4 loads never straddle a chunk's end
  const kChunk = splits > 1 ? Math.ceil(K / splits / BK) * BK : K;
  if (splits > 1) splits = Math.ceil(K / kChunk);
  const split = splits > 1;
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
    epilogue: (!split && bias ? EPILOGUE_BITS.bias : 0) | (base ? EPILOGUE_BITS.base : 0),
  });
  const workgroups: [number, number, number] = [Math.ceil(N / BN), Math.ceil(M / BM), batch * splits];
  if (workgroups.some((w) => w > MAX_GROUPS)) {
    throw new Error(
      `matmul of (${M}, ${K}) · (${K}, ${N}) × ${batch} needs a grid of [${workgroups.join(', ')}] ` +
        `workgroups, more than WebGPU allows (65535 per dimension).`,
    );
  }
  // with split K the kernel writes (splits, M, N) partial sums, added up below
  const target = split ? g.tensor([splits, ...outShape], false, `partial(${out.label})`) : out;
  // sums over k: one (M) or (N) slice per grid z (batches and splits)
  const sumK = opts.sumK && block && act === 'none' ? opts.sumK : undefined;
  const sumLen = sumK === 'rowsA' ? M : N;
  const slices = batch * splits;
  const sumTarget = sumK
    ? g.tensor(slices > 1 ? [slices, sumLen] : [sumLen], false, `sum_k(${slices > 1 ? 'partial ' : ''}${out.label})`)
    : undefined;
  // Stand-ins for the bindings this product does not read or write: a and b as read-only
  // ones (read-only aliasing is allowed), a 4-float scratch per unused output (4 floats:
  // block8 binds them as arrays of vec4).
  const unused = (what: string) => g.tensor([4], false, `unused ${what}`);
  const v: Variant = { transA, transB, act: split ? 'none' : act, bias: !split && !!bias, base: !!base };
  const tensors = {
    a,
    b,
    bias: (!split && bias) || b,
    c: target,
    pre: (!split && pre) || unused('pre'),
    base: base ?? a,
  };
  if (block) {
    const def = block8Kernel(v, block, sumK);
    g.dispatch(def, params, def.bind({ ...tensors, ksum: sumTarget ?? unused('ksum') }), workgroups);
  } else {
    const vec4 = (transA ? M : K) % 4 === 0 && (transB ? K : N) % 4 === 0;
    const def = tiledKernel(v, vec4);
    g.dispatch(def, params, def.bind(tensors), workgroups);
  }
  if (split && (bias || act !== 'none')) {
    const vec4Sum = N % 4 === 0;
    const def = sumSplitsEpilogueKernel(act, !!bias, vec4Sum);
    const sp = FlatParams.pack({ n: out.size, splits, cols: N, _pad1: 0 });
    const sumTensors = { partial: target, summed: out, bias: bias ?? target, pre: pre ?? unused('pre') };
    g.dispatch(def, sp, def.bind(sumTensors), grid1d(vec4Sum ? out.size / 4 : out.size, FLAT_WG));
  } else if (split) sumSplits(target, out, splits);
  let sum = sumTarget;
  if (sumTarget && slices > 1) {
    sum = g.tensor([sumLen], false, `sum_k(${out.label})`);
    sumSplits(sumTarget, sum, slices);
  }
  return { out, pre, sum };
}

/** (C, R) = x (R, C)ᵀ, no autograd (a product's operand, read in another layout). */
function transpose(x: Tensor, R: number, C: number): Tensor {
  const out = x.graph.tensor([C, R], false, `transpose(${x.label})`);
  const params = FlatParams.pack({ n: R, splits: 0, cols: C, _pad1: 0 });
  x.graph.dispatch(transposeKernel, params, transposeKernel.bind({ t_in: x, t_out: out }), [
    Math.ceil(C / 16),
    Math.ceil(R / 16),
    1,
  ]);
  return out;
}

/** out = Σ_s partial[s]: partial holds `slices` consecutive copies of out's shape. */
function sumSplits(partial: Tensor, out: Tensor, slices: number): void {
  const vec4 = out.size % 4 === 0;
  const def = sumSplitsKernel(vec4);
  const params = FlatParams.pack({ n: out.size, splits: slices, cols: 0, _pad1: 0 });
  out.graph.dispatch(def, params, def.bind({ partial, summed: out }), grid1d(vec4 ? out.size / 4 : out.size, FLAT_WG));
}

/** dz = dy ⊙ act'(z). */
export function actBackward(z: Tensor, dy: Tensor, act: Activation): Tensor {
  const g = z.graph;
  const dz = g.tensor(z.shape, false, `d${z.label}`);
  const def = actBackwardKernel(act);
  g.dispatch(
    def,
    FlatParams.pack({ n: z.size, splits: 1, cols: 0, _pad1: 0 }),
    def.bind({ z_in: z, dy, dz }),
    grid1d(z.size, FLAT_WG),
  );
  return dz;
}
