// The loss graph's layout, computed from the config alone (src/train/graphs.ts), is exactly the
// layout of the batch the task's sampler draws, for every task and curriculum stage: the trainer
// builds its step from the first and feeds it the second, so a drift would fail at the first
// write. Legend: B batch, T tokens, d token width, O read-out width.
import { describe, expect, it } from 'vitest';
import { invCountOf } from '../../src/engine/ops/losses';
import { Rng } from '../../src/engine/rng';
import { Curriculum, sampleBatch } from '../../src/tasks';
import { defaultConfig, TASK_IDS } from '../../src/spec/config';
import { layoutOf, lossBatch, stageLayout } from '../../src/train/graphs';

describe('loss layout', () => {
  for (const task of TASK_IDS) {
    it(`${task}: the config's layout is the sampled batch's at every stage`, () => {
      const config = { ...defaultConfig(task), batch: 3, steps: 100 };
      const curriculum = new Curriculum(config);
      const stages = [curriculum.at(0), curriculum.at(50), curriculum.at(config.steps - 1)];
      for (const stage of stages) {
        const batch = sampleBatch(task, new Rng(7), { ...stage, batch: config.batch, nDims: config.nDims });
        expect(stageLayout(config, stage), `${task} at ${JSON.stringify(stage)}`).toEqual(layoutOf(batch));
      }
    });
  }

  it('a stage shorter than the full prompt has fewer tokens', () => {
    const config = { ...defaultConfig('linear_regression'), steps: 100 };
    const first = stageLayout(config, new Curriculum(config).at(0));
    const last = stageLayout(config, new Curriculum(config).at(99));
    expect(first.tokens).toBeLessThan(last.tokens);
    expect(last.tokens).toBe(2 * config.nPoints);
  });

  it("a batch's values carry 1 / Σ mask", () => {
    const batch = sampleBatch('many_outlier_regression', new Rng(3), { batch: 4, nDims: 5, activeDims: 5, nPoints: 9 });
    const values = lossBatch(batch);
    expect(values.inputs).toBe(batch.inputs);
    expect(values.targets).toBe(batch.targets);
    expect(values.mask).toBe(batch.mask);
    expect(values.invCount).toEqual(invCountOf(batch.mask));
    expect(values.invCount[0]).toBeGreaterThan(0);
  });
});
