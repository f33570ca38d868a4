// The compiled training step: forward, backward, gradient clipping and Adam traced once into
// one dispatch list, replayed every step as writeBuffer(batch) + one encoder + submit.
// Loss and gradient norm come back through a readback ring a few steps late.
import type { GpuContext } from '../gpu/context';
import type { ParamArena } from './arena';
import { backward } from './autograd';
import { CompiledGraph, type PlanStats } from './compile';
import { Graph } from './graph';
import { GraphRejectedError } from './limits';
import { copy } from './ops/elementwise';
import { adamState, adamUpdate, type AdamConfig } from './ops/adam';
import { ReadbackRing } from './readback';
import { rootOf, type Tensor } from './tensor';

export interface StepReading {
  step: number;
  loss: number;
  gradNorm: number;
}

/** A training step traced but not compiled yet: its graph and the tensors it keeps. */
export interface TracedStep {
  graph: Graph;
  loss: Tensor;
  gradNorm: Tensor;
}

/** Traces forward, backward, clipping and Adam into one graph. */
export function traceStep(
  gpu: GpuContext,
  arena: ParamArena,
  build: (g: Graph) => Tensor,
  cfg: AdamConfig,
): TracedStep {
  const g = new Graph(gpu, 'trace', arena);
  const loss = build(g);
  backward(loss);
  bindParamGrads(g, arena);
  const state = g.input('__adam_state', [4]);
  const gradNorm = adamUpdate(g, arena, state, cfg);
  return { graph: g, loss, gradNorm };
}

export class TrainingStep {
  readonly graph: Graph;
  readonly stats: PlanStats;
  private compiled: CompiledGraph;
  private ring: ReadbackRing<number>;

  /** The step with its pipelines created first (GpuContext.preparePipelines), and meanwhile
   *  the parameters' initial values drawn (if the arena left them for later) and the graph's
   *  buffers and bind groups made: the way to build one where the first step's latency
   *  matters. `build` and `step` as in the constructor;
   *  `onCompiling` hears how many pipelines compile, then 0. Validated before it is returned
   *  (CompiledGraph.validate): a step that WebGPU rejects throws here, instead of training on
   *  zeros. */
  static async create(
    gpu: GpuContext,
    arena: ParamArena,
    build: ((g: Graph) => Tensor) | TracedStep,
    cfg: AdamConfig,
    opts: { step?: number; onCompiling?: (pipelines: number) => void } = {},
  ): Promise<TrainingStep> {
    const traced = typeof build === 'function' ? traceStep(gpu, arena, build, cfg) : build;
    let step: TrainingStep | null = null;
    await gpu.preparePipelines(
      traced.graph.dispatches.map((d) => d.kernel),
      {
        // the values, buffers and bind groups while the pipelines compile
        meanwhile: () => (step = new TrainingStep(gpu, arena, traced, cfg, opts.step ?? 0, { pipelinesLater: true })),
        onCompiling: opts.onCompiling,
      },
    );
    try {
      await step!.compiled.validate();
    } catch (e) {
      step!.destroy();
      throw e instanceof GraphRejectedError
        ? new GraphRejectedError(`The training step cannot run, so training stops. ${e.message}`)
        : e;
    }
    return step!;
  }

  /**
   * build(g) declares the batch inputs with g.input(name, shape) and returns the scalar loss
   * (or: the step already traced by traceStep).
   * `step` counts Adam steps across recompilations (curriculum stages), for bias correction;
   * `pipelinesLater` as in CompiledGraph.
   */
  constructor(
    gpu: GpuContext,
    private arena: ParamArena,
    build: ((g: Graph) => Tensor) | TracedStep,
    private cfg: AdamConfig,
    public step = 0,
    opts: { pipelinesLater?: boolean } = {},
  ) {
    const { graph: g, loss, gradNorm } = typeof build === 'function' ? traceStep(gpu, arena, build, cfg) : build;
    this.graph = g;
    this.compiled = new CompiledGraph(g, { keep: [loss, gradNorm], pipelinesLater: opts.pipelinesLater });
    this.stats = this.compiled.stats;
    // gradients of parameters this graph never touches must read as zero, not stale values
    gpu.write(arena.buffer('grad'), 0, new Float32Array(arena.floats));
    this.ring = new ReadbackRing(gpu, [sliceOfKept(loss), sliceOfKept(gradNorm)]);
  }

  /**
   * Submits one step; waits only if the readback ring is full. Its reading carries `tag`
   * (the caller's step number; by default the Adam step count).
   */
  async run(inputs: Record<string, Float32Array>, lr: number, tag?: number): Promise<void> {
    const copies = await this.ring.claim();
    this.step += 1;
    this.compiled.run({ ...inputs, __adam_state: adamState(lr, this.step, this.cfg) }, copies);
    this.ring.start(tag ?? this.step);
  }

  /** Readings that have arrived (in step order). */
  take(): StepReading[] {
    return this.ring.take().map((r) => ({ step: r.tag, loss: r.values[0], gradNorm: r.values[1] }));
  }

  /** Waits for every step in flight and returns their readings. */
  async flush(): Promise<StepReading[]> {
    return (await this.ring.flush()).map((r) => ({ step: r.tag, loss: r.values[0], gradNorm: r.values[1] }));
  }

  /** GPU ms per dispatch of one step (benchmarks): see CompiledGraph.profile. */
  profile(): Promise<{ name: string; ms: number }[]> {
    return this.compiled.profile();
  }

  get dispatchCount(): number {
    return this.compiled.dispatchCount;
  }

  destroy(): void {
    this.ring.destroy();
    this.compiled.destroy();
  }
}

function sliceOfKept(t: Tensor) {
  if (t.storage.kind !== 'fixed') throw new Error(`${t} was not placed`);
  return t.storage.slice;
}

/**
 * Makes every parameter's final gradient land in its slice of the arena's grad buffer.
 * Cheapest is to let the op that produces it write there directly (alias). That is only
 * safe when nothing reads that tensor afterwards and it is no other parameter's gradient
 * too (a dispatch must not read and write one buffer through two bindings); otherwise a
 * copy at the end of the backward pass writes it.
 */
export function bindParamGrads(g: Graph, arena: ParamArena): void {
  const lastUse = new Map<number, number>();
  const firstUse = new Map<number, number>();
  g.dispatches.forEach((d, i) => {
    for (const t of d.tensors.map(rootOf)) {
      // a view's use is its base's
      if (!firstUse.has(t.id)) firstUse.set(t.id, i);
      lastUse.set(t.id, i);
    }
  });
  const claimed = new Set<number>();
  for (const [name, p] of g.params) {
    const ref = arena.get(name)!;
    let grad = p.grad;
    if (!grad) continue; // never used: its slice stays zero
    const aliasable =
      grad.storage.kind === 'temp' && !claimed.has(grad.id) && firstUse.get(grad.id) === lastUse.get(grad.id);
    if (!aliasable) {
      grad = copy(grad);
      p.grad = grad;
    }
    claimed.add(grad.id);
    grad.storage = { kind: 'fixed', slice: arena.slice(ref, 'grad') };
  }
}
