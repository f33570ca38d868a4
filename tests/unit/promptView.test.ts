// "Inside a prompt": the worker's view of one evaluation prompt (src/train/promptView.ts) reads
// the right example, read-out and baseline out of the whole set, and the page's shaping
// (src/ui/prompt/promptData.ts) turns it into chart rows, parity rows, MQAR's recalled value and
// a text alternative that states what is drawn.
import { describe, expect, it } from 'vitest';
import { leastSquares } from '../../src/baselines';
import type { TaskId } from '../../src/spec/config';
import { makeEvalSet } from '../../src/tasks';
import type { PromptBatch } from '../../src/tasks/types';
import { promptOf } from '../../src/train/icl';
import { promptBaseline, promptView } from '../../src/train/promptView';
import { exampleRows, parityRows, promptSummary, recalled } from '../../src/ui/prompt/promptData';

function evalBatch(task: TaskId, nDims: number, nPoints: number): PromptBatch {
  return makeEvalSet({ task, nDims, nPoints, evalPrompts: 4 }, 7).batch;
}

/** A read-out (B, T, outDim) whose value at every predicted token is f(b, i, c), NaN elsewhere. */
function readOut(p: PromptBatch, f: (b: number, i: number, c: number) => number): Float32Array {
  const out = new Float32Array(p.batch * p.tokens * p.outDim).fill(NaN);
  for (let b = 0; b < p.batch; b++)
    p.predTokens.forEach((t, i) => {
      for (let c = 0; c < p.outDim; c++) out[(b * p.tokens + t) * p.outDim + c] = f(b, i, c);
    });
  return out;
}

describe('promptView (worker side)', () => {
  it("takes prompt b's examples, the read-out at each predicted token and the prompt's least squares", () => {
    const p = evalBatch('linear_regression', 3, 6);
    const preds = readOut(p, (b, i) => 100 * b + i);
    const baseline = promptBaseline(p, 2);
    const view = promptView(p, preds, 2, 40, baseline);
    if (view.kind !== 'examples') throw new Error(`expected examples, got ${view.kind}`);
    expect(view).toMatchObject({ task: 'linear_regression', step: 40, index: 2, prompts: 4, valid: null });
    expect(view.model).toEqual([200, 201, 202, 203, 204, 205]);
    expect(view.xs[4]).toEqual(Array.from(p.xs.subarray((2 * 6 + 4) * 3, (2 * 6 + 5) * 3)));
    expect(view.ys[5]).toBe(p.ys[2 * 6 + 5]);
    expect(baseline?.id).toBe('least_squares');
    expect(view.baseline?.predictions).toEqual(Array.from(leastSquares(promptOf(p, 2), undefined)));
  });

  it('refuses a prompt outside the set with a sentence', () => {
    const p = evalBatch('linear_regression', 2, 4);
    expect(() =>
      promptView(
        p,
        readOut(p, () => 0),
        4,
        0,
        null,
      ),
    ).toThrow(/not in the evaluation set \(it holds 4/);
  });

  it('keeps parity bits and labels, and MQAR keys, values, query and read-out', () => {
    const parity = evalBatch('sparse_parity', 5, 6);
    const pv = promptView(
      parity,
      readOut(parity, (_b, i) => (i % 2 ? 0.3 : -0.4)),
      1,
      10,
      null,
    );
    if (pv.kind !== 'parity') throw new Error(`expected parity, got ${pv.kind}`);
    expect(pv.bits.flat().every((v) => v === 1 || v === -1)).toBe(true);
    expect(pv.labels.every((v) => v === 1 || v === -1)).toBe(true);
    expect(pv.model).toEqual([-0.4, 0.3, -0.4, 0.3, -0.4, 0.3].map(Math.fround));

    const mqar = evalBatch('vector_mqar', 4, 3);
    const q = mqar.mqar!.queryIndex[0];
    // the read-out is the queried value itself: the recalled value must be the queried one
    const mv = promptView(
      mqar,
      readOut(mqar, (b, _i, c) => mqar.mqar!.values[(b * 3 + q) * 4 + c]),
      0,
      5,
      null,
    );
    if (mv.kind !== 'mqar') throw new Error(`expected mqar, got ${mv.kind}`);
    expect(mv.keys).toHaveLength(3);
    expect(mv.queryIndex).toBe(q);
    expect(mv.prediction).toEqual(mv.values[q]);
  });
});

describe('promptData (page side)', () => {
  it('rows for the chart hide dummy examples and say what the last guess was', () => {
    const view = {
      kind: 'examples' as const,
      task: 'many_outlier_regression' as const,
      step: 60,
      index: 0,
      prompts: 16,
      xs: [[0], [0], [0]],
      ys: [1, 9, -2],
      model: [0, 5, -1.5],
      baseline: { id: 'least_squares' as const, predictions: [0, 7, -2.25] },
      valid: [true, false, true],
    };
    expect(exampleRows(view)).toEqual([
      { pos: 1, y: 1, model: 0, baseline: 0 },
      { pos: 2, y: null, model: null, baseline: null },
      { pos: 3, y: -2, model: -1.5, baseline: -2.25 },
    ]);
    const text = promptSummary(view);
    expect(text).toContain('Prompt 1 of 16, predictions from the evaluation at step 60.');
    expect(text).toContain('2 examples');
    expect(text).toContain('For example 3: true y -2, model -1.5, least squares -2.25.');
  });

  it("parity rows judge the model's sign (0 answers nothing) and MQAR names the nearest value", () => {
    const parity = {
      kind: 'parity' as const,
      task: 'sparse_parity' as const,
      step: 8,
      index: 3,
      prompts: 4,
      bits: [
        [1, -1],
        [-1, -1],
        [1, 1],
      ],
      labels: [-1, 1, 1],
      model: [-0.2, 0, 0.9],
    };
    expect(parityRows(parity).map((r) => [r.predicted, r.right])).toEqual([
      [-1, true],
      [0, false],
      [1, true],
    ]);
    expect(promptSummary(parity)).toContain('right for 2 of 3; for the last, label +1, it answers +1.');

    const mqar = {
      kind: 'mqar' as const,
      task: 'vector_mqar' as const,
      step: 8,
      index: 0,
      prompts: 4,
      keys: [[1], [2], [3]],
      values: [[-1], [0.5], [2]],
      queryIndex: 2,
      prediction: [0.4],
    };
    expect(recalled(mqar)).toEqual({ index: 1, right: false });
    expect(promptSummary(mqar)).toContain("the query repeats key 3. The model's answer is nearest to value 2: wrong.");
    expect(recalled({ ...mqar, prediction: [1.9] })).toEqual({ index: 2, right: true });
  });
});
