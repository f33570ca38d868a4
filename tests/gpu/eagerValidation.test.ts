// An eager dispatch that WebGPU rejects (here: a bind group without a binding the shader
// uses) must make the next read fail with the kernel's name, not return untouched zeros.
import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../src/gpu/node';
import type { KernelDef } from '../../src/gpu/kernel';
import {} from '../../src/engine/ops/elementwise';
import { ElementwiseParams } from '../../src/engine/ops/elementwiseKernels';
import source from '../../shaders/elementwise.wgsl?raw';
import { eagerGraph } from '../helpers/gpu';

describe('eager graphs surface validation errors', () => {
  it('a dispatch missing a binding makes read() throw with the kernel name', async () => {
    const g = await eagerGraph();
    const x = g.input('x', [4]);
    const y = g.tensor([4], false, 'y');
    // the `binary` entry point reads a, b and writes out (3 storage buffers); bind only two
    const broken: KernelDef = {
      name: 'binary_missing_b',
      source,
      entryPoint: 'binary',
      bindings: ['uniform', 'read', 'rw'],
      constants: { WG: 256, OP: 0 },
    };
    g.dispatch(broken, ElementwiseParams.pack({ n: 4, nb: 4, alpha: 0, _pad: 0 }), [x, y], [1, 1, 1]);
    await expect(y.read()).rejects.toThrow(/binary_missing_b/);
    // the error is reported once; later reads work
    expect(Array.from(await x.read())).toEqual([0, 0, 0, 0]);
    g.destroy();
  });
});

describe('errors no scope catches (Node)', () => {
  it('are collected on the context for the benchmarks to refuse, not printed to stdout', async () => {
    const gpu = await nodeGpu();
    try {
      const limit = gpu.limits.maxComputeWorkgroupStorageSize;
      const code =
        `var<workgroup> big: array<f32, ${limit / 4 + 1024}>; @compute @workgroup_size(1) fn main() { big[0] = ` +
        `1.0; }`;
      gpu.device.createComputePipeline({
        layout: 'auto',
        compute: { module: gpu.device.createShaderModule({ code }), entryPoint: 'main' },
      });
      await gpu.idle();
      for (let i = 0; i < 50 && !gpu.uncapturedErrors.length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(gpu.uncapturedErrors.length).toBe(1);
      expect(gpu.uncapturedErrors[0]).toMatch(/workgroup storage/);
    } finally {
      gpu.destroy();
    }
  });

  it('still reach the context after a checked() whose function threw (its scopes are popped)', async () => {
    const gpu = await nodeGpu();
    try {
      await expect(
        gpu.checked(() => {
          throw new Error('thrown inside');
        }),
      ).rejects.toThrow('thrown inside');
      gpu.device.createComputePipeline({
        layout: 'auto',
        compute: {
          module: gpu.device.createShaderModule({
            code: '@compute @workgroup_size(1) fn main() { let x: f32 = undefined_name; }',
          }),
          entryPoint: 'main',
        },
      });
      await gpu.idle();
      for (let i = 0; i < 50 && !gpu.uncapturedErrors.length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(gpu.uncapturedErrors.length).toBeGreaterThan(0); // a scope left pushed would have swallowed it
    } finally {
      gpu.destroy();
    }
  });
});
