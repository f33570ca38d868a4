// The grid's report files in a directory: grid.json and grid.md for the whole grid (or a merge),
// grid.shard-<i>-of-<n>.json and .md for one shard's process, so shards that share an output
// directory never overwrite each other's. Reading them back, merging them with what the cell
// files say now (--report), and writing them atomically.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mergeGrids, parseGridFile, stringifyGridFile, type CellState, type GridState } from '../train/gridFile';
import type { GridCell, Shard } from '../train/gridPlan';
import { gridMarkdown } from '../train/gridReport';
import { UsageError } from './args';
import { readCheckpointPair } from './checkpoints';
import { describeFsError, readJsonFile, writeFilesAtomic } from './files';
import { cellFiles, readCellState } from './gridCells';

const GRID_FILE = /^grid(\.shard-[0-9]+-of-[0-9]+)?\.json$/;

/** "grid" or "grid.shard-1-of-4": the stem of a process's report files. */
export function gridStem(shard: Shard | null): string {
  return shard && shard.count > 1 ? `grid.shard-${shard.index}-of-${shard.count}` : 'grid';
}

/** Writes DIR/<stem>.json and .md atomically; returns their paths. */
export function writeGridReport(dir: string, state: GridState): string[] {
  const stem = join(dir, gridStem(state.shard));
  const files = [
    { path: `${stem}.json`, data: stringifyGridFile(state) },
    { path: `${stem}.md`, data: gridMarkdown(state) },
  ];
  writeFilesAtomic(files);
  return files.map((f) => f.path);
}

/** The grid files a path names: a grid file itself, or every grid file in a directory. */
export function gridFilesIn(path: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${describeFsError(e)}.`);
  }
  if (!isDir) return [path];
  return readdirSync(path)
    .filter((f) => GRID_FILE.test(f))
    .sort()
    .map((f) => join(path, f));
}

export function readGridFile(path: string): GridState {
  const parsed = parseGridFile(readJsonFile(path, 'grid file'));
  if (!parsed.ok) throw new UsageError(`${path}: ${parsed.error}.`);
  return parsed.value;
}

/** Merges grid files (of one grid) into one state; a sentence for files of different grids or conflicting cells. */
export function mergeGridFiles(states: readonly GridState[], names: readonly string[]): GridState {
  const merged = mergeGrids(states, names);
  if (!merged.ok) throw new UsageError(merged.error);
  return merged.value;
}

/**
 * A cell's state as its files say now, without the checkpoint's tensors mattering: for the
 * report, and for cells another process trains in the same directory (whose pair may be
 * between its two renames: then it counts as not started).
 */
export function peekCellState(outDir: string, cell: GridCell): CellState {
  const files = cellFiles(outDir, cell);
  if (existsSync(files.run) || existsSync(files.failed)) {
    const { pair: _pair, ...state } = readCellState(outDir, cell);
    return state;
  }
  if (existsSync(files.checkpoint)) {
    try {
      const step = readCheckpointPair(files.checkpoint, false).state.step;
      return { cell, status: 'started', step: Math.min(step, cell.config.steps), run: null };
    } catch {
      // being written by another process, or not a pair: not started, as far as a report can tell
    }
  }
  return { cell, status: 'pending', step: 0, run: null };
}
