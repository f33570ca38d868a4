// Adapter limits are checked before anything is allocated, with a sentence and the numbers.
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context';
import { defaultConfig } from '../../src/spec/config';
import { ModelTooBigError, Trainer } from '../../src/train/trainer';

/** Only the limits: the trainer must refuse before it touches the device. */
function adapterWith(limits: Partial<GPUSupportedLimits>): GpuContext {
  const base = { maxStorageBuffersPerShaderStage: 16, maxStorageBufferBindingSize: 1 << 30 };
  return {
    limits: { ...base, ...limits },
    info: { adapterName: 'stub', hasSubgroups: false },
  } as unknown as GpuContext;
}

describe('trainer refuses what the adapter cannot run', () => {
  it('Mamba-family models need the scan kernels’ storage buffers', () => {
    const gpu = adapterWith({ maxStorageBuffersPerShaderStage: 8 });
    expect(() => new Trainer(gpu, defaultConfig('linear_regression', 'mamba', 'tiny'))).toThrow(ModelTooBigError);
    expect(() => new Trainer(gpu, defaultConfig('linear_regression', 'mambaformer', 'tiny'))).toThrow(
      /bind 8 storage buffers.*need 10/,
    );
  });

  it('a model whose parameters exceed one binding is refused with its size', () => {
    const gpu = adapterWith({ maxStorageBufferBindingSize: 1 << 20 });
    expect(() => new Trainer(gpu, defaultConfig('linear_regression', 'transformer', 'paper'))).toThrow(
      /9,5\d\d,\d{3} parameters/,
    );
  });
});
