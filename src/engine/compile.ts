// Compile a traced Graph into a replayable program: buffers for temporaries are planned by
// liveness (a buffer is reused once its last reader has run), uniforms are written once into
// one buffer, pipelines and bind groups are created once. A run is then: writeBuffer of the
// inputs, one command encoder, one submit. No allocation, no waiting.
import { pipelineKey, type BufferSlice, type CopyOp, type EncodedDispatch, type GpuContext } from '../gpu/context';
import type { KernelDef } from '../gpu/kernel';
import type { Graph } from './graph';
import { bindingProblem, GraphRejectedError, PlanLimitError } from './limits';
import { rootOf, sliceOf, type Tensor } from './tensor';

export { sliceOf };

export interface CompileOptions {
  /** Tensors whose values must survive the run (losses, predictions): never reused. */
  keep?: Tensor[];
  /** Leave the pipelines to resolvePipelines() (or the first run): the graph can then be
   *  built while they compile. */
  pipelinesLater?: boolean;
}

/** A dispatch with its bind group (and what it binds), its kernel's pipeline still to take
 *  (resolvePipelines). */
type BoundDispatch = Omit<EncodedDispatch, 'pipeline'> & { kernel: KernelDef; slices: BufferSlice[] };

export interface PlanStats {
  dispatches: number;
  temporaries: number;
  /** Physical buffers after reuse. */
  buffers: number;
  plannedBytes: number;
  /** What the temporaries would take without reuse. */
  unplannedBytes: number;
}

export class CompiledGraph {
  readonly stats: PlanStats;
  private bound: BoundDispatch[];
  /** `bound` with the pipelines taken. */
  private encoded: EncodedDispatch[] | null = null;
  private ownBuffers: GPUBuffer[] = [];
  /** The bind groups' validation (one error scope around their creation), for validate(). */
  private bindCheck: Promise<GPUError | null>;

  constructor(
    readonly graph: Graph,
    opts: CompileOptions = {},
  ) {
    if (graph.mode !== 'trace') throw new Error('compile() needs a graph built in trace mode');
    graph.arena?.initialize(); // the parameters' initial values, if allocate() left them for later
    const gpu = graph.gpu;
    const planned = planBuffers(graph, new Set((opts.keep ?? []).map((t) => rootOf(t).id)), (bytes, label) => {
      const b = gpu.createStorage(bytes, label);
      this.ownBuffers.push(b);
      return b;
    });
    this.stats = planned;
    const { value, error } = gpu.validated(() => this.bind(gpu));
    this.bound = value;
    this.bindCheck = error;
    if (!opts.pipelinesLater) this.resolvePipelines();
  }

  /** Takes every dispatch's pipeline, creating those that no preparePipelines made (a
   *  compile), so that a pipeline's error shows here, not in a run. */
  resolvePipelines(): EncodedDispatch[] {
    const gpu = this.graph.gpu;
    this.encoded ??= this.bound.map(({ kernel, slices, ...d }) => ({ ...d, pipeline: gpu.pipeline(kernel) }));
    return this.encoded;
  }

  /**
   * Checks, without running anything, that WebGPU accepts every bind group, pipeline and
   * dispatch of this graph (the dispatches are encoded once and not submitted), and throws a
   * GraphRejectedError naming the first kernel it rejects. A run of a rejected graph would do
   * nothing and read back zeros, so whoever trains with it calls this first.
   */
  async validate(): Promise<void> {
    const gpu = this.graph.gpu;
    const n = this.bound.length;
    /** What WebGPU rejected: the first of `errors` (one per dispatch), or `all` if none alone. */
    const rejected = (what: string, errors: (GPUError | null)[], all: GPUError | null) => {
      const i = errors.findIndex((e) => e);
      const where =
        i >= 0 ? `the kernel "${this.bound[i].kernel.name}" (dispatch ${i + 1} of ${n})` : `one of its ${n} dispatches`;
      return new GraphRejectedError(`WebGPU rejected ${what} of ${where}: ${(errors[i] ?? all)?.message}`);
    };
    const bindError = await this.bindCheck;
    if (bindError) {
      // to name the kernel, each bind group made again in a scope of its own
      const each = await Promise.all(
        this.bound.map((d) => gpu.validated(() => gpu.bindGroup(d.kernel, d.slices)).error),
      );
      throw rejected('the bind group', each, bindError);
    }
    // each kernel's pipeline once (a lookup unless preparePipelines left it to be made here)
    const firstOf = new Map<string, number>();
    this.bound.forEach((d, i) => firstOf.has(pipelineKey(d.kernel)) || firstOf.set(pipelineKey(d.kernel), i));
    const pipelineErrors: Promise<GPUError | null>[] = this.bound.map(() => Promise.resolve(null));
    for (const i of firstOf.values()) pipelineErrors[i] = gpu.validated(() => gpu.pipeline(this.bound[i].kernel)).error;
    const pipelines = await Promise.all(pipelineErrors);
    if (pipelines.some((e) => e)) throw rejected('the pipeline', pipelines, null);
    const encoded = this.resolvePipelines();
    const [encodeError] = await gpu.encodeErrors([encoded]);
    if (encodeError) throw rejected('the dispatch', await gpu.encodeErrors(encoded.map((d) => [d])), encodeError);
  }

  /** Writes inputs (name → values) and submits every dispatch; copies run after them. */
  run(inputs: Record<string, Float32Array> = {}, copiesAfter: CopyOp[] = []): void {
    for (const [name, data] of Object.entries(inputs)) this.graph.write(name, data);
    this.graph.gpu.submit(this.resolvePipelines(), copiesAfter);
  }

  /** GPU ms of every dispatch by kernel name (benchmarks; needs timestamp queries). The
   *  dispatches run once, in order, on whatever inputs were last written. */
  async profile(): Promise<{ name: string; ms: number }[]> {
    const encoded = this.resolvePipelines();
    const ms = await this.graph.gpu.timeDispatches(encoded);
    return encoded.map((d, i) => ({ name: d.name ?? '?', ms: ms[i] }));
  }

  get dispatchCount(): number {
    return this.bound.length;
  }

  destroy(): void {
    for (const b of this.ownBuffers) b.destroy();
    this.ownBuffers = [];
    this.graph.destroy();
  }

  /** Every dispatch's uniforms (one buffer) and bind group, each checked against the
   *  adapter's limits first (a PlanLimitError names the kernel, the tensor and the numbers). */
  private bind(gpu: GpuContext): BoundDispatch[] {
    const align = gpu.limits.minUniformBufferOffsetAlignment;
    const dispatches = this.graph.dispatches;
    let uniformBytes = 0;
    const offsets = dispatches.map((d) => {
      if (!d.params) return -1;
      const off = uniformBytes;
      uniformBytes += Math.ceil(d.params.byteLength / align) * align;
      return off;
    });
    const uniforms = uniformBytes ? gpu.createUniform(uniformBytes, 'uniforms') : null;
    if (uniforms) this.ownBuffers.push(uniforms);
    const staging = new Uint8Array(uniformBytes);
    return dispatches.map((d, i) => {
      const slices: BufferSlice[] = [];
      if (d.params && uniforms) {
        staging.set(new Uint8Array(d.params), offsets[i]);
        slices.push({ buffer: uniforms, offset: offsets[i], size: d.params.byteLength });
      }
      for (const t of d.tensors) slices.push(sliceOf(t));
      const problem = bindingProblem(d, slices, gpu.limits);
      if (problem) throw new PlanLimitError(problem);
      if (i === dispatches.length - 1 && uniforms) gpu.write(uniforms, 0, staging);
      return {
        kernel: d.kernel,
        slices,
        bindGroup: gpu.bindGroup(d.kernel, slices),
        workgroups: d.workgroups,
        name: d.kernel.name,
      };
    });
  }
}

/**
 * Liveness planning: walk the dispatches in order; a temporary gets a buffer at its first
 * use and returns it to the free list after its last use (a view's use is its base's). All
 * tensors first used by a dispatch are placed before any buffer freed by that dispatch is
 * reused, so no dispatch reads and writes one buffer through two bindings (unless it binds
 * two views of one tensor, which an op must not do). Best fit by size.
 */
function planBuffers(graph: Graph, keep: Set<number>, create: (bytes: number, label: string) => GPUBuffer): PlanStats {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  graph.dispatches.forEach((d, i) => {
    for (const t of d.tensors.map(rootOf)) {
      if (t.storage.kind !== 'temp') continue;
      if (!first.has(t.id)) first.set(t.id, i);
      last.set(t.id, keep.has(t.id) ? Infinity : i);
    }
  });
  const free: { buffer: GPUBuffer; bytes: number }[] = [];
  const holding = new Map<number, { buffer: GPUBuffer; bytes: number }>();
  let buffers = 0;
  let plannedBytes = 0;
  let unplannedBytes = 0;
  graph.dispatches.forEach((d, i) => {
    const roots = d.tensors.map(rootOf);
    for (const t of roots) {
      if (t.storage.kind !== 'temp' || first.get(t.id) !== i) continue;
      const bytes = Math.max(16, Math.ceil(t.byteSize / 16) * 16);
      unplannedBytes += bytes;
      let best = -1;
      for (let j = 0; j < free.length; j++) {
        if (free[j].bytes >= bytes && (best < 0 || free[j].bytes < free[best].bytes)) best = j;
      }
      // reuse only buffers that are not wildly oversized, so big buffers stay available
      let slot: { buffer: GPUBuffer; bytes: number };
      if (best >= 0 && free[best].bytes <= 4 * bytes) slot = free.splice(best, 1)[0];
      else {
        slot = { buffer: create(bytes, `tmp${buffers}: ${t.label}`), bytes };
        buffers++;
        plannedBytes += bytes;
      }
      holding.set(t.id, slot);
      t.storage = { kind: 'fixed', slice: { buffer: slot.buffer, offset: 0, size: Math.max(4, t.byteSize) } };
    }
    for (const t of roots) {
      if (last.get(t.id) === i && holding.has(t.id)) {
        free.push(holding.get(t.id)!);
        holding.delete(t.id);
      }
    }
  });
  // temporaries that no dispatch touches (e.g. an unused output) still need a home
  for (const t of graph.tensors) {
    if (t.storage.kind === 'temp')
      t.storage = {
        kind: 'fixed',
        slice: { buffer: create(Math.max(16, t.byteSize), t.label), offset: 0, size: Math.max(4, t.byteSize) },
      };
  }
  return { dispatches: graph.dispatches.length, temporaries: first.size, buffers, plannedBytes, unplannedBytes };
}
