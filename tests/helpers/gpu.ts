// Test helpers for GPU tests: one real WebGPU device per test file (Dawn in Node; lavapipe
// on CI). There is no skipping: without an adapter the test fails with the reason.
import { nodeGpu } from '../../src/gpu/node';
import type { GpuContext } from '../../src/gpu/context';
import { Graph, type GraphMode } from '../../src/engine/graph';
import type { Tensor } from '../../src/engine/tensor';
import type { ParamArena } from '../../src/engine/arena';

let shared: Promise<GpuContext> | null = null;

export function testGpu(): Promise<GpuContext> {
  if (!shared) {
    shared = nodeGpu({ onUncapturedError: (m) => console.error(`[webgpu] ${m}`) }).then((gpu) => {
      console.log(`[gpu tests] adapter: ${gpu.info.adapterName}`);
      return gpu;
    });
  }
  return shared;
}

export async function eagerGraph(arena?: ParamArena, mode: GraphMode = 'eager'): Promise<Graph> {
  return new Graph(await testGpu(), mode, arena);
}

/** An input tensor holding the given values (eager graphs). */
export function constant(
  g: Graph,
  name: string,
  shape: number[],
  values: ArrayLike<number>,
  requiresGrad = false,
): Tensor {
  const t = g.input(name, shape, requiresGrad);
  g.write(name, Float32Array.from(values));
  return t;
}

/** A leaf that requires grad: an input whose gradient the test will read. */
export function leaf(g: Graph, name: string, shape: number[], values: ArrayLike<number>): Tensor {
  return constant(g, name, shape, values, true);
}
