// sampleBatch: one entry point to the nine task samplers.
import type { Rng } from '../engine/rng';
import type { TaskId } from '../spec/config';
import { sampleCot } from './cot';
import { sampleDecisionTree } from './decisionTree';
import { sampleLinear, sampleSparseLinear } from './linear';
import { sampleMqar } from './mqar';
import { sampleManyOutliers, sampleOrthoOutliers } from './outliers';
import { sampleParity } from './parity';
import { sampleRelu2nn } from './relu2nn';
import type { PromptBatch, SampleOpts } from './types';

const SAMPLERS: Record<TaskId, (rng: Rng, opts: SampleOpts) => PromptBatch> = {
  linear_regression: sampleLinear,
  sparse_linear_regression: sampleSparseLinear,
  relu_2nn_regression: sampleRelu2nn,
  decision_tree: sampleDecisionTree,
  orthogonal_outlier_regression: sampleOrthoOutliers,
  many_outlier_regression: sampleManyOutliers,
  sparse_parity: sampleParity,
  cot_io: sampleCot,
  vector_mqar: sampleMqar,
};

/** One batch of B prompts of a task; every random draw comes from `rng`. */
export function sampleBatch(task: TaskId, rng: Rng, opts: SampleOpts): PromptBatch {
  if (opts.activeDims > opts.nDims || opts.activeDims < 1)
    throw new Error(`activeDims must be in 1..nDims (got ${opts.activeDims}, nDims ${opts.nDims}).`);
  return SAMPLERS[task](rng, opts);
}
