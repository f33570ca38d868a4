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
  epilogue: 'u32',
});
export const FlatParams = uniformStruct('FlatParams', { n: 'u32', splits: 'u32', cols: 'u32', _pad1: 'u32' });

export type Activation = 'none' | 'gelu' | 'relu';
/** An operand summed over k by the product itself: 'rowsA' gives (M) sums of op(A)'s rows,
 *  'colsB' (N) sums of op(B)'s columns. A bias gradient Σ_rows dz made by the weight
 *  gradient's product, which has dz as an operand. */
type SumK = 'rowsA' | 'colsB';
const SUM_K_CODE: Record<SumK, number> = { rowsA: 1, colsB: 2 };
const ACT_CODE: Record<Activation, number> = { none: 0, gelu: 1, relu: 2 };

/** Kernel variants (named so tests and the benchmark can pick one). matmulBlock8 needs vec4
 *  access to every operand (see `block8Fits`) and runs matmulTiled where it cannot. */
export type MatmulKernel = 'matmulNaive' | 'matmulTiled' | 'matmulBlock8';
/** The variant training uses: the winner of `npm run bench` (src/cli/bench/matmul.ts). On an
 *  H200 (Dawn/Vulkan, TFLOP/s, matmulTiled → matmulBlock8 as chosen per shape; PyTorch f32
 *  in the same run, the fourth session's final run in bench/RESULTS.md, which has the rest):
 *  4096² 17.9 → 37.1 (49.8); the paper Transformer's MLP (M = 5248 rows, D = 256) forward
 *  16.7 → 32.6 (29.7). */
export const DEFAULT_MATMUL_KERNEL: MatmulKernel = 'matmulBlock8';

/** A block8 configuration: TX × TY threads, each 8 × 8 outputs (8 × 16 with `wide`), so
 *  (8·TY, 8·TX) (or (8·TY, 16·TX)) tiles of C, BK deep; `prefetch` issues the next tile's
 *  global loads before multiplying the current; `double` stores them into a second tile
 *  buffer (one barrier per BK step instead of two; implies prefetch, twice the workgroup
 *  memory); `band` > 0 orders the workgroups in bands of that many tile rows (L2 reuse). */
export interface Block8Config {
  TX: number;
  TY: number;
  BK: number;
  prefetch: boolean;
  wide?: boolean;
  double?: boolean;
  band?: number;
}

/** The (BM, BN) tile of C that a block8 configuration computes. */
export function block8Tile(cfg: Block8Config): [number, number] {
  return [8 * cfg.TY, (cfg.wide ? 16 : 8) * cfg.TX];
}

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  /** (N), added in the epilogue. */
  bias?: Tensor;
  act?: Activation;
  /** Kernel variant; defaults to DEFAULT_MATMUL_KERNEL. Gradients use the same one. */
  kernel?: MatmulKernel;
  /** matmulBlock8 only: this configuration instead of the one chosen per shape (tests and
   *  the benchmark's sweep); gradients use it too. */
  block?: Block8Config;
  /** Added to the output in the same pass (the output's shape; no activation): a residual
   *  stream, x + f(x), without a separate add. Its gradient is the output's. */
  residual?: Tensor;
}

// ---- kernels ----------------------------------------------------------------------------

const NAIVE = { WG_X: 16, WG_Y: 16 };
/** Tiled: 16 × 16 threads, 4 × 4 outputs each → 64 × 64 tiles of C, 16 deep in K.
 *  Chosen by a sweep on an H200 (Dawn/Vulkan): 16.0 TFLOP/s at 4096², 15.2 at (5248, 256, 1024);
 *  8 × 8 blocks per thread ran 7× slower there (the register block spills), 8 × 8 threads
 *  of 4 × 4 were 10–15% slower except at the smallest model shape. */
export const TILED = { TX: 16, TY: 16, TM: 4, TN: 4, BK: 16 };
/** Block8 tiles (see chooseBlock8), from sweeps on an H200 (npm run bench with
 *  ICL_MATMUL_SWEEP=1, ICL_MATMUL_CONFIGS or ICL_MATMUL_TILES; bench/RESULTS.md). Since the k
 *  steps are written out (see As4 in the WGSL), the 64 × 128 and 128 × 64 tiles run best
 *  without the register prefetch of the next tiles: fewer registers, more workgroups per SM
 *  (TFLOP/s, one run: 4096² 37.4 vs 33.8 with it; D = 256 MLP forward 33.4 vs 27.1, its input
 *  gradient 23.5 vs 18.2; the weight gradient 28.2 vs 29.5). The small tile keeps it: Mamba's
 *  narrow products (x_proj, dt_proj) ran no faster without it, and whole steps were within
 *  noise. A 128 × 128 tile (37.0 at 4096²) made Mamba's steps slower (28.7 vs 27.0 ms). */
export const BLOCK8_TILES = {
  /** 64 × 128, or 128 × 64 when that pads less. */
  wide: [{ TX: 16, TY: 8, BK: 16, prefetch: false }],
  tall: [{ TX: 8, TY: 16, BK: 16, prefetch: false }],
  /** 64 × 64, for outputs that the others would mostly pad. */
  small: [{ TX: 8, TY: 8, BK: 16, prefetch: true }],
} satisfies Record<string, Block8Config[]>;
export type Block8Tier = keyof typeof BLOCK8_TILES;
let tiles: Record<Block8Tier, readonly Block8Config[]> = { ...BLOCK8_TILES };

/** Replaces some tiers' configurations (benchmark sweeps: the CLI's ICL_MATMUL_TILES); {}
 *  restores BLOCK8_TILES. */
export function setBlock8Tiles(t: Partial<Record<Block8Tier, Block8Config[]>>): void {
  for (const [k, v] of Object.entries(t)) {
    if (!(k in BLOCK8_TILES) || !Array.isArray(v) || !v.every(block8ConfigValid)) throw new Error(`block8 tiles: unknown tier or invalid configurations ${k}: ${JSON.stringify(v)} (tiers: ${Object.keys(BLOCK8_TILES).join(', ')})`);
  }
  tiles = { ...BLOCK8_TILES, ...t };
}
/** How products pick their tiles and split K. The defaults come from sweeps on an H200 (see
 *  BLOCK8_TILES); `setMatmulTuning` changes them for benchmark sweeps (the CLI's
 *  ICL_MATMUL_TUNING) — kernels are chosen when a graph is built. */
export interface MatmulTuning {
  /** A tile is considered only when this much of its padded grid is real output. */
  minUse: number;
  /** Split K when a product has fewer output tiles than this (about two per SM on a big GPU)… */
  splitTargetTiles: number;
  /** …and keep at least this much K per chunk, so the extra reduction pays for itself. */
  splitMinChunk: number;
  /** 1: a block8 product with a plain A and a transposed B at most a quarter of A's size (the
   *  input gradient dz · Wᵀ of a [in, out] weight) transposes B first (0: reads it as it is).
   *  H200, whole paper-size steps in one run: Transformer 18.5 → 17.8 ms, Mamba 30.5 → 30.0,
   *  MambaFormer 23.5 → 22.9. (Transposing a large plain A as well, so that every product
   *  reads A as the weight gradients do, was slower: 17.8 → 19.1 ms; the transposes cost
   *  2 ms and the products ran no faster.) */
  transposeSmallB: number;
  /** …and only when B has at least this many elements: a tiny B's transpose (x_proj's and
   *  dt_proj's weights) costs a dispatch and saves little. H200, 65536 vs 0, two turns in one
   *  call: paper steps within noise (Transformer 17.5 vs 17.5, Mamba 29.3 vs 29.2,
   *  MambaFormer 22.4 vs 22.6 ms), small Mamba and MambaFormer 2–3% faster, 24–50 dispatches
   *  fewer. */
  transposeMinB: number;
}
const DEFAULT_TUNING: MatmulTuning = { minUse: 0.75, splitTargetTiles: 256, splitMinChunk: 128, transposeSmallB: 1, transposeMinB: 65536 };
let tuning: MatmulTuning = { ...DEFAULT_TUNING };

/** Overrides some of the tile and split choices (benchmarks); {} restores the defaults. */
export function setMatmulTuning(t: Partial<MatmulTuning>): void {
  for (const [k, v] of Object.entries(t)) {
    if (!(k in DEFAULT_TUNING) || typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`matmul tuning: unknown or invalid ${k}: ${JSON.stringify(v)} (known: ${Object.keys(DEFAULT_TUNING).join(', ')})`);
  }
  tuning = { ...DEFAULT_TUNING, ...t };
}
const FLAT_WG = 256;
const MATMUL_BINDINGS: KernelDef['bindings'] = ['uniform', 'read', 'read', 'read', 'rw', 'rw'];

interface Variant {
  kernel: MatmulKernel;
  vec4: boolean;
  transA: boolean;
  transB: boolean;
  act: Activation;
  bias: boolean;
  /** Adds a whole output-shaped matrix (read through the pre binding): a gradient so far, or
   *  a residual stream. */
  base?: boolean;
  /** matmulBlock8 only: also sums op(A)'s rows or op(B)'s columns over k (see SUM_K). */
  sumK?: SumK;
  /** matmulBlock8's configuration. */
  block?: Block8Config;
}

/** The vec4 columns of a block8 configuration's A and B tiles: BM/4 and BN/4, plus a padding
 *  vec4 for an operand stored transposed (plain A, transposed B; see the WGSL). */
function block8Columns(cfg: Block8Config, transA: boolean, transB: boolean): [number, number] {
  const [BM, BN] = block8Tile(cfg);
  return [BM / 4 + (transA ? 0 : 1), BN / 4 + (transB ? 1 : 0)];
}

/** Workgroup memory of a block8 configuration: the two vec4 tiles, BK deep; twice that when
 *  double-buffered. */
export function block8Bytes(cfg: Block8Config, transA: boolean, transB: boolean): number {
  const [a, b] = block8Columns(cfg, transA, transB);
  return (cfg.double ? 2 : 1) * 16 * cfg.BK * (a + b);
}

/** The WGSL with the tiles' column counts of a configuration: they size inner arrays, which
 *  overrides cannot (see As4 in the WGSL). */
function block8Source(cfg: Block8Config, transA: boolean, transB: boolean): string {
  const [a, b] = block8Columns(cfg, transA, transB);
  return source.replace(/^const A4_COLS: u32 = \d+u;$/m, `const A4_COLS: u32 = ${a}u;`).replace(/^const B4_COLS: u32 = \d+u;$/m, `const B4_COLS: u32 = ${b}u;`);
}

/** BK is 8 or 16 (the WGSL writes its k steps out), and each thread loads 2·BK/TX vec4s of the
 *  A tile and NV·BK/TY of the B tile per BK step (NV = 2, or 4 when wide): whole numbers, at
 *  most MAX_LOADS = 4 (the WGSL's registers). */
function block8ConfigValid(cfg: Block8Config): boolean {
  const loads = [(2 * cfg.BK) / cfg.TX, ((cfg.wide ? 4 : 2) * cfg.BK) / cfg.TY];
  return (cfg.BK === 8 || cfg.BK === 16) && loads.every((l) => Number.isInteger(l) && l >= 1 && l <= 4);
}

function matmulKernel(v: Variant): KernelDef {
  const entryPoint = v.kernel === 'matmulNaive' ? 'naive' : v.kernel === 'matmulBlock8' ? 'block8' : v.vec4 ? 'tiled_vec4' : 'tiled';
  const block8 = v.kernel === 'matmulBlock8';
  const epilogue = {
    ACT: ACT_CODE[v.act],
    // block8 reads bias and base at run time (Params.epilogue): one pipeline with and without
    ...(!block8 ? { HAS_BIAS: v.bias ? 1 : 0, HAS_BASE: v.base ? 1 : 0 } : {}),
    ...(v.sumK ? { SUM_K: SUM_K_CODE[v.sumK] } : {}),
  };
  if (v.sumK && (!block8 || v.act !== 'none')) throw new Error('matmul: sums over k need matmulBlock8 and no activation');
  const layout = { TRANS_A: v.transA ? 1 : 0, TRANS_B: v.transB ? 1 : 0 };
  let constants: Record<string, number>;
  let name: string;
  let kernelSource = source;
  if (v.kernel === 'matmulNaive') {
    constants = { ...NAIVE, ...epilogue };
    name = 'matmulNaive';
  } else if (block8) {
    const { TX, TY, BK, prefetch, wide = false, double = false, band = 0 } = v.block!;
    if (!block8ConfigValid(v.block!)) throw new Error(`matmul: block8 configuration ${JSON.stringify(v.block)}: BK must be 8 or 16, and the tile loads must divide evenly among the threads`);
    const [BM, BN] = block8Tile(v.block!);
    const flags = { PREFETCH: prefetch ? 1 : 0, WIDE: wide ? 1 : 0, DOUBLE: double ? 1 : 0, BAND: band };
    constants = { TX, TY, BK, ...flags, ...epilogue, ...layout };
    kernelSource = block8Source(v.block!, v.transA, v.transB);
    name = `matmulBlock8_${BM}x${BN}x${BK}${prefetch ? '' : '_noprefetch'}${double ? '_double' : ''}${band ? `_band${band}` : ''}`;
  } else {
    constants = { ...TILED, ...epilogue, ...layout };
    name = v.vec4 ? 'matmulTiledVec4' : 'matmulTiled';
  }
  name += `${v.transA ? '_tA' : ''}${v.transB ? '_tB' : ''}${v.bias && !block8 ? '_bias' : ''}${v.base && !block8 ? '_base' : ''}${v.act !== 'none' ? `_${v.act}` : ''}${v.sumK ? `_sum${v.sumK === 'rowsA' ? 'A' : 'B'}` : ''}`;
  return { name, source: kernelSource, entryPoint, bindings: MATMUL_BINDINGS, constants, heavy: block8 };
}

const actBackwardKernel = (act: Activation): KernelDef => ({
  name: `matmul_${act}_backward`,
  source,
  entryPoint: 'act_backward',
  bindings: ['uniform', 'read', 'read', 'rw'],
  constants: { WG: FLAT_WG, ACT: ACT_CODE[act] },
});

/** The split-K sum; `vec4` (sum_splits4) where the output's size is a multiple of 4. */
const sumSplitsKernel = (vec4: boolean): KernelDef => ({
  name: `matmul_sum_splits${vec4 ? '4' : ''}`,
  source,
  entryPoint: vec4 ? 'sum_splits4' : 'sum_splits',
  bindings: ['uniform', 'read', 'rw'],
  constants: { WG: FLAT_WG },
});
/** The split-K sum with the product's epilogue: bias (N), then the activation (its input kept
 *  as pre). Bindings: partial slices, out, the bias, pre. */
const sumSplitsEpilogueKernel = (act: Activation, bias: boolean, vec4: boolean): KernelDef => ({
  name: `matmul_sum_splits${vec4 ? '4' : ''}${bias ? '_bias' : ''}${act !== 'none' ? `_${act}` : ''}`,
  source,
  entryPoint: vec4 ? 'sum_splits_epilogue4' : 'sum_splits_epilogue',
  bindings: ['uniform', 'read', 'rw', 'read', 'rw'],
  constants: { WG: FLAT_WG, ACT: ACT_CODE[act], HAS_BIAS: bias ? 1 : 0 },
});

// ---- the core dispatch --------------------------------------------------------------------

/** The variant a matmul asked for, passed on to its gradients' products. */
interface KernelChoice {
  kernel: MatmulKernel;
  block?: Block8Config;
}

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

/** Whether block8 can run a product: vec4 loads (as tiled_vec4), vec4 stores of C (N % 4 = 0)
 *  and tiles that fit this device's workgroup memory. */
function block8Fits(s: Gemm, cfg: Block8Config, maxWorkgroupBytes: number): boolean {
  const vec4Loads = (s.transA ? s.M : s.K) % 4 === 0 && (s.transB ? s.K : s.N) % 4 === 0;
  return vec4Loads && s.N % 4 === 0 && block8Bytes(cfg, s.transA, s.transB) <= maxWorkgroupBytes;
}

/** Output tiles of a product under a tile size (over the batch). */
function tileCount(s: Gemm, BM: number, BN: number): number {
  return Math.ceil(s.M / BM) * Math.ceil(s.N / BN) * s.batch;
}

/** Split-K slices for a product of `tiles` output tiles (1: no split). Split only without a
 *  batch (the partial slices are then (splits, M, N)); the epilogue (bias, base, activation)
 *  then runs in the sum of the slices. The weight gradients, whose (D, 4D) outputs are a
 *  handful of tiles with K = batch · tokens, split most; the models' (batch · tokens, D)
 *  outputs fill an H200 only with two or four slices of their short K (whole steps 2–10%
 *  faster than unsplit; bench/RESULTS.md, 2026-11-30). */
function splitsFor(s: Gemm, tiles: number, splittable: boolean): number {
  const { splitTargetTiles, splitMinChunk } = tuning;
  if (!splittable || tiles >= splitTargetTiles) return 1;
  return Math.max(1, Math.min(Math.ceil(splitTargetTiles / tiles), Math.floor(s.K / splitMinChunk)));
}

/** The block8 configuration for a product: the wide or tall tile (whichever pads less), else
 *  the small one, each only if it fits the device and wastes little on padding. Undefined
 *  when none fits (the caller then runs matmulTiled). */
function chooseBlock8(s: Gemm, maxWorkgroupBytes: number): Block8Config | undefined {
  const pick = (cfgs: readonly Block8Config[]) => cfgs.find((cfg) => block8Fits(s, cfg, maxWorkgroupBytes));
  const use = (cfg: Block8Config) => {
    const [BM, BN] = block8Tile(cfg);
    return (s.M * s.N * s.batch) / (tileCount(s, BM, BN) * BM * BN);
  };
  const middle = [pick(tiles.wide), pick(tiles.tall)].filter((c) => c !== undefined).sort((x, y) => use(y) - use(x))[0];
  return middle && use(middle) >= tuning.minUse ? middle : pick(tiles.small);
}

interface GemmOptions {
  bias?: Tensor;
  act?: Activation;
  requiresGrad?: boolean;
  /** An output-shaped matrix added in the epilogue (a gradient so far, a residual stream). */
  base?: Tensor;
  /** Also sum an operand over k (SumK); returned as `sum` when the chosen kernel can. */
  sumK?: SumK;
}

/** Dispatches one product (no autograd). Returns the output and, with an activation, the
 *  pre-activation z that the backward needs; with sumK, the sums over k when the chosen
 *  kernel made them (block8 only; undefined otherwise, and the caller sums itself). */
function gemm(a: Tensor, b: Tensor, s: Gemm, outShape: number[], choice: KernelChoice, opts: GemmOptions = {}): { out: Tensor; pre?: Tensor; sum?: Tensor } {
  const g = a.graph;
  const { batch, M, K, N, transA, transB } = s;
  if (tuning.transposeSmallB && choice.kernel === 'matmulBlock8' && transB && !transA && batch === 1 && 4 * N <= M && N * K >= tuning.transposeMinB) {
    return gemm(a, transpose(b, N, K), { ...s, transB: false, batchedB: false }, outShape, choice, opts);
  }
  const { bias, act = 'none', requiresGrad = false, base } = opts;
  const out = g.tensor(outShape, requiresGrad, `matmul(${a.label}, ${b.label})`);
  const pre = act !== 'none' ? g.tensor(outShape, false, `pre(${out.label})`) : undefined;
  // Stand-ins for bindings the specialised kernel never touches (HAS_BIAS / ACT are off):
  // b again as a read-only binding (read-only aliasing is allowed), a 4-float scratch output
  // (4 floats: block8 binds it as an array of vec4).
  // A base (a gradient so far, a residual stream: outShape) is read through the pre binding.
  if (base && (act !== 'none' || opts.sumK || base.size !== out.size)) throw new Error(`matmul: a base ${base} goes with no activation, no sums over k and the output's shape`);
  // with split K the epilogue (bias, activation) moves into the sum of the slices; the first
  // slice adds the base
  const splittable = batch === 1;
  let kernel = choice.kernel;
  let block: Block8Config | undefined;
  if (kernel === 'matmulBlock8') {
    const maxBytes = g.gpu.limits.maxComputeWorkgroupStorageSize;
    block = choice.block && block8Fits(s, choice.block, maxBytes) ? choice.block : chooseBlock8(s, maxBytes);
    if (!block) kernel = 'matmulTiled';
  }
  const [BM, BN, BK] = block ? [...block8Tile(block), block.BK] : [TILED.TY * TILED.TM, TILED.TX * TILED.TN, TILED.BK];
  const tiled = kernel !== 'matmulNaive';
  let splits = tiled ? splitsFor(s, tileCount(s, BM, BN), splittable) : 1;
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
    epilogue: (!split && bias ? 1 : 0) | (base ? 2 : 0), // block8's EPI_BIAS | EPI_BASE
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
  const target = split ? g.tensor([splits, ...outShape], false, `partial(${out.label})`) : out;
  // sums over k: one (M) or (N) slice per grid z (batches and splits), in the pre binding
  const sumK = opts.sumK && kernel === 'matmulBlock8' && act === 'none' ? opts.sumK : undefined;
  const sumLen = sumK === 'rowsA' ? M : N;
  const slices = batch * splits;
  const sumTarget = sumK ? g.tensor(slices > 1 ? [slices, sumLen] : [sumLen], false, `sum_k(${slices > 1 ? 'partial ' : ''}${out.label})`) : undefined;
  const scratch = () => g.tensor([4], false, 'unused');
  const preT = base ?? (split ? undefined : pre) ?? sumTarget ?? scratch();
  const def = matmulKernel({ kernel, vec4, transA, transB, act: split ? 'none' : act, bias: !split && !!bias, base: !!base, block, sumK });
  g.dispatch(def, params, [a, b, !split && bias ? bias : b, target, preT], workgroups);
  if (split && (bias || act !== 'none')) {
    const vec4Sum = N % 4 === 0;
    const sumDef = sumSplitsEpilogueKernel(act, !!bias, vec4Sum);
    const sp = FlatParams.pack({ n: out.size, splits, cols: N, _pad1: 0 });
    g.dispatch(sumDef, sp, [target, out, bias ?? target, pre ?? scratch()], grid1d(vec4Sum ? out.size / 4 : out.size, FLAT_WG));
  } else if (split) sumSplits(target, out, splits);
  let sum = sumTarget;
  if (sumTarget && slices > 1) {
    sum = g.tensor([sumLen], false, `sum_k(${out.label})`);
    sumSplits(sumTarget, sum, slices);
  }
  return { out, pre, sum };
}

const transposeKernel: KernelDef = { name: 'matmul_transpose', source, entryPoint: 'transpose', bindings: ['uniform', 'read', 'rw'], constants: {} };

/** (C, R) = x (R, C)ᵀ, no autograd (a product's operand, read in another layout). */
function transpose(x: Tensor, R: number, C: number): Tensor {
  const out = x.graph.tensor([C, R], false, `transpose(${x.label})`);
  x.graph.dispatch(transposeKernel, FlatParams.pack({ n: R, splits: 0, cols: C, _pad1: 0 }), [x, out], [Math.ceil(C / 16), Math.ceil(R / 16), 1]);
  return out;
}

/** out = Σ_s partial[s]: partial holds `slices` consecutive copies of out's shape. */
function sumSplits(partial: Tensor, out: Tensor, slices: number): void {
  const vec4 = out.size % 4 === 0;
  out.graph.dispatch(sumSplitsKernel(vec4), FlatParams.pack({ n: out.size, splits: slices, cols: 0, _pad1: 0 }), [partial, out], grid1d(vec4 ? out.size / 4 : out.size, FLAT_WG));
}

/** dz = dy ⊙ act'(z). */
function actBackward(z: Tensor, dy: Tensor, act: Activation): Tensor {
  const g = z.graph;
  const dz = g.tensor(z.shape, false, `d${z.label}`);
  g.dispatch(actBackwardKernel(act), FlatParams.pack({ n: z.size, splits: 1, cols: 0, _pad1: 0 }), [z, dy, dz], grid1d(z.size, FLAT_WG));
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
  const kernel: KernelChoice = { kernel: opts.kernel ?? DEFAULT_MATMUL_KERNEL, block: opts.block };
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
  const residual = opts.residual;
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
  if (residual && (act !== 'none' || residual.shape.join() !== outShape.join())) throw new Error(`matmul: a residual must have the output's shape (${outShape.join(', ')}) and go without an activation, got ${residual}`);
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
    return gemm(dz, b, { batch, M, K: N, N: K, transA: false, transB: !s.transB, batchedA: batch > 1, batchedB: s.batchedB }, aShape, kernel, { base }).out;
  }
  // op(B) (K, N) · dzᵀ (N, M) → (K, M)
  return gemm(b, dz, { batch, M: K, K: N, N: M, transA: s.transB, transB: true, batchedA: s.batchedB, batchedB: batch > 1 }, aShape, kernel, { base }).out;
}

/** db in b's layout. op(B) = op(A)ᵀ · dz (K, N); with transB, db = dzᵀ · op(A) (N, K).
 *  A b shared across batches sums its per-batch gradients. With `withBias`, the product also
 *  sums dz over its rows (dz is its B, or with transB its A), the bias's gradient, when its
 *  kernel can (dbias undefined otherwise). */
function gradB(a: Tensor, dz: Tensor, s: Gemm, bShape: number[], kernel: KernelChoice, withBias: boolean): { db: Tensor; dbias?: Tensor } {
  const { batch, M, K, N } = s;
  const perBatch = !s.batchedB && batch > 1; // b broadcast over a batch: sum afterwards
  const shape = perBatch ? [batch, ...bShape] : bShape;
  const { out: db, sum: dbias } = !s.transB
    ? // op(A)ᵀ (K, M) · dz (M, N)
      gemm(a, dz, { batch, M: K, K: M, N, transA: !s.transA, transB: false, batchedA: s.batchedA, batchedB: batch > 1 }, shape, kernel, { sumK: withBias ? 'colsB' : undefined })
    : // dzᵀ (N, M) · op(A) (M, K)
      gemm(dz, a, { batch, M: N, K: M, N: K, transA: true, transB: s.transA, batchedA: batch > 1, batchedB: s.batchedA }, shape, kernel, { sumK: withBias ? 'rowsA' : undefined });
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
  return matmul(x, W, { transB: layout === 'out_in', bias, act: opts.act, kernel: opts.kernel, residual: opts.residual });
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
