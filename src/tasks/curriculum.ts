// The training curriculum of SPEC.md: active dims grow 5 → d (+1) and prompt length 11 → n
// (+2) every interval (26 → n, +5, for 2NN, decision tree and ortho-outlier; 12 → n, +2 every
// 200 steps, for many-outlier). The paper's interval is 2000 steps for runs of 500k steps; a lab
// run is far shorter, so by default both intervals shrink by one factor such that the full size
// is reached at FULL_SIZE_AT (60%) of the run, and never grow past the paper's. `paperSchedule`
// keeps the paper's intervals as they are.
import type { RunConfig, TaskId } from '../spec/config';
import { tokensFor } from './tokens';

export const FULL_SIZE_AT = 0.6;

interface Ramp {
  start: number;
  inc: number;
  interval: number; // paper's steps between increments
}

const DIMS: Ramp = { start: 5, inc: 1, interval: 2000 };
const POINTS: Partial<Record<TaskId, Ramp>> = {
  linear_regression: { start: 11, inc: 2, interval: 2000 },
  sparse_linear_regression: { start: 11, inc: 2, interval: 2000 },
  relu_2nn_regression: { start: 26, inc: 5, interval: 2000 },
  decision_tree: { start: 26, inc: 5, interval: 2000 },
  orthogonal_outlier_regression: { start: 26, inc: 5, interval: 2000 },
  many_outlier_regression: { start: 12, inc: 2, interval: 200 },
}; // parity, cot_io and vector_mqar have no curriculum

export type CurriculumConfig = Pick<RunConfig, 'task' | 'steps' | 'curriculum' | 'nDims' | 'nPoints'> & {
  paperSchedule?: boolean;
};

export interface Stage {
  activeDims: number;
  nPoints: number;
}

export class Curriculum {
  private readonly dims: { start: number; end: number; inc: number; interval: number } | null;
  private readonly points: { start: number; end: number; inc: number; interval: number } | null;

  constructor(private readonly config: CurriculumConfig) {
    const ramp = POINTS[config.task];
    if (!config.curriculum || !ramp) {
      this.dims = this.points = null;
      return;
    }
    const dims = { ...DIMS, start: Math.min(DIMS.start, config.nDims), end: config.nDims };
    const points = { ...ramp, start: Math.min(ramp.start, config.nPoints), end: config.nPoints };
    // Steps the paper's schedule needs to reach the full size; both ramps shrink by one factor.
    // Intervals may become fractional (a very short run grows by several increments per step).
    const paperFull = Math.max(rampLength(dims), rampLength(points));
    if (!config.paperSchedule && paperFull > FULL_SIZE_AT * config.steps) {
      dims.interval = (dims.interval * FULL_SIZE_AT * config.steps) / paperFull;
      points.interval = (points.interval * FULL_SIZE_AT * config.steps) / paperFull;
    }
    this.dims = dims;
    this.points = points;
  }

  /** The prompt size used at training step `step` (0-based). */
  at(step: number): Stage {
    if (!this.dims || !this.points) return { activeDims: this.config.nDims, nPoints: this.config.nPoints };
    return { activeDims: rampAt(this.dims, step), nPoints: rampAt(this.points, step) };
  }

  /** First step at which the full size is in use. */
  fullSizeStep(): number {
    if (!this.dims || !this.points) return 0;
    return Math.max(rampLength(this.dims), rampLength(this.points));
  }
}

function rampLength(r: { start: number; end: number; inc: number; interval: number }): number {
  return Math.ceil(Math.ceil((r.end - r.start) / r.inc) * r.interval);
}

function rampAt(r: { start: number; end: number; inc: number; interval: number }, step: number): number {
  return Math.min(r.end, r.start + r.inc * Math.floor(Math.max(0, step) / r.interval));
}

/** The longest prompt (tokens) the run will ever use: the full size, reached by the curriculum's end. */
export function maxTokens(config: Pick<RunConfig, 'task' | 'nPoints'>): number {
  return tokensFor(config.task, config.nPoints);
}

// n_positions of the official configs (mambaformer-icl src/conf/*.yaml; 256, its schema's
// default, where a config names none, and for cot_io, which has no config there). It bounds the
// context rather than measuring the prompt: GPT-2 gets 2 × n_positions positional rows (Garg et
// al. count examples, so relu_2nn's 101 holds its 202 tokens), the standard hybrid n_positions
// rows (its only official config, linear regression, has 101 ≥ 82 tokens). The models keep
// these sizes, unused rows included, so official state_dicts load as they are (src/nn/models.ts
// grows a table only where a lab prompt is longer than it holds).
const N_POSITIONS: Record<TaskId, number> = {
  linear_regression: 101,
  sparse_linear_regression: 101,
  relu_2nn_regression: 101,
  decision_tree: 256,
  orthogonal_outlier_regression: 256,
  many_outlier_regression: 1024,
  sparse_parity: 300,
  cot_io: 256,
  vector_mqar: 130,
};

/** The official config's n_positions for the run's task (ModelShape.nPositions). */
export function nPositions(config: Pick<RunConfig, 'task'>): number {
  return N_POSITIONS[config.task];
}
