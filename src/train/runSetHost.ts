// The worker's side of a run set ("Train all families", "Seeds: N"): it builds a RunSet on the
// worker's one GPU device and trains its runs interleaved, one step of each in turn (the engine has
// no stacked runs yet), evaluating every run at each evalEvery, and reports through RunSetEvent.
// Like the single run's loop it yields to messages every few tens of ms, so Pause acts after the
// step (or the evaluation) in progress. Sets keep no checkpoints for a resume after a lost device.
import type { GpuContext } from '../gpu/context';
import type { RunConfig } from '../spec/config';
import type { RunFile } from './protocol';
import type { RunSetApi, RunSetEvent } from './runSetProtocol';
import { RunSet } from './runSet';
import { ModelTooBigError } from './trainer';

/** The loop yields to messages (pause) at least this often (ms). */
const YIELD_EVERY_MS = 50;
/** Below this rate (set steps/s) the loop waits for each step's GPU work, so Pause acts at once. */
const SYNC_BELOW_STEPS_PER_SECOND = 5;
/** Progress events at most this often (ms). */
const PROGRESS_EVERY_MS = 200;

/** What the host needs from the worker it lives in. */
export interface RunSetWorker {
  /** The worker's GPU device (created on first use). */
  gpu(): Promise<GpuContext>;
  /** Stops and frees the worker's single run: one device trains either it or a set. */
  leaveSingleRun(): Promise<void>;
}

export class RunSetHost implements RunSetApi {
  private set: RunSet | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private listener: ((e: RunSetEvent) => void) | null = null;
  /** Per run, how many of its losses the page has been sent. */
  private sentLosses: number[] = [];
  /** Runs whose divergence the page has been told of. */
  private reportedFailures = new Set<number>();
  private lastProgress = 0;
  /** Wall-clock time and steps of the loop's training since start (evaluations, and steps that waited
   *  for pipelines to compile, excluded: on a CPU adapter four families compile for a minute). */
  private loopMs = 0;
  private loopSteps = 0;
  private compiledInStep = false;

  constructor(private readonly worker: RunSetWorker) {}

  subscribe(onEvent: (e: RunSetEvent) => void): void {
    this.listener = onEvent;
  }

  async load(configs: RunConfig[]): Promise<void> {
    await this.end();
    await this.worker.leaveSingleRun();
    const gpu = await this.worker.gpu();
    try {
      this.set = RunSet.create(gpu, configs);
    } catch (e) {
      const kind = e instanceof ModelTooBigError ? 'too_big' : 'internal';
      this.emit({ type: 'error', kind, message: (e as Error).message });
      throw e;
    }
    for (const t of this.set.trainers) {
      t.onCompiling = (pipelines) => {
        if (pipelines > 0) this.compiledInStep = true;
        this.emit({ type: 'compiling', pipelines });
      };
    }
    this.sentLosses = configs.map(() => 0);
    this.reportedFailures.clear();
    this.emit({ type: 'state', state: 'idle' });
  }

  start(): void {
    const set = this.set;
    if (!set || this.running || (set.done && !this.owesEvaluation(set))) return;
    this.running = true;
    set.resetTiming();
    this.loopMs = 0;
    this.loopSteps = 0;
    this.emit({ type: 'state', state: 'training' });
    this.loop = this.runLoop(set);
  }

  pause(): void {
    this.running = false;
  }

  async end(): Promise<void> {
    this.running = false;
    await this.loop;
    if (!this.set) return;
    this.set.destroy();
    this.set = null;
    this.emit({ type: 'state', state: 'ended' });
  }

  async runFiles(): Promise<RunFile[]> {
    const set = this.set;
    if (!set) throw new Error('No run set is loaded: press "Train all families" or train several seeds first.');
    await set.flush();
    return set.runFiles().map((r) => ({ ...r, stepsPerSecond: this.rate(set) }));
  }

  /** Steps of each run per second: the loop's wall-clock rate once it has one, else the runs' own. */
  private rate(set: RunSet): number {
    if (this.loopMs > 0 && this.loopSteps >= 1) return (1000 * this.loopSteps) / this.loopMs;
    const rates = set.trainers.map((t) => t.stepsPerSecond).filter((r) => r > 0);
    return rates.length > 0 ? 1 / rates.reduce((s, r) => s + 1 / r, 0) : 0; // one set step = a step of each
  }

  /** Run i owes an evaluation: at each evalEvery step, and at its last step. */
  private owes(set: RunSet, i: number): boolean {
    const t = set.trainers[i];
    if (set.failures[i] !== null || t.step === 0 || t.lastEval?.step === t.step) return false;
    return t.done || t.step % t.config.evalEvery === 0;
  }

  private owesEvaluation(set: RunSet): boolean {
    return set.trainers.some((_, i) => this.owes(set, i));
  }

  private async runLoop(set: RunSet): Promise<void> {
    let lastYield = performance.now();
    try {
      while (this.running && this.set === set) {
        // every run evaluates at the same steps; a pause between two runs' evaluations leaves the rest owed
        if (this.owesEvaluation(set)) {
          this.emit({ type: 'state', state: 'evaluating' });
          for (let i = 0; i < set.size && this.running; i++) {
            if (!this.owes(set, i)) continue;
            const result = await set.evaluate(i);
            if (result) this.emit({ type: 'eval', index: i, ...result });
          }
          this.reportFailures(set);
          this.sendProgress(set, true);
          if (!this.running || set.done) break;
          this.emit({ type: 'state', state: 'training' });
        }
        if (set.done) break;
        const t0 = performance.now();
        this.compiledInStep = false;
        await set.trainStep();
        if (this.rate(set) < SYNC_BELOW_STEPS_PER_SECOND) await set.flush();
        if (!this.compiledInStep) {
          this.loopMs += performance.now() - t0;
          this.loopSteps += 1;
        }
        this.reportFailures(set);
        this.sendProgress(set, false);
        if (performance.now() - lastYield >= YIELD_EVERY_MS) {
          await new Promise((r) => setTimeout(r, 0)); // let pause messages in
          lastYield = performance.now();
        }
      }
      await set.flush();
      this.reportFailures(set);
      this.sendProgress(set, true);
    } catch (e) {
      this.running = false;
      const kind = e instanceof ModelTooBigError ? 'too_big' : 'internal';
      this.emit({ type: 'error', kind, message: (e as Error).message });
    }
    this.running = false;
    if (this.set === set)
      this.emit({ type: 'state', state: set.done && !this.owesEvaluation(set) ? 'done' : 'paused' });
  }

  private reportFailures(set: RunSet): void {
    set.failures.forEach((message, index) => {
      if (message === null || this.reportedFailures.has(index)) return;
      this.reportedFailures.add(index);
      this.emit({ type: 'failed', index, message });
    });
  }

  private sendProgress(set: RunSet, force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    const runs = set.trainers.map((t, i) => {
      const losses = t.history.slice(this.sentLosses[i]);
      this.sentLosses[i] = t.history.length;
      return { step: t.step, total: t.config.steps, loss: t.history[t.history.length - 1]?.loss ?? NaN, losses };
    });
    this.emit({ type: 'progress', runs, stepsPerSecond: this.rate(set) });
  }

  private emit(e: RunSetEvent): void {
    this.listener?.(e);
  }
}
