// The matmul kernel variants kept beside production (llm.c's dev/cuda): 01 naive (one output
// per thread) and 02 block8 with every switch it was tuned with (8 × 16 outputs per thread,
// double-buffered tiles, banded workgroup order, with or without prefetch). Each runs one
// product (no split K, no transposed copy) with src/engine/ops/gemm.ts's uniforms;
// src/cli/bench/matmul.ts checks each against matmulRef and times it beside production.
//   M, K, N = output rows, inner dim, output cols.
import commonSource from '../../../shaders/matmul_common.wgsl?raw';
import naiveSource from './01_naive.wgsl?raw';
import block8Source from './02_block8_switches.wgsl?raw';
import { entryPoint, kernel } from '../../../src/gpu/kernel';
import { MATMUL_CODES, MatmulParams, type Activation } from '../../../src/engine/ops/gemm';
import type { Tensor } from '../../../src/engine/tensor';

const NAIVE = entryPoint(commonSource + naiveSource, 'naive', {
  p: 'uniform',
  a: 'read',
  b: 'read',
  bias: 'read',
  c: 'rw',
  pre: 'rw',
});
const BLOCK8 = entryPoint(commonSource + block8Source, 'block8', {
  p: 'uniform',
  a: 'read',
  b: 'read',
  bias: 'read',
  c: 'rw',
  pre: 'rw',
});
export const ENTRY_POINTS = [NAIVE, BLOCK8];

/** 02's configuration: TX × TY threads, 8 × 8 outputs each (8 × 16 with `wide`), BK deep. */
export interface Block8Switches {
  TX: number;
  TY: number;
  BK: number;
  prefetch: boolean;
  wide?: boolean;
  double?: boolean;
  band?: number;
}

export const block8SwitchesTile = (c: Block8Switches): [number, number] => [8 * c.TY, (c.wide ? 16 : 8) * c.TX];
export const block8SwitchesName = (c: Block8Switches) =>
  `block8 ${block8SwitchesTile(c).join('x')} BK${c.BK}${c.wide ? ' wide' : ''}${c.prefetch ? '' : ' noprefetch'}` +
  `${c.double ? ' double' : ''}${c.band ? ` band${c.band}` : ''}`;

/** Workgroup memory: the two vec4 tiles (a padding vec4 per row for plain A, transposed B). */
export function block8SwitchesBytes(c: Block8Switches, transA: boolean, transB: boolean): number {
  const [BM, BN] = block8SwitchesTile(c);
  return (c.double ? 2 : 1) * 16 * c.BK * (BM / 4 + (transA ? 0 : 1) + BN / 4 + (transB ? 1 : 0));
}

/** The sweep behind production's tiles (src/engine/ops/gemm.ts, BLOCK8_TILES). Measured on an
 *  H200 (Dawn/Vulkan): the 64 × 128 and 128 × 64 tiles without prefetch won (4096² 37.4
 *  TFLOP/s vs 33.8 with it; the D = 256 MLP forward 33.4 vs 27.1); the 64 × 64 tile keeps
 *  prefetch; a 128 × 128 tile (37.0 at 4096²) made Mamba's steps slower. */
export const SWEEP: Block8Switches[] = [
  ...[
    [16, 16, 8],
    [16, 16, 16],
    [16, 8, 8],
    [16, 8, 16],
    [8, 16, 8],
    [8, 16, 16],
    [8, 8, 8],
    [8, 8, 16],
  ].map(([TY, TX, BK]) => ({ TX, TY, BK, prefetch: true })),
  { TX: 16, TY: 8, BK: 16, prefetch: false },
  { TX: 8, TY: 16, BK: 16, prefetch: false },
  { TX: 16, TY: 16, BK: 16, prefetch: true, band: 8 },
  { TX: 16, TY: 16, BK: 8, prefetch: true, wide: true, double: true },
  { TX: 8, TY: 16, BK: 8, prefetch: true, wide: true, double: true },
  { TX: 16, TY: 16, BK: 8, prefetch: true, double: true },
];

export interface VariantProduct {
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
  act: Activation;
}

const ACT = { none: 0, gelu: 1, relu: 2 } as const;

/** out (M, N) = act(op(a) · op(b) + bias) by a variant: 'naive', or 02 at a configuration. */
export function variantMatmul(
  a: Tensor,
  b: Tensor,
  bias: Tensor | undefined,
  s: VariantProduct,
  variant: 'naive' | Block8Switches,
): Tensor {
  const g = a.graph;
  const { M, K, N, transA, transB, act } = s;
  const out = g.tensor([M, N], false, 'variant_matmul');
  const pre = g.tensor(act === 'none' ? [4] : [M, N], false, 'variant_pre');
  const params = MatmulParams.pack({
    ...{
      M,
      K,
      N,
      a_sm: transA ? 1 : K,
      a_sk: transA ? M : 1,
      a_sb: 0,
      b_sk: transB ? 1 : N,
      b_sn: transB ? K : 1,
      b_sb: 0,
    },
    ...{ splits: 1, k_chunk: K, epilogue: bias ? 1 : 0 },
  });
  const tensors = { a, b, bias: bias ?? b, c: out, pre };
  const common = { ...MATMUL_CODES, ACT: ACT[act], TRANS_A: transA, TRANS_B: transB };
  if (variant === 'naive') {
    const def = kernel(NAIVE, 'matmulNaive', { prelude: { ...common, WG_X: 16, WG_Y: 16, HAS_BIAS: !!bias } });
    g.dispatch(def, params, def.bind(tensors), [Math.ceil(N / 16), Math.ceil(M / 16), 1]);
    return out;
  }
  const c = variant;
  const [BM, BN] = block8SwitchesTile(c);
  const sizes = {
    TX: c.TX,
    TY: c.TY,
    BK: c.BK,
    A4_COLS: BM / 4 + (transA ? 0 : 1),
    B4_COLS: BN / 4 + (transB ? 1 : 0),
  };
  const switches = { PREFETCH: c.prefetch, WIDE: !!c.wide, DOUBLE: !!c.double, BAND: c.band ?? 0, SUM_K: 0 };
  const def = kernel(BLOCK8, `variant_${block8SwitchesName(c).replace(/ /g, '_')}`, {
    prelude: { ...common, ...sizes, ...switches },
    heavy: true,
  });
  g.dispatch(def, params, def.bind(tensors), [Math.ceil(N / BN), Math.ceil(M / BM), 1]);
  return out;
}
