// Pipelines created ahead, all at once (GpuContext.preparePipelines, as a training step is
// built): later dispatches use them without compiling again, and a kernel that cannot
// compile is left to pipeline(), which reports its error as it always did.
// Dawn's worker threads compile some, this thread the others (see preparePipelines).
import { describe, expect, it, vi } from 'vitest';
import { nodeGpu } from '../../src/gpu/node';
import type { KernelDef } from '../../src/gpu/kernel';
import source from '../../shaders/elementwise.wgsl?raw';
import { defaultConfig } from '../../src/spec/config';
import { Trainer } from '../../src/train/trainer';
import { CompiledGraph, sliceOf } from '../../src/engine/compile';
import { Graph } from '../../src/engine/graph';
import { add, exp, mul, sub } from '../../src/engine/ops/elementwise';

const binary: KernelDef = {
  name: 'binary_prepared',
  source,
  entryPoint: 'binary',
  bindings: ['uniform', 'read', 'read', 'rw'],
  constants: { WG: 256, OP: 0 },
};
const broken: KernelDef = {
  name: 'broken_prepared',
  source: '@compute @workgroup_size(1) fn main() { let x: f32 = undefined_name; }',
  bindings: [],
};

describe('preparePipelines', () => {
  it('creates the pipelines ahead: pipeline() then compiles nothing', async () => {
    const gpu = await nodeGpu();
    try {
      await gpu.preparePipelines([binary, binary]);
      const create = vi.spyOn(gpu.device, 'createComputePipeline');
      const pipeline = gpu.pipeline(binary);
      expect(create).not.toHaveBeenCalled();
      expect(gpu.pipeline(binary)).toBe(pipeline);
      // other override constants are another pipeline, not yet created
      gpu.pipeline({ ...binary, constants: { WG: 256, OP: 1 } });
      expect(create).toHaveBeenCalledTimes(1);
    } finally {
      gpu.destroy();
    }
  });

  it('leaves a kernel that fails to pipeline(), which reports the error in its scope', async () => {
    const gpu = await nodeGpu();
    try {
      await expect(gpu.preparePipelines([broken, binary])).resolves.toBeUndefined();
      expect(gpu.uncapturedErrors).toEqual([]);
      await expect(gpu.checked(() => gpu.pipeline(broken))).rejects.toThrow(/undefined_name|unresolved/);
      const create = vi.spyOn(gpu.device, 'createComputePipeline');
      gpu.pipeline(binary);
      expect(create).not.toHaveBeenCalled();
    } finally {
      gpu.destroy();
    }
  });

  it('shares the list between the workers (async) and this thread (sync), heavy first, `meanwhile` once', async () => {
    const gpu = await nodeGpu();
    try {
      const variants = [0, 1, 2, 3, 4, 5, 6, 7].map((op) => ({ ...binary, constants: { WG: 64 + op, OP: op % 4 } }));
      const heavy = { ...binary, name: 'heavy_prepared', heavy: true };
      const brokenLast = { ...broken, name: 'broken_prepared_2' };
      const asyncCreate = vi.spyOn(gpu.device, 'createComputePipelineAsync');
      const syncCreate = vi.spyOn(gpu.device, 'createComputePipeline');
      const meanwhile = vi.fn();
      await gpu.preparePipelines([broken, ...variants, heavy, brokenLast], { meanwhile });
      expect(meanwhile).toHaveBeenCalledTimes(1);
      expect(asyncCreate.mock.calls[0][0].label).toBe('heavy_prepared');
      expect(asyncCreate.mock.calls.length).toBeGreaterThan(0);
      expect(syncCreate.mock.calls.length).toBeGreaterThan(0);
      expect(asyncCreate.mock.calls.length + syncCreate.mock.calls.length).toBe(11);
      expect(gpu.uncapturedErrors).toEqual([]);
      syncCreate.mockClear();
      for (const k of [...variants, heavy]) gpu.pipeline(k);
      expect(syncCreate).not.toHaveBeenCalled();
      // the two that fail, wherever they were compiled, report in place
      for (const k of [broken, brokenLast])
        await expect(gpu.checked(() => gpu.pipeline(k))).rejects.toThrow(/undefined_name|unresolved/);
    } finally {
      gpu.destroy();
    }
  });

  it('a graph compiled while its pipelines compile binds first, takes the pipelines later, same results', async () => {
    const gpu = await nodeGpu();
    try {
      const g = new Graph(gpu, 'trace');
      const a = g.input('a', [6]);
      const b = g.input('b', [6]);
      const out = mul(add(a, b), b); // (a + b) · b: two kernels
      const kernels = g.dispatches.map((d) => d.kernel);
      const create = vi.spyOn(gpu.device, 'createComputePipeline');
      const bindGroups = vi.spyOn(gpu.device, 'createBindGroup');
      const compiled = new CompiledGraph(g, { keep: [out], pipelinesLater: true });
      expect(bindGroups).toHaveBeenCalledTimes(2);
      expect(create).not.toHaveBeenCalled(); // nothing compiled: they are not made yet
      await gpu.preparePipelines(kernels);
      create.mockClear();
      compiled.resolvePipelines(); // takes the prepared ones
      expect(create).not.toHaveBeenCalled();
      const av = Float32Array.from([1, 2, 3, -4, 5, 0.5]);
      const bv = Float32Array.from([2, -1, 0, 3, 0.25, 4]);
      compiled.run({ a: av, b: bv });
      expect([...(await gpu.read(sliceOf(out)))]).toEqual([...av].map((x, i) => (x + bv[i]) * bv[i]));
      // without preparePipelines, the first run compiles what is missing
      const g2 = new Graph(gpu, 'trace');
      const out2 = sub(g2.input('a', [6]), g2.input('b', [6]));
      const later = new CompiledGraph(g2, { keep: [out2], pipelinesLater: true });
      expect(create).not.toHaveBeenCalled();
      later.run({ a: av, b: bv });
      expect(create).toHaveBeenCalledTimes(1); // sub's
      expect([...(await gpu.read(sliceOf(out2)))]).toEqual([...av].map((x, i) => x - bv[i]));
      // and by default, a graph takes every pipeline when it is made
      const g3 = new Graph(gpu, 'trace');
      const out3 = exp(g3.input('a', [6]));
      new CompiledGraph(g3, { keep: [out3] }).destroy();
      expect(create).toHaveBeenCalledTimes(2); // exp's, before any run
      compiled.destroy();
      later.destroy();
    } finally {
      gpu.destroy();
    }
  });

  it('a trainer says how many pipelines it compiles before its first step (then 0), nothing when cached', async () => {
    const gpu = await nodeGpu();
    const config = {
      ...defaultConfig('linear_regression', 'transformer', 'tiny'),
      batch: 8,
      steps: 2,
      evalPrompts: 8,
      nDims: 5,
      nPoints: 6,
      curriculum: false,
    };
    try {
      const heard: number[][] = [];
      for (const seed of [1, 2]) {
        const t = new Trainer(gpu, { ...config, seed });
        const told: number[] = [];
        t.onCompiling = (n) => told.push(n);
        await t.train(2);
        await t.flush();
        expect(t.history).toHaveLength(2);
        heard.push(told);
        t.destroy();
      }
      expect(heard[0]).toHaveLength(2);
      expect(heard[0][0]).toBeGreaterThan(10); // a Transformer step's kernels
      expect(heard[0][1]).toBe(0);
      expect(heard[1]).toEqual([]); // the same shapes: every pipeline cached
    } finally {
      gpu.destroy();
    }
  });
});
