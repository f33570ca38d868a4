// The training Web Worker: owns the GPU device and one Trainer, exposes TrainerApi through
// comlink, and runs the training loop one step at a time, yielding to messages often, so a
// Pause acts after the step in progress.
import * as Comlink from 'comlink';
import { browserGpu, NoWebGPUError } from '../gpu/browser';
import type { GpuContext } from '../gpu/context';
import { loadCheckpoint, saveCheckpoint } from '../nn/checkpoint';
import type { RunConfig } from '../spec/config';
import {
  dropCheckpoints,
  dropLegacyCheckpoint,
  idbCheckpointStore,
  keepCheckpoint,
  resumeCheckpoint,
  type CheckpointStore,
} from './keptCheckpoint';
import type { KeepReport, ResumeReport, RunFile, TrainerApi, TrainerEvent } from './protocol';
import { DivergedError, ModelTooBigError, Trainer } from './trainer';
import type { PromptView } from './promptView';
import { RunSetHost } from './runSetHost';

/** The loop yields to messages (pause, step) at least this often (ms). */
const YIELD_EVERY_MS = 50;
/** Below this rate the loop waits for each step's GPU work before the next: a slow (often CPU)
 *  adapter gains little from steps in flight, and a Pause then waits for one step, not the
 *  few in flight. Faster adapters keep their steps pipelined. */
const SYNC_BELOW_STEPS_PER_SECOND = 5;
/** Progress events at most this often (ms). */
const PROGRESS_EVERY_MS = 200;

class WorkerTrainer implements TrainerApi {
  /** "Train all families" and "Seeds: N": several runs interleaved on this worker's device (runSetHost.ts). */
  readonly runSet = new RunSetHost({ gpu: () => this.device(), leaveSingleRun: () => this.leaveSingleRun() });
  private gpu: GpuContext | null = null;
  private trainer: Trainer | null = null;
  private listener: ((e: TrainerEvent) => void) | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private lastProgress = 0;
  private sentLosses = 0;
  /** The page's id of the loaded run: its checkpoints are kept under it (keptCheckpoint.ts). */
  private runId: string | null = null;
  /** Step of the loaded run's last checkpoint that storage took, or null. */
  private keptStep: number | null = null;
  private checkpoints: CheckpointStore | null = null;
  /** Wall-clock time and steps of the loop's training since Train (evaluations excluded): the
   *  rate the page shows, which counts the wait for the GPU whether or not steps are in flight. */
  private loopMs = 0;
  private loopSteps = 0;
  /** Pipelines compiled during the step being timed (the first step, a new curriculum stage): its
   *  wait is not the training rate, so the loop leaves that step out of it. */
  private compiledInStep = false;

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
          this.emit({
            type: 'error',
            kind: 'device_lost',
            message:
              `The GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}). Your runs ` +
              `so far are kept; press Train to start again on a new device.`,
          });
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

  async load(config: RunConfig, runId: string): Promise<void> {
    await this.runSet.end(); // one device trains either a set or this run
    this.pause();
    await this.loop;
    if (!this.gpu) await this.init();
    const gpu = this.gpu!;
    this.trainer?.destroy();
    this.trainer = null;
    this.sentLosses = 0;
    // the page has left the previous run behind: nothing will resume it
    if (this.runId !== null && this.runId !== runId) void this.dropKept(this.runId);
    this.runId = runId;
    this.keptStep = null;
    try {
      this.trainer = new Trainer(gpu, config);
      this.trainer.onCompiling = (pipelines) => {
        if (pipelines > 0) this.compiledInStep = true;
        this.emit({ type: 'compiling', pipelines });
      };
      this.trainer.onEvalProgress = (p) => this.emit({ type: 'evalProgress', ...p });
    } catch (e) {
      this.emit({
        type: 'error',
        kind: e instanceof ModelTooBigError ? 'too_big' : 'internal',
        message: (e as Error).message,
      });
      throw e;
    }
    this.emit({ type: 'state', state: 'idle' });
  }

  start(): void {
    if (!this.trainer || this.running || this.trainer.done) return;
    this.running = true;
    this.trainer.resetTiming();
    this.loopMs = 0;
    this.loopSteps = 0;
    this.emit({ type: 'state', state: 'training' });
    this.loop = this.runLoop();
  }

  pause(): void {
    this.runSet.pause(); // the page's Pause stops whatever trains
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
      const t0 = performance.now();
      const { step, icl, metrics } = await t.evaluate();
      const seconds = (performance.now() - t0) / 1000;
      this.emit({ type: 'eval', step, icl, metrics, seconds, prompt: t.promptView(0) });
    });
  }

  promptView(index: number): PromptView | null {
    return this.trainer?.promptView(index) ?? null;
  }

  async runFile(): Promise<RunFile> {
    const t = this.requireTrainer();
    await t.flush();
    return { ...t.runFile(), stepsPerSecond: this.rate(t) };
  }

  /** Training steps per second: the loop's own wall-clock rate once it has one, else the trainer's. */
  private rate(t: Trainer): number {
    return this.loopMs > 0 && this.loopSteps >= 2 ? (1000 * this.loopSteps) / this.loopMs : t.stepsPerSecond;
  }

  async checkpoint(): Promise<Uint8Array> {
    const t = this.requireTrainer();
    await t.flush();
    const bytes = await saveCheckpoint(t.model, t.gpu, { step: String(t.step), config: JSON.stringify(t.config) });
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  }

  async resume(config: RunConfig, runId: string): Promise<ResumeReport> {
    await this.load(config, runId);
    const t = this.requireTrainer();
    const report = await resumeCheckpoint(t, this.store(), runId);
    if (report.step > 0) this.keptStep = report.step;
    this.sentLosses = 0;
    this.sendProgress(true);
    return report;
  }

  private async device(): Promise<GpuContext> {
    if (!this.gpu) await this.init();
    return this.gpu!;
  }

  /** A run set takes the device: the single run stops and is freed, and its kept checkpoints with it. */
  private async leaveSingleRun(): Promise<void> {
    this.pause();
    await this.loop;
    this.trainer?.destroy();
    this.trainer = null;
    if (this.runId !== null) void this.dropKept(this.runId);
    this.runId = null;
    this.keptStep = null;
  }

  private store(): CheckpointStore {
    if (!this.checkpoints) {
      this.checkpoints = idbCheckpointStore();
      dropLegacyCheckpoint().catch(() => {}); // an old page's leftover: only room is at stake
    }
    return this.checkpoints;
  }

  /** Keeps the run's weights and Adam's moments in IndexedDB so a lost device can resume from
   *  here, and tells the page when storage refused any of it. */
  private async keep(t: Trainer, runId: string): Promise<void> {
    let report: KeepReport;
    try {
      report = await keepCheckpoint(t, this.store(), runId, this.keptStep);
    } catch (e) {
      if (!this.gpu) return; // the device was lost while its buffers were read: onLost has said so
      const problem = `The checkpoint at step ${t.step} could not be read from the GPU (${(e as Error).message}).`;
      report = { step: t.step, stored: false, exact: false, problem };
    }
    if (report.stored) this.keptStep = report.step;
    this.emit({ type: 'checkpoint', ...report });
  }

  private async dropKept(runId: string): Promise<void> {
    await dropCheckpoints(this.store(), runId).catch(() => {}); // a leftover costs room, and a later save prunes it
  }

  async loadCheckpoint(bytes: Uint8Array): Promise<string[]> {
    const t = this.requireTrainer();
    return loadCheckpoint(t.model, t.gpu, bytes).notices;
  }

  private async runLoop(): Promise<void> {
    const t = this.trainer!;
    const runId = this.runId!;
    const every = t.config.evalEvery;
    // a pause that came at an evaluation's step left that evaluation to be done now
    const owed = t.step > 0 && t.step % every === 0 && t.lastEval?.step !== t.step;
    let nextEval = owed ? t.step : (Math.floor(t.step / every) + 1) * every;
    let lastYield = performance.now();
    const ok = await this.guard(async () => {
      while (this.running && !t.done && this.trainer === t) {
        if (t.step < nextEval) {
          this.compiledInStep = false;
          const t0 = performance.now();
          await t.train(1);
          if (this.rate(t) < SYNC_BELOW_STEPS_PER_SECOND) await t.flush();
          if (!this.compiledInStep) {
            this.loopMs += performance.now() - t0;
            this.loopSteps += 1;
          }
          this.sendProgress(false);
        }
        // a paused run skips an evaluation it owes until it trains on; a finished one never does
        if ((t.step >= nextEval && this.running) || t.done) {
          this.emit({ type: 'state', state: 'evaluating' });
          const t0 = performance.now();
          const { step, icl, metrics } = await t.evaluate();
          const seconds = (performance.now() - t0) / 1000;
          this.sendProgress(true);
          this.emit({ type: 'eval', step, icl, metrics, seconds, prompt: t.promptView(0) });
          // a finished run lives on as its run file in the page's runs list
          if (t.done) await this.dropKept(runId);
          else await this.keep(t, runId);
          nextEval += every;
          if (this.running && !t.done) this.emit({ type: 'state', state: 'training' });
        }
        if (performance.now() - lastYield >= YIELD_EVERY_MS) {
          await new Promise((r) => setTimeout(r, 0)); // let pause/step messages in
          lastYield = performance.now();
        }
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
    this.emit({
      type: 'progress',
      step: t.step,
      total: t.config.steps,
      loss: last?.loss ?? NaN,
      stepsPerSecond: this.rate(t),
      losses,
    });
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
