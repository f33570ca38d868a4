// One evaluation prompt as the page draws it ("Inside a prompt"): its examples, the model's
// read-out for each next y from the last evaluation, and the task's best baseline on the same
// prompt; parity and MQAR keep what their own pictures need (bits and labels; keys, values and
// the query). Plain arrays, so it crosses the worker boundary as it is.
import { BASELINES, type BaselineId } from '../baselines/index';
import type { TaskId } from '../spec/config';
import type { PromptBatch } from '../tasks/types';
import { promptOf } from './icl';

/** The baseline drawn beside the model: least squares, or the task's stronger classical one. */
export const PROMPT_BASELINE: Partial<Record<TaskId, BaselineId>> = {
  linear_regression: 'least_squares',
  sparse_linear_regression: 'lasso',
  relu_2nn_regression: 'least_squares',
  decision_tree: 'greedy_tree',
  orthogonal_outlier_regression: 'least_squares',
  many_outlier_regression: 'least_squares',
  cot_io: 'knn3',
};

interface PromptBase {
  task: TaskId;
  /** The training step of the evaluation the predictions come from. */
  step: number;
  /** Which prompt of the evaluation set (0-based) and how many the set holds. */
  index: number;
  prompts: number;
}

/** Regression-style tasks: example i's x, its y, and each predictor's guess for y from examples < i. */
export interface ExamplesPrompt extends PromptBase {
  kind: 'examples';
  xs: number[][];
  ys: number[];
  model: number[];
  baseline: { id: BaselineId; predictions: number[] } | null;
  /** Outlier tasks: false for a dummy example (neither scored nor shown as one). */
  valid: boolean[] | null;
}

/** Sparse parity: the ±1 bits of each x, its ±1 label, and the model's read-out (its sign is the answer). */
export interface ParityPrompt extends PromptBase {
  kind: 'parity';
  bits: number[][];
  labels: number[];
  model: number[];
}

/** Vector MQAR: the m key/value pairs, which key the query repeats, and the model's read-out there. */
export interface MqarPrompt extends PromptBase {
  kind: 'mqar';
  keys: number[][];
  values: number[][];
  queryIndex: number;
  prediction: number[];
}

export type PromptView = ExamplesPrompt | ParityPrompt | MqarPrompt;

const rows = (flat: Float32Array, count: number, width: number): number[][] =>
  Array.from({ length: count }, (_, i) => Array.from(flat.subarray(i * width, (i + 1) * width)));

/**
 * Prompt b of a batch with the model's read-out (B, T, outDim) for the whole batch, as kept by
 * the last evaluation; `baseline` is that prompt's baseline predictions (n) when the task has one.
 */
export function promptView(
  p: PromptBatch,
  predictions: Float32Array,
  b: number,
  step: number,
  baseline: { id: BaselineId; predictions: ArrayLike<number> } | null,
): PromptView {
  if (!Number.isInteger(b) || b < 0 || b >= p.batch)
    throw new RangeError(`Prompt ${b} is not in the evaluation set (it holds ${p.batch} prompts).`);
  const { tokens: T, outDim: O, nExamples: n, dim: d } = p;
  const base = { task: p.task, step, index: b, prompts: p.batch };
  const readOut = (i: number) => predictions.subarray((b * T + p.predTokens[i]) * O, (b * T + p.predTokens[i] + 1) * O);
  if (p.task === 'vector_mqar') {
    const { pairs: m, values, queryIndex } = p.mqar!;
    return {
      ...base,
      kind: 'mqar',
      keys: rows(p.xs.subarray(b * m * d, (b + 1) * m * d), m, d),
      values: rows(values.subarray(b * m * d, (b + 1) * m * d), m, d),
      queryIndex: queryIndex[b],
      prediction: Array.from(readOut(0)),
    };
  }
  const one = promptOf(p, b);
  const xs = rows(one.xs, n, d);
  const ys = Array.from(one.ys);
  const model = Array.from({ length: n }, (_, i) => readOut(i)[0]);
  if (p.task === 'sparse_parity') return { ...base, kind: 'parity', bits: xs, labels: ys, model };
  return {
    ...base,
    kind: 'examples',
    xs,
    ys,
    model,
    baseline: baseline ? { id: baseline.id, predictions: Array.from(baseline.predictions) } : null,
    valid: one.valid ? Array.from(one.valid, (v) => v !== 0) : null,
  };
}

/** The task's baseline predictions (n) for prompt b, or null for parity and MQAR (their pictures have none). */
export function promptBaseline(p: PromptBatch, b: number): { id: BaselineId; predictions: Float64Array } | null {
  const id = PROMPT_BASELINE[p.task];
  return id ? { id, predictions: BASELINES[id](promptOf(p, b), undefined, b) } : null;
}
