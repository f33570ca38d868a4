// The trainer: one run of one model on one task, as plain code outside any UI. It owns the
// model, the compiled training step (rebuilt when the curriculum lengthens the prompt), the
// fixed evaluation set with its baselines (computed once), and the run's history. The Web
// Worker and the Node CLI both drive it.
import type { GpuContext } from '../gpu/context';
import { fmtBytes } from '../gpu/context';
import { CompiledGraph } from '../engine/compile';
import type { Graph } from '../engine/graph';
import { GraphRejectedError, PlanLimitError } from '../engine/limits';
import { ADAM_DEFAULTS, type AdamConfig } from '../engine/ops/adam';
import { SCAN_STORAGE_BUFFERS } from '../engine/ops/selectiveScan';
import { Rng } from '../engine/rng';
import type { Tensor } from '../engine/tensor';
import { TrainingStep, type StepReading } from '../engine/trainingStep';
import { buildModel, type IclModel, type SpecWithName } from '../nn/models';
import { Curriculum, makeEvalSet, maxTokens, nPositions, type EvalSet, type PromptBatch, type Stage } from '../tasks';
import type { RunConfig } from '../spec/config';
import { EVAL_CHUNK, evalForward, outDimOf, trainingLoss } from './graphs';
import { evalBaselines, iclResult, type BaselineReport } from './icl';
import { promptBaseline, promptView, type PromptView } from './promptView';
import type { IclResult } from '../spec/icl';
import type { EvalProgress, RunFile } from './protocol';
import { learningRate } from './schedule';
import { LocalBatches, type BatchPlan, type BatchSource } from './batches';
import { summarize, type EvalPoint } from '../spec/verdict';

export class DivergedError extends Error {
  constructor(step: number, loss: number) {
    super(
      `Training diverged at step ${step}: the loss became ${loss}. Lower the learning rate (try half) or the ` +
        `gradient clip, then train again.`,
    );
    this.name = 'DivergedError';
  }
}

export class ModelTooBigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelTooBigError';
  }
}

export class Trainer {
  readonly model: IclModel;
  readonly curriculum: Curriculum;
  readonly curriculumSteps: number;
  readonly history: { step: number; loss: number }[] = [];
  /** Steps submitted to the GPU (readings may lag a few steps behind). */
  step = 0;
  lastEval: { step: number; icl: IclResult; metrics: Record<string, number> } | null = null;
  /** Every evaluation's score, oldest first (what the verdict rule reads). */
  readonly evaluations: EvalPoint[] = [];
  stepsPerSecond = 0;

  /** Batch t is drawn from batchRng(dataSeed, t): a resumed run continues the same data stream. */
  private readonly batches: BatchSource;
  /** Adam's step count for the next compiled step when no previous one exists (a resume). */
  private resumedAdamSteps = 0;
  private evalSet: EvalSet;
  private baselines: BaselineReport | null = null;
  /** The last evaluation's read-out (B, T, outDim), kept for promptView; null before one (or after a restore). */
  private lastPredictions: Float32Array | null = null;
  /** Per prompt, its baseline predictions: the evaluation set never changes, so each is computed once. */
  private promptBaselines = new Map<number, ReturnType<typeof promptBaseline>>();
  private trainingStep: TrainingStep | null = null;
  private stage: Stage | null = null;
  private evalGraph: CompiledGraph | null = null;
  private evalPred: Tensor | null = null;
  private adam: AdamConfig;
  private timing = { steps: 0, ms: 0 };
  /** Told how many pipelines are about to compile (a first step's wait), and 0 when done. */
  onCompiling: ((pipelines: number) => void) | null = null;
  /** Told how far an evaluation is: prompts the model has read (after each chunk), then the
   *  baselines' turn (a first evaluation computes them, which can take seconds on the CPU). */
  onEvalProgress: ((p: EvalProgress) => void) | null = null;

  constructor(
    readonly gpu: GpuContext,
    readonly config: RunConfig,
    opts: {
      /** A model shape other than config.size's (the smallest learnability tests). */
      size?: SpecWithName;
      /** The run length the curriculum is paced for (default config.steps): a run extended
       *  past its first length keeps the pace it started with. */
      curriculumSteps?: number;
      /** Where batches are drawn (default: on this thread, when each step needs one). */
      batches?: (plan: BatchPlan) => BatchSource;
    } = {},
  ) {
    const shape = {
      inDim: config.nDims,
      outDim: outDimOf(config.task, config.nDims),
      maxTokens: maxTokens(config),
      nPositions: nPositions(config), // the official positional tables' rows (SPEC.md, Models)
    };
    this.model = buildModel(config.model, opts.size ?? config.size, shape);
    this.checkFits();
    const seedRng = new Rng(config.seed);
    this.model.arena.allocate(gpu, seedRng.fork(), true); // values drawn while the first pipelines compile
    const dataSeed = seedRng.nextU32();
    this.curriculumSteps = opts.curriculumSteps ?? config.steps;
    const curriculum = { ...config, steps: this.curriculumSteps };
    this.curriculum = new Curriculum(curriculum);
    const { task, batch, nDims, parityPerPrompt } = config;
    const plan: BatchPlan = { task, dataSeed, batch, nDims, parityPerPrompt, curriculum };
    this.batches = (opts.batches ?? ((p) => new LocalBatches(p)))(plan);
    this.evalSet = makeEvalSet(config, config.seed);
    this.adam = { ...ADAM_DEFAULTS, clip: config.clip };
  }

  get adapter(): string {
    return this.gpu.info.adapterName;
  }

  get done(): boolean {
    return this.step >= this.config.steps;
  }

  /** Baselines on the evaluation set: computed on first use, then kept. */
  baselineReport(): BaselineReport {
    if (!this.baselines) this.baselines = evalBaselines(this.evalSet);
    return this.baselines;
  }

  /**
   * Submits up to n steps, each batch drawn (by the batch source) while the GPU runs the last one.
   * Returns the readings that arrived; throws DivergedError on a non-finite loss.
   */
  async train(n: number): Promise<StepReading[]> {
    const t0 = performance.now();
    const todo = Math.min(n, this.config.steps - this.step);
    for (let i = 0; i < todo; i++) {
      const stage = this.curriculum.at(this.step);
      const step = await this.ensureStep(stage);
      const batch = await this.batches.batch(this.step);
      this.step += 1;
      await step.run(batch, learningRate(this.config, this.step), this.step);
    }
    const readings = this.trainingStep ? this.trainingStep.take() : [];
    this.record(readings);
    this.timing.steps += todo;
    this.timing.ms += performance.now() - t0;
    if (this.timing.ms > 0) this.stepsPerSecond = (1000 * this.timing.steps) / this.timing.ms;
    return readings;
  }

  /** Waits for every submitted step and records its loss. */
  async flush(): Promise<StepReading[]> {
    const readings = this.trainingStep ? await this.trainingStep.flush() : [];
    this.record(readings);
    if (this.timing.ms > 0) this.stepsPerSecond = (1000 * this.timing.steps) / this.timing.ms;
    return readings;
  }

  /** Resets the throughput window (call after a pause). */
  resetTiming(): void {
    this.timing = { steps: 0, ms: 0 };
  }

  /** Model predictions on the evaluation set and the ICL curves beside the baselines. */
  async evaluate(): Promise<{ step: number; icl: IclResult; metrics: Record<string, number> }> {
    await this.flush();
    const total = this.evalSet.batch.batch;
    const predictions = await this.predict(this.evalSet.batch, (done) =>
      this.onEvalProgress?.({ phase: 'prompts', done, total }),
    );
    if (!this.baselines) this.onEvalProgress?.({ phase: 'baselines', done: total, total });
    const icl = iclResult(this.evalSet, predictions, this.baselineReport());
    const metrics: Record<string, number> = {};
    const model = icl.curves.model;
    if (model) metrics.final_error = model.mean[model.mean.length - 1];
    if (icl.accuracy?.model) {
      const acc = icl.accuracy.model;
      metrics[this.config.task === 'vector_mqar' ? 'recall' : 'final_accuracy'] = acc[acc.length - 1];
    }
    this.lastEval = { step: this.step, icl, metrics };
    this.lastPredictions = predictions;
    if (this.evaluations[this.evaluations.length - 1]?.step !== this.step)
      this.evaluations.push({ step: this.step, ...summarize(this.config.task, icl) });
    return this.lastEval;
  }

  /** Prompt b of the evaluation set with the last evaluation's predictions and the task's baseline
   *  (the page's "Inside a prompt"); null until an evaluation has run in this trainer. */
  promptView(b = 0): PromptView | null {
    if (!this.lastEval || !this.lastPredictions) return null;
    const p = this.evalSet.batch;
    const inSet = Number.isInteger(b) && b >= 0 && b < p.batch; // promptView says why when not
    if (inSet && !this.promptBaselines.has(b)) this.promptBaselines.set(b, promptBaseline(p, b));
    return promptView(p, this.lastPredictions, b, this.lastEval.step, this.promptBaselines.get(b) ?? null);
  }

  /** Read-out (B, T, outDim) of the current model for a full-size batch of prompts; `onChunk`
   *  hears how many prompts are read, from 0 (the graph compiled) to all of them. */
  async predict(batch: PromptBatch, onChunk?: (done: number) => void): Promise<Float32Array> {
    const { tokens: T, dim: d, outDim: O } = batch;
    const chunkSize = Math.min(EVAL_CHUNK, batch.batch);
    if (!this.evalGraph || this.evalPred!.shape[1] !== T || this.evalPred!.shape[0] !== chunkSize) {
      this.evalGraph?.destroy();
      const { graph, pred } = evalForward(this.gpu, this.model, chunkSize, T, d);
      this.evalPred = pred;
      this.evalGraph = await this.compileChecked(graph, [pred]);
    }
    const out = new Float32Array(batch.batch * T * O);
    const chunk = new Float32Array(chunkSize * T * d);
    onChunk?.(0);
    for (let b0 = 0; b0 < batch.batch; b0 += chunkSize) {
      const rows = Math.min(chunkSize, batch.batch - b0);
      chunk.fill(0);
      chunk.set(batch.inputs.subarray(b0 * T * d, (b0 + rows) * T * d));
      this.evalGraph.run({ inputs: chunk });
      const pred = await this.evalPred!.read();
      out.set(pred.subarray(0, rows * T * O), b0 * T * O);
      onChunk?.(b0 + rows);
    }
    return out;
  }

  /** Continues a run from a checkpoint: its step count and loss history (weights loaded
   *  apart), Adam's step count when its moments were loaded too (loadOptimizerState), and
   *  the evaluations so far (the verdict and the run file read them). */
  restore(
    step: number,
    history: { step: number; loss: number }[],
    adamSteps = 0,
    past: { evaluations?: EvalPoint[]; lastEval?: Trainer['lastEval'] } = {},
  ): void {
    if (!Number.isInteger(step) || step < 0 || step > this.config.steps)
      throw new Error(`cannot resume at step ${step} of ${this.config.steps}`);
    this.step = step;
    this.history.splice(0, this.history.length, ...history.filter((h) => h.step <= step));
    this.resumedAdamSteps = adamSteps;
    this.evaluations.splice(0, this.evaluations.length, ...(past.evaluations ?? []).filter((e) => e.step <= step));
    this.lastEval = past.lastEval && past.lastEval.step <= step ? past.lastEval : null;
    this.lastPredictions = null; // the restored evaluation's predictions were not kept
  }

  /** Adam's step count so far (saved with the moments for an exact resume). */
  get adamSteps(): number {
    return this.trainingStep?.step ?? this.resumedAdamSteps;
  }

  runFile(): RunFile {
    return {
      version: 1,
      config: this.config,
      history: this.history,
      icl: this.lastEval?.icl ?? null,
      metrics: this.lastEval?.metrics ?? {},
      stepsPerSecond: this.stepsPerSecond,
      adapter: this.adapter,
      evalStep: this.lastEval?.step,
      evaluations: this.evaluations,
    };
  }

  destroy(): void {
    this.batches.destroy();
    this.trainingStep?.destroy();
    this.evalGraph?.destroy();
    this.model.arena.destroy();
  }

  private record(readings: StepReading[]): void {
    for (const r of readings) {
      if (!Number.isFinite(r.loss)) throw new DivergedError(r.step, r.loss);
      this.history.push({ step: r.step, loss: r.loss });
    }
  }

  /** The compiled step for this stage's prompt length (rebuilt when the length changes). */
  private async ensureStep(stage: Stage): Promise<TrainingStep> {
    if (this.trainingStep && this.stage?.nPoints === stage.nPoints) return this.trainingStep;
    const previous = this.trainingStep;
    // Adam's step count (bias correction) carries over stages and over a resume
    const adamSteps = previous?.step ?? this.resumedAdamSteps;
    if (previous) {
      // readings in flight belong to the old step: collect them, then free its buffers
      this.record(await previous.flush());
      previous.destroy();
      this.trainingStep = null;
    }
    try {
      this.trainingStep = await TrainingStep.create(
        this.gpu,
        this.model.arena,
        trainingLoss(this.model, this.config, stage),
        this.adam,
        {
          step: adamSteps,
          onCompiling: (n) => this.onCompiling?.(n),
        },
      );
    } catch (e) {
      if (!(e instanceof PlanLimitError)) throw e;
      throw new ModelTooBigError(
        `The ${this.config.size} ${this.config.model} does not fit on this GPU at batch ${this.config.batch} ` +
          `and ${stage.nPoints} examples per prompt. ${e.message} Choose a smaller size or batch.`,
      );
    }
    this.stage = stage;
    return this.trainingStep;
  }

  private async compileChecked(g: Graph, keep: Tensor[]): Promise<CompiledGraph> {
    try {
      let compiled: Promise<CompiledGraph> | null = null;
      await this.gpu.preparePipelines(
        g.dispatches.map((d) => d.kernel),
        {
          // the values, buffers and bind groups while the pipelines compile
          meanwhile: () => {
            compiled = this.gpu.checked(() => new CompiledGraph(g, { keep, pipelinesLater: true }));
            compiled.catch(() => {}); // handled below, once the pipelines are in (not an unhandled rejection meanwhile)
          },
          onCompiling: (n) => this.onCompiling?.(n),
        },
      );
      const graph = await compiled!;
      await graph.validate();
      return graph;
    } catch (e) {
      // the evaluation's chunk of prompts is fixed: a smaller batch would not help here
      if (e instanceof GraphRejectedError)
        throw new GraphRejectedError(`The evaluation cannot run, so training stops. ${e.message}`);
      throw new ModelTooBigError(
        `The ${this.config.size} ${this.config.model} does not fit on this GPU for evaluation: ` +
          `${(e as Error).message} Choose a smaller size.`,
      );
    }
  }

  /** Refuses, before allocating, a model this adapter cannot run, with the numbers. */
  private checkFits(): void {
    const buffers = this.gpu.limits.maxStorageBuffersPerShaderStage;
    if (this.config.model !== 'transformer' && buffers < SCAN_STORAGE_BUFFERS) {
      throw new ModelTooBigError(
        `This GPU lets a shader bind ${buffers} storage buffers; the Mamba kernels need ` +
          `${SCAN_STORAGE_BUFFERS}, so ${this.config.model} cannot train on this adapter yet. The Transformer ` +
          `can; the Node CLI (npm run train) on a Vulkan GPU offers more.`,
      );
    }
    const limit = this.gpu.limits.maxStorageBufferBindingSize;
    const bytes = this.model.arena.floats * 4;
    if (bytes > limit) {
      throw new ModelTooBigError(
        `The ${this.config.size} ${this.config.model} has ` +
          `${this.model.parameterCount.toLocaleString('en-US')} parameters (${fmtBytes(bytes)}); this GPU ` +
          `binds at most ${fmtBytes(limit)} in one buffer. Choose a smaller size.`,
      );
    }
  }
}
