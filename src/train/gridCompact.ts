// A grid file made small enough to ship with the page or to put in a link: results only.
// Every cell's run keeps its config, its last ICL curve (rounded), its evaluations (exact, the
// verdict reads them; older ones thinned past a cap) and a thinned loss history; the derived
// parts of grid.json (the table, each cell's verdict, the groups) are left out, since the page
// recomputes them with parseGridFile. A compaction is only accepted when every verdict the
// page shows (each cell's, each seed's, with the numbers in its sentence) is the one the
// original gives; otherwise more digits are kept, and at the end none are rounded.
import type { Curve, IclResult } from '../spec/icl';
import { gridVerdicts, stringifyGridFile, type CellState, type GridState } from './gridFile';
import type { RunFile } from './protocol';
import { downsample, thinEvaluations } from './shareLink';

export interface CompactOptions {
  /** Loss-history points kept per run (0: none; the grid view draws no loss). */
  historyPoints: number;
  /** Evaluations kept per run at most (the last three always). */
  evaluationPoints: number;
  /** Free text (the adapter's name, failure sentences) replaced by plain words: for links. */
  dropFreeText: boolean;
}

/** The shipped Reproduction's form: a short loss history, every evaluation of a Teaching run. */
export const SHIPPED_COMPACTION: CompactOptions = { historyPoints: 100, evaluationPoints: 100, dropFreeText: false };

/** Significant digits tried in turn for curves and losses; null keeps the numbers as they are
 *  (and every evaluation, so the last try changes nothing a verdict reads). */
const DIGIT_STEPS: readonly (number | null)[] = [4, 6, null];

function rounder(digits: number | null): (x: number) => number {
  if (digits === null) return (x) => x;
  return (x) => (Number.isFinite(x) ? Number(x.toPrecision(digits)) : x);
}

function mapRecord<T, U>(r: Record<string, T>, f: (x: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(r).map(([k, x]) => [k, f(x)]));
}

function roundIcl(icl: IclResult, round: (x: number) => number): IclResult {
  const curve = (c: Curve): Curve => ({ mean: c.mean.map(round), lo: c.lo.map(round), hi: c.hi.map(round) });
  const out: IclResult = { positions: icl.positions.slice(), curves: mapRecord(icl.curves, curve) };
  if (icl.accuracy) out.accuracy = mapRecord(icl.accuracy, (a) => a.map(round));
  return out;
}

/** One run, results only: curves rounded, history and older evaluations thinned. */
export function compactRun(run: RunFile, opts: CompactOptions, digits: number | null): RunFile {
  const round = rounder(digits);
  const out: RunFile = {
    version: run.version,
    config: { ...run.config },
    history: downsample(run.history, opts.historyPoints).map((h) => ({ step: h.step, loss: round(h.loss) })),
    icl: run.icl ? roundIcl(run.icl, round) : null,
    metrics: mapRecord(run.metrics, round),
    stepsPerSecond: round(run.stepsPerSecond),
    adapter: opts.dropFreeText ? '' : run.adapter,
  };
  if (run.evalStep !== undefined) out.evalStep = run.evalStep;
  if (run.evaluations?.length) out.evaluations = thinEvaluations(run.evaluations, opts.evaluationPoints);
  return out;
}

function compactCells(cells: readonly CellState[], opts: CompactOptions, digits: number | null): CellState[] {
  return cells.map((c) => {
    const run = c.run && compactRun(c.run, opts, digits);
    const failure = c.failure === undefined ? {} : { failure: opts.dropFreeText ? 'Its training failed.' : c.failure };
    return { cell: c.cell, status: c.status, step: c.step, run, ...failure };
  });
}

/** What the page shows of every verdict: symbols, kinds and sentences (which carry the numbers). */
function shownVerdicts(state: GridState): string {
  return JSON.stringify(
    gridVerdicts(state).map((row) => [
      row.verdict && [row.verdict.symbol, row.verdict.kind, row.verdict.reason],
      row.seeds.map((s) => [s.seed, s.verdict.symbol, s.verdict.reason]),
      [row.spread.mean, row.spread.sd, row.spread.min, row.spread.max].map((x) => Number(x.toPrecision(3))),
    ]),
  );
}

/**
 * The grid with its runs compacted, at the fewest digits (of 4, 6, all) that leave every verdict
 * and its numbers as the original gives them; `digits` says which was used (null: all).
 */
export function compactGrid(
  state: GridState,
  opts: CompactOptions = SHIPPED_COMPACTION,
): { state: GridState; digits: number | null } {
  const want = shownVerdicts(state);
  const timing = opts.dropFreeText ? { ...state.timing, adapter: null } : state.timing;
  for (const digits of DIGIT_STEPS) {
    const kept = digits === null ? { ...opts, evaluationPoints: Infinity } : opts;
    const compact: GridState = { ...state, cells: compactCells(state.cells, kept, digits), timing };
    if (digits === null || shownVerdicts(compact) === want) return { state: compact, digits };
  }
  throw new Error('unreachable: the last step keeps every digit');
}

/**
 * The compact grid file's text: grid.json's format (parseGridFile reads it), without what the
 * page derives (the table, each cell's verdict, the stacking groups) and without indentation.
 */
export function stringifyCompactGrid(state: GridState): string {
  const file = JSON.parse(stringifyGridFile(state)) as Record<string, unknown> & { cells: Record<string, unknown>[] };
  delete file.table;
  delete file.groups;
  for (const cell of file.cells) {
    delete cell.verdict;
    delete cell.group;
  }
  return JSON.stringify(file) + '\n';
}
