// The parameter arena: every model parameter is a named, shaped slice of ONE buffer; the
// gradients and both Adam moments are three more buffers with the same layout, so clipping
// and the optimizer are one dispatch each over flat memory (llm.c's layout). Names are the
// checkpoint names of the official PyTorch code (DESIGN.md, Checkpoints).
import type { BufferSlice, GpuContext } from '../gpu/context';
import { fmtBytes } from '../gpu/context';
import type { Rng } from './rng';
import { numel, type Shape } from './tensor';

export type Init =
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; bound: number } // U(-bound, bound)
  | { kind: 'const'; value: number }
  | { kind: 'custom'; fill: (out: Float32Array, rng: Rng) => void };

export interface ParamRef {
  readonly name: string;
  readonly shape: Shape;
  /** Offset in floats into each arena buffer (aligned for storage binding offsets). */
  readonly offset: number;
  readonly size: number;
  readonly init: Init;
}

export type ArenaBuffer = 'param' | 'grad' | 'm' | 'v';

/** Floats per alignment unit: 256-byte storage offset alignment (WebGPU's default maximum). */
const ALIGN_FLOATS = 64;

export class ParamArena {
  private refs: ParamRef[] = [];
  private byName = new Map<string, ParamRef>();
  private totalFloats = 0;
  private buffers: Record<ArenaBuffer, GPUBuffer> | null = null;
  /** Initial values allocate() left for later (see initialize). */
  private pendingInit: { gpu: GpuContext; rng: Rng } | null = null;

  /** Declares a parameter; call before allocate(). */
  declare(name: string, shape: Shape, init: Init): ParamRef {
    if (this.buffers) throw new Error(`cannot declare "${name}" after the arena is allocated`);
    if (this.byName.has(name)) throw new Error(`parameter "${name}" declared twice`);
    const size = numel(shape);
    const ref: ParamRef = { name, shape: [...shape], offset: this.totalFloats, size, init };
    this.totalFloats += Math.ceil(size / ALIGN_FLOATS) * ALIGN_FLOATS;
    this.refs.push(ref);
    this.byName.set(name, ref);
    return ref;
  }

  get params(): readonly ParamRef[] {
    return this.refs;
  }

  get(name: string): ParamRef | undefined {
    return this.byName.get(name);
  }

  /** Number of trainable values (without alignment padding). */
  get count(): number {
    return this.refs.reduce((a, r) => a + r.size, 0);
  }

  /** Floats in each arena buffer, padding included. */
  get floats(): number {
    return this.totalFloats;
  }

  get allocated(): boolean {
    return this.buffers !== null;
  }

  /** Bytes the four arena buffers need. */
  get bytes(): number {
    return this.totalFloats * 4 * 4;
  }

  /**
   * Creates the four buffers and writes the initial values drawn from rng; with `later`, the
   * values are drawn when initialize() is first called, by the first graph that runs (or a
   * read or write of parameters), so that drawing them (half a second for 10 M normals) can
   * overlap the compilation of the first step's pipelines.
   */
  allocate(gpu: GpuContext, rng: Rng, later = false): void {
    const bytes = Math.max(16, this.totalFloats * 4);
    const limit = gpu.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new Error(
        `This model has ${this.count.toLocaleString('en-US')} parameters (${fmtBytes(bytes)}), more than ` +
          `this GPU can bind in one buffer (${fmtBytes(limit)}). Choose a smaller size.`,
      );
    }
    this.buffers = {
      param: gpu.createStorage(bytes, 'arena:param'),
      grad: gpu.createStorage(bytes, 'arena:grad'),
      m: gpu.createStorage(bytes, 'arena:adam_m'),
      v: gpu.createStorage(bytes, 'arena:adam_v'),
    };
    this.pendingInit = { gpu, rng };
    if (!later) this.initialize();
  }

  /** Whether the initial values are written (allocate() may leave them for later). */
  get initialized(): boolean {
    return this.buffers !== null && this.pendingInit === null;
  }

  /** Writes the initial values if allocate() left them for later; after that, nothing. */
  initialize(): void {
    if (!this.pendingInit || !this.buffers) return;
    const { gpu, rng } = this.pendingInit;
    this.pendingInit = null;
    gpu.write(this.buffers.param, 0, this.initialValues(rng));
  }

  /** Initial values of every parameter, in arena layout (drawn in declaration order). */
  initialValues(rng: Rng): Float32Array {
    const out = new Float32Array(this.totalFloats);
    for (const ref of this.refs) {
      const view = out.subarray(ref.offset, ref.offset + ref.size);
      const init = ref.init;
      if (init.kind === 'normal') rng.fillNormal(view, init.std);
      else if (init.kind === 'uniform')
        for (let i = 0; i < view.length; i++) view[i] = (rng.uniform() * 2 - 1) * init.bound;
      else if (init.kind === 'const') view.fill(init.value);
      else init.fill(view, rng);
    }
    return out;
  }

  buffer(which: ArenaBuffer): GPUBuffer {
    if (!this.buffers) throw new Error('arena not allocated');
    return this.buffers[which];
  }

  slice(ref: ParamRef, which: ArenaBuffer): BufferSlice {
    return { buffer: this.buffer(which), offset: ref.offset * 4, size: ref.size * 4 };
  }

  /** The whole of one arena buffer as a slice. */
  whole(which: ArenaBuffer): BufferSlice {
    return { buffer: this.buffer(which), offset: 0, size: Math.max(16, this.totalFloats * 4) };
  }

  /** Reads every parameter back: name → values (for checkpoints and tests). */
  async readParams(gpu: GpuContext, which: ArenaBuffer = 'param'): Promise<Map<string, Float32Array>> {
    this.initialize();
    const all = await gpu.read(this.whole(which));
    return new Map(this.refs.map((r) => [r.name, all.slice(r.offset, r.offset + r.size)]));
  }

  /** Writes one parameter's values, or its Adam moments (checkpoint loading). */
  writeParam(gpu: GpuContext, ref: ParamRef, values: Float32Array, which: ArenaBuffer = 'param'): void {
    if (values.length !== ref.size) throw new Error(`${ref.name}: expected ${ref.size} values, got ${values.length}`);
    this.initialize(); // first, or it would overwrite these values later
    gpu.write(this.buffer(which), ref.offset * 4, values);
  }

  /** Zeroes the Adam moments (a fresh optimizer, e.g. after loading a checkpoint). */
  resetOptimizer(gpu: GpuContext): void {
    const zeros = new Float32Array(this.totalFloats);
    gpu.write(this.buffer('m'), 0, zeros);
    gpu.write(this.buffer('v'), 0, zeros);
  }

  destroy(): void {
    if (!this.buffers) return;
    for (const b of Object.values(this.buffers)) b.destroy();
    this.buffers = null;
  }
}
