// Training a shard of the grid: its groups in order, each group's cells one after another in
// this process on one GPU device (the stacking API of issue 20 will train a group at once).
// A finished cell is skipped, a started one resumes exactly from its checkpoint, a new one
// starts; each checkpoints at every evaluation (the train command's loop, trainLoop.ts) and
// writes its run file when it finishes. SIGINT/SIGTERM and --budget-minutes stop after the
// step in progress with the checkpoint written.
import { existsSync } from 'node:fs';
import type { GpuContext } from '../gpu/context';
import type { CellState } from '../train/gridFile';
import type { GridCell } from '../train/gridPlan';
import type { RunFile } from '../train/protocol';
import { parseRunFile, stringifyRunFile } from '../train/schema';
import { DivergedError, Trainer } from '../train/trainer';
import { encodeCheckpoint, optimizerPath, restoreRun, type CheckpointPair } from './checkpoints';
import { writeFilesAtomic } from './files';
import { cellFiles, readCellState } from './gridCells';
import { formatDuration, runTrainingLoop } from './trainLoop';
import { cliBatches } from './batchWorker';
import type { ClaimBoard } from './gridClaims';

/**
 * --budget-minutes: the process stops before its deadline (counted from its start). Before each
 * step and each cell it asks whether twice the longest stretch between two such checks so far
 * (a step with its evaluation and save, or a cell's start-up with its pipelines) still fits, so
 * the last stretch and the final save end in time.
 */
export class Budget {
  private last = performance.now();
  private longest = 0;

  constructor(private readonly deadlineMs: number) {}

  static minutes(m: number | undefined): Budget {
    return new Budget(m === undefined ? Infinity : m * 60_000);
  }

  exhausted(): boolean {
    const now = performance.now();
    this.longest = Math.max(this.longest, now - this.last);
    this.last = now;
    return now + 2 * this.longest > this.deadlineMs;
  }
}

export type ShardEnd = 'done' | 'signal' | 'budget';

export interface ShardRun {
  gpu: GpuContext;
  outDir: string;
  /** The grid's fingerprint: with the cell, the run id of a new cell's checkpoints. */
  gridId: string;
  budget: Budget;
  stopSignal: () => boolean;
  log: (line: string) => void;
  /** Called when a cell's state changes (finished, or stopped with a checkpoint). */
  onCell: (state: CellState) => void;
  /** --claim: cells are shared with other processes; a cell another one holds is passed over. */
  claims?: ClaimBoard;
}

/** Trains the given cells in order; returns why it stopped. */
export async function trainCells(cells: readonly GridCell[], ctx: ShardRun): Promise<ShardEnd> {
  for (const [i, cell] of cells.entries()) {
    const tag = `[${i + 1}/${cells.length}] ${cell.id}`;
    const claim = ctx.claims?.take(cell);
    if (claim === null) {
      ctx.log(`${tag}: claimed by another process, passed over`);
      continue;
    }
    try {
      const end = await claimedCell(cell, tag, ctx);
      if (end !== 'done') return end;
    } finally {
      claim?.release();
    }
  }
  return 'done';
}

/** A cell this process may train: skipped when done or failed before, else trained or resumed. */
async function claimedCell(cell: GridCell, tag: string, ctx: ShardRun): Promise<ShardEnd> {
  const state = readCellState(ctx.outDir, cell);
  if (state.status === 'done') {
    const files = cellFiles(ctx.outDir, cell);
    // a kill between the last checkpoint and the run file: the checkpoint holds the finished run
    if (!existsSync(files.run)) writeFilesAtomic([{ path: files.run, data: stringifyRunFile(state.run!) }]);
    ctx.log(`${tag}: done before, skipped`);
    ctx.onCell(state);
    return 'done';
  }
  if (state.status === 'failed') {
    ctx.log(`${tag}: diverged before (${cellFiles(ctx.outDir, cell).failed}), not retried`);
    ctx.onCell(state);
    return 'done';
  }
  if (ctx.stopSignal()) return 'signal';
  if (ctx.budget.exhausted()) return 'budget';
  return trainCell(cell, state.pair, tag, ctx);
}

async function trainCell(cell: GridCell, pair: CheckpointPair | null, tag: string, ctx: ShardRun): Promise<ShardEnd> {
  const { config } = cell;
  const files = cellFiles(ctx.outDir, cell);
  const trainer = new Trainer(ctx.gpu, config, {
    curriculumSteps: pair?.state.curriculumSteps ?? config.steps,
    batches: cliBatches(),
  });
  try {
    const runId = pair?.state.runId ?? `${ctx.gridId}.${cell.id}`;
    const fromStep = pair?.state.step ?? 0;
    if (pair) {
      restoreRun(trainer, pair).forEach((n) => ctx.log(`${tag}: resume: ${n}`));
      ctx.log(`${tag}: resumed at step ${fromStep} of ${config.steps} from ${files.checkpoint}`);
    } else {
      ctx.log(`${tag}: training ${config.steps} steps`);
    }
    let budgetHit = false;
    let savedAt = fromStep;
    const save = async (withRun: boolean) => {
      const { weights, adam } = await encodeCheckpoint(trainer, runId);
      const out: { path: string; data: Uint8Array | string }[] = [
        { path: optimizerPath(files.checkpoint), data: adam },
        { path: files.checkpoint, data: weights },
      ];
      // the run file last: its presence says the cell is done
      if (withRun) out.push({ path: files.run, data: stringifyRunFile(trainer.runFile()) });
      writeFilesAtomic(out);
      savedAt = trainer.step;
    };
    const t0 = performance.now();
    let end: Awaited<ReturnType<typeof runTrainingLoop>>;
    try {
      end = await runTrainingLoop(trainer, {
        stopAt: config.steps,
        checkpointEvery: config.evalEvery,
        log: (line) => ctx.log(`${tag}: ${line.trim()}`),
        stopRequested: () => ctx.stopSignal() || (budgetHit = ctx.budget.exhausted()),
        save: () => save(false),
      });
    } catch (e) {
      if (!(e instanceof DivergedError)) throw e;
      // the same seed and data diverge again: record it, go on with the next cell
      const failure = { failure: e.message, step: trainer.step, config };
      writeFilesAtomic([{ path: files.failed, data: JSON.stringify(failure, null, 1) }]);
      ctx.log(`${tag}: ${e.message} Recorded in ${files.failed}; the grid goes on.`);
      ctx.onCell({ cell, status: 'failed', step: trainer.step, run: null, failure: e.message });
      return 'done';
    }
    if (end !== 'done') {
      if (trainer.step > savedAt) await save(false);
      ctx.log(`${tag}: stopped at step ${trainer.step} of ${config.steps}; checkpoint ${files.checkpoint}`);
      ctx.onCell({ cell, status: trainer.step > 0 ? 'started' : 'pending', step: trainer.step, run: null });
      return budgetHit ? 'budget' : 'signal';
    }
    await trainer.flush();
    if (!trainer.lastEval || trainer.lastEval.step !== trainer.step) await trainer.evaluate();
    await save(true);
    ctx.log(`${tag}: done in ${formatDuration((performance.now() - t0) / 1000)}; wrote ${files.run}`);
    ctx.onCell({ cell, status: 'done', step: trainer.step, run: asWritten(trainer.runFile()) });
    return 'done';
  } finally {
    trainer.destroy();
  }
}

/** The run as its file reads back (key order, NaN), so a report made now equals one made from the files later. */
function asWritten(run: RunFile): RunFile {
  const parsed = parseRunFile(JSON.parse(stringifyRunFile(run)));
  if (!parsed.ok) throw new Error(`the run file just written does not read back: ${parsed.error}`);
  return parsed.value;
}
