// The compact, results-only grid file (src/train/gridCompact.ts): it reads back through
// parseGridFile, keeps every verdict and the numbers in its sentence, thins what the page does
// not draw, keeps more digits where rounding would move a shown number, and drops free text for links.
import { describe, expect, it } from 'vitest';
import type { ModelId, TaskId } from '../../src/spec/config';
import type { IclResult } from '../../src/spec/icl';
import { summarize } from '../../src/spec/verdict';
import { compactGrid, stringifyCompactGrid, SHIPPED_COMPACTION } from '../../src/train/gridCompact';
import { gridVerdicts, parseGridFile, stringifyGridFile, type GridState } from '../../src/train/gridFile';
import { gridCells } from '../../src/train/gridPlan';
import { presetConfig } from '../../src/train/presets';
import type { RunFile } from '../../src/train/protocol';

const TASKS: TaskId[] = ['linear_regression', 'sparse_parity'];
const MODELS: ModelId[] = ['transformer', 'mamba'];
const SEEDS = [1, 2];

/** A finished run whose model curve settles at `tail` (error, or parity accuracy), with a long history. */
function run(task: TaskId, model: ModelId, seed: number, tail: number): RunFile {
  const config = { ...presetConfig('teaching', task, model, seed), evalPrompts: 256, steps: 4000, evalEvery: 100 };
  const n = config.nPoints;
  const positions = Array.from({ length: n }, (_, i) => i + 1);
  // awkward decimals, so rounding has something to round
  const line = (f: (i: number) => number) => {
    const mean = positions.map((p) => f(p) + seed / 7e4);
    return { mean, lo: mean.map((x) => x * 0.81234567), hi: mean.map((x) => x * 1.23456789) };
  };
  const icl: IclResult =
    task === 'sparse_parity'
      ? {
          positions,
          curves: { model: line(() => 0.3), zero: line(() => 1) },
          accuracy: { model: positions.map((p) => (p > n / 2 ? tail : 0.5 + p / 3e3)), zero: positions.map(() => 0.5) },
        }
      : {
          positions,
          curves: {
            model: line((p) => (p > n / 2 ? tail : 1 - p / 31)),
            least_squares: line(() => 0.1),
            zero: line(() => 1),
          },
        };
  const last = summarize(task, icl);
  const evaluations = Array.from({ length: 40 }, (_, i) => ({ step: (i + 1) * 100, ...last, model: last.model }));
  evaluations[0] = { ...evaluations[0], model: last.model + 0.5 / 3 };
  return {
    version: 1,
    config,
    history: Array.from({ length: 4000 }, (_, i) => ({ step: i + 1, loss: 3 / Math.sqrt(i + 1) + seed / 1e5 })),
    icl,
    metrics: { final_error: 0.123456789 },
    stepsPerSecond: 123.456789,
    adapter: 'llvmpipe: a long adapter name',
    evalStep: 4000,
    evaluations,
  };
}

function grid(tail: (task: TaskId, model: ModelId) => number): GridState {
  const cells = gridCells(TASKS, MODELS, SEEDS, (t, m, s) => run(t, m, s, 0).config);
  return {
    spec: { tasks: TASKS, models: MODELS, seeds: SEEDS, preset: 'teaching', overrides: {} },
    shard: null,
    cells: cells.map((cell) => {
      if (cell.task === 'sparse_parity' && cell.model === 'mamba' && cell.seed === 2) {
        return { cell, status: 'failed', step: 1200, run: null, failure: 'It diverged at step 1200 (loss NaN).' };
      }
      return {
        cell,
        status: 'done',
        step: 4000,
        run: run(cell.task, cell.model, cell.seed, tail(cell.task, cell.model)),
      };
    }),
    timing: { written: '2026-12-08T00:00:00.000Z', wallSeconds: 12, adapter: 'NVIDIA H100' },
  };
}

/** Everything the page shows of the verdicts. */
const shown = (s: GridState) =>
  gridVerdicts(s).map((r) => ({
    verdict: r.verdict && [r.verdict.symbol, r.verdict.reason],
    seeds: r.seeds.map((x) => [x.seed, x.verdict.symbol, x.verdict.reason]),
    failed: r.failed.map((f) => f.seed),
  }));

function readBack(text: string): GridState {
  const parsed = parseGridFile(JSON.parse(text));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe('compactGrid', () => {
  const tails = (task: TaskId, model: ModelId) =>
    task === 'sparse_parity' ? (model === 'mamba' ? 0.97 : 0.52) : model === 'mamba' ? 0.104 : 0.55;
  const original = grid(tails);

  it('reads back through parseGridFile with every verdict as the original gives it', () => {
    const { state } = compactGrid(original);
    const back = readBack(stringifyCompactGrid(state));
    expect(shown(back)).toEqual(shown(original));
    // the verdicts are not all alike, so the comparison means something
    expect(new Set(shown(original).map((r) => r.verdict?.[0]))).toEqual(new Set(['✓', '▲', '✗']));
    expect(back.cells.map((c) => c.cell.config)).toEqual(original.cells.map((c) => c.cell.config));
  });

  it('thins the history and rounds the curves, keeping the last evaluations exact', () => {
    const { state, digits } = compactGrid(original);
    expect(digits).toBe(4);
    const before = original.cells[0].run!;
    const after = state.cells[0].run!;
    expect(after.history).toHaveLength(SHIPPED_COMPACTION.historyPoints);
    expect(after.history.at(-1)!.step).toBe(4000);
    expect(after.evaluations).toEqual(before.evaluations); // 40 evaluations: under the cap, all kept
    expect(after.icl!.curves.model.lo[0]).toBe(Number(before.icl!.curves.model.lo[0].toPrecision(4)));
    expect(after.icl!.curves.model.lo[0]).not.toBe(before.icl!.curves.model.lo[0]);
    const full = stringifyGridFile(original).length;
    const compact = stringifyCompactGrid(state).length;
    expect(compact).toBeLessThan(full / 5);
  });

  it('keeps more digits where 4 would move a number shown in a verdict', () => {
    // the seeds' mean tail error 0.200496: "Error 0.200"; at 4 digits 0.2005 would read "Error 0.201"
    const edge = grid((task) => (task === 'sparse_parity' ? 0.97 : 0.200496 - 1.5 / 7e4));
    const { state, digits } = compactGrid(edge);
    expect(digits).toBe(6);
    expect(shown(readBack(stringifyCompactGrid(state)))).toEqual(shown(edge));
  });

  it('thins older evaluations past the cap and keeps the last three', () => {
    const { state } = compactGrid(original, { ...SHIPPED_COMPACTION, evaluationPoints: 10 });
    const before = original.cells[0].run!.evaluations!;
    const after = state.cells[0].run!.evaluations!;
    expect(after).toHaveLength(10);
    expect(after.slice(-3)).toEqual(before.slice(-3));
    expect(shown(state)).toEqual(shown(original));
  });

  it('drops free text for links: the adapter and the failure sentences', () => {
    const { state } = compactGrid(original, { historyPoints: 0, evaluationPoints: 20, dropFreeText: true });
    const back = readBack(stringifyCompactGrid(state));
    expect(back.cells.every((c) => !c.run || (c.run.adapter === '' && c.run.history.length === 0))).toBe(true);
    expect(back.cells.find((c) => c.status === 'failed')!.failure).toBe('Its training failed.');
    expect(back.timing.adapter).toBeNull();
    expect(shown(back).map((r) => r.verdict)).toEqual(shown(original).map((r) => r.verdict));
  });

  it('leaves out what the page derives: the table, the cells’ verdicts and the groups', () => {
    const file = JSON.parse(stringifyCompactGrid(compactGrid(original).state));
    expect(file.table).toBeUndefined();
    expect(file.groups).toBeUndefined();
    expect(file.cells[0].verdict).toBeUndefined();
    expect(file.format).toBe('icl-lab-grid');
  });
});
