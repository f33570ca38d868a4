// Presets (SPEC.md, Presets): the config a named preset gives for a task, model and seed.
// - teaching: per task, the smallest setting that shows the paper's contrast fast: reduced d, n
//   or pairs, a higher peak learning rate with warm-up and a cosine decay, one recipe for every
//   family. Each is a configuration measured on an H100 (bench/icl/RESULTS.md, 2026-12-07): the
//   families that learned it did so in 600–4,800 steps (≤ 30 s of one run alone). The
//   regression tasks train without the curriculum at d 2–8: at d 8–10 with it, the tiny
//   Transformer needed 7,600 steps or more, or did not learn within 12,000.
// - tiny, small: the task's defaults (SPEC.md) at the lab's sizes, the paper's constant lr.
// - paper: the paper's hyperparameters exactly (paper size, 500k steps, 1,280 evaluation prompts).
import { defaultConfig, type ModelId, type RunConfig, type TaskId } from '../spec/config';

export const PRESET_IDS = ['teaching', 'tiny', 'small', 'paper'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** What the teaching preset changes from the task's defaults, and why, in a sentence for the page. */
export interface TeachingRecipe {
  fields: Partial<RunConfig>;
  reduction: string;
}

const FAST = {
  size: 'tiny',
  lr: 1e-3,
  warmup: 250,
  lrSchedule: 'cosine',
  batch: 64,
  evalEvery: 200,
  evalPrompts: 256,
} as const;

/** The regression tasks' Teaching runs: 6,000 steps, prompts at their full size from the first. */
const NO_CURRICULUM = { steps: 6000, curriculum: false } as const;

export const TEACHING: Record<TaskId, TeachingRecipe> = {
  linear_regression: {
    fields: { ...FAST, ...NO_CURRICULUM, nDims: 4, nPoints: 11 },
    reduction: 'd = 4 and 11 examples, no curriculum (the paper: d = 20, 41, a curriculum from d = 5)',
  },
  sparse_linear_regression: {
    fields: { ...FAST, ...NO_CURRICULUM, nDims: 6, nPoints: 16 },
    reduction: 'd = 6 (3 of them non-zero) and 16 examples, no curriculum (the paper: d = 20, 41)',
  },
  relu_2nn_regression: {
    fields: { ...FAST, ...NO_CURRICULUM, nDims: 4, nPoints: 21 },
    reduction: 'd = 4 and 21 examples, no curriculum (the paper: d = 20, 101)',
  },
  decision_tree: {
    fields: { ...FAST, steps: 4000, nDims: 8, nPoints: 41 },
    reduction: 'd = 8 and 41 examples (the paper: d = 20, 101)',
  },
  orthogonal_outlier_regression: {
    fields: { ...FAST, ...NO_CURRICULUM, nDims: 8, nPoints: 41 },
    reduction: 'd = 8 and 41 examples, no curriculum (the paper: d = 20, 101)',
  },
  many_outlier_regression: {
    fields: { ...FAST, ...NO_CURRICULUM, steps: 12000, nDims: 2, nPoints: 48 },
    reduction: 'd = 2 and 48 examples, about 5 of them real, no curriculum (the paper: d = 20, up to 512)',
  },
  sparse_parity: {
    fields: { ...FAST, steps: 6000, nDims: 6, nPoints: 60 },
    reduction: 'd = 6 (15 possible index pairs) and 60 examples (the paper: d = 10, 140)',
  },
  cot_io: {
    fields: { ...FAST, steps: 4000, nDims: 8, nPoints: 20 },
    reduction: 'd = 8 and 20 examples (the paper: d = 10, 50)',
  },
  vector_mqar: {
    fields: { ...FAST, steps: 5000, nDims: 8, nPoints: 8, clip: 100 },
    reduction: '8 key/value pairs of d = 8 (the paper: 64 pairs, d = 20)',
  },
};

/** The config of a preset for a task and model; `seed` is kept. */
export function presetConfig(preset: PresetId, task: TaskId, model: ModelId, seed = 1): RunConfig {
  if (preset === 'teaching') return { ...defaultConfig(task, model, 'tiny'), ...TEACHING[task].fields, seed };
  const c: RunConfig = { ...defaultConfig(task, model, preset), seed };
  if (preset === 'paper') Object.assign(c, { steps: 500_000, batch: 64, evalPrompts: 1280, evalEvery: 1000 });
  return c;
}
