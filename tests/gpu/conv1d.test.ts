// Depthwise causal conv1d: GPU forward and gradients vs the reference, reference vs finite
// differences. Legend: B batch, L length, E channels, K taps.
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/engine/autograd';
import { conv1d, conv1dBackwardRef, conv1dRef } from '../../src/engine/ops/conv1d';
import { mul } from '../../src/engine/ops/elementwise';
import { sumCols } from '../../src/engine/ops/reduce';
import { Rng } from '../../src/engine/rng';
import { constant, eagerGraph, leaf } from '../helpers/gpu';
import { dot, expectClose, finiteDiff, randn } from '../helpers/numeric';

describe('conv1d (depthwise, causal)', () => {
  // L < K, one row block, several row blocks (B·L > 64), E past one workgroup
  const cases: [number, number, number, number, boolean][] = [
    [1, 1, 1, 4, false],
    [2, 3, 5, 4, false],
    [3, 50, 7, 4, false],
    [1, 9, 300, 4, false],
    [2, 6, 3, 2, false],
    [1, 1, 1, 4, true],
    [3, 50, 7, 4, true],
    [1, 9, 300, 4, true],
    [4, 300, 70, 4, true], // 64 row blocks of 19 rows, lanes of 5 and 4; two channel groups
    [2, 37, 3, 3, false],
  ];
  for (const [B, L, E, K, withSilu] of cases) {
    it(`B${B} L${L} E${E} K${K}${withSilu ? ' + SiLU' : ''}: forward and gradients match the reference`, async () => {
      const rng = new Rng(B * 100 + L);
      const x = randn(rng, B * L * E);
      const w = randn(rng, E * K, 0.5);
      const bias = randn(rng, E);
      const r = randn(rng, B * L * E);
      const g = await eagerGraph();
      const xt = leaf(g, 'x', [B, L, E], x);
      const wt = leaf(g, 'w', [E, 1, K], w);
      const bt = leaf(g, 'b', [E], bias);
      const out = conv1d(xt, wt, bt, withSilu ? 'silu' : 'none');
      const pre = conv1dRef(x, w, bias, B, L, E, K);
      const sig = (v: number) => 1 / (1 + Math.exp(-v));
      expectClose(await out.read(), withSilu ? pre.map((v) => v * sig(v)) : pre, { atol: 1e-5, rtol: 1e-5 }, 'forward');
      backward(sumCols(mul(out, constant(g, 'r', [B, L, E], r)), out.size));
      // through SiLU: dpre = r · SiLU'(pre)
      const dpre = withSilu ? r.map((v, i) => v * sig(pre[i]) * (1 + pre[i] * (1 - sig(pre[i])))) : r;
      const ref = conv1dBackwardRef(dpre, x, w, B, L, E, K);
      expectClose(await xt.grad!.read(), ref.dx, { atol: 1e-5, rtol: 1e-4 }, 'dx');
      // sums over B·L rows in f32
      expectClose(await wt.grad!.read(), ref.dweight, { atol: 1e-4, rtol: 1e-4 }, 'dweight');
      expectClose(await bt.grad!.read(), ref.dbias, { atol: 1e-4, rtol: 1e-4 }, 'dbias');
      g.destroy();
    });
  }

  it('an input without a gradient: only the weight and bias gradients', async () => {
    const [B, L, E, K] = [2, 40, 5, 4];
    const rng = new Rng(17);
    const x = randn(rng, B * L * E);
    const w = randn(rng, E * K, 0.5);
    const bias = randn(rng, E);
    const r = randn(rng, B * L * E);
    const g = await eagerGraph();
    const xt = constant(g, 'x', [B, L, E], x);
    const wt = leaf(g, 'w', [E, 1, K], w);
    const bt = leaf(g, 'b', [E], bias);
    backward(sumCols(mul(conv1d(xt, wt, bt), constant(g, 'r', [B, L, E], r)), B * L * E));
    const ref = conv1dBackwardRef(r, x, w, B, L, E, K);
    expect(xt.grad).toBeUndefined();
    expectClose(await wt.grad!.read(), ref.dweight, { atol: 1e-4, rtol: 1e-4 }, 'dweight');
    expectClose(await bt.grad!.read(), ref.dbias, { atol: 1e-4, rtol: 1e-4 }, 'dbias');
    g.destroy();
  });

  it('reference backward matches finite differences (f64)', () => {
    const [B, L, E, K] = [2, 6, 3, 4];
    const rng = new Rng(9);
    const x = randn(rng, B * L * E);
    const w = randn(rng, E * K);
    const bias = randn(rng, E);
    const r = randn(rng, B * L * E);
    const ref = conv1dBackwardRef(r, x, w, B, L, E, K);
    const tol = { atol: 1e-7, rtol: 1e-6 };
    expectClose(
      ref.dx,
      finiteDiff((xx) => dot(conv1dRef(xx, w, bias, B, L, E, K), r), x),
      tol,
      'dx',
    );
    expectClose(
      ref.dweight,
      finiteDiff((ww) => dot(conv1dRef(x, ww, bias, B, L, E, K), r), w),
      tol,
      'dweight',
    );
    expectClose(
      ref.dbias,
      finiteDiff((bb) => dot(conv1dRef(x, w, bb, B, L, E, K), r), bias),
      tol,
      'dbias',
    );
  });

  it('is causal: changing x at t leaves outputs before t unchanged', () => {
    const [B, L, E, K] = [1, 8, 2, 4];
    const x = randn(new Rng(1), B * L * E);
    const w = randn(new Rng(2), E * K);
    const a = conv1dRef(x, w, [0, 0], B, L, E, K);
    x[5 * E] += 1;
    const b = conv1dRef(x, w, [0, 0], B, L, E, K);
    for (let t = 0; t < 5; t++) expect(b[t * E]).toBe(a[t * E]);
    expect(b[5 * E]).not.toBe(a[5 * E]);
  });
});
