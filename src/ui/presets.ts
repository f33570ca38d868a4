// Presets: the lab's short runs (tiny, small) and the paper's own defaults (Park et al. 2024:
// 500k steps, batch 64, 1280 evaluation prompts, the 12-layer / 24-block models), one click away.
import { defaultConfig, type RunConfig, type SizeId } from '../train/config';

export interface Preset {
  id: SizeId;
  label: string;
  note: string;
}

export const PRESETS: readonly Preset[] = [
  { id: 'tiny', label: 'Tiny', note: '2,000 steps of a 64-wide model: a few minutes on a laptop GPU.' },
  { id: 'small', label: 'Small', note: '5,000 steps of a 128-wide model: clearer curves, longer wait.' },
  { id: 'paper', label: 'Paper defaults', note: "The paper's setting: 500,000 steps of the 256-wide models, 1,280 evaluation prompts. Days on a laptop." },
];

/** The config a preset gives for the current task, model and seed. */
export function applyPreset(preset: SizeId, current: RunConfig): RunConfig {
  const base = defaultConfig(current.task, current.model, preset);
  const c: RunConfig = { ...base, seed: current.seed };
  if (preset === 'paper') {
    c.steps = 500_000;
    c.batch = 64;
    c.evalPrompts = 1280;
    c.evalEvery = 1000;
  }
  return c;
}

/** The settings that follow the task when the task changes (keeps model, size, seed, steps). */
export function withTask(current: RunConfig, task: RunConfig['task']): RunConfig {
  const d = defaultConfig(task, current.model, current.size);
  return { ...current, task, lr: d.lr, clip: d.clip, curriculum: d.curriculum, nDims: d.nDims, nPoints: d.nPoints };
}
