// split along the last dimension: parts vs the reference, gradients with used and unused
// parts (the unused ones contribute 0).
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/engine/autograd';
import { add, mul } from '../../src/engine/ops/elementwise';
import { sumCols } from '../../src/engine/ops/reduce';
import { split, splitBackwardRef, splitRef } from '../../src/engine/ops/split';
import { Rng } from '../../src/engine/rng';
import { constant, eagerGraph, leaf } from '../helpers/gpu';
import { expectClose, randn } from '../helpers/numeric';

describe('split', () => {
  for (const [lead, sizes] of [
    [[1], [1]],
    [
      [2, 3],
      [4, 4],
    ],
    [
      [3, 5],
      [2, 16, 16],
    ],
    [[700], [3, 1, 5]],
  ] as [number[], number[]][]) {
    it(`(${lead.join(', ')}, ${sizes.reduce((a, b) => a + b)}) into [${sizes.join(', ')}]`, async () => {
      const rows = lead.reduce((a, b) => a * b, 1);
      const W = sizes.reduce((a, b) => a + b, 0);
      const rng = new Rng(rows + W);
      const x = Float64Array.from(Float32Array.from(randn(rng, rows * W))); // f32 values: parts must be exact copies
      const g = await eagerGraph();
      const xt = leaf(g, 'x', [...lead, W], x);
      const parts = split(xt, sizes);
      const refs = splitRef(x, sizes);
      for (let k = 0; k < sizes.length; k++) {
        expect(parts[k].shape).toEqual([...lead, sizes[k]]);
        expect(Array.from(await parts[k].read()), `part ${k}`).toEqual(Array.from(refs[k]));
      }
      // loss uses every part but the second (when there is one): its gradient must be 0
      const rs = sizes.map((w) => randn(rng, rows * w));
      const used = sizes.map((_, k) => sizes.length === 1 || k !== 1);
      let loss = null;
      for (let k = 0; k < sizes.length; k++) {
        if (!used[k]) continue;
        const term = sumCols(mul(parts[k], constant(g, `r${k}`, [...lead, sizes[k]], rs[k])), parts[k].size);
        loss = loss ? add(loss, term) : term;
      }
      backward(loss!);
      const ref = splitBackwardRef(
        rs.map((r, k) => (used[k] ? r : undefined)),
        sizes,
        rows,
      );
      expectClose(await xt.grad!.read(), ref, { atol: 1e-6, rtol: 1e-6 }, 'dx');
      g.destroy();
    });
  }

  it('rejects sizes that do not add up', async () => {
    const g = await eagerGraph();
    const x = g.input('x', [2, 5]);
    expect(() => split(x, [2, 2])).toThrow(/do not add up/);
    g.destroy();
  });
});
