// The compiled training step: clipping + Adam against the CPU reference, compiled against
// eager execution, liveness planning, and a model that learns through it.
import { describe, expect, it, vi } from 'vitest';
import { ParamArena, type ParamRef } from '../../src/engine/arena';
import { backward } from '../../src/engine/autograd';
import { Graph } from '../../src/engine/graph';
import { ADAM_DEFAULTS, adamRef } from '../../src/engine/ops/adam';
import { add, mul, relu } from '../../src/engine/ops/elementwise';
import { Linear } from '../../src/nn/layers';
import { invCountOf, maskedMse, maskedMseRef } from '../../src/engine/ops/losses';
import { sumCols } from '../../src/engine/ops/reduce';
import { Rng } from '../../src/engine/rng';
import type { Tensor } from '../../src/engine/tensor';
import { TrainingStep } from '../../src/engine/trainingStep';
import { testGpu } from '../helpers/gpu';
import { expectClose } from '../helpers/numeric';

const B = 16;
const D = 5;

function batch(rng: Rng, wTrue: Float64Array) {
  const x = new Float32Array(B * D);
  const y = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < D; i++) {
      x[b * D + i] = rng.normal();
      s += x[b * D + i] * wTrue[i];
    }
    y[b] = s;
  }
  const mask = new Float32Array(B).fill(1);
  return { x, y, mask, inv: invCountOf(mask) };
}

/**
 * pred_b = Σ_i x_bi (w_i + v_i²): w and v both matter and v is used twice, so its gradient
 * accumulates. With `data`, inputs are written as they are declared (eager graphs run each
 * op as it is recorded).
 */
function linearModel(g: Graph, w: ParamRef, v: ParamRef, data?: Record<string, Float32Array>): Tensor {
  const input = (name: string, shape: number[]) => {
    const t = g.input(name, shape);
    if (data) g.write(name, data[name]);
    return t;
  };
  const x = input('x', [B, D]);
  const y = input('y', [B]);
  const mask = input('mask', [B]);
  const inv = input('inv', [1]);
  const vt = g.param(v);
  const pred = add(sumCols(mul(x, g.param(w)), D), sumCols(mul(x, mul(vt, vt)), D)); // (B)
  return maskedMse(pred, y, mask, inv);
}

function makeArena(seed: number) {
  const arena = new ParamArena();
  const w = arena.declare('w', [D], { kind: 'normal', std: 0.1 });
  const v = arena.declare('v', [D], { kind: 'normal', std: 0.5 });
  return { arena, w, v, init: arena.initialValues(new Rng(seed)) };
}

describe('compiled training step', () => {
  it('equals eager execution: same loss, same gradients, params updated as the Adam reference', async () => {
    const gpu = await testGpu();
    const rng = new Rng(11);
    const wTrue = Float64Array.from({ length: D }, () => rng.normal());
    const data = batch(rng, wTrue);
    const { arena, w, v, init } = makeArena(1);
    arena.allocate(gpu, new Rng(1));

    // eager: loss and gradients
    const eg = new Graph(gpu, 'eager', arena);
    const eLoss = linearModel(eg, w, v, data);
    backward(eLoss);
    const lossEager = (await eLoss.read())[0];
    const gw = await eg.param(w).grad!.read();
    const gv = await eg.param(v).grad!.read();
    eg.destroy();

    // CPU check of the eager loss
    const wv = init.slice(w.offset, w.offset + D);
    const vv = init.slice(v.offset, v.offset + D);
    const pred = Array.from({ length: B }, (_, b) => {
      let s = 0;
      for (let i = 0; i < D; i++) s += data.x[b * D + i] * (wv[i] + vv[i] * vv[i]);
      return s;
    });
    expect(lossEager).toBeCloseTo(maskedMseRef(pred, data.y, data.mask), 4);

    // compiled: one step
    const cfg = { ...ADAM_DEFAULTS, clip: 0.5 }; // small clip so clipping is exercised
    const step = new TrainingStep(gpu, arena, (g) => linearModel(g, w, v), cfg);
    await step.run({ x: data.x, y: data.y, mask: data.mask, inv: data.inv }, 0.01);
    const [reading] = await step.flush();
    expect(reading.step).toBe(1);
    expect(reading.loss).toBeCloseTo(lossEager, 5);

    const grad = new Float64Array(2 * D);
    grad.set(gw, 0);
    grad.set(gv, D);
    expect(reading.gradNorm).toBeCloseTo(Math.hypot(...grad), 4);
    const p = Float64Array.from([...wv, ...vv]);
    const m = new Float64Array(2 * D);
    const vm = new Float64Array(2 * D);
    adamRef(p, grad, m, vm, 0.01, 1, cfg);
    const after = await arena.readParams(gpu);
    expectClose(after.get('w')!, p.subarray(0, D), { atol: 1e-6, rtol: 1e-5 }, 'w after step');
    expectClose(after.get('v')!, p.subarray(D), { atol: 1e-6, rtol: 1e-5 }, 'v after step');
    step.destroy();
    arena.destroy();
  });

  it('a 2-layer MLP learns y = w·x through the compiled step with Adam (loss falls 10×)', async () => {
    const gpu = await testGpu();
    const rng = new Rng(5);
    const wTrue = Float64Array.from({ length: D }, () => rng.normal());
    const arena = new ParamArena();
    const fc1 = new Linear(arena, 'fc1', D, 32);
    const fc2 = new Linear(arena, 'fc2', 32, 1);
    arena.allocate(gpu, new Rng(2));
    const mlp = (g: Graph) => {
      const x = g.input('x', [B, D]);
      const h = relu(fc1.forward(g, x)); // (B, 32)
      const pred = fc2.forward(g, h); // (B, 1)
      return maskedMse(pred, g.input('y', [B, 1]), g.input('mask', [B, 1]), g.input('inv', [1]));
    };
    const step = new TrainingStep(gpu, arena, mlp, ADAM_DEFAULTS);
    expect(step.stats.buffers).toBeLessThan(step.stats.temporaries); // liveness reuse happened
    const losses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const d = batch(rng, wTrue);
      await step.run({ x: d.x, y: d.y, mask: d.mask, inv: d.inv }, 0.01);
      losses.push(...step.take().map((r) => r.loss));
    }
    losses.push(...(await step.flush()).map((r) => r.loss));
    expect(losses).toHaveLength(300);
    const first = losses.slice(0, 10).reduce((a, b) => a + b) / 10;
    const last = losses.slice(-10).reduce((a, b) => a + b) / 10;
    expect(last).toBeLessThan(first / 10);
    step.destroy();
    arena.destroy();
  });

  it('draws deferred initial values, makes bind groups while pipelines compile; written parameters stay', async () => {
    const gpu = await testGpu();
    const seeds = [7, 8];
    const arenas = seeds.map((seed) => {
      const a = makeArena(seed);
      a.arena.allocate(gpu, new Rng(seed), true);
      return a;
    });
    const [built, written] = arenas;
    expect(arenas.map((a) => a.arena.initialized)).toEqual([false, false]);
    // the step's bind groups are made meanwhile too, while the pipelines compile
    const prepare = gpu.preparePipelines.bind(gpu);
    const bindGroups = vi.spyOn(gpu.device, 'createBindGroup');
    let boundMeanwhile = 0;
    const spy = vi.spyOn(gpu, 'preparePipelines').mockImplementation((kernels, opts = {}) =>
      prepare(kernels, {
        ...opts,
        meanwhile: () => {
          const before = bindGroups.mock.calls.length;
          opts.meanwhile?.();
          boundMeanwhile = bindGroups.mock.calls.length - before;
        },
      }),
    );
    const step = await TrainingStep.create(gpu, built.arena, (g) => linearModel(g, built.w, built.v), ADAM_DEFAULTS);
    spy.mockRestore();
    bindGroups.mockRestore();
    expect(boundMeanwhile).toBe(step.dispatchCount);
    expect(arenas.map((a) => a.arena.initialized)).toEqual([true, false]);
    // before the first step, the parameters are the values drawn from the seed
    const drawn = await built.arena.readParams(gpu);
    for (const ref of [built.w, built.v])
      expect([...drawn.get(ref.name)!]).toEqual([...built.init.subarray(ref.offset, ref.offset + ref.size)]);
    const w = Float32Array.from({ length: D }, (_, i) => i);
    written.arena.writeParam(gpu, written.w, w);
    const params = await written.arena.readParams(gpu);
    expect([...params.get('w')!]).toEqual([...w]);
    expect([...params.get('v')!]).toEqual([...written.init.subarray(written.v.offset, written.v.offset + D)]);
    step.destroy();
    for (const a of arenas) a.arena.destroy();
  });
});
