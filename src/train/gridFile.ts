// grid.json: the versioned file of a paper grid (`npm run grid`): the grid's config (tasks,
// models, seeds, preset and the flags that override it), every cell's config, status and run
// file (results only, no weights; a loss history longer than GRID_HISTORY_POINTS thinned, the
// full one stays in cells/), and the verdicts (each cell's by SPEC's rule, each seed's,
// the seeds' spread). Parse checks everything that comes from outside and recomputes the groups
// and verdicts from the runs, so a file never vouches for itself; merge joins shards of one grid.
import * as v from 'valibot';
import { MODEL_IDS, TASK_IDS, type ModelId, type TaskId } from '../spec/config';
import type { Verdict } from '../spec/verdict';
import {
  cellId,
  gridFingerprint,
  groupCells,
  sameConfig,
  sortedConfig,
  type GridCell,
  type GridGroup,
  type Shard,
} from './gridPlan';
import { paperMark } from './gridPaper';
import { cellVerdict, runVerdict, type CellVerdict } from './gridVerdicts';
import { PRESET_IDS, type PresetId } from './presets';
import type { RunFile } from './protocol';
import { parseRunConfig, parseRunFile, type Parsed } from './schema';

export const GRID_FILE_FORMAT = 'icl-lab-grid';
/** Bump when a field changes meaning. */
export const GRID_FILE_VERSION = 1;

/** What the grid command was asked for: the cells' tasks, models and seeds, and their recipe. */
export interface GridSpec {
  tasks: TaskId[];
  models: ModelId[];
  seeds: number[];
  preset: PresetId;
  /** The config flags that override the preset's fields for every cell, as given ("steps": "20"). */
  overrides: Record<string, string | boolean>;
}

/** done: its run file is written; failed: it diverged (deterministically: training it again would too);
 *  started: a checkpoint at `step`; pending: nothing yet. */
export type CellStatus = 'done' | 'failed' | 'started' | 'pending';

export interface CellState {
  cell: GridCell;
  status: CellStatus;
  step: number;
  /** The finished run (done cells only). */
  run: RunFile | null;
  /** Why it failed, a sentence with the step (failed cells only). */
  failure?: string;
}

export interface GridState {
  spec: GridSpec;
  /** The part of the grid this file's process trained; null for the whole grid or a merge. */
  shard: Shard | null;
  cells: CellState[];
  /** Timings and where they were measured: left out when two grids are compared. */
  timing: { written: string; wallSeconds: number | null; adapter: string | null };
}

/**
 * Loss-history points a grid file keeps per run: evenly spaced, first and last kept. A paper-length
 * run (500k steps) would otherwise put ~17 MB per cell into grid.json; the verdicts read only the
 * evaluations, which are all kept.
 */
export const GRID_HISTORY_POINTS = 10_000;

export function thinHistory(run: RunFile): RunFile {
  const { history } = run;
  const n = history.length;
  if (n <= GRID_HISTORY_POINTS) return run;
  const kept = Array.from(
    { length: GRID_HISTORY_POINTS },
    (_, i) => history[Math.round((i * (n - 1)) / (GRID_HISTORY_POINTS - 1))],
  );
  return { ...run, history: kept };
}

/** The table's rows: one per (task, model), in grid order. */
export function gridVerdicts(state: GridState): (CellVerdict & { paper: string | null })[] {
  const { tasks, models } = state.spec;
  return tasks.flatMap((task) =>
    models.map((model) => {
      const seeds = state.cells.filter((c) => c.cell.task === task && c.cell.model === model);
      const runs = seeds.map((c) => ({ seed: c.cell.seed, run: c.run, failure: c.failure }));
      const verdict = cellVerdict(task, model, runs);
      return { ...verdict, paper: paperMark(task, model) };
    }),
  );
}

function verdictJson(v: Verdict) {
  return { symbol: v.symbol, kind: v.kind, learns: v.learns, value: v.value, reason: v.reason };
}

/** The file's text: JSON, keys in a fixed order, NaN as null. */
export function stringifyGridFile(state: GridState): string {
  const cells = state.cells.map((c) => c.cell);
  const groups: GridGroup[] = groupCells(cells);
  const groupOf = new Map(groups.flatMap((g) => g.cells.map((c) => [c.id, g.index] as const)));
  const file = {
    format: GRID_FILE_FORMAT,
    version: GRID_FILE_VERSION,
    id: gridFingerprint(cells),
    spec: state.spec,
    shard: state.shard,
    groups: groups.map((g) => ({ index: g.index, key: g.key, cells: g.cells.map((c) => c.id) })),
    cells: state.cells.map(({ cell, status, step, run, failure }) => ({
      id: cell.id,
      task: cell.task,
      model: cell.model,
      seed: cell.seed,
      group: groupOf.get(cell.id),
      config: sortedConfig(cell.config),
      status,
      step,
      ...(failure !== undefined ? { failure } : {}),
      verdict: run ? verdictJson(runVerdict(run)) : null,
      run: run && thinHistory(run),
    })),
    table: gridVerdicts(state).map((row) => ({
      task: row.task,
      model: row.model,
      paper: row.paper,
      verdict: row.verdict && verdictJson(row.verdict),
      seeds: row.seeds.map((s) => ({ seed: s.seed, ...verdictJson(s.verdict) })),
      unfinished: row.unfinished,
      failed: row.failed,
      spread: row.spread,
    })),
    timing: state.timing,
  };
  return JSON.stringify(file, null, 1) + '\n';
}

const seedNumber = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1));
const SpecSchema = v.object({
  tasks: v.pipe(v.array(v.picklist(TASK_IDS)), v.minLength(1)),
  models: v.pipe(v.array(v.picklist(MODEL_IDS)), v.minLength(1)),
  seeds: v.pipe(v.array(seedNumber), v.minLength(1)),
  preset: v.picklist(PRESET_IDS),
  overrides: v.record(v.pipe(v.string(), v.regex(/^[a-z-]{1,40}$/)), v.union([v.string(), v.boolean()])),
});
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const FileSchema = v.object({
  format: v.literal(GRID_FILE_FORMAT),
  version: v.literal(GRID_FILE_VERSION),
  id: v.string(),
  spec: SpecSchema,
  shard: v.nullable(v.object({ index: count, count: v.pipe(count, v.minValue(1)) })),
  cells: v.array(
    v.object({
      id: v.string(),
      config: v.unknown(),
      status: v.picklist(['done', 'failed', 'started', 'pending']),
      step: count,
      failure: v.optional(v.pipe(v.string(), v.maxLength(1000))),
      run: v.unknown(),
    }),
  ),
  timing: v.object({
    written: v.string(),
    wallSeconds: v.nullable(v.number()),
    adapter: v.nullable(v.string()),
  }),
});

/** A grid file's state, from parsed JSON; every cell's config and run checked, nothing derived trusted. */
export function parseGridFile(input: unknown): Parsed<GridState> {
  const version = (input as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > GRID_FILE_VERSION) {
    return { ok: false, error: `it is a grid file of a newer ICL Lab (format ${version}; this one reads 1)` };
  }
  const r = v.safeParse(FileSchema, input);
  if (!r.success) {
    const path = r.issues[0].path?.map((p) => p.key).join('.') ?? '';
    return {
      ok: false,
      error: `it is not a grid file of this lab (${path ? `at "${path}": ` : ''}${r.issues[0].message})`,
    };
  }
  const file = r.output;
  const cells: CellState[] = [];
  const { tasks, models, seeds } = file.spec;
  const expected = tasks.flatMap((t) => models.flatMap((m) => seeds.map((s) => cellId(t, m, s))));
  if (file.cells.length !== expected.length || file.cells.some((c, i) => c.id !== expected[i])) {
    return { ok: false, error: "its cells are not its spec's tasks × models × seeds, in order" };
  }
  for (const c of file.cells) {
    const config = parseRunConfig(c.config);
    if (!config.ok) return { ok: false, error: `cell ${c.id}: ${config.error}` };
    const { task, model, seed } = config.value;
    if (cellId(task, model, seed) !== c.id)
      return { ok: false, error: `cell ${c.id} holds the config of another cell` };
    let run: RunFile | null = null;
    if (c.status === 'done') {
      const parsed = parseRunFile(c.run);
      if (!parsed.ok) return { ok: false, error: `cell ${c.id}: ${parsed.error}` };
      if (!sameConfig(parsed.value.config, config.value)) {
        return { ok: false, error: `cell ${c.id}: its run file was trained with another config than the cell's` };
      }
      run = parsed.value;
    }
    const failure = c.status === 'failed' ? (c.failure ?? 'It failed.') : undefined;
    const cell = { id: c.id, task, model, seed, config: config.value };
    cells.push({ cell, status: c.status, step: c.step, run, ...(failure !== undefined ? { failure } : {}) });
  }
  if (gridFingerprint(cells.map((c) => c.cell)) !== file.id) {
    return { ok: false, error: "its id does not match its cells' configs (the file was changed by hand?)" };
  }
  if (file.shard && file.shard.index >= file.shard.count)
    return { ok: false, error: 'its shard index is out of range' };
  return { ok: true, value: { spec: file.spec, shard: file.shard, cells, timing: file.timing } };
}

/** A cell's result without timings (steps per second) and the adapter's name: what merge compares. */
function resultsOf(state: CellState): string {
  if (!state.run) return JSON.stringify({ failure: state.failure, step: state.step });
  const run = thinHistory(state.run); // as the grid files hold it
  return JSON.stringify({ ...run, config: sortedConfig(run.config), stepsPerSecond: null, adapter: null });
}

/** A conflict between shards, thrown from inside the cell loop. */
class MergeConflict extends Error {}

function mergeOrThrow(grids: readonly GridState[], names: readonly string[]): Parsed<GridState> {
  const [first] = grids;
  const firstId = gridFingerprint(first.cells.map((c) => c.cell));
  for (let i = 1; i < grids.length; i++) {
    const id = gridFingerprint(grids[i].cells.map((c) => c.cell));
    const sameCells =
      grids[i].cells.length === first.cells.length &&
      grids[i].cells.every(
        (c, k) => c.cell.id === first.cells[k].cell.id && sameConfig(c.cell.config, first.cells[k].cell.config),
      );
    if (id !== firstId || !sameCells) {
      return {
        ok: false,
        error:
          `${names[i]} (grid ${id}) and ${names[0]} (grid ${firstId}) are shards of different grids ` +
          '(other tasks, models, seeds or run configs), so they are not merged.',
      };
    }
  }
  const cells: CellState[] = first.cells.map((c, k) => {
    const states = grids.map((g, i) => ({ state: g.cells[k], name: names[i] }));
    // a result: finished, or failed (diverged)
    const done = states.filter((s) => s.state.status === 'done' || s.state.status === 'failed');
    for (const other of done.slice(1)) {
      if (resultsOf(other.state) !== resultsOf(done[0].state)) {
        throw new MergeConflict(
          `Cell ${c.cell.id} is reported twice with different results (in ${done[0].name} and in ${other.name}), ` +
            'so the shards are not merged; keep one of them, or train that cell again.',
        );
      }
    }
    if (done.length) return done[0].state;
    return states.map((s) => s.state).reduce((a, b) => (b.step > a.step ? b : a));
  });
  const adapters = [...new Set(grids.map((g) => g.timing.adapter).filter((a): a is string => a !== null))];
  const timing = { written: new Date().toISOString(), wallSeconds: null, adapter: adapters.join('; ') || null };
  return { ok: true, value: { spec: first.spec, shard: null, cells, timing } };
}

/**
 * Joins grid files of one grid (the shards' outputs) into the whole: a cell done in one is done,
 * else the furthest started. Refuses, with a sentence, files of different grids, and a cell
 * reported done twice with different results. `names` name the files in those sentences.
 */
export function mergeGrids(grids: readonly GridState[], names: readonly string[]): Parsed<GridState> {
  try {
    return mergeOrThrow(grids, names);
  } catch (e) {
    if (e instanceof MergeConflict) return { ok: false, error: e.message };
    throw e;
  }
}
