// Exact resume, per family: N steps straight give the same weights, Adam moments, loss history
// and evaluations, bit for bit, as a run interrupted and continued twice through checkpoint
// files: once from a periodic checkpoint taken mid-curriculum (the run went on, then was
// "killed"; the prompt grows after the resume, so the compiled step is rebuilt), once from
// --stop-after's checkpoint. The train command's own loop and checkpoint files are used;
// tests/cli/faults.test.ts covers the same through the bundled CLI.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCheckpoint, optimizerPath, readCheckpointPair, restoreRun } from '../../src/cli/checkpoints';
import { writeFilesAtomic } from '../../src/cli/files';
import { runTrainingLoop } from '../../src/cli/trainLoop';
import type { SpecWithName } from '../../src/nn/models';
import { MODEL_IDS, defaultConfig, type ModelId, type RunConfig } from '../../src/spec/config';
import { Trainer } from '../../src/train/trainer';
import { testGpu } from '../helpers/gpu';

const MICRO: SpecWithName = { name: 'tiny', layers: 2, dim: 16, heads: 2 };
const RUN_ID = 'resume-test';
const dir = mkdtempSync(join(tmpdir(), 'icl-resume-'));

/** 6 steps; the curriculum grows n 11 → 13 → 15 at steps 2 and 4 (d 5 → 6); evaluations at 2, 4, 6. */
function config(model: ModelId): RunConfig {
  const small = { steps: 6, batch: 4, evalEvery: 2, evalPrompts: 8, nDims: 6, nPoints: 15, seed: 11 };
  return { ...defaultConfig('linear_regression', model, 'tiny'), ...small };
}

async function snapshot(t: Trainer) {
  await t.flush();
  const read = (which: 'param' | 'm' | 'v') => t.model.arena.readParams(t.gpu, which);
  const [param, m, v] = [await read('param'), await read('m'), await read('v')];
  return { param, m, v, adamSteps: t.adamSteps, history: t.history.slice(), evaluations: t.evaluations.slice() };
}

/** Trains `t` from its step to `stopAt`, saving to `path` every `every` steps (and at stopAt when `saveAtStop`). */
async function segment(t: Trainer, path: string, stopAt: number, every: number | null, saveAtStop: boolean) {
  const save = async () => {
    const pair = await encodeCheckpoint(t, RUN_ID);
    writeFilesAtomic([
      { path: optimizerPath(path), data: pair.adam },
      { path, data: pair.weights },
    ]);
  };
  await runTrainingLoop(t, { stopAt, checkpointEvery: every, save, stopRequested: () => false, log: () => {} });
  if (saveAtStop) await save();
}

async function resumed(path: string): Promise<Trainer> {
  const pair = readCheckpointPair(path, false);
  const { run, curriculumSteps } = pair.state;
  const t = new Trainer(await testGpu(), run.config, { size: MICRO, curriculumSteps });
  restoreRun(t, pair);
  return t;
}

describe('exact resume through checkpoint files', () => {
  for (const model of MODEL_IDS) {
    it(`${model}: 6 straight = saved at 3 (killed at 5), resumed, stopped at 4, resumed to 6`, async () => {
      const gpu = await testGpu();
      const cfg = config(model);
      const straight = new Trainer(gpu, cfg, { size: MICRO });
      expect([0, 1, 2, 3, 4, 5].map((s) => straight.curriculum.at(s).nPoints)).toEqual([11, 11, 13, 13, 15, 15]);
      await segment(straight, join(dir, `${model}-unused.safetensors`), 6, null, false);
      const want = await snapshot(straight);
      straight.destroy();
      expect(want.evaluations.map((e) => e.step)).toEqual([2, 4, 6]);

      const path = join(dir, `${model}.safetensors`);
      const first = new Trainer(gpu, cfg, { size: MICRO });
      await segment(first, path, 5, 3, false); // saves at step 3; step 5's state is lost with the "kill"
      first.destroy();
      const second = await resumed(path);
      expect(second.step).toBe(3);
      await segment(second, path, 4, null, true); // --stop-after 4
      second.destroy();
      const third = await resumed(path);
      expect(third.step).toBe(4);
      await segment(third, path, 6, null, false);
      const got = await snapshot(third);
      third.destroy();

      expect(got.adamSteps).toBe(6);
      expect(got.history).toEqual(want.history);
      expect(got.evaluations).toEqual(want.evaluations);
      for (const which of ['param', 'm', 'v'] as const) {
        for (const [name, values] of want[which]) expect(got[which].get(name), `${which} ${name}`).toEqual(values);
      }
    });
  }
});
