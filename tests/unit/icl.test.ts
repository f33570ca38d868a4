// ICL curves: percentiles, normalised point errors, baseline curves on real evaluation sets,
// parity accuracy and MQAR recall.
import { describe, expect, test } from 'vitest';
import { makeEvalSet } from '../../src/tasks';
import { defaultConfig, type TaskId } from '../../src/spec/config';
import {
  accuracyPerPosition,
  baselineCurves,
  curveFromErrors,
  evalBaselines,
  iclResult,
  interpolateGaps,
  mqarRecall,
  pointErrors,
} from '../../src/train/icl';
import { elementarySymmetric } from '../../src/baselines/contextFree';

const set = (task: TaskId, prompts = 64) => makeEvalSet({ ...defaultConfig(task), evalPrompts: prompts }, 3);

/** A model read-out (B, T, outDim) that writes `f(b, i, c)` at each example's prediction token. */
function readout(
  task: TaskId,
  prompts: number,
  f: (b: number, i: number, c: number) => number,
): { evalSet: ReturnType<typeof set>; pred: Float32Array } {
  const evalSet = set(task, prompts);
  const p = evalSet.batch;
  const pred = new Float32Array(p.batch * p.tokens * p.outDim);
  for (let b = 0; b < p.batch; b++)
    for (let i = 0; i < p.nExamples; i++)
      for (let c = 0; c < p.outDim; c++) pred[(b * p.tokens + p.predTokens[i]) * p.outDim + c] = f(b, i, c);
  return { evalSet, pred };
}

describe('curveFromErrors', () => {
  test('mean and 5th/95th percentiles (linear interpolation), NaN skipped', () => {
    const errors = Array.from({ length: 21 }, (_, k) => [k, k % 2 ? NaN : 10]);
    const c = curveFromErrors(errors);
    expect(c.mean[0]).toBe(10);
    expect(c.lo[0]).toBe(1); // 0.05 · 20 = 1 → sorted[1]
    expect(c.hi[0]).toBe(19);
    expect(c.mean[1]).toBe(10); // only the 11 even rows count
    expect(c.lo[1]).toBe(10);
    const c2 = curveFromErrors([[0], [1]]);
    expect(c2.lo[0]).toBeCloseTo(0.05, 12);
    expect(c2.hi[0]).toBeCloseTo(0.95, 12);
    expect(Number.isNaN(curveFromErrors([[NaN]]).mean[0])).toBe(true);
  });

  test('interpolateGaps draws straight lines between evaluated positions', () => {
    const c = interpolateGaps(
      { mean: [0, NaN, NaN, 3, NaN], lo: [0, NaN, NaN, 3, NaN], hi: [0, NaN, NaN, 3, NaN] },
      [0, 3, 4],
    );
    expect(c.mean).toEqual([0, 1, 2, 3, NaN]);
  });
});

describe('pointErrors', () => {
  test('a perfect read-out scores 0; the zero read-out scores ≈ 1 after normalisation', () => {
    for (const task of [
      'linear_regression',
      'sparse_linear_regression',
      'relu_2nn_regression',
      'decision_tree',
      'cot_io',
    ] as const) {
      const p = set(task, 64).batch;
      const perfect = readout(task, 64, (b, i, c) => (c === 0 ? p.ys[(b * p.nExamples + i) * p.outDim] : 0));
      const errs = pointErrors(task, perfect.evalSet, perfect.pred).flat();
      expect(Math.max(...errs)).toBeLessThan(1e-10);
      const zero = readout(task, 256, () => 0);
      const mean = curveFromErrors(pointErrors(task, zero.evalSet, zero.pred)).mean;
      const overall = mean.reduce((s, v) => s + v, 0) / mean.length;
      expect(overall).toBeGreaterThan(0.8);
      expect(overall).toBeLessThan(1.25);
    }
  });

  test('linear: squared error / d; outliers: NaN at dummies', () => {
    const { evalSet, pred } = readout('linear_regression', 4, () => 2);
    const p = evalSet.batch;
    expect(pointErrors('linear_regression', evalSet, pred)[1][3]).toBeCloseTo((2 - p.ys[p.nExamples + 3]) ** 2 / 20, 5);
    const o = readout('many_outlier_regression', 4, () => 0);
    const errs = pointErrors('many_outlier_regression', o.evalSet, o.pred);
    const valid = o.evalSet.batch.valid!;
    errs.forEach((row, b) =>
      row.forEach((e, i) => expect(Number.isNaN(e)).toBe(!valid[b * o.evalSet.batch.nExamples + i])),
    );
  });
});

describe('baselineCurves', () => {
  test('linear regression: least squares reaches 0 after d examples, beats averaging and 3-NN', () => {
    const curves = baselineCurves('linear_regression', set('linear_regression', 128));
    expect(Object.keys(curves).sort()).toEqual(['averaging', 'knn3', 'least_squares', 'zero']);
    expect(curves.least_squares.mean[25]).toBeLessThan(1e-6);
    expect(curves.least_squares.mean[40]).toBeLessThan(1e-6);
    expect(curves.averaging.mean[40]).toBeLessThan(0.8);
    expect(curves.knn3.mean[40]).toBeGreaterThan(curves.averaging.mean[40]);
    expect(curves.least_squares.mean[0]).toBe(curves.zero.mean[0]); // both predict 0 at the first position
    // noiseless min-norm interpolation below d leaves the part of w outside the span: error ≈ 1 − m/d
    expect(curves.least_squares.mean[10]).toBeGreaterThan(0.35);
    expect(curves.least_squares.mean[10]).toBeLessThan(0.65);
  });

  test('each task gets the baselines of SPEC.md, and all curves have n finite points', () => {
    const expected: Record<TaskId, string[]> = {
      linear_regression: ['zero', 'least_squares', 'knn3', 'averaging'],
      sparse_linear_regression: ['zero', 'least_squares', 'knn3', 'averaging', 'lasso'],
      relu_2nn_regression: ['zero', 'least_squares', 'knn3', 'nn_gd'],
      decision_tree: ['zero', 'least_squares', 'knn3', 'averaging', 'greedy_tree'],
      orthogonal_outlier_regression: ['zero', 'least_squares', 'knn3'],
      many_outlier_regression: ['zero', 'least_squares', 'knn3'],
      sparse_parity: ['zero', 'context_free'],
      cot_io: ['zero', 'knn3'],
      vector_mqar: ['zero'],
    };
    for (const [task, ids] of Object.entries(expected) as [TaskId, string[]][]) {
      // 90% dummies: enough prompts that every position has a real one
      const s = set(task, task === 'many_outlier_regression' ? 256 : 8);
      const curves = baselineCurves(task, s);
      expect(Object.keys(curves)).toEqual(ids);
      for (const c of Object.values(curves)) {
        expect(c.mean.length).toBe(s.batch.nExamples);
        expect(c.mean.every(Number.isFinite)).toBe(true);
      }
    }
  });

  test('sparse: Lasso beats least squares below d; outliers: least squares on the real examples reaches 0', () => {
    const sparse = baselineCurves('sparse_linear_regression', set('sparse_linear_regression', 32));
    expect(sparse.lasso.mean[12]).toBeLessThan(0.2 * sparse.least_squares.mean[12]);
    const ortho = baselineCurves('orthogonal_outlier_regression', set('orthogonal_outlier_regression', 32));
    expect(ortho.least_squares.mean[80]).toBeLessThan(1e-4);
  });

  test('a 256-prompt set is fast for the cheap tasks', () => {
    const t = performance.now();
    baselineCurves('linear_regression', set('linear_regression', 256));
    expect(performance.now() - t).toBeLessThan(5000);
  });
});

describe('accuracy and recall', () => {
  test('parity: a correct-sign read-out has accuracy 1, the opposite 0, zero read-out 0.5', () => {
    const p = set('sparse_parity', 16).batch;
    const right = readout('sparse_parity', 16, (b, i) => 3 * p.ys[b * p.nExamples + i]);
    expect(accuracyPerPosition(right.evalSet, right.pred).every((a) => a === 1)).toBe(true);
    const wrong = readout('sparse_parity', 16, (b, i) => -0.1 * p.ys[b * p.nExamples + i]);
    expect(accuracyPerPosition(wrong.evalSet, wrong.pred).every((a) => a === 0)).toBe(true);
    const report = evalBaselines(right.evalSet);
    expect(report.accuracy!.zero.every((a) => a === 0.5)).toBe(true);
    const result = iclResult(right.evalSet, right.pred, report);
    expect(result.positions.length).toBe(140);
    expect(result.accuracy!.model[139]).toBe(1);
    expect(result.curves.model.mean[0]).toBe(0);
  });

  test('parity: the best guess without the examples is right 59.4% of the time at d 6, k 2', () => {
    const report = evalBaselines(set('sparse_parity', 256));
    const acc = report.accuracy!.context_free; // the default parity config: d 10
    const mean = acc.reduce((a, b) => a + b, 0) / acc.length;
    expect(mean).toBeGreaterThan(0.55); // well above chance at d 10 too, with no example used
    expect(acc[0]).toBeGreaterThan(0.5); // already at the first position
    // d 6, k 2: every x and every pair, the number the Reproduction's Transformer sits at
    let right = 0;
    let total = 0;
    for (let bits = 0; bits < 64; bits++) {
      const x = Array.from({ length: 6 }, (_, i) => ((bits >> i) & 1 ? 1 : -1));
      const guess = Math.sign(elementarySymmetric(x, 2));
      for (let i = 0; i < 6; i++)
        for (let j = i + 1; j < 6; j++, total++) right += guess === x[i] * x[j] ? 1 : guess === 0 ? 0.5 : 0;
    }
    expect(right / total).toBe(0.59375);
    expect(elementarySymmetric([1, -1, 1, 1], 2)).toBe(0); // 6 pairs: 3 agree, 3 differ
    expect(elementarySymmetric([2, 3, 5], 3)).toBe(30);
  });

  test('MQAR: recall 1 for the queried value, ~1/m for a random one; error / d', () => {
    const s = set('vector_mqar', 32);
    const { values, queryIndex, pairs: m } = s.batch.mqar!;
    const d = s.batch.dim;
    const right = readout('vector_mqar', 32, (b, _i, c) => 0.5 * values[(b * m + queryIndex[b]) * d + c]);
    expect(mqarRecall(right.evalSet, right.pred)).toBe(1);
    const other = readout('vector_mqar', 32, (b, _i, c) => values[(b * m + ((queryIndex[b] + 1) % m)) * d + c]);
    expect(mqarRecall(other.evalSet, other.pred)).toBe(0);
    const errs = pointErrors('vector_mqar', right.evalSet, right.pred);
    expect(errs[0].length).toBe(1);
    expect(errs[0][0]).toBeCloseTo(0.25, 4); // ‖v/2 − v‖²/d = (d/4)/d
    const result = iclResult(right.evalSet, right.pred, evalBaselines(right.evalSet));
    expect(result.accuracy!.model).toEqual([1]);
    expect(result.curves.zero.mean[0]).toBeCloseTo(1, 5);
  });
});
