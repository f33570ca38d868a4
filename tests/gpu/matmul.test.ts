// matmul: both product kernels (tiled, block8 and its tile configurations) and the naive
// variant of bench/kernels/matmul/ vs the f64
// reference (every transpose, batched, bias, act),
// GPU backward vs reference backward, reference backward vs finite differences, linear().
//   M, K, N = output rows, inner dim, output cols; B = batch.
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/engine/autograd';
import { CompiledGraph } from '../../src/engine/compile';
import { Graph } from '../../src/engine/graph';
import { binary } from '../../src/engine/ops/elementwise';
import {
  BLOCK8_TILES,
  block8Bytes,
  linear,
  matmul,
  matmulBackwardRef,
  matmulRef,
  type Activation,
  type Block8Config,
  type MatmulKernel,
  type MatmulRefOptions,
} from '../../src/engine/ops/matmul';
import { sumCols } from '../../src/engine/ops/reduce';
import { Rng } from '../../src/engine/rng';
import { variantMatmul } from '../../bench/kernels/matmul/variants';
import { constant, eagerGraph, leaf, testGpu } from '../helpers/gpu';
import { dot, expectClose, finiteDiff, randn } from '../helpers/numeric';

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 33, 9],
  [64, 64, 64],
  [65, 130, 33],
  [2, 100, 257],
  [33, 20, 68], // vec4 loads (K, N multiples of 4) with a ragged M edge
];
// matmulBlock8 runs matmulTiled on the shapes it cannot take (odd K or N): both paths tested
const KERNELS: MatmulKernel[] = ['matmulTiled', 'matmulBlock8'];
const TRANS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
// f32 sums of up to 257 products of N(0,1) values: errors grow like √K·ε·|terms|
const FWD_TOL = { atol: 1e-4, rtol: 1e-4 };
const BWD_TOL = { atol: 2e-4, rtol: 2e-4 };

interface Case {
  M: number;
  K: number;
  N: number;
  transA?: boolean;
  transB?: boolean;
  act?: Activation;
  bias?: boolean;
  /** Batched a and b: a (B, M, K), b (B, K, N). */
  batch?: number;
  /** Leading dims of a over a shared 2-D b. */
  lead?: number[];
  /** A forced matmulBlock8 configuration. */
  block?: Block8Config;
}

const tag = (c: Case, k: MatmulKernel) =>
  `${k}${c.block ? ` ${JSON.stringify(c.block)}` : ''} M${c.M} K${c.K} ` +
  `N${c.N}${c.transA ? ' tA' : ''}${c.transB ? ' tB' : ''}${c.bias ? ' bias' : ''} ${c.act ?? 'none'}` +
  `${c.batch ? ` B${c.batch}` : ''}${c.lead ? ` lead[${c.lead}]` : ''}`;

/** Runs matmul on the GPU (eager), checks the values and, if asked, all gradients. */
async function check(c: Case, kernel: MatmulKernel, withGrad: boolean, rng: Rng): Promise<void> {
  const { M, K, N, transA = false, transB = false, act = 'none' } = c;
  const nb = c.batch ?? 1;
  const nLead = (c.lead ?? []).reduce((x, y) => x * y, 1);
  const lead = c.batch ? [c.batch] : (c.lead ?? []);
  const aShape = [...lead, ...(transA ? [K, M] : [M, K])];
  const bShape = [...(c.batch ? [c.batch] : []), ...(transB ? [N, K] : [K, N])];
  const a = randn(rng, nb * nLead * M * K);
  const b = randn(rng, nb * K * N);
  const bias = c.bias ? randn(rng, N) : undefined;
  const r = randn(rng, nb * nLead * M * N);
  const refOpts: MatmulRefOptions = {
    transA,
    transB,
    act,
    bias,
    batch: nb * nLead,
    batchedA: true,
    batchedB: !!c.batch,
  };

  const g = await eagerGraph();
  const at = withGrad ? leaf(g, 'a', aShape, a) : constant(g, 'a', aShape, a);
  const bt = withGrad ? leaf(g, 'b', bShape, b) : constant(g, 'b', bShape, b);
  const biasT = bias ? (withGrad ? leaf(g, 'bias', [N], bias) : constant(g, 'bias', [N], bias)) : undefined;
  const y = matmul(at, bt, { transA, transB, bias: biasT, act, kernel, block: c.block });
  expect(y.shape).toEqual([...lead, M, N]);
  expectClose(await y.read(), matmulRef(a, b, M, K, N, refOpts), FWD_TOL, `${tag(c, kernel)} forward`);
  if (withGrad) {
    // L = Σ y ⊙ r, so the gradients are the reference backward with dout = r
    backward(sumCols(binary('mul', y, constant(g, 'r', y.shape as number[], r)), y.size));
    const ref = matmulBackwardRef(a, b, r, M, K, N, refOpts);
    expectClose(await at.grad!.read(), ref.da, BWD_TOL, `${tag(c, kernel)} da`);
    expectClose(await bt.grad!.read(), ref.db, BWD_TOL, `${tag(c, kernel)} db`);
    if (biasT) expectClose(await biasT.grad!.read(), ref.dbias, BWD_TOL, `${tag(c, kernel)} dbias`);
  }
  g.destroy();
}

// lavapipe compiles each configuration's pipelines (forward and gradients) from scratch on a
// machine without Mesa's shader cache: up to ~55 s a configuration on 2 cores shared with
// another test worker (223 s for the four block8 configurations below), past the default
// 120 s; the block8 kernel's own tests took 79 and over 120 s on a busy 2-core machine
const BLOCK8_TIMEOUT = 900_000;
const timeoutFor = (kernel: string) => (kernel === 'matmulBlock8' ? BLOCK8_TIMEOUT : undefined);

describe('matmul forward', () => {
  for (const kernel of KERNELS) {
    it(
      `${kernel}: every shape and transpose matches the reference`,
      async () => {
        const rng = new Rng(11);
        for (const [M, K, N] of SHAPES)
          for (const [transA, transB] of TRANS) await check({ M, K, N, transA, transB }, kernel, false, rng);
      },
      timeoutFor(kernel),
    );

    it(
      `${kernel}: bias and activation epilogue`,
      async () => {
        const rng = new Rng(12);
        for (const act of ['none', 'gelu', 'relu'] as Activation[]) {
          for (const [M, K, N] of [
            [3, 5, 7],
            [65, 130, 33],
          ]) {
            await check({ M, K, N, bias: true, act }, kernel, false, rng);
            await check({ M, K, N, act, transB: true }, kernel, false, rng);
          }
        }
      },
      timeoutFor(kernel),
    );
  }
});

describe('matmul backward', () => {
  for (const kernel of KERNELS) {
    it(
      `${kernel}: gradients for every transpose, with bias and activations`,
      async () => {
        const rng = new Rng(21);
        for (const [M, K, N] of [
          [1, 1, 1],
          [3, 5, 7],
          [17, 33, 9],
          [65, 130, 33],
          [2, 100, 257],
        ]) {
          for (const [transA, transB] of TRANS) await check({ M, K, N, transA, transB }, kernel, true, rng);
        }
        for (const act of ['gelu', 'relu'] as Activation[]) {
          for (const [transA, transB] of TRANS)
            await check({ M: 17, K: 33, N: 9, transA, transB, bias: true, act }, kernel, true, rng);
        }
      },
      timeoutFor(kernel),
    );

    it(
      `${kernel}: batched operands and leading dims over a shared b`,
      async () => {
        const rng = new Rng(22);
        for (const [transA, transB] of TRANS) {
          await check({ M: 5, K: 12, N: 7, transA, transB, batch: 3 }, kernel, true, rng);
          await check({ M: 17, K: 8, N: 20, transA, transB, batch: 2, act: 'gelu', bias: true }, kernel, true, rng);
          // leading dims: flattened into M without transA, one batch per block with it
          await check({ M: 5, K: 6, N: 7, transA, transB, lead: [2, 3], bias: true }, kernel, true, rng);
        }
      },
      timeoutFor(kernel),
    );
  }

  it('the reference backward matches finite differences of the reference', () => {
    const rng = new Rng(31);
    const cases: MatmulRefOptions[] = [];
    for (const [transA, transB] of TRANS) {
      cases.push({ transA, transB });
      cases.push({ transA, transB, act: 'gelu', batch: 2, batchedB: false });
      cases.push({ transA, transB, act: 'relu', batch: 2 });
    }
    for (const [M, K, N] of [
      [1, 1, 1],
      [3, 5, 7],
      [4, 9, 6],
    ]) {
      for (const base of cases) {
        const batch = base.batch ?? 1;
        const a = randn(rng, batch * M * K);
        const b = randn(rng, (base.batchedB === false ? 1 : batch) * K * N);
        const bias = randn(rng, N);
        const r = randn(rng, batch * M * N);
        const opts = { ...base, bias };
        const ref = matmulBackwardRef(a, b, r, M, K, N, opts);
        const what = `M${M} K${K} N${N} ${JSON.stringify(base)}`;
        expectClose(
          ref.da,
          finiteDiff((x) => dot(matmulRef(x, b, M, K, N, opts), r), a),
          { atol: 1e-6, rtol: 1e-5 },
          `${what} da`,
        );
        expectClose(
          ref.db,
          finiteDiff((x) => dot(matmulRef(a, x, M, K, N, opts), r), b),
          { atol: 1e-6, rtol: 1e-5 },
          `${what} db`,
        );
        expectClose(
          ref.dbias,
          finiteDiff((x) => dot(matmulRef(a, b, M, K, N, { ...opts, bias: x }), r), bias),
          { atol: 1e-6, rtol: 1e-5 },
          `${what} dbias`,
        );
      }
    }
  });
});

describe('matmul variants and plumbing', () => {
  it('the naive variant of bench/kernels/matmul/ matches the reference (timed beside production)', async () => {
    const rng = new Rng(41);
    const [M, K, N] = [33, 20, 68];
    for (const [transA, transB] of TRANS) {
      const [a, b, bias] = [randn(rng, M * K), randn(rng, K * N), randn(rng, N)];
      const g = await eagerGraph();
      const at = constant(g, 'a', transA ? [K, M] : [M, K], a);
      const bt = constant(g, 'b', transB ? [N, K] : [K, N], b);
      const out = variantMatmul(
        at,
        bt,
        constant(g, 'bias', [N], bias),
        { M, K, N, transA, transB, act: 'gelu' },
        'naive',
      );
      expectClose(
        await out.read(),
        matmulRef(a, b, M, K, N, { transA, transB, bias, act: 'gelu' }),
        FWD_TOL,
        `naive tA${transA} tB${transB}`,
      );
      g.destroy();
    }
  });

  it('split K (few output tiles, long K) matches the reference, values and gradients', async () => {
    const rng = new Rng(45);
    // K of 1000 (vec4 loads) and 517 (scalar loads) over one output tile: split into chunks
    for (const [transA, transB] of TRANS) {
      await check({ M: 9, K: 1000, N: 20, transA, transB }, 'matmulTiled', false, rng);
      await check({ M: 5, K: 517, N: 3, transA, transB }, 'matmulTiled', false, rng);
    }
    // the weight gradient (K, N) = xᵀ dz sums over 300 rows: split
    await check({ M: 300, K: 8, N: 12, transB: true, bias: true, act: 'gelu' }, 'matmulTiled', true, rng);
    // a split forward: bias and activation are applied by the sum of the slices
    // (N = 7: the scalar sum; 20: four at a time)
    for (const act of ['none', 'gelu'] as Activation[])
      for (const N of [7, 20]) await check({ M: 9, K: 1000, N, bias: true, act }, 'matmulTiled', true, rng);
  });

  /** Values and gradients of one block8 configuration on edge and split-K shapes. */
  async function checkBlock8(block: Block8Config, rng: Rng): Promise<void> {
    // a configuration the device cannot take would silently run another
    const maxBytes = (await testGpu()).limits.maxComputeWorkgroupStorageSize;
    expect(block8Bytes(block, false, true), JSON.stringify(block)).toBeLessThanOrEqual(maxBytes);
    // multiples of 4 (vec4) that are not multiples of the tiles: ragged M, N and K edges
    for (const [transA, transB] of TRANS)
      await check({ M: 140, K: 36, N: 76, transA, transB, block }, 'matmulBlock8', true, rng);
    await check({ M: 33, K: 20, N: 132, bias: true, act: 'gelu', block }, 'matmulBlock8', true, rng);
    await check(
      { M: 12, K: 8, N: 4, transA: true, transB: true, batch: 3, bias: true, act: 'relu', block },
      'matmulBlock8',
      true,
      rng,
    );
    // few output tiles and a long K: split into chunks of whole BK steps, the bias and
    // activation then added by the sum of the slices
    await check({ M: 8, K: 1000, N: 20, transA: true, bias: true, act: 'gelu', block }, 'matmulBlock8', false, rng);
  }

  it(
    'matmulBlock8: every tile configuration, values and gradients, on edge and split-K shapes',
    async () => {
      const rng = new Rng(47);
      // the shape chooser picks by grid size (lavapipe sees tiny grids): force each configuration
      const configs: Block8Config[] = [
        ...Object.values(BLOCK8_TILES),
        { TX: 8, TY: 8, BK: 8, prefetch: true }, // BK 8
      ];
      for (const block of configs) await checkBlock8(block, rng);
    },
    BLOCK8_TIMEOUT,
  );

  it(
    "matmulBlock8: the weight gradient's product sums the bias gradient too (both layouts, split K, several tiles)",
    async () => {
      const rng = new Rng(50);
      const configs: Block8Config[] = [
        BLOCK8_TILES.wide,
        { TX: 16, TY: 16, BK: 16, prefetch: true }, // 128 × 128
      ];
      for (const block of configs) {
        // dz is the product's B (column sums) without transB, its A (row sums) with it; K = 300
        // rows are split into chunks, and 136 spans two or three tiles, only the first of which sums
        for (const transB of [false, true]) {
          await check({ M: 300, K: 136, N: 12, transB, bias: true, block }, 'matmulBlock8', true, rng);
          await check({ M: 36, K: 20, N: 8, transB, bias: true, block }, 'matmulBlock8', true, rng);
        }
      }
    },
    BLOCK8_TIMEOUT,
  );

  it('a product with a small transposed B transposes it first or reads it as is: same values, gradients', async () => {
    const rng = new Rng(52);
    // 4 · N ≤ M and N · K ≥ 65536: transposed first (dz · Wᵀ); N = 76 > M / 4: read as it is
    for (const [M, K, N, transposed] of [
      [256, 1024, 64, true],
      [140, 36, 76, false],
    ] as const) {
      await check({ M, K, N, transB: true, bias: true }, 'matmulBlock8', true, rng);
      const g = await eagerGraph();
      matmul(g.input('a', [M, K]), g.input('b', [N, K]), { transB: true });
      expect(
        g.dispatches.some((d) => d.kernel.name === 'matmul_transpose'),
        `M${M} K${K} N${N}`,
      ).toBe(transposed);
      g.destroy();
    }
  });

  it("a's gradient so far is added by the gradient product itself (every kernel, both layouts of a)", async () => {
    const rng = new Rng(77);
    for (const kernel of KERNELS) {
      // N = 1000: the gradient product for a, (M, N) · (N, K), splits its long inner dim,
      // and the sum of the slices adds the gradient a had
      for (const [transA, [M, K, N]] of [
        [false, [37, 24, 16]],
        [true, [37, 24, 16]],
        [false, [8, 20, 1000]],
        [true, [8, 20, 1000]],
      ] as const) {
        const aShape = transA ? [K, M] : [M, K];
        const a = randn(rng, M * K);
        const b = randn(rng, K * N);
        const r = randn(rng, M * N);
        const s = randn(rng, M * K);
        const g = await eagerGraph();
        const at = leaf(g, 'a', aShape, a);
        const y = matmul(at, constant(g, 'b', [K, N], b), { transA, kernel });
        // created after the matmul, so its backward runs first and a has a gradient (s) then
        const other = sumCols(binary('mul', at, constant(g, 's', aShape, s)), M * K);
        backward(binary('add', sumCols(binary('mul', y, constant(g, 'r', [M, N], r)), M * N), other));
        const ref = matmulBackwardRef(a, b, r, M, K, N, { transA });
        expectClose(
          await at.grad!.read(),
          ref.da.map((d, i) => d + s[i]),
          BWD_TOL,
          `${kernel}${transA ? ' tA' : ''} da + s`,
        );
        g.destroy();
      }
    }
  });

  it('the product adds a residual itself (every kernel, bias, split K or not); its gradient is dout', async () => {
    const rng = new Rng(78);
    for (const kernel of KERNELS) {
      // K = 1000 over one output tile: split, the first slice adds the residual
      for (const [M, K, N] of [
        [37, 24, 16],
        [9, 1000, 20],
      ]) {
        const [a, b, bias, res, r] = [
          randn(rng, M * K),
          randn(rng, K * N),
          randn(rng, N),
          randn(rng, M * N),
          randn(rng, M * N),
        ];
        const g = await eagerGraph();
        const at = leaf(g, 'a', [M, K], a);
        const bt = leaf(g, 'b', [K, N], b);
        const biasT = leaf(g, 'bias', [N], bias);
        const resT = leaf(g, 'res', [M, N], res);
        const y = matmul(at, bt, { bias: biasT, residual: resT, kernel });
        const ref = matmulRef(a, b, M, K, N, { bias });
        expectClose(
          await y.read(),
          ref.map((v, i) => v + res[i]),
          FWD_TOL,
          `${kernel} M${M} K${K} N${N} forward`,
        );
        backward(sumCols(binary('mul', y, constant(g, 'r', [M, N], r)), M * N));
        const grads = matmulBackwardRef(a, b, r, M, K, N, { bias });
        expectClose(await resT.grad!.read(), r, BWD_TOL, `${kernel} dresidual`);
        expectClose(await at.grad!.read(), grads.da, BWD_TOL, `${kernel} da`);
        expectClose(await bt.grad!.read(), grads.db, BWD_TOL, `${kernel} db`);
        expectClose(await biasT.grad!.read(), grads.dbias, BWD_TOL, `${kernel} dbias`);
        g.destroy();
      }
    }
  });

  it('linear: nn.Linear [out, in] and Conv1D [in, out] layouts', async () => {
    const rng = new Rng(51);
    const [B, T, I, O] = [2, 3, 5, 6];
    const x = randn(rng, B * T * I);
    const W = randn(rng, O * I);
    const bias = randn(rng, O);
    const g = await eagerGraph();
    const xt = constant(g, 'x', [B, T, I], x);
    const outIn = linear(xt, constant(g, 'W', [O, I], W), constant(g, 'bias', [O], bias), {
      layout: 'out_in',
      act: 'gelu',
    });
    expect(outIn.shape).toEqual([B, T, O]);
    expectClose(
      await outIn.read(),
      matmulRef(x, W, B * T, I, O, { transB: true, bias, act: 'gelu' }),
      FWD_TOL,
      'linear out_in',
    );
    const inOut = linear(xt, constant(g, 'W2', [I, O], W), undefined, { layout: 'in_out' });
    expectClose(await inOut.read(), matmulRef(x, W, B * T, I, O), FWD_TOL, 'linear in_out');
    g.destroy();
  });

  it('a compiled graph (planned, reused buffers) gives the eager values', async () => {
    const gpu = await testGpu();
    const rng = new Rng(61);
    const [M, K, N] = [37, 24, 19];
    const x = randn(rng, M * K);
    const W = randn(rng, N * K);
    const g = new Graph(gpu, 'trace');
    const xt = g.input('x', [M, K]);
    const Wt = g.input('W', [N, K], true);
    // two layers, so the second product reads a planned temporary
    const h = matmul(xt, Wt, { transB: true, act: 'relu' }); // (M, N)
    const W2 = g.input('W2', [N, 8]);
    const y = matmul(h, W2);
    const w2 = randn(rng, N * 8);
    const cg = new CompiledGraph(g, { keep: [y] });
    for (let i = 0; i < 2; i++) cg.run({ x: Float32Array.from(x), W: Float32Array.from(W), W2: Float32Array.from(w2) });
    const expected = matmulRef(matmulRef(x, W, M, K, N, { transB: true, act: 'relu' }), w2, M, N, 8);
    expectClose(await y.read(), expected, FWD_TOL, 'compiled');
    cg.destroy();
  });

  it('rejects mismatched shapes with a readable message', async () => {
    const g = await eagerGraph();
    const a = g.input('a', [4, 3]);
    expect(() => matmul(a, g.input('b', [4, 5]))).toThrow(/inner dims differ/);
    expect(() => matmul(a, g.input('c', [3, 5]), { bias: g.input('bias', [4]) })).toThrow(/bias must be/);
    expect(() => matmul(a, g.input('d', [2, 3, 5]))).toThrow(/batched b/);
    expect(() => matmul(a, g.input('e', [3, 5]), { residual: g.input('r', [5, 4]) })).toThrow(
      /residual must have the output's shape/,
    );
    expect(() => matmul(a, g.input('f', [3, 5]), { residual: g.input('r2', [4, 5]), act: 'gelu' })).toThrow(
      /without an activation/,
    );
    // the WGSL writes out 8 or 16 k steps
    expect(() =>
      matmul(g.input('p', [8, 8]), g.input('q', [8, 8]), {
        kernel: 'matmulBlock8',
        block: { TX: 8, TY: 8, BK: 32, prefetch: true },
      }),
    ).toThrow(/BK must be 8 or 16/);
    g.destroy();
  });
});
