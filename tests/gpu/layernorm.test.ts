// LayerNorm: GPU vs CPU reference (values, dx, dweight, dbias), the reference backward vs
// finite differences, the row-chunked weight gradient at the largest sizes, and a compiled
// run over NaN-filled planned buffers (every output element must be written).
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/engine/autograd';
import { CompiledGraph, sliceOf } from '../../src/engine/compile';
import { add, mul } from '../../src/engine/ops/elementwise';
import { layerNorm, layerNormBackwardRef, layerNormRef } from '../../src/engine/ops/layernorm';
import { sumCols } from '../../src/engine/ops/reduce';
import { Rng } from '../../src/engine/rng';
import { constant, eagerGraph, leaf } from '../helpers/gpu';
import { dot, expectClose, finiteDiff, randn } from '../helpers/numeric';

const offset = (v: Float64Array, by: number) => v.map((a) => a + by);

async function runCase(rng: Rng, shape: number[], tol = { atol: 2e-4, rtol: 1e-3 }) {
  const C = shape[shape.length - 1];
  const R = shape.reduce((a, b) => a * b, 1) / C;
  const x = offset(randn(rng, R * C, 2), 3); // a mean far from 0 checks the two-pass variance
  const w = offset(randn(rng, C, 0.5), 1);
  const b = randn(rng, C, 0.5);
  const r = randn(rng, R * C);
  const g = await eagerGraph();
  const xt = leaf(g, 'x', shape, x);
  const wt = leaf(g, 'w', [C], w);
  const bt = leaf(g, 'b', [C], b);
  const y = layerNorm(xt, wt, bt);
  expectClose(await y.read(), layerNormRef(x, w, b, R, C).out, { atol: 2e-5, rtol: 1e-4 }, `forward ${shape}`);
  backward(sumCols(mul(y, constant(g, 'r', shape, r)), R * C));
  const ref = layerNormBackwardRef(r, x, w, R, C);
  expectClose(await xt.grad!.read(), ref.dx, tol, `dx ${shape}`);
  expectClose(await wt.grad!.read(), ref.dweight, tol, `dweight ${shape}`);
  expectClose(await bt.grad!.read(), ref.dbias, tol, `dbias ${shape}`);
  g.destroy();
}

describe('layerNorm', () => {
  it('reference backward matches finite differences', () => {
    const rng = new Rng(1);
    const [R, C] = [3, 7];
    const x = randn(rng, R * C, 2);
    const w = randn(rng, C);
    const b = randn(rng, C);
    const r = randn(rng, R * C);
    const ref = layerNormBackwardRef(r, x, w, R, C);
    const tol = { atol: 1e-6, rtol: 1e-5 };
    expectClose(
      ref.dx,
      finiteDiff((xx) => dot(layerNormRef(xx, w, b, R, C).out, r), x),
      tol,
      'dx vs FD',
    );
    expectClose(
      ref.dweight,
      finiteDiff((ww) => dot(layerNormRef(x, ww, b, R, C).out, r), w),
      tol,
      'dweight vs FD',
    );
    expectClose(
      ref.dbias,
      finiteDiff((bb) => dot(layerNormRef(x, w, bb, R, C).out, r), b),
      tol,
      'dbias vs FD',
    );
  });

  it('forward and backward match the reference, (R, C) and (B, T, C)', async () => {
    const rng = new Rng(2);
    for (const shape of [
      [1, 1],
      [1, 5],
      [7, 64],
      [33, 130],
      [5, 256],
      [3, 1024],
      [2, 3, 96],
      [300, 33],
    ])
      await runCase(rng, shape);
  });

  it('largest sizes: 64·512 rows of 64, and 4100 rows of 1024 (many row chunks)', async () => {
    const rng = new Rng(3);
    // dweight/dbias sum 32768 f32 products in chunks: rounding grows with √R, so atol is looser
    await runCase(rng, [64, 512, 64], { atol: 2e-3, rtol: 1e-3 });
    await runCase(rng, [4100, 1024], { atol: 2e-3, rtol: 1e-3 });
  });

  it('compiled graph over NaN-filled buffers gives the same values', async () => {
    const rng = new Rng(4);
    const [R, C] = [37, 48];
    const x = randn(rng, R * C);
    const w = randn(rng, C);
    const b = randn(rng, C);
    const r = randn(rng, R * C);
    const g = await eagerGraph(undefined, 'trace');
    const xt = g.input('x', [R, C], true);
    const wt = g.input('w', [C], true);
    const bt = g.input('b', [C], true);
    const rt = g.input('r', [R, C]);
    const y = layerNorm(xt, wt, bt);
    backward(sumCols(mul(y, rt), R * C));
    const keep = [y, xt.grad!, wt.grad!, bt.grad!];
    const cg = new CompiledGraph(g, { keep });
    for (const t of g.tensors)
      if (!g.inputs.has(t.label)) g.gpu.write(sliceOf(t).buffer, sliceOf(t).offset, new Float32Array(t.size).fill(NaN));
    cg.run({ x: Float32Array.from(x), w: Float32Array.from(w), b: Float32Array.from(b), r: Float32Array.from(r) });
    const ref = layerNormBackwardRef(r, x, w, R, C);
    const tol = { atol: 2e-4, rtol: 1e-3 };
    expectClose(await y.read(), layerNormRef(x, w, b, R, C).out, tol, 'compiled forward');
    expectClose(await keep[1].read(), ref.dx, tol, 'compiled dx');
    expectClose(await keep[2].read(), ref.dweight, tol, 'compiled dweight');
    expectClose(await keep[3].read(), ref.dbias, tol, 'compiled dbias');
    cg.destroy();
  });

  it('a residual stream: x + layerNorm(x) adds the gradient x already has in the same pass', async () => {
    const [R, C] = [37, 24];
    const rng = new Rng(31);
    const x = offset(randn(rng, R * C, 2), 3);
    const w = offset(randn(rng, C, 0.5), 1);
    const b = randn(rng, C, 0.5);
    const r = randn(rng, R * C);
    const g = await eagerGraph();
    const xt = leaf(g, 'x', [R, C], x);
    const y = add(xt, layerNorm(xt, leaf(g, 'w', [C], w), leaf(g, 'b', [C], b)));
    backward(sumCols(mul(y, constant(g, 'r', [R, C], r)), R * C));
    const ref = layerNormBackwardRef(r, x, w, R, C);
    expectClose(
      await xt.grad!.read(),
      ref.dx.map((d, i) => d + r[i]),
      { atol: 2e-4, rtol: 1e-3 },
      'dx',
    );
    g.destroy();
  });

  it('rejects a weight of the wrong size', async () => {
    const g = await eagerGraph();
    expect(() => layerNorm(g.input('x', [2, 4]), g.input('w', [3]), g.input('b', [4]))).toThrow(/weight/);
    g.destroy();
  });
});
