// Tensor: a shape and where its f32 values live on the GPU. Values are never on the CPU
// unless read back. A tensor belongs to one Graph; its storage is either planned by the
// graph (temporaries), fixed (parameter arena slices, input buffers), or a view: a run of
// another tensor's values (an op that splits its work over batch chunks binds each chunk).
import type { BufferSlice } from '../gpu/context';
import type { Graph } from './graph';

export type Shape = readonly number[];

export type Storage =
  | { kind: 'temp' } // placed by the liveness planner at compile time (own buffer in eager mode)
  | { kind: 'fixed'; slice: BufferSlice }
  | { kind: 'view'; base: Tensor; offset: number }; // `offset` floats into base, never a view itself (Graph.view)

/** Labels nest (`add(x, matmul(layernorm(x), …))`), so a deep model's residual stream would
 *  grow its label ~4× per block (12 blocks: past V8's string limit). Kept at most this long. */
export const MAX_LABEL = 96;

export function boundedLabel(label: string): string {
  return label.length <= MAX_LABEL ? label : `${label.slice(0, MAX_LABEL - 25)}…${label.slice(-24)}`;
}

export class Tensor {
  /** ∂loss/∂this, set during backward. */
  grad: Tensor | undefined;
  /** What the tensor is (op and inputs), for buffer labels and messages; at most MAX_LABEL. */
  readonly label: string;

  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly shape: Shape,
    public storage: Storage,
    readonly requiresGrad: boolean,
    label: string,
  ) {
    this.label = boundedLabel(label);
  }

  get size(): number {
    return numel(this.shape);
  }

  get byteSize(): number {
    return this.size * 4;
  }

  /** Reads the values back (eager graphs, or kept tensors of a compiled graph after a run). */
  read(): Promise<Float32Array> {
    return this.graph.read(this);
  }

  toString(): string {
    return `Tensor(${this.label} [${this.shape.join(', ')}])`;
  }
}

export function numel(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertShape(t: Tensor, shape: Shape, what: string): void {
  if (!sameShape(t.shape, shape))
    throw new Error(`${what}: expected shape [${shape.join(', ')}], got [${t.shape.join(', ')}]`);
}

/** Where a tensor's values are: its own slice, or for a view its part of its base's slice. */
export function sliceOf(t: Tensor): BufferSlice {
  if (t.storage.kind === 'view') {
    const base = sliceOf(t.storage.base);
    return { buffer: base.buffer, offset: base.offset + 4 * t.storage.offset, size: Math.max(4, t.byteSize) };
  }
  if (t.storage.kind !== 'fixed') throw new Error(`${t} has no storage`);
  return t.storage.slice;
}

/** The tensor whose storage t uses: its base when t is a view, else t. */
export function rootOf(t: Tensor): Tensor {
  return t.storage.kind === 'view' ? t.storage.base : t;
}
