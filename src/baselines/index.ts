// The classical baselines of SPEC.md, which tasks each applies to, and how much of an
// evaluation set the expensive ones cover. Each baseline maps one prompt to a prediction for
// every position from the previous examples only (0 at the first position).
import type { TaskId } from '../spec/config';
import { averaging } from './averaging';
import { contextFree } from './contextFree';
import { knn3 } from './knn';
import { lasso } from './lasso';
import { leastSquares } from './leastSquares';
import { nnGd } from './nnGd';
import { zero, type PromptData } from './prompt';
import { greedyTree } from './tree';

export { averaging, contextFree, knn3, lasso, leastSquares, nnGd, greedyTree, zero };
export { knn } from './knn';
export { predictEach, type PromptData, type FitPredict } from './prompt';

export const BASELINE_IDS = [
  'zero',
  'least_squares',
  'knn3',
  'averaging',
  'lasso',
  'nn_gd',
  'greedy_tree',
  'context_free',
] as const;
export type BaselineId = (typeof BASELINE_IDS)[number];

/** (prompt, positions to predict, seed for baselines that draw) → predictions (n), NaN where not asked. */
export type BaselineFn = (p: PromptData, positions: readonly number[] | undefined, seed: number) => Float64Array;

export const BASELINES: Record<BaselineId, BaselineFn> = {
  zero: (p, pos) => zero(p, pos),
  least_squares: (p, pos) => leastSquares(p, pos),
  knn3: (p, pos) => knn3(p, pos),
  averaging: (p, pos) => averaging(p, pos),
  lasso: (p, pos) => lasso(p, pos),
  nn_gd: (p, pos, seed) => nnGd(p, pos, seed),
  greedy_tree: (p, pos) => greedyTree(p, pos),
  context_free: (p, pos) => contextFree(p, pos),
};

/** SPEC.md's table: which baselines each task is compared with (and parity's context_free, the lab's). */
export const BASELINES_FOR_TASK: Record<TaskId, BaselineId[]> = {
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

/**
 * The part of an evaluation set a baseline covers: at most `prompts` prompts (the first ones;
 * the set is i.i.d.), at the positions `positions(n)` (all when absent). Only the 2-layer NN
 * needs it: 100 Adam steps per position cost ~600k·m flops, about a second per prompt at every
 * position; 8 prompts at ~15 positions take a couple of seconds on a slow 2-core machine.
 * Callers may pass their own subsets (e.g. full coverage for a paper-grid report).
 */
export interface BaselineSubset {
  prompts: number;
  positions?: (n: number) => number[];
}

export const BASELINE_SUBSETS: Partial<Record<BaselineId, BaselineSubset>> = {
  nn_gd: { prompts: 8, positions: (n) => sparsePositions(n) },
};

/** Positions 0–4, then growing by ~1.5× (6, 9, 14, 20, 30, 45, 68, …), and the last: dense where the curve bends. */
export function sparsePositions(n: number): number[] {
  const out = new Set<number>();
  for (let i = 0; i < Math.min(5, n); i++) out.add(i);
  for (let i = 6; i < n; i = Math.round(i * 1.5)) out.add(i);
  if (n > 0) out.add(n - 1);
  return [...out].sort((a, b) => a - b);
}
