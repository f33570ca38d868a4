// A run set: several runs trained together on one GPU device, one step of each in turn, with one
// `step()`. The page's "Train all families" (one task, the four families) and "Seeds: N" (one
// config, seeds s, s+1, …) use it; the grid runner can group its cells through it later.
//
// This implementation interleaves: each member is an ordinary Trainer with its own model, seed
// stream, data stream and compiled step, so a run trained inside a set is the same run, bit for
// bit, as trained alone (tests/gpu/runSet.test.ts). The engine has no stacked runs yet; a stacked
// implementation (one step for runs of one shape) can replace this class behind the same methods.
import type { GpuContext } from '../gpu/context';
import type { StepReading } from '../engine/trainingStep';
import { MODEL_IDS, type RunConfig } from '../spec/config';
import { CONFIG_BOUNDS } from './schema';
import type { RunFile } from './protocol';
import { DivergedError, Trainer } from './trainer';

/** Most runs of one config the page trains side by side ("Seeds: N"). */
export const MAX_SEEDS = 8;

/** One config per family (the order of MODEL_IDS), everything else as given. */
export function familyConfigs(config: RunConfig): RunConfig[] {
  return MODEL_IDS.map((model) => ({ ...config, model }));
}

/** `n` copies of `config` with seeds seed, seed + 1, …; says why when n or the seeds are out of range. */
export function seedConfigs(config: RunConfig, n: number): RunConfig[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEEDS)
    throw new RangeError(`The number of seeds must be a whole number from 1 to ${MAX_SEEDS}; it was ${n}.`);
  const last = config.seed + n - 1;
  if (last > CONFIG_BOUNDS.seed.max)
    throw new RangeError(`Seeds ${config.seed} to ${last} pass the largest seed, ${CONFIG_BOUNDS.seed.max}.`);
  return Array.from({ length: n }, (_, i) => ({ ...config, seed: config.seed + i }));
}

export class RunSet {
  /** Why each run stopped early (it diverged), or null while it trains on. */
  readonly failures: (string | null)[];

  /** Takes ownership of the trainers (destroy() destroys them). */
  constructor(readonly trainers: readonly Trainer[]) {
    if (trainers.length === 0) throw new Error('A run set needs at least one run.');
    const gpu = trainers[0].gpu;
    if (trainers.some((t) => t.gpu !== gpu)) throw new Error('The runs of a set must share one GPU device.');
    this.failures = trainers.map(() => null);
  }

  /** A set of fresh trainers for `configs` (destroys those built so far when one cannot be). */
  static create(gpu: GpuContext, configs: readonly RunConfig[], opts: ConstructorParameters<typeof Trainer>[2] = {}) {
    const built: Trainer[] = [];
    try {
      for (const c of configs) built.push(new Trainer(gpu, c, opts));
    } catch (e) {
      for (const t of built) t.destroy();
      throw e;
    }
    return new RunSet(built);
  }

  get size(): number {
    return this.trainers.length;
  }

  /** A run still trains: it has steps left and has not diverged. */
  active(i: number): boolean {
    return this.failures[i] === null && !this.trainers[i].done;
  }

  /** Every run has finished or diverged. */
  get done(): boolean {
    return this.trainers.every((_, i) => !this.active(i));
  }

  /** The fewest steps any active run has taken (the set's progress). */
  get step(): number {
    const steps = this.trainers.filter((_, i) => this.active(i)).map((t) => t.step);
    return steps.length > 0 ? Math.min(...steps) : Math.max(...this.trainers.map((t) => t.step));
  }

  /**
   * One step of each active run, in order. Returns the readings that arrived, per run. A run whose
   * loss is not finite is set aside (failures says why) and the others train on.
   */
  async trainStep(): Promise<StepReading[][]> {
    const readings: StepReading[][] = this.trainers.map(() => []);
    for (let i = 0; i < this.trainers.length; i++) {
      if (!this.active(i)) continue;
      readings[i] = await this.guarded(i, () => this.trainers[i].train(1), []);
    }
    return readings;
  }

  /** Waits for every run's submitted steps and records their losses. */
  async flush(): Promise<StepReading[][]> {
    const readings: StepReading[][] = this.trainers.map(() => []);
    for (let i = 0; i < this.trainers.length; i++) {
      if (this.failures[i] === null) readings[i] = await this.guarded(i, () => this.trainers[i].flush(), []);
    }
    return readings;
  }

  /** Evaluates run i's ICL curve (Trainer.evaluate); null when the run has diverged. */
  async evaluate(i: number): Promise<Trainer['lastEval']> {
    if (this.failures[i] !== null) return null;
    return this.guarded<Trainer['lastEval']>(i, () => this.trainers[i].evaluate(), null);
  }

  resetTiming(): void {
    for (const t of this.trainers) t.resetTiming();
  }

  runFiles(): RunFile[] {
    return this.trainers.map((t) => t.runFile());
  }

  destroy(): void {
    for (const t of this.trainers) t.destroy();
  }

  /** fn's result, or `fallback` once run i has diverged in it. */
  private async guarded<T>(i: number, fn: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof DivergedError)) throw e;
      this.failures[i] = e.message;
      return fallback;
    }
  }
}
