// Browser (page or Web Worker) entry to WebGPU: navigator.gpu.
import { initDevice, type InitDeviceOptions } from './device';
import { GpuContext } from './context';

export class NoWebGPUError extends Error {
  constructor() {
    super(
      'This browser does not offer WebGPU. ICL Lab needs it to train on your GPU: use a recent ' +
        'Chrome or Edge (version 113 or later) on Windows, macOS or ChromeOS, Chrome on Linux with ' +
        'chrome://flags/#enable-unsafe-webgpu enabled, Safari 26 or later, or Firefox 141 or later on Windows.',
    );
    this.name = 'NoWebGPUError';
  }
}

export async function browserGpu(opts: InitDeviceOptions = {}): Promise<GpuContext> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new NoWebGPUError();
  const { device, info } = await initDevice(gpu, opts);
  return new GpuContext(device, info);
}
