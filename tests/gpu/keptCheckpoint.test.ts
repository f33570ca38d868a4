// The training worker's checkpoints (src/train/keptCheckpoint.ts) on Dawn/lavapipe: a run whose
// GPU device is lost at step k and resumed on a new device ends at step N with the weights of
// an uninterrupted run; storage that refuses the moments, or everything, is reported in one
// sentence and never costs the older checkpoint; runs never overwrite each other's.
// The browser cannot lose a worker's device on demand, so the loss is simulated here: the
// first device is destroyed and a second one, from a new Dawn instance, takes over.
import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../src/gpu/node';
import { testGpu } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/context';
import { defaultConfig } from '../../src/spec/config';
import {
  OTHER_RUNS_KEPT,
  dropCheckpoints,
  keepCheckpoint,
  resumeCheckpoint,
  type CheckpointKey,
  type CheckpointStore,
  type KeptCheckpoint,
} from '../../src/train/keptCheckpoint';
import { Trainer } from '../../src/train/trainer';
import type { RunConfig } from '../../src/spec/config';

// k = 3 of N = 6 steps; the curriculum restages between them
const config: RunConfig = {
  ...defaultConfig('linear_regression', 'transformer', 'tiny'),
  ...{ batch: 8, steps: 6, evalEvery: 3, evalPrompts: 8, nDims: 5, nPoints: 6, curriculum: true },
};
const K = 3;

/** IndexedDB's behaviour that matters here: values are structured clones; `refuse` plays a full disk. */
class MemoryStore implements CheckpointStore {
  readonly values = new Map<string, unknown>();
  refuse: ((value: KeptCheckpoint) => boolean) | null = null;
  async get(key: CheckpointKey) {
    return structuredClone(this.values.get(JSON.stringify(key)));
  }
  async set(key: CheckpointKey, value: KeptCheckpoint) {
    if (this.refuse?.(value)) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.values.set(JSON.stringify(key), structuredClone(value));
  }
  async del(key: CheckpointKey) {
    this.values.delete(JSON.stringify(key));
  }
  async keys() {
    return [...this.values.keys()].map((k) => JSON.parse(k) as CheckpointKey);
  }
}

/** What the worker's loop does up to step k: train, evaluate, keep a checkpoint. */
async function trainAndKeep(gpu: GpuContext, store: MemoryStore, runId: string, steps = K) {
  const t = new Trainer(gpu, config);
  await t.train(steps);
  await t.evaluate();
  const report = await keepCheckpoint(t, store, runId, null);
  return { t, report };
}

async function finish(t: Trainer, gpu: GpuContext) {
  await t.train(config.steps - t.step);
  await t.flush();
  const weights = await t.model.arena.readParams(gpu);
  const history = t.history.map((h) => h.step);
  const evaluations = t.evaluations.map((e) => e.step);
  t.destroy();
  return { weights, history, evaluations };
}

function sameWeights(a: Map<string, Float32Array>, b: Map<string, Float32Array>): boolean {
  return [...a].every(([name, v]) => v.every((x, i) => x === b.get(name)![i]));
}

describe("the worker's kept checkpoints", () => {
  // two devices compile every kernel twice: seconds alone, minutes on a busy lavapipe machine
  const twoDevices = { timeout: 360_000 };
  it('a device lost at step k, then resumed, ends at step N with the uninterrupted weights', twoDevices, async () => {
    const store = new MemoryStore();
    const lost = await nodeGpu();
    const { t: a, report } = await trainAndKeep(lost, store, 'run-a');
    expect(report).toEqual({ step: K, stored: true, exact: true, problem: null });
    a.destroy();
    lost.destroy(); // the device is gone, and every buffer with it

    const gpu = await testGpu();
    const straight = new Trainer(gpu, config);
    await straight.train(K);
    await straight.evaluate();
    const want = await finish(straight, gpu);

    const b = new Trainer(gpu, config);
    const resumed = await resumeCheckpoint(b, store, 'run-a');
    expect(resumed).toMatchObject({ step: K, exact: true });
    expect(resumed.message).toMatch(/^Resumed at step 3 with Adam's moments/);
    const got = await finish(b, gpu);
    expect(got.history).toEqual(want.history);
    expect(got.evaluations).toEqual(want.evaluations);
    expect(sameWeights(got.weights, want.weights)).toBe(true);
  });

  it('storage that refuses the moments keeps the weights, and both the save and the resume say so', async () => {
    const gpu = await testGpu();
    const straight = new Trainer(gpu, config);
    await straight.train(K);
    const want = await finish(straight, gpu);
    const tight = new MemoryStore();
    tight.refuse = (v) => v.adam !== null;
    const { t: c, report: partial } = await trainAndKeep(gpu, tight, 'run-c');
    c.destroy();
    expect(partial).toMatchObject({ step: K, stored: true, exact: false });
    expect(partial.problem).toMatch(
      /^Adam's moments at step 3 could not be saved in this browser's storage \(QuotaExceededError: .*\); /,
    );
    expect(partial.problem).toMatch(/; after a lost GPU device this run would resume with fresh moments/);
    const d = new Trainer(gpu, config);
    const fresh = await resumeCheckpoint(d, tight, 'run-c');
    expect(fresh).toMatchObject({ step: K, exact: false });
    expect(fresh.message).toMatch(/^Resumed at step 3 without Adam's moments \(storage had refused them\): they start/);
    // …and rightly: fresh moments do not continue the run
    expect(sameWeights((await finish(d, gpu)).weights, want.weights)).toBe(false);
  });

  it('a refused save keeps the older checkpoint and says what a resume would do; runs keep their own', async () => {
    const gpu = await testGpu();
    const store = new MemoryStore();
    const t = new Trainer(gpu, config);
    await t.train(2);
    await t.evaluate();
    expect((await keepCheckpoint(t, store, 'run-a', null, 1000)).stored).toBe(true);
    await t.train(2);
    await t.evaluate();
    store.refuse = () => true;
    const refused = await keepCheckpoint(t, store, 'run-a', 2, 2000);
    expect(refused).toMatchObject({ step: 4, stored: false, exact: false });
    expect(refused.problem).toMatch(
      /^The checkpoint at step 4 could not be saved in this browser's storage \(QuotaExceededError: .*\); /,
    );
    expect(refused.problem).toMatch(/; after a lost GPU device this run would resume from its checkpoint at step 2\.$/);
    store.refuse = null;
    const r = new Trainer(gpu, config);
    expect(await resumeCheckpoint(r, store, 'run-a')).toMatchObject({ step: 2, exact: true });
    r.destroy();

    // other runs (other tabs) never replace this one's; a run keeps only its newest checkpoint,
    // and beside it the newest checkpoints of OTHER_RUNS_KEPT other runs
    expect((await keepCheckpoint(t, store, 'run-a', 2, 3000)).stored).toBe(true);
    for (let i = 0; i < OTHER_RUNS_KEPT + 1; i++) await keepCheckpoint(t, store, `run-${i}`, null, 4000 + i);
    const runs = (await store.keys()).map((k) => k[0]).sort();
    expect(OTHER_RUNS_KEPT).toBe(3);
    expect(runs).toEqual(['run-0', 'run-1', 'run-2', 'run-3']); // run-a, the oldest, went when run-3 saved
    await dropCheckpoints(store, 'run-3');
    expect((await store.keys()).map((k) => k[0]).sort()).toEqual(['run-0', 'run-1', 'run-2']);
    t.destroy();
  });

  it('a checkpoint that cannot be read starts the run afresh from the seed, and says why', async () => {
    const gpu = await testGpu();
    const store = new MemoryStore();
    const truncated = { format: 'icl-lab-kept-checkpoint', version: 1, config: JSON.stringify(config), step: 3 };
    const weights = new Uint8Array([1, 2, 3]); // not a .safetensors file
    store.values.set(JSON.stringify(['run-x', 1]), { ...truncated, history: [], weights, adam: null });
    const t = new Trainer(gpu, config);
    const report = await resumeCheckpoint(t, store, 'run-x');
    expect(report).toMatchObject({ step: 0, exact: false });
    expect(report.message).toMatch(/^The checkpoint kept for this run could not be used \(.+\), so it starts again/);
    expect(t.step).toBe(0);
    const seeded = new Trainer(gpu, config);
    expect(sameWeights(await t.model.arena.readParams(gpu), await seeded.model.arena.readParams(gpu))).toBe(true);
    expect(await resumeCheckpoint(seeded, store, 'run-none')).toEqual({
      step: 0,
      exact: true,
      message: 'No checkpoint of this run was kept in this browser, so it starts again from step 0.',
    });
    t.destroy();
    seeded.destroy();
  });
});
