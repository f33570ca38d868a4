// ICL curves: the normalised error at each prompt position for the model and for the classical
// baselines, with the mean and 90% band across the prompts of a fixed evaluation set, and the
// accuracy / recall metrics of parity and MQAR. Legend: B = prompts, T = tokens, n = examples,
// d = x width, m = MQAR pairs.
import {
  BASELINES,
  BASELINES_FOR_TASK,
  BASELINE_SUBSETS,
  type BaselineId,
  type BaselineSubset,
  type PromptData,
} from '../baselines/index';
import { cotYVariance } from '../tasks/cot';
import { SPARSE_K } from '../tasks/linear';
import type { EvalSet } from '../tasks/evalSet';
import type { PromptBatch } from '../tasks/types';
import type { TaskId } from '../spec/config';
import type { Curve, IclResult } from '../spec/icl';

/** Mean and 5th/95th percentiles per position across prompts; NaN entries (not scored) are skipped. */
export function curveFromErrors(errors: number[][]): Curve {
  const n = errors.reduce((k, row) => Math.max(k, row.length), 0);
  const curve: Curve = { mean: [], lo: [], hi: [] };
  for (let i = 0; i < n; i++) {
    const vals = errors.map((row) => row[i]).filter((v) => v !== undefined && !Number.isNaN(v));
    vals.sort((a, b) => a - b);
    curve.mean.push(vals.length ? vals.reduce((s, v) => s + v, 0) / vals.length : NaN);
    curve.lo.push(percentile(vals, 0.05));
    curve.hi.push(percentile(vals, 0.95));
  }
  return curve;
}

/** Linear-interpolated percentile of sorted values (numpy's default); NaN when empty. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The plotted error of each prompt and position from the model's read-out (B, T, outDim):
 * squared error / d (linear, 2NN, outliers), / k (sparse), raw (tree), / E[y²] = h·d/2 (cot_io,
 * its y only), 0/1 error for parity (0.5 for a prediction of exactly 0), ‖pred − value‖² / d
 * (MQAR, one position). NaN at dummy (outlier) positions.
 */
export function pointErrors(task: TaskId, evalSet: EvalSet, predictions: Float32Array): number[][] {
  const p = evalSet.batch;
  const { tokens: T, outDim } = p;
  return exampleErrors(task, p, (b, i, c) => predictions[(b * T + p.predTokens[i]) * outDim + c]);
}

/** Errors from any predictor: predAt(b, i, c) is coordinate c of the prediction for example i of prompt b. */
export function exampleErrors(
  task: TaskId,
  p: PromptBatch,
  predAt: (b: number, i: number, c: number) => number,
  prompts = p.batch,
): number[][] {
  const { nExamples: n, dim: d } = p;
  const out: number[][] = [];
  for (let b = 0; b < prompts; b++) {
    const row: number[] = [];
    for (let i = 0; i < n; i++) {
      if (p.valid && !p.valid[b * n + i]) {
        row.push(NaN);
        continue;
      }
      if (task === 'vector_mqar') {
        let s = 0;
        for (let c = 0; c < d; c++) s += (predAt(b, i, c) - p.ys[b * d + c]) ** 2;
        row.push(s / d);
        continue;
      }
      const pred = predAt(b, i, 0);
      const y = p.ys[(b * n + i) * p.outDim];
      if (Number.isNaN(pred)) row.push(NaN);
      else if (task === 'sparse_parity') row.push(pred === 0 ? 0.5 : Math.sign(pred) === y ? 0 : 1);
      else row.push((pred - y) ** 2 / errorScale(task, d));
    }
    out.push(row);
  }
  return out;
}

/** What the squared error is divided by for plotting: the zero predictor's expected error. */
export function errorScale(task: TaskId, d: number): number {
  switch (task) {
    case 'sparse_linear_regression':
      return Math.min(SPARSE_K, d);
    case 'decision_tree':
    case 'sparse_parity':
      return 1;
    case 'cot_io':
      return cotYVariance(d);
    default:
      return d;
  }
}

/** Prompt b of a batch in the form the baselines take (scalar y; cot_io's y is read from [y, 0, …]). */
export function promptOf(p: PromptBatch, b: number): PromptData {
  const { nExamples: n, dim: d, outDim } = p;
  const ys = new Float32Array(n); // (n)
  for (let i = 0; i < n; i++) ys[i] = p.ys[(b * n + i) * outDim];
  return {
    xs: p.xs.subarray(b * n * d, (b + 1) * n * d),
    ys,
    n,
    d,
    valid: p.valid?.subarray(b * n, (b + 1) * n),
  };
}

/**
 * Each applicable baseline's curve on an evaluation set. Baselines never change during training:
 * compute this once per set and keep it (`evalBaselines` does both curves and accuracies).
 * nn_gd covers a subset (BASELINE_SUBSETS: 8 prompts, ~15 positions; `subsets` overrides);
 * its curve is linearly interpolated between the positions it was evaluated at.
 */
export function baselineCurves(task: TaskId, evalSet: EvalSet, subsets = BASELINE_SUBSETS): Record<string, Curve> {
  const p = evalSet.batch;
  const curves: Record<string, Curve> = {};
  for (const id of BASELINES_FOR_TASK[task]) {
    if (task === 'vector_mqar') {
      curves[id] = curveFromErrors(exampleErrors(task, p, () => 0)); // only "zero" applies
      continue;
    }
    const preds = baselinePredictions(id, p, subsets[id]); // (prompts, n)
    const errors = exampleErrors(task, p, (b, i) => preds[b][i], preds.length);
    const positions = subsets[id]?.positions?.(p.nExamples);
    const curve = curveFromErrors(errors);
    curves[id] = positions ? interpolateGaps(curve, positions) : curve;
  }
  return curves;
}

/** One baseline's predictions per prompt (n each), over the subset the baseline covers. */
export function baselinePredictions(id: BaselineId, p: PromptBatch, subset = BASELINE_SUBSETS[id]): Float64Array[] {
  const prompts = Math.min(p.batch, subset?.prompts ?? p.batch);
  const positions = subset?.positions?.(p.nExamples);
  const out: Float64Array[] = [];
  for (let b = 0; b < prompts; b++) out.push(BASELINES[id](promptOf(p, b), positions, b));
  return out;
}

/** Fills the positions between evaluated ones by linear interpolation (what a line plot draws). */
export function interpolateGaps(curve: Curve, evaluated: readonly number[]): Curve {
  const fill = (ys: number[]) =>
    ys.map((_, i) => {
      let k = 0;
      while (k + 1 < evaluated.length && evaluated[k + 1] <= i) k++;
      const a = evaluated[k];
      const b = evaluated[Math.min(k + 1, evaluated.length - 1)];
      if (i <= a || a === b) return ys[a];
      return ys[a] + ((i - a) / (b - a)) * (ys[b] - ys[a]);
    });
  return { mean: fill(curve.mean), lo: fill(curve.lo), hi: fill(curve.hi) };
}

/** Parity: fraction of prompts whose prediction has the sign of y, per position (0.5 for exactly 0). */
export function accuracyPerPosition(evalSet: EvalSet, predictions: Float32Array): number[] {
  const mean = curveFromErrors(pointErrors('sparse_parity', evalSet, predictions)).mean;
  return mean.map((e) => 1 - e);
}

/** MQAR: fraction of prompts where the value nearest to the prediction (read at the query) is the queried one. */
export function mqarRecall(evalSet: EvalSet, predictions: Float32Array): number {
  const p = evalSet.batch;
  if (!p.mqar) throw new Error('mqarRecall needs a vector_mqar evaluation set.');
  const { tokens: T, dim: d } = p;
  const { pairs: m, values, queryIndex } = p.mqar;
  let hits = 0;
  for (let b = 0; b < p.batch; b++) {
    const pred = predictions.subarray((b * T + p.predTokens[0]) * d, (b * T + p.predTokens[0] + 1) * d); // (d)
    let best = -1;
    let bestDist = Infinity;
    for (let j = 0; j < m; j++) {
      let dist = 0;
      for (let c = 0; c < d; c++) dist += (pred[c] - values[(b * m + j) * d + c]) ** 2;
      if (dist < bestDist) {
        bestDist = dist;
        best = j;
      }
    }
    if (best === queryIndex[b]) hits++;
  }
  return hits / p.batch;
}

/** Everything the baselines contribute to an IclResult; compute once per evaluation set. */
export interface BaselineReport {
  curves: Record<string, Curve>;
  accuracy?: Record<string, number[]>;
}

export function evalBaselines(evalSet: EvalSet, subsets?: Partial<Record<BaselineId, BaselineSubset>>): BaselineReport {
  const curves = baselineCurves(evalSet.task, evalSet, subsets);
  if (evalSet.task === 'sparse_parity') {
    // a parity curve's error is the fraction of wrong signs: accuracy is its complement
    const accuracy = Object.fromEntries(Object.entries(curves).map(([id, c]) => [id, c.mean.map((e) => 1 - e)]));
    return { curves, accuracy };
  }
  // a guess among m values
  if (evalSet.task === 'vector_mqar') return { curves, accuracy: { zero: [1 / evalSet.batch.mqar!.pairs] } };
  return { curves };
}

/** The IclResult for the model's read-out (B, T, outDim) on the set, next to the baselines. */
export function iclResult(evalSet: EvalSet, predictions: Float32Array, baselines: BaselineReport): IclResult {
  const { task, batch } = evalSet;
  const model = curveFromErrors(pointErrors(task, evalSet, predictions));
  const result: IclResult = {
    positions: Array.from({ length: batch.nExamples }, (_, i) => i + 1),
    curves: { model, ...baselines.curves },
  };
  if (task === 'sparse_parity')
    result.accuracy = { model: accuracyPerPosition(evalSet, predictions), ...baselines.accuracy };
  if (task === 'vector_mqar') result.accuracy = { model: [mqarRecall(evalSet, predictions)], ...baselines.accuracy };
  return result;
}
