// The curriculum's stages for a run's settings, for marking on the loss plot and explaining in
// words. The schedule itself is src/tasks/curriculum.ts (read here, never changed).
import type { RunConfig } from '../../spec/config';
import { Curriculum, FULL_SIZE_AT } from '../../tasks';

export interface StageChange {
  /** First step (0-based) that trains at this size. */
  step: number;
  activeDims: number;
  nPoints: number;
}

export interface CurriculumPlan {
  /** The size at step 0, then every change, in step order; one entry when there is no curriculum. */
  stages: StageChange[];
  /** First step at the full size (0 without a curriculum). */
  fullSizeStep: number;
}

export function curriculumPlan(config: RunConfig): CurriculumPlan {
  const c = new Curriculum(config);
  const first = c.at(0);
  const stages: StageChange[] = [{ step: 0, ...first }];
  const end = Math.min(config.steps, c.fullSizeStep());
  // the ramps only change up to the full size, so the walk stops there (≈ 30k steps at the paper's pace)
  for (let step = 1; step <= end; step++) {
    const s = c.at(step);
    const last = stages[stages.length - 1];
    if (s.activeDims !== last.activeDims || s.nPoints !== last.nPoints) stages.push({ step, ...s });
  }
  return { stages, fullSizeStep: stages.length > 1 ? stages[stages.length - 1].step : 0 };
}

/** One sentence on what the curriculum does in this run, with its numbers. */
export function curriculumSentence(config: RunConfig): string {
  const { stages, fullSizeStep } = curriculumPlan(config);
  if (stages.length < 2)
    return 'This task trains at its full size from the first step (no curriculum), so its loss has no built-in jumps.';
  const a = stages[0];
  const z = stages[stages.length - 1];
  const pct = Math.round(100 * FULL_SIZE_AT);
  return (
    `The curriculum starts with easy prompts (${a.activeDims} active dimensions, ${a.nPoints} examples) and grows ` +
    `them in ${stages.length - 1} stages to ${z.activeDims} dimensions and ${z.nPoints} examples by step ` +
    `${fullSizeStep.toLocaleString('en-US')} (about ${pct}% of a lab run). Each stage makes the prompts harder, so ` +
    `the training loss jumps up at the grey marks on the loss plot and then falls again: that is expected, not a ` +
    `failure.`
  );
}
