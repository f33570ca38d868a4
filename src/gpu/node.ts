// Node entry to WebGPU: the `webgpu` npm package (Dawn). Only tests, the CLI and benchmarks
// import this file; the browser uses ./browser.ts.
import { initDevice, type InitDeviceOptions } from './device';
import { GpuContext } from './context';
import { pollDawnGently } from './nodePolling';

export interface NodeGpuOptions extends InitDeviceOptions {
  /** Extra Dawn flags (e.g. `enable-dawn-features=…`) for experiments; the CLI reads them from ICL_DAWN_FLAGS. */
  dawnFlags?: readonly string[];
}

export async function nodeGpu(opts: NodeGpuOptions = {}): Promise<GpuContext> {
  const { dawnFlags = [], ...deviceOpts } = opts;
  const webgpu = await import('webgpu');
  pollDawnGently();
  Object.assign(globalThis, webgpu.globals);
  // Dawn rounds timestamps (to ~65 µs on an H200) unless told not to; benchmarks profile with them.
  const gpu = webgpu.create(['disable-dawn-features=timestamp_quantization', ...dawnFlags]);
  // Dawn prints uncaught errors to stdout, which would corrupt `bench --json`; by default they
  // go to stderr and to ctx.uncapturedErrors instead
  let ctx: GpuContext | undefined = undefined;
  const onUncapturedError = (m: string) => {
    ctx?.uncapturedErrors.push(m);
    process.stderr.write(`[webgpu] ${m}\n`);
  };
  const { device, info } = await initDevice(gpu, { onUncapturedError, ...deviceOpts });
  ctx = new GpuContext(device, info);
  // Dawn's instance must outlive the device: if `gpu` is garbage-collected, the process crashes.
  ctx.keepAlive = gpu;
  return ctx;
}
