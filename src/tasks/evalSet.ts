// Fixed evaluation sets: `evalPrompts` prompts at the full size (all dims active, all points),
// drawn once from a generator derived from the seed but on a stream of its own, so the
// evaluation prompts never coincide with training batches (which draw from Rng(seed) and
// its forks). Baselines are computed once per set (src/train/icl.ts) and kept with it.
import { Rng } from '../engine/rng';
import type { RunConfig, TaskId } from '../spec/config';
import { sampleBatch } from './sample';
import type { PromptBatch } from './types';

/** Salt that separates the evaluation stream from the training stream ("eval"). */
const EVAL_STREAM = 0x6576616c;

export type EvalSetConfig = Pick<RunConfig, 'task' | 'nDims' | 'nPoints' | 'evalPrompts'>;

export interface EvalSet {
  task: TaskId;
  seed: number;
  nDims: number; // d, all active
  nPoints: number;
  prompts: number; // B
  batch: PromptBatch;
}

export function makeEvalSet(config: EvalSetConfig, seed: number): EvalSet {
  const rng = new Rng(Math.imul((seed ^ EVAL_STREAM) >>> 0, 0x9e3779b1) >>> 0);
  // Parity: indices per prompt even when training shares them per batch; a prompt's
  // distribution is the same either way, and the set covers many index pairs.
  const batch = sampleBatch(config.task, rng, {
    batch: config.evalPrompts,
    nDims: config.nDims,
    activeDims: config.nDims,
    nPoints: config.nPoints,
    parityPerPrompt: true,
  });
  return { task: config.task, seed, nDims: config.nDims, nPoints: config.nPoints, prompts: config.evalPrompts, batch };
}
