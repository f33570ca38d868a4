// Every task × model pair trains a few steps and writes a valid run file with the model's
// ICL curve next to each of the task's baselines (short prompts keep lavapipe fast).
import { describe, expect, it } from 'vitest';
import { BASELINES_FOR_TASK } from '../../src/baselines';
import { defaultConfig, MODEL_IDS, TASK_IDS } from '../../src/spec/config';
import { parseRunFile } from '../../src/train/schema';
import { Trainer } from '../../src/train/trainer';
import { testGpu } from '../helpers/gpu';

describe('every task × model pair', () => {
  for (const task of TASK_IDS) {
    it(task, { timeout: 600_000 }, async () => {
      const gpu = await testGpu();
      for (const model of MODEL_IDS) {
        const config = {
          ...defaultConfig(task, model, 'tiny'),
          steps: 3,
          batch: 4,
          evalPrompts: 4,
          nPoints: task === 'vector_mqar' ? 6 : 9,
        };
        const trainer = new Trainer(gpu, config);
        await trainer.train(3);
        await trainer.evaluate();
        const parsed = parseRunFile(JSON.parse(JSON.stringify(trainer.runFile())));
        if (!parsed.ok) throw new Error(`${task}/${model}: ${parsed.error}`);
        const run = parsed.value;
        expect(
          run.history.map((h) => h.step),
          `${task}/${model}`,
        ).toEqual([1, 2, 3]);
        expect(
          run.history.every((h) => Number.isFinite(h.loss)),
          `${task}/${model} losses`,
        ).toBe(true);
        const names = Object.keys(run.icl!.curves);
        expect(names, `${task}/${model}`).toEqual(expect.arrayContaining(['model', ...BASELINES_FOR_TASK[task]]));
        expect(run.icl!.curves.model.mean.some(Number.isFinite), `${task}/${model} curve`).toBe(true);
        trainer.destroy();
      }
    });
  }
});
