// Masked MSE and logistic losses: value against the reference, gradient against finite differences.
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/engine/autograd';
import { invCountOf, maskedLogistic, maskedLogisticRef, maskedMse, maskedMseRef } from '../../src/engine/ops/losses';
import { Rng } from '../../src/engine/rng';
import { constant, eagerGraph, leaf } from '../helpers/gpu';
import { expectClose, finiteDiff, randn } from '../helpers/numeric';

describe('losses', () => {
  for (const [name, op, ref] of [
    ['mse', maskedMse, maskedMseRef],
    ['logistic', maskedLogistic, maskedLogisticRef],
  ] as const) {
    it(`${name}: value and gradient, with a mask`, async () => {
      const rng = new Rng(9);
      const n = 37;
      const pred = randn(rng, n, 2);
      const target =
        name === 'logistic' ? Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1)) : randn(rng, n);
      const mask = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1));
      const g = await eagerGraph();
      const p = leaf(g, 'pred', [n], pred);
      const loss = op(
        p,
        constant(g, 't', [n], target),
        constant(g, 'm', [n], mask),
        constant(g, 'inv', [1], invCountOf(mask)),
      );
      expect((await loss.read())[0]).toBeCloseTo(ref(pred, target, mask), 5);
      backward(loss);
      const fd = finiteDiff((x) => ref(x, target, mask), pred);
      expectClose(await p.grad!.read(), fd, { atol: 1e-5, rtol: 1e-3 }, `${name} gradient`);
      g.destroy();
    });
  }
});
