// A run's training batches. Batch t depends only on the plan (task, data seed, sizes, the
// curriculum's pace) and on t, so it can be drawn anywhere and ahead of time: the CLI draws
// them in a worker thread (src/cli/batchWorker.ts) while the GPU trains, bit for bit the
// batches drawn here.
import { Rng } from '../engine/rng';
import { Curriculum, sampleBatch, type CurriculumConfig } from '../tasks';
import type { TaskId } from '../spec/config';
import { lossBatch, type LossBatch } from './graphs';

/** Everything a batch depends on besides its step: plain data, so a worker can be sent it. */
export interface BatchPlan {
  task: TaskId;
  /** Batch t is drawn from batchRng(dataSeed, t). */
  dataSeed: number;
  batch: number;
  nDims: number;
  parityPerPrompt: boolean;
  /** The curriculum as the run paces it (its steps: the run's curriculumSteps). */
  curriculum: CurriculumConfig;
}

/** Where the trainer takes batch t from; asked for t, t + 1, … in order (a resume starts later). */
export interface BatchSource {
  batch(step: number): LossBatch | Promise<LossBatch>;
  destroy(): void;
}

/** The generator of the batch for step t (0-based), from the data seed alone. */
export function batchRng(dataSeed: number, t: number): Rng {
  return new Rng((dataSeed + Math.imul(t + 1, 0x9e3779b9)) >>> 0);
}

/** Batch t of a plan, at the curriculum's stage for t. */
export function drawBatch(plan: BatchPlan, curriculum: Curriculum, step: number): LossBatch {
  const stage = curriculum.at(step);
  const batch = sampleBatch(plan.task, batchRng(plan.dataSeed, step), {
    batch: plan.batch,
    nDims: plan.nDims,
    activeDims: stage.activeDims,
    nPoints: stage.nPoints,
    parityPerPrompt: plan.parityPerPrompt,
  });
  return lossBatch(batch);
}

/** Draws each batch when asked, on the calling thread (the page's worker, the tests). */
export class LocalBatches implements BatchSource {
  private readonly curriculum: Curriculum;

  constructor(private readonly plan: BatchPlan) {
    this.curriculum = new Curriculum(plan.curriculum);
  }

  batch(step: number): LossBatch {
    return drawBatch(this.plan, this.curriculum, step);
  }

  destroy(): void {}
}
