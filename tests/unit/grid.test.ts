// The grid's pure parts: the grouping rule and the shards along it, the shard a scheduler's
// environment selects, the verdict of the seeds' mean curve (SPEC's rule, judge() itself),
// grid.json round trips, and merge's refusals.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseShard } from '../../src/cli/gridShard';
import { defaultConfig, MODEL_IDS, TASK_IDS, type ModelId, type TaskId } from '../../src/spec/config';
import type { IclResult } from '../../src/spec/icl';
import { judge, summarize } from '../../src/spec/verdict';
import {
  GRID_HISTORY_POINTS,
  gridVerdicts,
  mergeGrids,
  parseGridFile,
  stringifyGridFile,
  thinHistory,
  type CellState,
  type GridState,
} from '../../src/train/gridFile';
import { PAPER_TABLE } from '../../src/train/gridPaper';
import { gridCells, groupCells, shardGroups, stackKey } from '../../src/train/gridPlan';
import { gridMarkdown } from '../../src/train/gridReport';
import { cellVerdict, meanIcl, runVerdict } from '../../src/train/gridVerdicts';
import { presetConfig } from '../../src/train/presets';
import type { RunFile } from '../../src/train/protocol';
import { PAPER_REPORTS } from '../../src/ui/explain/paper';

const teaching = (task: TaskId, model: ModelId, seed: number) => presetConfig('teaching', task, model, seed);

describe('grouping rule', () => {
  const cells = gridCells(TASK_IDS, MODEL_IDS, [1, 2, 3], teaching);
  const groups = groupCells(cells);

  it('stacks the seeds of a cell, never two families or two prompt shapes', () => {
    expect(cells).toHaveLength(9 * 4 * 3);
    for (const g of groups) {
      expect(new Set(g.cells.map((c) => c.model)).size).toBe(1);
      expect(new Set(g.cells.map((c) => stackKey(c.config))).size).toBe(1);
      for (const c of g.cells) {
        // every seed of a (task, model) is in the same group
        expect(g.cells.filter((x) => x.task === c.task && x.model === c.model)).toHaveLength(3);
      }
    }
    // the teaching presets' shapes: d 4 × 11 examples for linear regression, d 6 × 16 for sparse: apart
    const key = (task: TaskId) => stackKey(teaching(task, 'mamba', 1));
    expect(key('linear_regression')).not.toBe(key('sparse_linear_regression'));
    // d 8 and 41 examples both, but the decision tree grows its prompts (curriculum) and ortho does not
    expect(key('orthogonal_outlier_regression')).not.toBe(key('decision_tree'));
    const treeNoRamp = { ...teaching('decision_tree', 'mamba', 1), curriculum: false, steps: 6000 };
    expect(stackKey(treeNoRamp)).toBe(key('orthogonal_outlier_regression'));
    expect(key('cot_io')).not.toBe(key('vector_mqar'));
  });

  it('stacks tasks that share the prompt shape (linear and sparse linear regression at their defaults)', () => {
    const tiny = (task: TaskId) => stackKey(defaultConfig(task, 'transformer', 'tiny'));
    expect(tiny('linear_regression')).toBe(tiny('sparse_linear_regression'));
    expect(stackKey(defaultConfig('linear_regression', 'mamba', 'tiny'))).not.toBe(tiny('linear_regression'));
    expect(stackKey(defaultConfig('linear_regression', 'transformer', 'small'))).not.toBe(tiny('linear_regression'));
  });

  it('is deterministic: the same cells give the same groups in the order of their first cell', () => {
    const again = groupCells(gridCells(TASK_IDS, MODEL_IDS, [1, 2, 3], teaching));
    expect(again.map((g) => [g.key, g.cells.map((c) => c.id)])).toEqual(
      groups.map((g) => [g.key, g.cells.map((c) => c.id)]),
    );
    expect(groups[0].cells[0].id).toBe('linear_regression.transformer.seed1');
  });

  it('shards split along groups: every group in exactly one shard, the work balanced', () => {
    for (const count of [1, 2, 3, 4, 7, 40]) {
      const parts = Array.from({ length: count }, (_, index) => shardGroups(groups, { index, count }));
      const owned = parts.flat().map((g) => g.index);
      expect(owned.sort((a, b) => a - b)).toEqual(groups.map((g) => g.index));
      const cost = parts.map((p) => p.reduce((s, g) => s + g.cells.length * g.cells[0].config.steps, 0));
      if (count <= groups.length) expect(Math.min(...cost)).toBeGreaterThan(0);
    }
    const two = [0, 1].map((index) => shardGroups(groups, { index, count: 2 }).flatMap((g) => g.cells).length);
    expect(Math.abs(two[0] - two[1])).toBeLessThanOrEqual(12);
  });
});

describe('the shard from flags or the scheduler', () => {
  const slurm = (id: string, min = '0', count = '4', step?: string) => ({
    SLURM_ARRAY_TASK_ID: id,
    SLURM_ARRAY_TASK_MIN: min,
    SLURM_ARRAY_TASK_COUNT: count,
    ...(step ? { SLURM_ARRAY_TASK_STEP: step } : {}),
  });

  it('takes --shard first, then Slurm (ID − MIN of COUNT), then JOB_COMPLETION_INDEX with --shards', () => {
    expect(chooseShard('1/3', undefined, slurm('2')).shard).toEqual({ index: 1, count: 3 });
    expect(chooseShard(undefined, undefined, slurm('2')).shard).toEqual({ index: 2, count: 4 });
    expect(chooseShard(undefined, undefined, slurm('7', '5', '3')).shard).toEqual({ index: 2, count: 3 });
    expect(chooseShard(undefined, undefined, slurm('8', '0', '3', '4')).shard).toEqual({ index: 2, count: 3 });
    expect(chooseShard(undefined, '5', { JOB_COMPLETION_INDEX: '4' }).shard).toEqual({ index: 4, count: 5 });
    expect(chooseShard(undefined, undefined, {}).shard).toEqual({ index: 0, count: 1 });
    expect(chooseShard(undefined, undefined, { SLURM_JOB_ID: '12' }).shard).toEqual({ index: 0, count: 1 });
  });

  it('refuses what names no shard, with a sentence', () => {
    expect(() => chooseShard('2/2', undefined, {})).toThrow(/shard 2 does not exist in 2 shards/);
    expect(() => chooseShard('1-2', undefined, {})).toThrow(/--shard must be i\/n/);
    expect(() => chooseShard('0/2', '3', {})).toThrow(/disagree/);
    expect(() => chooseShard(undefined, undefined, { JOB_COMPLETION_INDEX: '1' })).toThrow(/--shards N/);
    expect(() => chooseShard(undefined, '2', { JOB_COMPLETION_INDEX: '2' })).toThrow(/does not exist/);
    expect(() => chooseShard(undefined, '4', {})).toThrow(/needs an index/);
    expect(() => chooseShard(undefined, undefined, slurm('9', '0', '3'))).toThrow(/one range/);
    expect(() => chooseShard(undefined, undefined, slurm('x'))).toThrow(/SLURM_ARRAY_TASK_ID must be a whole number/);
    expect(() => chooseShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '1' })).toThrow(/SLURM_ARRAY_TASK_COUNT/);
  });
});

/** A finished regression run whose every evaluation has these model/zero/best curves (flat over positions). */
function regressionRun(seed: number, model: number[], zero = 1, best = 0.1): RunFile {
  const config = { ...defaultConfig('linear_regression', 'mamba', 'tiny'), seed, steps: 30, evalEvery: 10 };
  const flat = (x: number) => ({ mean: [x, x, x, x], lo: [x, x, x, x], hi: [x, x, x, x] });
  const icl = (m: number): IclResult => ({
    positions: [1, 2, 3, 4],
    curves: { model: flat(m), zero: flat(zero), least_squares: flat(best) },
  });
  const evaluations = model.map((m, i) => ({ step: 10 * (i + 1), ...summarize('linear_regression', icl(m)) }));
  const last = model[model.length - 1];
  return {
    version: 1,
    config,
    history: [{ step: 30, loss: 1 }],
    icl: icl(last),
    metrics: { final_error: last },
    stepsPerSecond: 10,
    adapter: 'test',
    evalStep: 30,
    evaluations,
  };
}

describe("a cell's verdict: SPEC's rule on the seeds' mean curve, each seed's beside it", () => {
  it('one seed: the run verdict itself', () => {
    const run = regressionRun(1, [0.5, 0.2, 0.19]);
    const cell = cellVerdict('linear_regression', 'mamba', [{ seed: 1, run }]);
    expect(cell.verdict).toEqual(runVerdict(run));
    expect(cell.verdict).toEqual(judge('linear_regression', run.evaluations!, 256, 41));
  });

  it('several seeds: the mean curve is judged; each seed keeps its own verdict; mean and spread of the gaps', () => {
    // gaps (m − 0.1) / 0.9: seed 1 at 0.1 → 0, seed 2 at 0.91 → 0.9, seed 3 unfinished
    const a = regressionRun(1, [0.1, 0.1, 0.1]);
    const b = regressionRun(2, [0.91, 0.91, 0.91]);
    const cell = cellVerdict('linear_regression', 'mamba', [
      { seed: 1, run: a },
      { seed: 2, run: b },
      { seed: 3, run: null },
    ]);
    expect(cell.seeds.map((s) => s.verdict.symbol)).toEqual(['✓', '✗']);
    expect(cell.unfinished).toEqual([3]);
    expect(cell.verdict!.symbol).toBe('▲'); // mean error 0.505: gap 0.45
    expect(cell.verdict!.value).toBeCloseTo(0.45, 10);
    expect(cell.spread.mean).toBeCloseTo(0.45, 10);
    expect(cell.spread.sd).toBeCloseTo(Math.SQRT2 * 0.45, 10);
    expect([cell.spread.min, cell.spread.max, cell.spread.n]).toEqual([0, expect.closeTo(0.9, 10), 2]);
  });

  it('a still-moving mean is inconclusive, as SPEC says for one run', () => {
    const cell = cellVerdict('linear_regression', 'mamba', [
      { seed: 1, run: regressionRun(1, [0.9, 0.9, 0.5]) },
      { seed: 2, run: regressionRun(2, [0.9, 0.9, 0.5]) },
    ]);
    expect(cell.verdict!.kind).toBe('inconclusive');
  });

  it('averages curves position by position', () => {
    const icl = (xs: number[]): IclResult => ({
      positions: [1, 2],
      curves: { model: { mean: xs, lo: xs, hi: xs } },
      accuracy: { model: xs },
    });
    const mean = meanIcl([icl([1, 2]), icl([3, 6])]);
    expect(mean.curves.model.mean).toEqual([2, 4]);
    expect(mean.accuracy!.model).toEqual([2, 4]);
  });
});

function gridOf(runs: Record<number, RunFile | null>): GridState {
  const seeds = Object.keys(runs).map(Number);
  const configOf = (_t: TaskId, _m: ModelId, seed: number) => runs[seed]?.config ?? regressionRun(seed, [1]).config;
  const cells: CellState[] = gridCells(['linear_regression'], ['mamba'], seeds, configOf).map((cell) => {
    const run = runs[cell.seed];
    return { cell, status: run ? 'done' : 'pending', step: run ? 30 : 0, run };
  });
  const spec = { tasks: ['linear_regression' as const], models: ['mamba' as const], seeds, preset: 'tiny' as const };
  return {
    spec: { ...spec, overrides: {} },
    shard: null,
    cells,
    timing: { written: 'x', wallSeconds: 1, adapter: 'a' },
  };
}

function roundTrip(state: GridState): GridState {
  const parsed = parseGridFile(JSON.parse(stringifyGridFile(state)));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe('grid.json', () => {
  const whole = gridOf({ 1: regressionRun(1, [0.1, 0.1, 0.1]), 2: regressionRun(2, [0.5, 0.5, 0.5]) });

  it('round-trips; verdicts and table are recomputed from the runs, not read from the file', () => {
    const text = stringifyGridFile(whole);
    expect(stringifyGridFile(roundTrip(whole))).toBe(text);
    const json = JSON.parse(text);
    expect(json.table[0].verdict.symbol).toBe(gridVerdicts(whole)[0].verdict!.symbol);
    json.table[0].verdict.symbol = '✓';
    json.cells[0].verdict = null;
    const parsed = parseGridFile(json);
    expect(parsed.ok && stringifyGridFile(parsed.value)).toBe(text);
    expect(gridMarkdown(whole)).toMatch(/\| linear_regression \| mamba \| ▲ gap/);
  });

  it('refuses files that are not grids, newer formats, and configs edited by hand, with a sentence', () => {
    expect(parseGridFile({ format: 'x' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not a grid file/),
    });
    const json = JSON.parse(stringifyGridFile(whole));
    expect(parseGridFile({ ...json, version: 2 })).toMatchObject({ ok: false, error: expect.stringMatching(/newer/) });
    json.cells[1].config.lr = 0.5;
    expect(parseGridFile(json)).toMatchObject({ ok: false, error: expect.stringMatching(/another config|id/) });
  });

  it('merge: shards join into the whole; different grids and a cell with two results are refused', () => {
    const left = gridOf({ 1: whole.cells[0].run, 2: null });
    const right = gridOf({ 1: null, 2: whole.cells[1].run });
    const merged = mergeGrids([left, right], ['a', 'b']);
    expect(merged.ok).toBe(true);
    const strip = (s: GridState) => stringifyGridFile({ ...s, timing: whole.timing });
    expect(merged.ok && strip(merged.value)).toBe(strip(whole));

    const other = gridOf({ 1: regressionRun(1, [0.1]), 3: null });
    const refused = mergeGrids([left, other], ['a/grid.json', 'c/grid.json']);
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/c\/grid.json .* different grids/) });

    const changed = structuredClone(whole.cells[1].run!);
    changed.history[0].loss = 2;
    const twice = mergeGrids([whole, gridOf({ 1: null, 2: changed })], ['a', 'b']);
    expect(twice).toMatchObject({ ok: false, error: expect.stringMatching(/reported twice with different results/) });
  });
});

describe('long runs in grid.json', () => {
  it('keep at most GRID_HISTORY_POINTS losses, evenly spaced with the first and last; every evaluation', () => {
    const run = regressionRun(1, [0.1, 0.1, 0.1]);
    run.history = Array.from({ length: 3 * GRID_HISTORY_POINTS + 7 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1) }));
    const back = roundTrip(gridOf({ 1: run })).cells[0].run!;
    expect(back.history).toHaveLength(GRID_HISTORY_POINTS);
    expect(back.history[0]).toEqual(run.history[0]);
    expect(back.history[GRID_HISTORY_POINTS - 1]).toEqual(run.history[run.history.length - 1]);
    expect(back.evaluations).toEqual(run.evaluations);
    expect(thinHistory(back)).toBe(back); // thinned once: a second pass keeps it
  });
});

describe('a diverged seed', () => {
  it('is kept as failed: left out of the mean, named in the report, a result that merge compares', () => {
    const done = regressionRun(1, [0.1, 0.1, 0.1]);
    const grid = gridOf({ 1: done, 2: null });
    const failure = 'Training diverged at step 7: the loss became NaN.';
    grid.cells[1] = { ...grid.cells[1], status: 'failed', step: 7, failure };
    const back = roundTrip(grid);
    expect(back.cells[1]).toMatchObject({ status: 'failed', step: 7, failure });
    const [row] = gridVerdicts(back);
    expect(row.failed).toEqual([{ seed: 2, failure }]);
    expect(row.unfinished).toEqual([]);
    expect(row.verdict).toEqual(runVerdict(done)); // the finished seed alone
    expect(gridMarkdown(back)).toMatch(/1 ✓, 2 diverged/);
    const other = structuredClone(grid);
    other.cells[1] = { ...grid.cells[1], status: 'done', step: 30, run: regressionRun(2, [0.5, 0.5, 0.5]) };
    delete other.cells[1].failure;
    expect(mergeGrids([grid, other], ['a', 'b'])).toMatchObject({ ok: false });
  });
});

describe("the paper's table", () => {
  it("is SPEC's, as the page has it", () => {
    for (const task of TASK_IDS) expect(PAPER_TABLE[task]).toEqual(PAPER_REPORTS[task]);
  });
});

describe('scripts/slurm/grid.sbatch', () => {
  const path = join(__dirname, '..', '..', 'scripts', 'slurm', 'grid.sbatch');
  const text = readFileSync(path, 'utf8');

  it('is valid bash that asks for one GPU per task, a time limit and requeueing, and execs the bundled CLI', () => {
    execFileSync('bash', ['-n', path]); // throws on a syntax error
    for (const line of ['--gres=gpu:1', '--time=', '--requeue', '--array=', '--output=', '--signal=B:TERM@']) {
      expect(text).toMatch(new RegExp(`^#SBATCH ${line}`, 'm'));
    }
    // exec: node replaces the shell, so Slurm's SIGTERM reaches the trainer
    expect(text).toMatch(/^exec node "\$ROOT\/dist-cli\/cli\.mjs" grid /m);
    expect(text).not.toMatch(/^[^#]*npm /m);
  });
});
