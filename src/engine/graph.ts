// Graph: the record of a computation. Ops append dispatches (kernel + tensors + uniform
// values + grid) and, when gradients are needed, a backward closure on the tape.
// - mode 'eager': every dispatch runs at once, every tensor has its own buffer (tests, debugging);
// - mode 'trace': nothing runs; compile() (compile.ts) plans buffers and replays the list.
// Both modes record the same dispatches from the same op code, so "compiled equals eager".
import type { BufferSlice, GpuContext } from '../gpu/context';
import type { KernelDef } from '../gpu/kernel';
import type { ParamArena, ParamRef } from './arena';
import { Tensor, numel, rootOf, sliceOf, type Shape } from './tensor';

export interface Dispatch {
  kernel: KernelDef;
  /** Uniform values for binding 0 when the kernel declares one. */
  params: ArrayBuffer | null;
  /** Tensors for the remaining bindings, in binding order. */
  tensors: Tensor[];
  workgroups: [number, number, number];
}

export interface TapeEntry {
  out: Tensor;
  /** Called with out.grad set; adds contributions to inputs' grads (accumulateGrad). */
  backward: (dout: Tensor) => void;
}

export type GraphMode = 'eager' | 'trace';

export class Graph {
  readonly dispatches: Dispatch[] = [];
  readonly tape: TapeEntry[] = [];
  readonly tensors: Tensor[] = [];
  /** Named input tensors: written with queue.writeBuffer before each run. */
  readonly inputs = new Map<string, Tensor>();
  /** Set during backward so that gradient computations are not themselves taped. */
  gradEnabled = true;
  private paramTensors = new Map<string, Tensor>();
  private eagerBuffers: GPUBuffer[] = [];
  /** Eager mode: each dispatch's validation check, settled with its error message or null. */
  private eagerChecks: Promise<string | null>[] = [];

  constructor(
    readonly gpu: GpuContext,
    readonly mode: GraphMode,
    readonly arena?: ParamArena,
  ) {
    if (mode === 'eager') arena?.initialize(); // eager graphs run as they are built
  }

  /** A new temporary tensor (the output of an op). */
  tensor(shape: Shape, requiresGrad: boolean, label: string): Tensor {
    const t = new Tensor(this, this.tensors.length, shape, { kind: 'temp' }, requiresGrad && this.gradEnabled, label);
    if (this.mode === 'eager') t.storage = { kind: 'fixed', slice: this.ownBuffer(t) };
    this.tensors.push(t);
    return t;
  }

  /** A tensor over an existing buffer slice. */
  fixed(shape: Shape, slice: BufferSlice, requiresGrad: boolean, label: string): Tensor {
    const t = new Tensor(this, this.tensors.length, shape, { kind: 'fixed', slice }, requiresGrad, label);
    this.tensors.push(t);
    return t;
  }

  /** `shape`'s worth of base's values from `offset` floats on, bound in base's buffer (an op
   *  that splits its dispatches over batch chunks binds each chunk so). No gradient: the op
   *  differentiates base as a whole. In a compiled graph a view keeps its base alive. */
  view(base: Tensor, offset: number, shape: Shape, label: string): Tensor {
    const at = offset + (base.storage.kind === 'view' ? base.storage.offset : 0);
    if (!Number.isInteger(offset) || offset < 0 || offset + numel(shape) > base.size) {
      throw new Error(`view ${label}: [${offset}, ${offset + numel(shape)}) is not inside ${base}`);
    }
    const t = new Tensor(
      this,
      this.tensors.length,
      shape,
      { kind: 'view', base: rootOf(base), offset: at },
      false,
      label,
    );
    this.tensors.push(t);
    return t;
  }

  /** A named input (batch data): its own buffer, written by the caller before each run.
   *  requiresGrad makes it a leaf whose gradient tests can read. */
  input(name: string, shape: Shape, requiresGrad = false): Tensor {
    if (this.inputs.has(name)) throw new Error(`input "${name}" declared twice`);
    const buffer = this.gpu.createStorage(numel(shape) * 4, `input:${name}`);
    this.eagerBuffers.push(buffer);
    const t = this.fixed(shape, { buffer, offset: 0, size: numel(shape) * 4 }, requiresGrad, name);
    this.inputs.set(name, t);
    return t;
  }

  /** The tensor of a model parameter (its slice of the arena), one per graph. */
  param(ref: ParamRef): Tensor {
    if (!this.arena) throw new Error('this graph has no parameter arena');
    let t = this.paramTensors.get(ref.name);
    if (!t) {
      t = this.fixed(ref.shape, this.arena.slice(ref, 'param'), true, ref.name);
      this.paramTensors.set(ref.name, t);
    }
    return t;
  }

  /** Parameter tensors used by this graph, by name. */
  get params(): ReadonlyMap<string, Tensor> {
    return this.paramTensors;
  }

  /** Appends (and in eager mode runs) one kernel dispatch. */
  dispatch(
    kernel: KernelDef,
    params: ArrayBuffer | null,
    tensors: Tensor[],
    workgroups: [number, number, number],
  ): void {
    const expected = kernel.bindings.length - (params ? 1 : 0);
    if (tensors.length !== expected || (params !== null) !== (kernel.bindings[0] === 'uniform')) {
      throw new Error(`${kernel.name}: bindings do not match the kernel declaration`);
    }
    for (const t of tensors) if (t.graph !== this) throw new Error(`${kernel.name}: ${t} belongs to another graph`);
    const d: Dispatch = { kernel, params, tensors, workgroups };
    this.dispatches.push(d);
    if (this.mode === 'eager') this.runEager(d);
  }

  /** Records how to push out.grad back to the inputs (only when out needs a gradient). */
  record(out: Tensor, backward: (dout: Tensor) => void): void {
    if (out.requiresGrad && this.gradEnabled) this.tape.push({ out, backward });
  }

  async read(t: Tensor): Promise<Float32Array> {
    if (rootOf(t).storage.kind !== 'fixed')
      throw new Error(`${t} has no buffer yet: read it through its compiled graph`);
    // a rejected eager dispatch does nothing: say so rather than return zeros
    const errors = (await Promise.all(this.eagerChecks)).filter((e) => e !== null);
    this.eagerChecks = [];
    if (errors.length) throw new Error(`WebGPU rejected ${errors.length} eager dispatch(es): ${errors[0]}`);
    return this.gpu.read(sliceOf(t));
  }

  /** Writes a named input (eager mode, or before compile). */
  write(name: string, data: Float32Array): void {
    const t = this.inputs.get(name);
    if (!t || t.storage.kind !== 'fixed') throw new Error(`no input "${name}"`);
    if (data.length !== t.size) throw new Error(`input "${name}": expected ${t.size} values, got ${data.length}`);
    this.gpu.write(t.storage.slice.buffer, t.storage.slice.offset, data);
  }

  /** Frees buffers this graph created itself (eager temporaries and inputs). */
  destroy(): void {
    for (const b of this.eagerBuffers) b.destroy();
    this.eagerBuffers = [];
  }

  private ownBuffer(t: Tensor): BufferSlice {
    const buffer = this.gpu.createStorage(t.byteSize, t.label);
    this.eagerBuffers.push(buffer);
    return { buffer, offset: 0, size: Math.max(4, t.byteSize) };
  }

  private runEager(d: Dispatch): void {
    const slices: BufferSlice[] = [];
    if (d.params) {
      const u = this.gpu.createUniform(d.params.byteLength, d.kernel.name);
      this.gpu.write(u, 0, d.params);
      slices.push({ buffer: u, offset: 0, size: d.params.byteLength });
      this.eagerBuffers.push(u);
    }
    for (const t of d.tensors) slices.push(sliceOf(t));
    const device = this.gpu.device;
    device.pushErrorScope('validation');
    const pipeline = this.gpu.pipeline(d.kernel);
    this.gpu.submit([{ pipeline, bindGroup: this.gpu.bindGroup(d.kernel, slices), workgroups: d.workgroups }]);
    this.eagerChecks.push(device.popErrorScope().then((e) => (e ? `${d.kernel.name}: ${e.message}` : null)));
  }
}
