// A grid cell's files under --out DIR, and its state read back from them:
//   DIR/cells/<cell>.json                the run file, written once, when the cell finishes
//   DIR/cells/<cell>.safetensors         the checkpoint pair (weights + Adam moments), written
//   DIR/cells/<cell>.adam.safetensors    at every evaluation, on a stop, and at the end
//   DIR/cells/<cell>.failed.json         instead of the run file, when training diverged
// A run file means done; a failure file, failed (the same seed would diverge again, so it is not
// retried); a checkpoint alone, started at its step (a checkpoint at the run's last step, from a
// kill between the last two writes, is done too). A file trained with another config than the
// cell's is refused: that DIR holds another grid.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../spec/config';
import type { CellState } from '../train/gridFile';
import { sortedConfig, type GridCell } from '../train/gridPlan';
import { parseRunConfig, parseRunFile } from '../train/schema';
import { UsageError } from './args';
import { readCheckpointPair, type CheckpointPair } from './checkpoints';
import { readJsonFile } from './files';

export interface CellFiles {
  run: string;
  checkpoint: string;
  failed: string;
}

export function cellFiles(outDir: string, cell: GridCell): CellFiles {
  const stem = join(outDir, 'cells', cell.id);
  return { run: `${stem}.json`, checkpoint: `${stem}.safetensors`, failed: `${stem}.failed.json` };
}

/** The fields where two configs differ, "steps 20 (the grid: 40), …"; empty when equal. */
function differences(found: RunConfig, wanted: RunConfig): string {
  const a = sortedConfig(found) as unknown as Record<string, unknown>;
  const b = sortedConfig(wanted) as unknown as Record<string, unknown>;
  return Object.keys(b)
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k} ${JSON.stringify(a[k])} (this grid: ${JSON.stringify(b[k])})`)
    .join(', ');
}

function checkConfig(path: string, found: RunConfig, cell: GridCell): void {
  const diff = differences(found, cell.config);
  if (diff) {
    throw new UsageError(
      `${path} was trained with another config than this grid's cell ${cell.id} (${diff}): ` +
        'the output directory holds another grid; give another --out, or the flags of that grid.',
    );
  }
}

/** A cell's state from its files, and the checkpoint pair to resume from when it is started. */
export function readCellState(outDir: string, cell: GridCell): CellState & { pair: CheckpointPair | null } {
  const files = cellFiles(outDir, cell);
  if (existsSync(files.run)) {
    const parsed = parseRunFile(readJsonFile(files.run, 'run file'));
    if (!parsed.ok) throw new UsageError(`${files.run}: ${parsed.error}`);
    checkConfig(files.run, parsed.value.config, cell);
    return { cell, status: 'done', step: cell.config.steps, run: parsed.value, pair: null };
  }
  if (existsSync(files.failed)) {
    const json = readJsonFile(files.failed, 'failure file') as { failure?: unknown; step?: unknown; config?: unknown };
    const config = parseRunConfig(json?.config);
    if (typeof json?.failure !== 'string' || !Number.isInteger(json.step) || !config.ok) {
      throw new UsageError(`${files.failed} is not a failure file of the grid command; remove it to train the cell.`);
    }
    checkConfig(files.failed, config.value, cell);
    return { cell, status: 'failed', step: json.step as number, run: null, failure: json.failure, pair: null };
  }
  if (existsSync(files.checkpoint)) {
    let pair: CheckpointPair;
    try {
      pair = readCheckpointPair(files.checkpoint, false);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      throw new UsageError(
        `cell ${cell.id}: ${e.message.replace(/; add --weights-only-resume.*$/s, '.')} ` +
          `To train this cell from the start, remove ${files.checkpoint} and its .adam.safetensors.`,
      );
    }
    checkConfig(files.checkpoint, pair.state.run.config, cell);
    const { step } = pair.state;
    if (step >= cell.config.steps) return { cell, status: 'done', step, run: pair.state.run, pair: null };
    return { cell, status: 'started', step, run: null, pair };
  }
  return { cell, status: 'pending', step: 0, run: null, pair: null };
}
