// Asynchronous readback of small results (loss, gradient norm) through a ring of MAP_READ
// buffers: each step copies its values into the next free slot in the same submission and
// starts mapAsync without waiting; results arrive a few steps late. The step only waits
// when every slot is still in flight (the GPU is that far behind: back-pressure).
import type { BufferSlice, CopyOp, GpuContext } from '../gpu/context';

interface Slot<T> {
  buffer: GPUBuffer;
  pending: Promise<void> | null;
  tag: T | null;
}

export interface Reading<T> {
  tag: T;
  values: Float32Array;
}

export class ReadbackRing<T> {
  private slots: Slot<T>[];
  private next = 0;
  private ready: Reading<T>[] = [];
  private readonly bytes: number;

  constructor(
    private gpu: GpuContext,
    private sources: BufferSlice[],
    size = 4,
  ) {
    this.bytes = sources.reduce((a, s) => a + s.size, 0);
    this.slots = Array.from({ length: size }, (_, i) => ({
      buffer: gpu.createReadback(this.bytes, `readback${i}`),
      pending: null,
      tag: null,
    }));
  }

  /** Copies for the next submission; call start(tag) right after submitting them. */
  async claim(): Promise<CopyOp[]> {
    const slot = this.slots[this.next];
    if (slot.pending) await slot.pending;
    let offset = 0;
    return this.sources.map((src) => {
      const op = { src, dst: { buffer: slot.buffer, offset, size: src.size } };
      offset += src.size;
      return op;
    });
  }

  /** Starts mapping the slot just submitted; its values land in ready() when mapped. */
  start(tag: T): void {
    const slot = this.slots[this.next];
    this.next = (this.next + 1) % this.slots.length;
    slot.tag = tag;
    slot.pending = slot.buffer.mapAsync(GPUMapMode.READ).then(
      () => {
        const values = new Float32Array(slot.buffer.getMappedRange(0, this.bytes).slice(0));
        slot.buffer.unmap();
        this.ready.push({ tag, values });
        slot.pending = null;
      },
      () => {
        slot.pending = null; // device lost: the trainer hears about it through the lost hook
      },
    );
  }

  /** Readings that have arrived since the last call, oldest first. */
  take(): Reading<T>[] {
    const out = this.ready;
    this.ready = [];
    return out;
  }

  /** Waits for every reading in flight. */
  async flush(): Promise<Reading<T>[]> {
    await Promise.all(this.slots.map((s) => s.pending));
    return this.take();
  }

  destroy(): void {
    for (const s of this.slots) s.buffer.destroy();
  }
}
