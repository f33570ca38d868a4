// A run trained inside a run set (interleaved with other runs on the same device) is the same
// run, bit for bit, as trained alone: weights, Adam's moments, loss history and evaluations. Both
// of the page's sets: the four families on one task, and three seeds of one config. The prompt
// grows mid-run (curriculum), so every member rebuilds its compiled step inside the set.
import { describe, expect, it } from 'vitest';
import type { SpecWithName } from '../../src/nn/models';
import { defaultConfig, type ModelId, type RunConfig } from '../../src/spec/config';
import { RunSet, familyConfigs, seedConfigs, MAX_SEEDS } from '../../src/train/runSet';
import { Trainer } from '../../src/train/trainer';
import { testGpu } from '../helpers/gpu';

const MICRO: SpecWithName = { name: 'tiny', layers: 2, dim: 16, heads: 2 };
const STEPS = 4;

/** 4 steps; the curriculum grows the prompt at step 2; evaluations at 2 and 4. */
function config(model: ModelId, seed = 5): RunConfig {
  const small = { steps: STEPS, batch: 4, evalEvery: 2, evalPrompts: 8, nDims: 6, nPoints: 15, seed };
  return { ...defaultConfig('linear_regression', model, 'tiny'), ...small };
}

async function snapshot(t: Trainer) {
  await t.flush();
  const read = (which: 'param' | 'm' | 'v') => t.model.arena.readParams(t.gpu, which);
  const [param, m, v] = [await read('param'), await read('m'), await read('v')];
  return { param, m, v, history: t.history.slice(), evaluations: t.evaluations.slice() };
}

async function trainAlone(c: RunConfig) {
  const t = new Trainer(await testGpu(), c, { size: MICRO });
  try {
    while (!t.done) {
      await t.train(1);
      if (t.step % c.evalEvery === 0) await t.evaluate();
    }
    return await snapshot(t);
  } finally {
    t.destroy();
  }
}

async function trainInSet(configs: RunConfig[]) {
  const set = RunSet.create(await testGpu(), configs, { size: MICRO });
  try {
    while (!set.done) {
      await set.trainStep();
      if (set.step % configs[0].evalEvery === 0) for (let i = 0; i < set.size; i++) await set.evaluate(i);
    }
    expect(set.failures).toEqual(configs.map(() => null));
    const out = [];
    for (const t of set.trainers) out.push(await snapshot(t));
    return out;
  } finally {
    set.destroy();
  }
}

function expectSameRun(inSet: Awaited<ReturnType<typeof snapshot>>, alone: Awaited<ReturnType<typeof snapshot>>) {
  expect(inSet.history.map((h) => h.step)).toEqual([1, 2, 3, 4]);
  // toEqual on typed arrays compares element by element: bit for bit for these finite floats
  expect(inSet.param).toEqual(alone.param);
  expect(inSet.m).toEqual(alone.m);
  expect(inSet.v).toEqual(alone.v);
  expect(inSet.history).toEqual(alone.history);
  expect(inSet.evaluations).toEqual(alone.evaluations);
  expect(inSet.evaluations.map((e) => e.step)).toEqual([2, 4]);
}

describe('run set', () => {
  it('four families interleaved: each equals its run trained alone, bit for bit', async () => {
    const configs = familyConfigs(config('transformer'));
    expect(configs.map((c) => c.model)).toEqual(['transformer', 'mamba', 'mambaformer', 'standard_hybrid']);
    const inSet = await trainInSet(configs);
    for (let i = 0; i < configs.length; i++) expectSameRun(inSet[i], await trainAlone(configs[i]));
  });

  it('three seeds interleaved: each equals its seed trained alone, and the seeds differ', async () => {
    const configs = seedConfigs(config('mamba', 9), 3);
    expect(configs.map((c) => c.seed)).toEqual([9, 10, 11]);
    const inSet = await trainInSet(configs);
    for (let i = 0; i < configs.length; i++) expectSameRun(inSet[i], await trainAlone(configs[i]));
    expect(inSet[1].param).not.toEqual(inSet[0].param);
    expect(inSet[1].history).not.toEqual(inSet[0].history);
  });

  it('a run that diverges is set aside with its sentence; the others train on unchanged', async () => {
    const wild = { ...config('transformer'), lr: 1e30 }; // the first update sends the weights to infinity
    const set = RunSet.create(await testGpu(), [wild, config('transformer')], { size: MICRO });
    try {
      while (!set.done) await set.trainStep();
      await set.flush();
      expect(set.failures[0]).toMatch(/^Training diverged at step \d: the loss became (NaN|-?Infinity)/);
      expect(set.trainers[0].done).toBe(false);
      expect(set.failures[1]).toBeNull();
      const kept = await snapshot(set.trainers[1]);
      const alone = new Trainer(await testGpu(), config('transformer'), { size: MICRO });
      await alone.train(STEPS);
      expect(kept.history).toEqual((await snapshot(alone)).history);
      alone.destroy();
    } finally {
      set.destroy();
    }
  });

  it('refuses a seed count outside 1..8 with a sentence', () => {
    expect(() => seedConfigs(config('mamba'), 0)).toThrow(/from 1 to 8; it was 0/);
    expect(() => seedConfigs(config('mamba'), MAX_SEEDS + 1)).toThrow(/from 1 to 8/);
    expect(() => seedConfigs({ ...config('mamba'), seed: 2 ** 31 - 2 }, 3)).toThrow(/largest seed/);
  });
});
