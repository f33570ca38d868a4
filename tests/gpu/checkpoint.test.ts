// Checkpoints: a round trip through .safetensors gives identical predictions; the eager
// forward (what `npm run forward` runs) equals the trainer's compiled forward; official-code
// extras (GPT-2's wte, a longer positional table) load with notices; tensors stored in another
// dtype are converted, each named.
import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/engine/graph';
import { readSafetensors, writeSafetensors } from '../../src/engine/safetensors';
import { loadCheckpoint, loadOptimizerState, saveCheckpoint, saveOptimizerState } from '../../src/nn/checkpoint';
import { buildModel } from '../../src/nn/models';
import { sampleBatch } from '../../src/tasks';
import { Rng } from '../../src/engine/rng';
import { defaultConfig } from '../../src/spec/config';
import { Trainer } from '../../src/train/trainer';
import { testGpu } from '../helpers/gpu';
import { expectClose } from '../helpers/numeric';

const config = {
  ...defaultConfig('linear_regression', 'transformer', 'tiny'),
  batch: 8,
  steps: 4,
  evalPrompts: 8,
  nDims: 5,
  nPoints: 6,
  curriculum: false,
};

describe('checkpoints', () => {
  it('round trip: same predictions; eager forward equals the compiled forward', async () => {
    const gpu = await testGpu();
    const a = new Trainer(gpu, config);
    await a.train(4);
    await a.flush();
    const batch = sampleBatch('linear_regression', new Rng(9), { batch: 3, nDims: 5, activeDims: 5, nPoints: 6 });
    const predA = await a.predict(batch);
    const bytes = await saveCheckpoint(a.model, gpu, { step: '4' });

    const b = new Trainer(gpu, { ...config, seed: 99 }); // other init, then overwritten
    const { notices, metadata } = loadCheckpoint(b.model, gpu, bytes);
    expect(notices).toEqual([]);
    expect(metadata.step).toBe('4');
    expect(await b.predict(batch)).toEqual(predA);

    // eager forward, as `npm run forward` runs it
    const g = new Graph(gpu, 'eager', b.model.arena);
    const x = g.input('inputs', [3, batch.tokens, 5]);
    g.write('inputs', batch.inputs);
    const eager = await b.model.forward(g, x).read();
    expectClose(eager, predA, { atol: 1e-5, rtol: 1e-4 }, 'eager vs compiled forward');
    g.destroy();
    a.destroy();
    b.destroy();
  });

  it('resumes a run: weights, step count and history continue', async () => {
    const gpu = await testGpu();
    const a = new Trainer(gpu, { ...config, steps: 8 });
    await a.train(3);
    await a.flush();
    const bytes = await saveCheckpoint(a.model, gpu);
    const b = new Trainer(gpu, { ...config, steps: 8 });
    loadCheckpoint(b.model, gpu, bytes);
    b.restore(3, a.history);
    await b.train(10); // only 5 remain
    await b.flush();
    expect(b.step).toBe(8);
    expect(b.history.map((h) => h.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => b.restore(9, [])).toThrow(/cannot resume/);
    a.destroy();
    b.destroy();
  });

  it('resumes exactly with the optimizer state: 3 + 3 steps give the weights of 6 in one go', async () => {
    const gpu = await testGpu();
    const cfg = { ...config, steps: 6, curriculum: true }; // the curriculum restages mid-run too
    const full = new Trainer(gpu, cfg);
    await full.train(6);
    await full.flush();
    const want = await full.model.arena.readParams(gpu);

    const a = new Trainer(gpu, cfg);
    await a.train(3);
    await a.flush();
    const weights = await saveCheckpoint(a.model, gpu);
    const adam = await saveOptimizerState(a.model, gpu, a.adamSteps);
    const resumed = async (withMoments: boolean) => {
      const b = new Trainer(gpu, cfg);
      loadCheckpoint(b.model, gpu, weights);
      b.restore(3, a.history, withMoments ? loadOptimizerState(b.model, gpu, adam) : 0);
      await b.train(3);
      await b.flush();
      const got = await b.model.arena.readParams(gpu);
      b.destroy();
      return got;
    };
    const exact = await resumed(true);
    for (const [name, v] of want) expect(exact.get(name), name).toEqual(v);
    // fresh moments (the old behaviour) do not continue the run
    const fresh = await resumed(false);
    expect([...want].some(([name, v]) => v.some((x, i) => x !== fresh.get(name)![i]))).toBe(true);
    // a weights file is not an optimizer-state file
    expect(() => loadOptimizerState(a.model, gpu, weights)).toThrow(/not an optimizer-state file/);
    full.destroy();
    a.destroy();
  });

  it('ignores tensors the lab does not use and trims a longer positional table, with notices', async () => {
    const gpu = await testGpu();
    const t = new Trainer(gpu, config);
    const file = readSafetensors(await saveCheckpoint(t.model, gpu));
    const tensors = [...file.tensors].map(([name, v]) => ({ name, shape: v.shape, data: v.data }));
    const wpe = tensors.find((x) => x.name === '_backbone.wpe.weight')!;
    const longer = new Float32Array(wpe.data.length * 2);
    longer.set(wpe.data);
    wpe.shape = [wpe.shape[0] * 2, wpe.shape[1]];
    wpe.data = longer;
    tensors.push({ name: '_backbone.wte.weight', shape: [4, 64], data: new Float32Array(256) });
    const { notices } = loadCheckpoint(t.model, gpu, writeSafetensors(tensors));
    expect(notices.join(' ')).toMatch(new RegExp(`first ${wpe.shape[0] / 2} of ${wpe.shape[0]} positions`));
    expect(notices.join(' ')).toMatch(/_backbone\.wte\.weight/);
    // a missing tensor is an error that names it
    const missing = writeSafetensors(tensors.filter((x) => x.name !== '_read_out.bias'));
    expect(() => loadCheckpoint(t.model, gpu, missing)).toThrow(/lacks 1 tensor/);
    t.destroy();
  });

  it('names every tensor converted from another dtype', async () => {
    const gpu = await testGpu();
    const t = new Trainer(gpu, config);
    const want = await t.model.arena.readParams(gpu);
    // LayerNorm weights are ones and biases zeros at initialisation: exact in F16 and I32
    const bytes = withDtypes(await saveCheckpoint(t.model, gpu), {
      '_backbone.h.0.ln_1.weight': 'F16',
      '_backbone.h.1.ln_2.weight': 'F16',
      '_backbone.h.0.ln_1.bias': 'I32',
    });
    const { notices } = loadCheckpoint(t.model, gpu, bytes);
    expect(notices).toEqual([
      'Converted 3 tensors to f32: _backbone.h.0.ln_1.weight (F16), _backbone.h.0.ln_1.bias (I32), ' +
        '_backbone.h.1.ln_2.weight (F16).',
    ]);
    const got = await t.model.arena.readParams(gpu);
    for (const [name, v] of want) expect(got.get(name), name).toEqual(v);
    t.destroy();
  });

  it('loads a shorter positional table that covers the prompts (older checkpoints: < 2 × n_positions)', async () => {
    const gpu = await testGpu();
    const old = buildModel('transformer', 'tiny', { inDim: 5, outDim: 1, maxTokens: 12 }); // 12 rows
    // 202 rows
    const official = buildModel('transformer', 'tiny', { inDim: 5, outDim: 1, maxTokens: 12, nPositions: 101 });
    old.arena.allocate(gpu, new Rng(1));
    official.arena.allocate(gpu, new Rng(2));
    const { notices } = loadCheckpoint(official, gpu, await saveCheckpoint(old, gpu));
    expect(notices.join(' ')).toMatch(/has 12 of 202 positions/);
    const want = (await old.arena.readParams(gpu)).get('_backbone.wpe.weight')!;
    const got = (await official.arena.readParams(gpu)).get('_backbone.wpe.weight')!;
    expect(got.subarray(0, want.length)).toEqual(want);
    expect(got.subarray(want.length).every((x) => x === 0)).toBe(true);
    // one that does not cover this run's prompts is refused
    const short = buildModel('transformer', 'tiny', { inDim: 5, outDim: 1, maxTokens: 8 });
    short.arena.allocate(gpu, new Rng(3));
    const shortBytes = await saveCheckpoint(short, gpu);
    expect(() => loadCheckpoint(official, gpu, shortBytes)).toThrow(/wpe\.weight has shape \[8×64\]/);
    old.arena.destroy();
    official.arena.destroy();
    short.arena.destroy();
  });
});

/** The same file with the named tensors stored as F16 (values 0 or 1 only) or I32 (integers only). */
function withDtypes(bytes: Uint8Array, dtypes: Record<string, 'F16' | 'I32'>): Uint8Array {
  const file = readSafetensors(bytes);
  const entries: string[] = [`"__metadata__":${JSON.stringify(file.metadata)}`];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of file.tensors) {
    const dtype = dtypes[name] ?? 'F32';
    let data: Uint8Array;
    if (dtype === 'F16') {
      if (!t.data.every((x) => x === 0 || x === 1)) throw new Error(`${name}: only 0 and 1 are encoded as F16 here`);
      data = new Uint8Array(Uint16Array.from(t.data, (x) => (x === 1 ? 0x3c00 : 0)).buffer);
    } else if (dtype === 'I32') {
      if (!t.data.every(Number.isInteger)) throw new Error(`${name}: not integers`);
      data = new Uint8Array(Int32Array.from(t.data).buffer);
    } else {
      data = new Uint8Array(Float32Array.from(t.data).buffer);
    }
    entries.push(
      `${JSON.stringify(name)}:` +
        `${JSON.stringify({ dtype, shape: t.shape, data_offsets: [offset, offset + data.length] })}`,
    );
    chunks.push(data);
    offset += data.length;
  }
  const header = new TextEncoder().encode(`{${entries.join(',')}}`);
  const out = new Uint8Array(8 + header.length + offset);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
