// The page's presets: their words, which one the settings are, and what a task change does to
// them. The configs themselves come from src/train/presets.ts (presetConfig), the same ones the
// CLI's --preset gives; this file only adds text and never a setting of its own.
import { defaultConfig, type RunConfig } from '../spec/config';
import { PRESET_IDS, TEACHING, presetConfig, type PresetId } from '../train/presets';

export interface Preset {
  id: PresetId;
  label: string;
  /** What the preset sets, for the current task (without its duration: presetTime.ts). */
  note(task: RunConfig['task']): string;
}

const count = (n: number) => n.toLocaleString('en-US');

export const PRESETS: readonly Preset[] = [
  {
    id: 'teaching',
    label: 'Teaching',
    note: (task) => {
      const c = presetConfig('teaching', task, 'transformer');
      const schedule = c.lrSchedule === 'cosine' ? ', then cosine decay' : '';
      return (
        `The fast setting that shows the paper's contrast. It reduces the task to ${TEACHING[task].reduction}; ` +
        `${c.size} models; learning rate ${c.lr} after ${count(c.warmup)} warm-up steps${schedule}.`
      );
    },
  },
  {
    id: 'tiny',
    label: 'Tiny',
    note: () =>
      `The task's full size with the 64-wide models at the paper's constant learning rate; often too short ` +
      `for the Transformer to leave its early plateau.`,
  },
  {
    id: 'small',
    label: 'Small',
    note: () => `The task's full size with the 128-wide models: clearer curves, a longer wait.`,
  },
  {
    id: 'paper',
    label: 'Paper defaults',
    note: () => `The paper's setting: the 256-wide models, 1,280 evaluation prompts. A long run.`,
  },
];

/** The config a preset gives for the current task and model; the seed is kept. */
export function applyPreset(preset: PresetId, current: RunConfig): RunConfig {
  return presetConfig(preset, current.task, current.model, current.seed);
}

/** The preset whose every setting the config has (the seed aside), or null after any edit. */
export function activePreset(c: RunConfig): PresetId | null {
  return PRESET_IDS.find((p) => sameSettings(applyPreset(p, c), c)) ?? null;
}

function sameSettings(a: RunConfig, b: RunConfig): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof RunConfig)[]);
  return [...keys].every((k) => a[k] === b[k]);
}

/**
 * The settings for another task: the active preset's config for that task (Teaching's d and n
 * are per task); without one, the task's own lr, clip, curriculum, d and n, the rest kept.
 */
export function withTask(current: RunConfig, task: RunConfig['task']): RunConfig {
  const preset = activePreset(current);
  if (preset) return presetConfig(preset, task, current.model, current.seed);
  const d = defaultConfig(task, current.model, current.size);
  return { ...current, task, lr: d.lr, clip: d.clip, curriculum: d.curriculum, nDims: d.nDims, nPoints: d.nPoints };
}
