// GpuContext: the only object that calls WebGPU. The engine asks it for buffers, pipelines,
// bind groups and submissions, and never touches the device itself.
import type { GpuInfo } from './device';
import { kernelSource, type KernelDef } from './kernel';

export interface BufferSlice {
  buffer: GPUBuffer;
  offset: number; // bytes, a multiple of the storage offset alignment (256)
  size: number; // bytes
}

/** One recorded compute dispatch, ready to encode. */
export interface EncodedDispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: readonly [number, number, number];
  /** The kernel's name, for profiles. */
  name?: string;
}

export interface CopyOp {
  src: BufferSlice;
  dst: BufferSlice;
}

/** GpuContext.preparePipelines' options. */
export interface PrepareOptions {
  /** Runs on this thread while the workers compile (once, even when nothing compiles). */
  meanwhile?: () => void;
  /** How many pipelines are about to compile (a first step's wait), then 0 when done. */
  onCompiling?: (pipelines: number) => void;
}

export class GpuContext {
  private pipelines = new Map<string, GPUComputePipeline>();
  /** Bind group and pipeline layouts by binding signature (KernelDef.bindings): kernels that
   *  bind alike share them, so a bind group can be made before its pipeline is. */
  private layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  private bytesAllocated = 0;
  /** Objects that must live as long as the device (Dawn's GPU instance in Node). */
  keepAlive: unknown = null;
  /** WebGPU errors that no error scope caught, in order: nodeGpu collects them (unless its
   *  caller handles them), so a benchmark can refuse numbers measured on an invalid pipeline. */
  readonly uncapturedErrors: string[] = [];

  constructor(
    readonly device: GPUDevice,
    readonly info: GpuInfo,
  ) {}

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  get allocatedBytes(): number {
    return this.bytesAllocated;
  }

  /** A storage buffer (also a copy source and destination), zero-initialised by WebGPU. */
  createStorage(bytes: number, label: string): GPUBuffer {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    if (size > this.limits.maxBufferSize) {
      throw new Error(
        `Buffer "${label}" needs ${fmtBytes(size)}, more than this GPU allows in one buffer (` +
          `${fmtBytes(this.limits.maxBufferSize)}).`,
      );
    }
    this.bytesAllocated += size;
    return this.device.createBuffer({
      label,
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  createUniform(bytes: number, label: string): GPUBuffer {
    return this.device.createBuffer({
      label,
      size: Math.max(16, Math.ceil(bytes / 16) * 16),
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  createReadback(bytes: number, label: string): GPUBuffer {
    return this.device.createBuffer({
      label,
      size: Math.max(16, Math.ceil(bytes / 16) * 16),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  write(buffer: GPUBuffer, byteOffset: number, data: ArrayBufferView | ArrayBuffer): void {
    const view =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.device.queue.writeBuffer(buffer, byteOffset, view);
  }

  /** Pipeline for a kernel, created once per (name, constants, prelude) and cached. */
  pipeline(kernel: KernelDef): GPUComputePipeline {
    const key = pipelineKey(kernel);
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline(this.pipelineDescriptor(kernel));
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /**
   * Creates the pipelines of these kernels that are not cached yet, three at a time: Dawn
   * compiles createComputePipelineAsync's on a pool of two worker threads (in Node; Chrome's
   * pool is larger), and this thread compiles too (createComputePipeline), from the other end
   * of the list; the heavy kernels go first, to the workers. Created one at a time, the
   * driver's compiles are most of a cold first step. `meanwhile` runs on this thread once
   * the workers have theirs (parameter initialisation, say); `onCompiling` hears how many
   * pipelines are to compile, and 0 when they are done (not at all when none is). A kernel
   * whose pipeline fails is left out: pipeline() creates it again and reports the error where
   * it always did.
   */
  async preparePipelines(kernels: readonly KernelDef[], opts: PrepareOptions = {}): Promise<void> {
    const unique = new Map<string, KernelDef>();
    for (const k of kernels) {
      const key = pipelineKey(k);
      if (!this.pipelines.has(key)) unique.set(key, k);
    }
    if (unique.size) opts.onCompiling?.(unique.size);
    try {
      await this.createAll([...unique], opts.meanwhile);
    } finally {
      if (unique.size) opts.onCompiling?.(0);
    }
  }

  /** preparePipelines' schedule: the workers from the front, this thread from the back. */
  private async createAll(list: [string, KernelDef][], meanwhile?: () => void): Promise<void> {
    const todo = list.sort((a, b) => Number(!!b[1].heavy) - Number(!!a[1].heavy));
    let head = 0; // the workers' next
    let tail = todo.length; // this thread's last
    let inFlight = 0;
    const pending: Promise<void>[] = [];
    // two compiling and two queued, so the workers stay busy while this thread compiles
    const feedWorkers = () => {
      for (; inFlight < 4 && head < tail; head++) {
        const [key, kernel] = todo[head];
        inFlight++;
        pending.push(
          this.createPipelineQuietly(key, kernel, true).finally(() => {
            inFlight--;
            feedWorkers();
          }),
        );
      }
    };
    feedWorkers();
    meanwhile?.();
    while (head < tail) {
      tail--;
      pending.push(this.createPipelineQuietly(...todo[tail], false));
      await new Promise((resolve) => setTimeout(resolve, 0)); // the workers' completions
      feedWorkers();
    }
    await Promise.all(pending);
  }

  /** One pipeline into the cache, unless creating it fails (then pipeline() reports it). The
   *  error scopes are pushed and popped with no await between, so that concurrent calls do
   *  not catch each other's errors. */
  private async createPipelineQuietly(key: string, kernel: KernelDef, async: boolean): Promise<void> {
    this.device.pushErrorScope('internal');
    this.device.pushErrorScope('validation');
    const descriptor = this.pipelineDescriptor(kernel);
    const created = async
      ? this.device.createComputePipelineAsync(descriptor)
      : Promise.resolve(this.device.createComputePipeline(descriptor));
    const scopes = Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]);
    const [pipeline, errors] = await Promise.all([created.catch(() => null), scopes]);
    if (pipeline && !errors.some((e) => e) && !this.pipelines.has(key)) this.pipelines.set(key, pipeline);
  }

  private layoutsOf(kernel: KernelDef): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    const key = kernel.bindings.join(',');
    let layouts = this.layouts.get(key);
    if (!layouts) {
      const group = this.device.createBindGroupLayout({
        label: key,
        entries: kernel.bindings.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'read' ? 'read-only-storage' : 'storage' },
        })),
      });
      layouts = { group, pipeline: this.device.createPipelineLayout({ label: key, bindGroupLayouts: [group] }) };
      this.layouts.set(key, layouts);
    }
    return layouts;
  }

  private pipelineDescriptor(kernel: KernelDef): GPUComputePipelineDescriptor {
    return {
      label: kernel.name,
      layout: this.layoutsOf(kernel).pipeline,
      compute: {
        module: this.device.createShaderModule({ label: kernel.name, code: kernelSource(kernel) }),
        entryPoint: kernel.entryPoint ?? 'main',
        constants: kernel.constants,
      },
    };
  }

  bindGroup(kernel: KernelDef, slices: BufferSlice[]): GPUBindGroup {
    if (slices.length !== kernel.bindings.length) {
      throw new Error(`${kernel.name}: ${slices.length} buffers bound, the kernel declares ${kernel.bindings.length}`);
    }
    return this.device.createBindGroup({
      label: kernel.name,
      layout: this.layoutsOf(kernel).group,
      entries: slices.map((s, binding) => ({
        binding,
        resource: { buffer: s.buffer, offset: s.offset, size: s.size },
      })),
    });
  }

  /** Encode dispatches (one compute pass) and copies after them, then submit: no waiting. */
  submit(dispatches: readonly EncodedDispatch[], copiesAfter: readonly CopyOp[] = []): void {
    const encoder = this.device.createCommandEncoder();
    if (dispatches.length) {
      const pass = encoder.beginComputePass();
      for (const d of dispatches) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
      }
      pass.end();
    }
    for (const c of copiesAfter)
      encoder.copyBufferToBuffer(c.src.buffer, c.src.offset, c.dst.buffer, c.dst.offset, c.src.size);
    this.device.queue.submit([encoder.finish()]);
  }

  /**
   * Profiling (benchmarks only): runs the dispatches one compute pass each, with timestamps
   * at the start and end of every pass, and returns each dispatch's GPU time in ms. Needs
   * the 'timestamp-query' feature. Separate passes add barriers, so the sum is an upper bound.
   */
  async timeDispatches(dispatches: readonly EncodedDispatch[]): Promise<number[]> {
    if (!this.info.hasTimestamps) throw new Error('This adapter does not offer timestamp queries.');
    const perSet = 2048; // 2 queries per dispatch, 4096 queries per set at most
    const out: number[] = [];
    for (let at = 0; at < dispatches.length; at += perSet) {
      const chunk = dispatches.slice(at, at + perSet);
      const count = 2 * chunk.length;
      const querySet = this.device.createQuerySet({ type: 'timestamp', count });
      const resolved = this.device.createBuffer({
        size: count * 8,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      });
      const staging = this.createReadback(count * 8, 'timestamps');
      const encoder = this.device.createCommandEncoder();
      chunk.forEach((d, i) => {
        const pass = encoder.beginComputePass({
          timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
        });
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
        pass.end();
      });
      encoder.resolveQuerySet(querySet, 0, count, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, count * 8);
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const ns = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      for (let i = 0; i < chunk.length; i++) out.push(Number(ns[2 * i + 1] - ns[2 * i]) / 1e6);
      staging.destroy();
      resolved.destroy();
      querySet.destroy();
    }
    return out;
  }

  /** Copies a slice to a fresh MAP_READ buffer and waits for it: for tests, eval and export. */
  async read(slice: BufferSlice): Promise<Float32Array> {
    const staging = this.createReadback(slice.size, 'read');
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(slice.buffer, slice.offset, staging, 0, Math.ceil(slice.size / 4) * 4);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange().slice(0, slice.size));
    staging.unmap();
    staging.destroy();
    return out;
  }

  /** Waits until the GPU has finished all submitted work (benchmarks and tests only). */
  async idle(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
  }

  /** fn's result at once, and later the validation error WebGPU found in what fn did (null
   *  when none): the scope is pushed and popped around fn alone, with no await between. */
  validated<T>(fn: () => T): { value: T; error: Promise<GPUError | null> } {
    this.device.pushErrorScope('validation');
    let value: T;
    try {
      value = fn();
    } catch (e) {
      void this.device.popErrorScope(); // fn's own error is the one to report
      throw e;
    }
    return { value, error: this.device.popErrorScope() };
  }

  /** Encodes each list of dispatches in a compute pass of its own command buffer, which is
   *  not submitted (nothing runs), and returns the validation error of each, or null. */
  encodeErrors(lists: readonly (readonly EncodedDispatch[])[]): Promise<(GPUError | null)[]> {
    return Promise.all(
      lists.map(
        (list) =>
          this.validated(() => {
            const encoder = this.device.createCommandEncoder();
            const pass = encoder.beginComputePass();
            for (const d of list) {
              pass.setPipeline(d.pipeline);
              pass.setBindGroup(0, d.bindGroup);
              pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
            }
            pass.end();
            encoder.finish();
          }).error,
      ),
    );
  }

  /** Turns validation errors inside fn into a thrown Error (tests and plan checks). */
  async checked<T>(fn: () => T): Promise<T> {
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('out-of-memory');
    let result: { value: T } | { thrown: unknown };
    try {
      result = { value: fn() };
    } catch (e) {
      result = { thrown: e };
    }
    // both scopes popped now, whatever fn did: an await between the pops would let other
    // code (pipelines compiling meanwhile) pop the second
    const [oom, validation] = await Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]);
    if ('thrown' in result) throw result.thrown;
    if (oom) throw new Error(`The GPU ran out of memory: ${oom.message}`);
    if (validation) throw new Error(`WebGPU validation error: ${validation.message}`);
    return result.value;
  }

  destroy(): void {
    this.device.destroy();
  }
}

export function fmtBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}

/** A pipeline's cache key: its kernel's name, override constants and prelude. */
export function pipelineKey(kernel: KernelDef): string {
  return kernel.name + JSON.stringify(kernel.constants ?? {}) + (kernel.prelude ? JSON.stringify(kernel.prelude) : '');
}
