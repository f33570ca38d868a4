// Run configuration: every setting of a training run, with the defaults of SPEC.md.
// The run file, the share link, the CLI flags and the UI controls all speak this type.

export const TASK_IDS = [
  'linear_regression',
  'sparse_linear_regression',
  'relu_2nn_regression',
  'decision_tree',
  'orthogonal_outlier_regression',
  'many_outlier_regression',
  'sparse_parity',
  'cot_io',
  'vector_mqar',
] as const;
export type TaskId = (typeof TASK_IDS)[number];

export const MODEL_IDS = ['transformer', 'mamba', 'mambaformer', 'standard_hybrid'] as const;
export type ModelId = (typeof MODEL_IDS)[number];

export const SIZE_IDS = ['tiny', 'small', 'paper'] as const;
export type SizeId = (typeof SIZE_IDS)[number];

export interface RunConfig {
  task: TaskId;
  model: ModelId;
  size: SizeId;
  seed: number;
  /** Training steps. */
  steps: number;
  /** Adam learning rate (constant). */
  lr: number;
  batch: number;
  /** Global gradient-norm clip. */
  clip: number;
  /** Evaluate the ICL curve every this many steps (and at the end). */
  evalEvery: number;
  /** Prompts in the fixed evaluation set. */
  evalPrompts: number;
  /** Grow active dims and prompt length during training (regression tasks). */
  curriculum: boolean;
  /** Input dimension d. */
  nDims: number;
  /** Prompt length n (examples per prompt; key/value pairs m for MQAR). */
  nPoints: number;
  /** Sparse-parity: draw the k indices per prompt (lab) or share them per batch (official). */
  parityPerPrompt: boolean;
  /** Steps of linear warm-up from 0 to lr (0: none). */
  warmup: number;
  /** After warm-up: a constant lr (the paper's), or a cosine decay to 0 at the last step. */
  lrSchedule: LrSchedule;
}

export const LR_SCHEDULES = ['constant', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

export interface TaskDefaults {
  nDims: number;
  nPoints: number;
  lr: number;
  clip: number;
  curriculum: boolean;
}

export const TASK_DEFAULTS: Record<TaskId, TaskDefaults> = {
  linear_regression: { nDims: 20, nPoints: 41, lr: 1e-4, clip: 10, curriculum: true },
  sparse_linear_regression: { nDims: 20, nPoints: 41, lr: 1e-4, clip: 10, curriculum: true },
  relu_2nn_regression: { nDims: 20, nPoints: 101, lr: 1e-4, clip: 10, curriculum: true },
  decision_tree: { nDims: 20, nPoints: 101, lr: 4e-4, clip: 10, curriculum: true },
  orthogonal_outlier_regression: { nDims: 20, nPoints: 101, lr: 1e-4, clip: 10, curriculum: true },
  many_outlier_regression: { nDims: 20, nPoints: 512, lr: 1e-4, clip: 10, curriculum: true },
  sparse_parity: { nDims: 10, nPoints: 140, lr: 4e-4, clip: 10, curriculum: false },
  cot_io: { nDims: 10, nPoints: 50, lr: 1e-4, clip: 10, curriculum: false },
  vector_mqar: { nDims: 20, nPoints: 64, lr: 2e-4, clip: 100, curriculum: false },
};

/** The lab's default config for a task/model/size: short runs that still show learning. */
export function defaultConfig(
  task: TaskId = 'linear_regression',
  model: ModelId = 'transformer',
  size: SizeId = 'tiny',
): RunConfig {
  const t = TASK_DEFAULTS[task];
  return {
    task,
    model,
    size,
    seed: 1,
    steps: size === 'paper' ? 20000 : size === 'small' ? 5000 : 2000,
    lr: t.lr,
    batch: 64,
    clip: t.clip,
    evalEvery: 100,
    evalPrompts: 256,
    curriculum: t.curriculum,
    nDims: t.nDims,
    nPoints: t.nPoints,
    parityPerPrompt: true,
    warmup: 0,
    lrSchedule: 'constant',
  };
}
