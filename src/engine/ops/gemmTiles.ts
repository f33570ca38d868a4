// How a product is cut into tiles: the block8 configurations and the tiled kernel's tile, the
// tile chosen per shape, and how many slices K is split into (gemm.ts dispatches the product).
//   M, K, N = rows of the output, inner dim, cols of the output;  B = batch.

/** The product kernels: block8 needs vec4 access to every operand (see block8Fits) and
 *  matmulTiled runs where it cannot. */
export type MatmulKernel = 'matmulTiled' | 'matmulBlock8';

/** A block8 configuration: TX × TY threads, each 8 × 8 outputs, so (8·TY, 8·TX) tiles of C,
 *  BK deep; `prefetch` issues the next tile's global loads before multiplying the current. */
export interface Block8Config {
  TX: number;
  TY: number;
  BK: number;
  prefetch: boolean;
}

/** The (BM, BN) tile of C that a block8 configuration computes. */
export function block8Tile(cfg: Block8Config): [number, number] {
  return [8 * cfg.TY, 8 * cfg.TX];
}

/** Tiled: 16 × 16 threads, 4 × 4 outputs each → 64 × 64 tiles of C, 16 deep in K. */
export const TILED = { TX: 16, TY: 16, TM: 4, TN: 4, BK: 16 };
/** Block8 tiles (chosen per shape by chooseBlock8), from the sweeps of bench/kernels/matmul/.
 *  The 64 × 128 and 128 × 64 tiles run best without the register prefetch (fewer registers,
 *  more workgroups per SM); the small tile keeps it. */
export const BLOCK8_TILES = {
  /** 64 × 128, or 128 × 64 when that pads less. */
  wide: { TX: 16, TY: 8, BK: 16, prefetch: false },
  tall: { TX: 8, TY: 16, BK: 16, prefetch: false },
  /** 64 × 64, for outputs that the others would mostly pad. */
  small: { TX: 8, TY: 8, BK: 16, prefetch: true },
} as const satisfies Record<string, Block8Config>;

/** How products pick their tiles and split K (the sweeps behind them: bench/kernels/matmul/). */
export const MATMUL_TUNING = {
  /** A tile is considered only when this much of its padded grid is real output. */
  minUse: 0.75,
  /** Split K when a product has fewer output tiles than this (about two per SM on a big GPU)… */
  splitTargetTiles: 256,
  /** …and keep at least this much K per chunk, so the extra reduction pays for itself. */
  splitMinChunk: 128,
  /** A block8 product with a plain A and a transposed B at most a quarter of A's size (the
   *  input gradient dz · Wᵀ of a [in, out] weight) transposes B first, when B has at least
   *  this many elements (a tiny B's transpose costs a dispatch and saves little). */
  transposeMinB: 65536,
} as const;

/** The vec4 columns of a block8 configuration's A and B tiles: BM/4 and BN/4, plus a padding
 *  vec4 for an operand stored transposed (plain A, transposed B; see As4 in the WGSL). */
export function block8Columns(cfg: Block8Config, transA: boolean, transB: boolean): [number, number] {
  const [BM, BN] = block8Tile(cfg);
  return [BM / 4 + (transA ? 0 : 1), BN / 4 + (transB ? 1 : 0)];
}

/** Workgroup memory of a block8 configuration: the two vec4 tiles, BK deep. */
export function block8Bytes(cfg: Block8Config, transA: boolean, transB: boolean): number {
  const [a, b] = block8Columns(cfg, transA, transB);
  return 16 * cfg.BK * (a + b);
}

/** BK is 8 or 16 (the WGSL writes its k steps out), and each thread loads 2·BK/TX vec4s of the
 *  A tile and 2·BK/TY of the B tile per BK step: whole numbers, at most 4 (MAX_LOADS). */
export function block8ConfigValid(cfg: Block8Config): boolean {
  const loads = [(2 * cfg.BK) / cfg.TX, (2 * cfg.BK) / cfg.TY];
  return (cfg.BK === 8 || cfg.BK === 16) && loads.every((l) => Number.isInteger(l) && l >= 1 && l <= 4);
}

/** One (possibly batched) product: out[bi] = act(op(a[bi]) · op(b[bi]) + bias). */
export interface Gemm {
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

/** The kernel a matmul asked for, passed on to its gradients' products. */
export interface KernelChoice {
  kernel: MatmulKernel;
  /** block8 only: this configuration instead of the one chosen per shape (tests). */
  block?: Block8Config;
}

/** Whether block8 can run a product: vec4 loads, vec4 stores of C (N % 4 = 0) and tiles that
 *  fit this device's workgroup memory. */
export function block8Fits(s: Gemm, cfg: Block8Config, maxWorkgroupBytes: number): boolean {
  const vec4Loads = (s.transA ? s.M : s.K) % 4 === 0 && (s.transB ? s.K : s.N) % 4 === 0;
  return vec4Loads && s.N % 4 === 0 && block8Bytes(cfg, s.transA, s.transB) <= maxWorkgroupBytes;
}

/** Output tiles of a product under a tile size (over the batch). */
export function tileCount(s: Gemm, BM: number, BN: number): number {
  return Math.ceil(s.M / BM) * Math.ceil(s.N / BN) * s.batch;
}

/** Split-K slices for a product of `tiles` output tiles (1: no split). Split only without a
 *  batch (the partial slices are then (splits, M, N)); the epilogue (bias, base, activation)
 *  then runs in the sum of the slices. The weight gradients, whose (D, 4D) outputs are a
 *  handful of tiles with K = batch · tokens, split most; the models' (batch · tokens, D)
 *  outputs fill a large GPU only with two or four slices of their short K. */
export function splitsFor(s: Gemm, tiles: number, splittable: boolean): number {
  const { splitTargetTiles, splitMinChunk } = MATMUL_TUNING;
  if (!splittable || tiles >= splitTargetTiles) return 1;
  return Math.max(1, Math.min(Math.ceil(splitTargetTiles / tiles), Math.floor(s.K / splitMinChunk)));
}

/** The block8 configuration for a product: the wide or tall tile (whichever pads less), else
 *  the small one, each only if it fits the device and wastes little on padding. Undefined
 *  when none fits (the caller then runs matmulTiled). */
export function chooseBlock8(s: Gemm, maxWorkgroupBytes: number): Block8Config | undefined {
  const fits = (cfg: Block8Config) => (block8Fits(s, cfg, maxWorkgroupBytes) ? cfg : undefined);
  const use = (cfg: Block8Config) => {
    const [BM, BN] = block8Tile(cfg);
    return (s.M * s.N * s.batch) / (tileCount(s, BM, BN) * BM * BN);
  };
  const middle = [fits(BLOCK8_TILES.wide), fits(BLOCK8_TILES.tall)]
    .filter((c) => c !== undefined)
    .sort((x, y) => use(y) - use(x))[0];
  return middle && use(middle) >= MATMUL_TUNING.minUse ? middle : fits(BLOCK8_TILES.small);
}
