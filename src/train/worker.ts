// The training Web Worker: owns the GPU device and one Trainer, exposes TrainerApi through
// comlink, and runs the training loop in slices so pause, step and evaluate stay responsive.
import * as Comlink from 'comlink';
import { get as idbGet, set as idbSet } from 'idb-keyval';
import { browserGpu, NoWebGPUError } from '../gpu/browser';
import type { GpuContext } from '../gpu/context';
import { loadCheckpoint, loadOptimizerState, saveCheckpoint, saveOptimizerState } from '../nn/checkpoint';
import type { RunConfig } from './config';
import type { RunFile, TrainerApi, TrainerEvent } from './protocol';
import { DivergedError, ModelTooBigError, Trainer } from './trainer';

/** Steps submitted per slice of the loop before yielding to messages. */
const SLICE_STEPS = 10;
/** Progress events at most this often (ms). */
const PROGRESS_EVERY_MS = 200;
/** IndexedDB key of the one checkpoint kept for resuming after a lost device or a reload. */
const CHECKPOINT_KEY = 'icl-lab:last-checkpoint';

interface KeptCheckpoint {
  config: string; // JSON of the RunConfig
  step: number;
  history: { step: number; loss: number }[];
  weights: Uint8Array;
  /** Adam's moments (saveOptimizerState), when storage allowed: the resume is then exact. */
  adam?: Uint8Array;
}

class WorkerTrainer implements TrainerApi {
  private gpu: GpuContext | null = null;
  private trainer: Trainer | null = null;
  private listener: ((e: TrainerEvent) => void) | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private lastProgress = 0;
  private sentLosses = 0;

  subscribe(onEvent: (e: TrainerEvent) => void): void {
    this.listener = onEvent;
  }

  async init(): Promise<string> {
    if (this.gpu) return this.gpu.info.adapterName;
    try {
      this.gpu = await browserGpu({
        onLost: (info) => {
          this.running = false;
          this.gpu = null;
          this.trainer = null;
          this.emit({ type: 'error', kind: 'device_lost', message: `The GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}). Your runs so far are kept; press Train to start again on a new device.` });
        },
      });
    } catch (e) {
      const kind = e instanceof NoWebGPUError ? 'no_webgpu' : 'internal';
      this.emit({ type: 'error', kind, message: (e as Error).message });
      throw e;
    }
    this.emit({ type: 'ready', adapter: this.gpu.info.adapterName });
    return this.gpu.info.adapterName;
  }

  async load(config: RunConfig): Promise<void> {
    this.pause();
    await this.loop;
    if (!this.gpu) await this.init();
    const gpu = this.gpu!;
    this.trainer?.destroy();
    this.trainer = null;
    this.sentLosses = 0;
    try {
      this.trainer = new Trainer(gpu, config);
      this.trainer.onCompiling = (pipelines) => this.emit({ type: 'compiling', pipelines });
    } catch (e) {
      this.emit({ type: 'error', kind: e instanceof ModelTooBigError ? 'too_big' : 'internal', message: (e as Error).message });
      throw e;
    }
    this.emit({ type: 'state', state: 'idle' });
  }

  start(): void {
    if (!this.trainer || this.running || this.trainer.done) return;
    this.running = true;
    this.trainer.resetTiming();
    this.emit({ type: 'state', state: 'training' });
    this.loop = this.runLoop();
  }

  pause(): void {
    if (!this.running) return;
    this.running = false;
  }

  async step(): Promise<void> {
    const t = this.requireTrainer();
    if (this.running) return;
    await this.guard(async () => {
      await t.train(1);
      await t.flush();
      this.sendProgress(true);
    });
  }

  async evaluate(): Promise<void> {
    const t = this.requireTrainer();
    await this.guard(async () => {
      const { step, icl, metrics } = await t.evaluate();
      this.emit({ type: 'eval', step, icl, metrics });
    });
  }

  async runFile(): Promise<RunFile> {
    const t = this.requireTrainer();
    await t.flush();
    return t.runFile();
  }

  async checkpoint(): Promise<Uint8Array> {
    const t = this.requireTrainer();
    await t.flush();
    const bytes = await saveCheckpoint(t.model, t.gpu, { step: String(t.step), config: JSON.stringify(t.config) });
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  }

  async resume(config: RunConfig): Promise<number> {
    await this.load(config);
    const t = this.requireTrainer();
    const kept = (await idbGet<KeptCheckpoint>(CHECKPOINT_KEY).catch(() => undefined)) ?? null;
    if (!kept || kept.config !== JSON.stringify(config)) return 0;
    loadCheckpoint(t.model, t.gpu, kept.weights);
    t.restore(kept.step, kept.history, kept.adam ? loadOptimizerState(t.model, t.gpu, kept.adam) : 0);
    this.sentLosses = 0;
    this.sendProgress(true);
    return kept.step;
  }

  /** Keeps the run's weights in IndexedDB so a lost device or a reload can resume from here. */
  private async keepCheckpoint(t: Trainer): Promise<void> {
    try {
      const weights = await saveCheckpoint(t.model, t.gpu, { step: String(t.step) });
      const kept: KeptCheckpoint = { config: JSON.stringify(t.config), step: t.step, history: t.history.slice(), weights };
      try {
        await idbSet(CHECKPOINT_KEY, { ...kept, adam: await saveOptimizerState(t.model, t.gpu, t.adamSteps) });
      } catch {
        await idbSet(CHECKPOINT_KEY, kept); // no room for the moments (3× the weights): resume with fresh ones
      }
    } catch {
      // storage full or unavailable (private mode): resuming will start from step 0
    }
  }

  async loadCheckpoint(bytes: Uint8Array): Promise<string[]> {
    const t = this.requireTrainer();
    return loadCheckpoint(t.model, t.gpu, bytes).notices;
  }

  private async runLoop(): Promise<void> {
    const t = this.trainer!;
    let nextEval = (Math.floor(t.step / t.config.evalEvery) + 1) * t.config.evalEvery;
    const ok = await this.guard(async () => {
      while (this.running && !t.done && this.trainer === t) {
        await t.train(Math.min(SLICE_STEPS, nextEval - t.step));
        this.sendProgress(false);
        if (t.step >= nextEval || t.done) {
          const { step, icl, metrics } = await t.evaluate();
          this.sendProgress(true);
          this.emit({ type: 'eval', step, icl, metrics });
          await this.keepCheckpoint(t);
          nextEval += t.config.evalEvery;
        }
        await new Promise((r) => setTimeout(r, 0)); // let pause/step messages in
      }
      await t.flush();
      this.sendProgress(true);
    });
    this.running = false;
    if (ok && this.trainer === t) this.emit({ type: 'state', state: t.done ? 'done' : 'paused' });
  }

  /** Runs fn; reports a diverged run or another failure as an error event. */
  private async guard(fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (e) {
      this.running = false;
      const kind = e instanceof DivergedError ? 'diverged' : e instanceof ModelTooBigError ? 'too_big' : 'internal';
      this.emit({ type: 'error', kind, message: (e as Error).message });
      this.emit({ type: 'state', state: 'paused' });
      return false;
    }
  }

  private sendProgress(force: boolean): void {
    const t = this.trainer;
    if (!t) return;
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    const losses = t.history.slice(this.sentLosses);
    this.sentLosses = t.history.length;
    const last = t.history[t.history.length - 1];
    this.emit({ type: 'progress', step: t.step, total: t.config.steps, loss: last?.loss ?? NaN, stepsPerSecond: t.stepsPerSecond, losses });
  }

  private requireTrainer(): Trainer {
    if (!this.trainer) throw new Error('No run is loaded: choose a task and model, then press Train.');
    return this.trainer;
  }

  private emit(e: TrainerEvent): void {
    this.listener?.(e);
  }
}

Comlink.expose(new WorkerTrainer());
