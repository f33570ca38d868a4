// Elementwise ops and reductions: GPU vs CPU reference, backward vs finite differences.
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/engine/autograd';
import { binary, binaryRef, unary, unaryBackwardRef, unaryRef } from '../../src/engine/ops/elementwise';
import { UNARY_OPS, type BinaryOp, type UnaryOp } from '../../src/engine/ops/elementwiseKernels';
import { sumRows, sumRowsRef, sumCols, sumColsRef } from '../../src/engine/ops/reduce';
import { Rng } from '../../src/engine/rng';
import { constant, eagerGraph, leaf } from '../helpers/gpu';
import { dot, expectClose, finiteDiff, randn } from '../helpers/numeric';

const SIZES = [1, 3, 255, 256, 257, 1000];

describe('unary ops', () => {
  for (const op of Object.keys(UNARY_OPS) as UnaryOp[]) {
    it(`${op}: forward and backward match the reference`, async () => {
      const rng = new Rng(7);
      for (const n of SIZES) {
        const x = randn(rng, n, 2);
        const r = randn(rng, n);
        const g = await eagerGraph();
        const xt = leaf(g, 'x', [n], x);
        const y = unary(op, xt, 0.7);
        expectClose(await y.read(), unaryRef(op, x, 0.7), { atol: 1e-5, rtol: 1e-4 }, `${op} forward n=${n}`);
        // L = Σ y ⊙ r, so dL/dx = reference backward with dy = r
        const loss = sumCols(binary('mul', y, constant(g, 'r', [n], r)), n);
        backward(loss);
        const ref = unaryBackwardRef(op, x, r, 0.7);
        expectClose(await xt.grad!.read(), ref, { atol: 1e-4, rtol: 1e-3 }, `${op} backward n=${n}`);
        if (n <= 257) {
          const fd = finiteDiff((xx) => dot(unaryRef(op, xx, 0.7), r), x);
          expectClose(ref, fd, { atol: 1e-6, rtol: 1e-5 }, `${op} reference vs finite differences`);
        }
        g.destroy();
      }
    });
  }
});

describe('binary ops with trailing broadcast', () => {
  for (const op of ['add', 'mul', 'sub'] as BinaryOp[]) {
    it(`${op}: (R, C) ∘ (C) and same shape, values and gradients`, async () => {
      const rng = new Rng(3);
      for (const [rows, cols] of [
        [1, 1],
        [5, 7],
        [33, 64],
        [300, 3],
      ]) {
        for (const bShape of [[cols], [rows, cols]]) {
          const nb = bShape.reduce((a, b) => a * b, 1);
          const a = randn(rng, rows * cols);
          const b = randn(rng, nb);
          const r = randn(rng, rows * cols);
          const g = await eagerGraph();
          const at = leaf(g, 'a', [rows, cols], a);
          const bt = leaf(g, 'b', bShape, b);
          const y = binary(op, at, bt);
          expectClose(await y.read(), binaryRef(op, a, b), {}, `${op} forward`);
          backward(sumCols(binary('mul', y, constant(g, 'r', [rows, cols], r)), rows * cols));
          const fdA = finiteDiff((aa) => dot(binaryRef(op, aa, b), r), a);
          const fdB = finiteDiff((bb) => dot(binaryRef(op, a, bb), r), b);
          expectClose(await at.grad!.read(), fdA, { atol: 1e-4, rtol: 1e-3 }, `${op} da`);
          expectClose(await bt.grad!.read(), fdB, { atol: 1e-4, rtol: 1e-3 }, `${op} db ${bShape}`);
          g.destroy();
        }
      }
    });
  }

  it('rejects shapes that do not broadcast', async () => {
    const g = await eagerGraph();
    const a = g.input('a', [4, 3]);
    const b = g.input('b', [4]);
    expect(() => binary('add', a, b)).toThrow(/does not broadcast/);
    g.destroy();
  });
});

describe('reductions', () => {
  it('sum over rows and over columns, several workgroups', async () => {
    const rng = new Rng(5);
    for (const [rows, cols] of [
      [1, 1],
      [7, 3],
      [513, 17],
      [2, 70000],
      [5000, 5],
      [70000, 2],
    ]) {
      const x = randn(rng, rows * cols);
      const g = await eagerGraph();
      const xt = constant(g, 'x', [rows, cols], x);
      expectClose(
        await sumRows(xt, rows, [cols], 0.5).read(),
        sumRowsRef(x, rows, cols, 0.5),
        { atol: 1e-4, rtol: 1e-4 },
        'sum_rows',
      );
      expectClose(await sumCols(xt, cols).read(), sumColsRef(x, rows, cols), { atol: 1e-3, rtol: 1e-4 }, 'sum_cols');
      g.destroy();
    }
  });
});
