// The train command's loop: one step at a time, so that a signal is seen after the step in
// progress; the ICL curve every evalEvery steps and at the last step; a save every
// checkpointEvery steps. Where it evaluates and saves depends only on the step, so a run
// stopped and resumed evaluates at the same steps as one trained straight through.
import type { Trainer } from '../train/trainer';
import { yieldToEvents } from './signals';

/** How often the loop lets pending events in: a signal is seen within this time of steps. */
const YIELD_MS = 5;

/** done: the run's last step; stopped: --stop-after's step; signal: asked to stop. */
export type LoopEnd = 'done' | 'stopped' | 'signal';

export interface LoopOptions {
  /** The step to stop at: config.steps, or --stop-after's. */
  stopAt: number;
  /** Save every this many steps (null: only at the end). */
  checkpointEvery: number | null;
  save: () => Promise<void>;
  stopRequested: () => boolean;
  log: (line: string) => void;
}

export async function runTrainingLoop(trainer: Trainer, opts: LoopOptions): Promise<LoopEnd> {
  const { config } = trainer;
  const { stopAt, checkpointEvery, log } = opts;
  let nextEval = Math.min(config.steps, (Math.floor(trainer.step / config.evalEvery) + 1) * config.evalEvery);
  let lastPrint = performance.now();
  let lastYield = lastPrint;
  while (trainer.step < stopAt) {
    if (opts.stopRequested()) return 'signal';
    await trainer.train(1);
    // a signal's handler runs only when the event loop turns: let it, every few milliseconds
    if (performance.now() - lastYield > YIELD_MS) {
      await yieldToEvents();
      lastYield = performance.now();
    }
    if (trainer.step >= nextEval) {
      const { metrics } = await trainer.evaluate();
      log(
        `  eval @ ${trainer.step}: ${Object.entries(metrics)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(', ')}`,
      );
      nextEval = Math.min(config.steps, nextEval + config.evalEvery);
    }
    if (checkpointEvery !== null && trainer.step % checkpointEvery === 0 && trainer.step < stopAt) await opts.save();
    const now = performance.now();
    if (now - lastPrint > 1000 || trainer.step === stopAt) {
      lastPrint = now;
      await printProgress(trainer, log);
    }
  }
  return trainer.done ? 'done' : 'stopped';
}

/** "step 120 / 2000  loss 0.9811  41.2 steps/s  ETA 45s" */
async function printProgress(trainer: Trainer, log: (line: string) => void): Promise<void> {
  await trainer.flush();
  const last = trainer.history[trainer.history.length - 1];
  const sps = trainer.stepsPerSecond;
  const eta = sps > 0 ? (trainer.config.steps - trainer.step) / sps : 0;
  const loss = last ? last.loss.toFixed(4) : '…';
  const rate = `${sps.toFixed(1)} steps/s  ETA ${formatDuration(eta)}`;
  log(`step ${trainer.step} / ${trainer.config.steps}  loss ${loss}  ${rate}`);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
