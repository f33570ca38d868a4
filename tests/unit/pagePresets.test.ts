// The page's presets (src/ui/presets.ts): configs from src/train/presets.ts with the seed kept,
// which preset the settings are (aria-pressed), and a task change under an active preset.
import { describe, expect, it } from 'vitest';
import { MODEL_IDS, TASK_IDS, defaultConfig, type RunConfig } from '../../src/spec/config';
import { PRESET_IDS, TEACHING, presetConfig } from '../../src/train/presets';
import { PRESETS, activePreset, applyPreset, withTask } from '../../src/ui/presets';

describe('page presets', () => {
  it('lists every preset, Teaching first, and takes their configs from presetConfig with the seed kept', () => {
    expect(PRESETS.map((p) => p.id)).toEqual([...PRESET_IDS]);
    expect(PRESETS[0].label).toBe('Teaching');
    const current: RunConfig = { ...defaultConfig('sparse_parity', 'mamba', 'small'), seed: 42, steps: 123 };
    for (const p of PRESET_IDS) expect(applyPreset(p, current)).toEqual(presetConfig(p, 'sparse_parity', 'mamba', 42));
  });

  it('recognises each preset for every task and model, and the default settings as Tiny', () => {
    for (const task of TASK_IDS)
      for (const model of MODEL_IDS)
        for (const p of PRESET_IDS)
          expect(activePreset(presetConfig(p, task, model, 9)), `${p} ${task} ${model}`).toBe(p);
    expect(activePreset(defaultConfig())).toBe('tiny');
  });

  it('tells Teaching from Tiny (both tiny models) and recognises no preset after any edit', () => {
    const teaching = presetConfig('teaching', 'linear_regression', 'transformer');
    expect(teaching.size).toBe('tiny');
    expect(activePreset(teaching)).toBe('teaching');
    const edits: Partial<RunConfig>[] = [
      { steps: teaching.steps + 1 },
      { lr: 2e-3 },
      { nDims: 6 },
      { parityPerPrompt: false },
      { warmup: 0 },
      { size: 'small' },
    ];
    for (const edit of edits) expect(activePreset({ ...teaching, ...edit }), JSON.stringify(edit)).toBeNull();
    expect(activePreset({ ...defaultConfig(), steps: 400 })).toBeNull();
  });

  it('gives a new task its own Teaching config while Teaching is active', () => {
    const before = applyPreset('teaching', { ...defaultConfig('linear_regression', 'mamba'), seed: 5 });
    const after = withTask(before, 'vector_mqar');
    expect(after).toEqual(presetConfig('teaching', 'vector_mqar', 'mamba', 5));
    expect(after).toMatchObject(TEACHING.vector_mqar.fields);
    expect(activePreset(after)).toBe('teaching');
  });

  it('keeps Tiny and Paper across a task change, and edited settings stay edited', () => {
    const paper = applyPreset('paper', defaultConfig('linear_regression'));
    expect(withTask(paper, 'decision_tree')).toEqual(presetConfig('paper', 'decision_tree', 'transformer', 1));
    expect(withTask(defaultConfig('linear_regression'), 'sparse_parity')).toEqual(defaultConfig('sparse_parity'));
    const edited: RunConfig = { ...defaultConfig('linear_regression'), steps: 400, warmup: 100, lrSchedule: 'cosine' };
    const moved = withTask(edited, 'sparse_parity');
    expect(moved).toMatchObject({
      task: 'sparse_parity',
      steps: 400,
      warmup: 100,
      lrSchedule: 'cosine',
      nDims: 10,
      nPoints: 140,
      lr: 4e-4,
    });
  });

  it("says what Teaching reduces for each task, and that it shows the paper's contrast", () => {
    const teaching = PRESETS.find((p) => p.id === 'teaching')!;
    for (const task of TASK_IDS) {
      expect(teaching.note(task)).toContain(TEACHING[task].reduction);
      expect(teaching.note(task)).toMatch(/fast setting that shows the paper's contrast/);
    }
    expect(teaching.note('linear_regression')).toBe(
      "The fast setting that shows the paper's contrast. It reduces the task to d = 4 and 11 examples, no " +
        'curriculum (the paper: d = 20, 41, a curriculum from d = 5); tiny models; learning rate 0.001 after 250 ' +
        'warm-up steps, then cosine decay.',
    );
  });
});
