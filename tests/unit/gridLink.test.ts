// Grid share links (src/ui/grid/gridLink.ts): a round trip keeps every verdict; a damaged,
// newer, oversized or hand-edited link gets a sentence, never a throw; free text is dropped;
// a grid too big for a link says so (the page then saves the file instead).
import { describe, expect, it } from 'vitest';
import { deflateSync } from 'fflate';
import type { ModelId, TaskId } from '../../src/spec/config';
import { gridVerdicts, type GridState } from '../../src/train/gridFile';
import { stringifyCompactGrid } from '../../src/train/gridCompact';
import { gridCells } from '../../src/train/gridPlan';
import { presetConfig } from '../../src/train/presets';
import type { RunFile } from '../../src/train/protocol';
import { toBase64Url } from '../../src/train/shareLink';
import {
  decodeGridLink,
  encodeGridLink,
  GRID_LINK_LIMITS,
  isGridHash,
  parseReproductionHash,
  reproductionHash,
} from '../../src/ui/grid/gridLink';

/** A regression run settled at `tail`, its curves drawn from `noise` (random values compress badly). */
function run(task: TaskId, model: ModelId, seed: number, tail: number, noise: () => number): RunFile {
  const config = { ...presetConfig('teaching', task, model, seed), evalPrompts: 256 };
  const positions = Array.from({ length: config.nPoints }, (_, i) => i + 1);
  const line = (f: (p: number) => number) => {
    const mean = positions.map((p) => f(p) + noise());
    return { mean, lo: mean.map((x) => x * (0.8 + noise())), hi: mean.map((x) => x * (1.2 + noise())) };
  };
  const icl = { positions, curves: { model: line(() => tail), least_squares: line(() => 0.1), zero: line(() => 1) } };
  const last = { model: tail, zero: 1, best: 0.1, bestName: 'least_squares' };
  return {
    version: 1,
    config,
    history: positions.map((p) => ({ step: p, loss: 1 / p })),
    icl,
    metrics: {},
    stepsPerSecond: 50,
    adapter: 'NVIDIA H100 80GB HBM3 <b>bold</b>',
    evalStep: config.steps,
    evaluations: [1, 2, 3, 4].map((k) => ({ step: (k * config.steps) / 4, ...last })),
  };
}

function grid(tasks: TaskId[], seeds: number[], noise: () => number): GridState {
  const models: ModelId[] = ['transformer', 'mamba'];
  const cells = gridCells(tasks, models, seeds, (t, m, s) => presetConfig('teaching', t, m, s));
  return {
    spec: { tasks, models, seeds, preset: 'teaching', overrides: {} },
    shard: null,
    cells: cells.map((cell, i) =>
      i === 1
        ? { cell, status: 'failed' as const, step: 10, run: null, failure: 'Diverged <script>alert(1)</script>' }
        : {
            cell,
            status: 'done' as const,
            step: cell.config.steps,
            run: run(cell.task, cell.model, cell.seed, 0.15, noise),
          },
    ),
    timing: { written: '2026-12-08', wallSeconds: 60, adapter: 'NVIDIA H100 80GB HBM3' },
  };
}

const tidy = (x: number) => () => Math.round(x * 1000) / 1e6;
const verdicts = (s: GridState) =>
  gridVerdicts(s).map((r) => [r.verdict?.reason, r.seeds.map((x) => x.verdict.reason)]);

describe('grid links', () => {
  const small = grid(['linear_regression', 'sparse_linear_regression'], [1, 2, 3], tidy(1));

  it('round-trip: the same cells and verdicts; no loss history and no free text', () => {
    const link = encodeGridLink(small);
    if (!link.ok) throw new Error('a 12-run grid fits a link');
    expect(isGridHash(link.hash)).toBe(true);
    expect(link.hash).toMatch(/^#grid1\.[A-Za-z0-9_-]+$/);
    const back = decodeGridLink(link.hash);
    if (!back.ok) throw new Error(back.error);
    expect(back.state.cells.map((c) => c.cell.id)).toEqual(small.cells.map((c) => c.cell.id));
    expect(verdicts(back.state)).toEqual(verdicts(small));
    expect(back.state.cells.every((c) => !c.run || (c.run.adapter === '' && c.run.history.length === 0))).toBe(true);
    expect(back.state.cells[1].failure).toBe('Its training failed.');
    expect(back.state.timing.adapter).toBeNull();
  });

  it('a grid whose link would pass the cap is refused with its length, for a file download instead', () => {
    let k = 0;
    const random = () => ((Math.sin(++k) * 43758.5453) % 1) * 0.01; // deterministic, incompressible enough
    const big = grid(
      ['many_outlier_regression', 'orthogonal_outlier_regression', 'decision_tree'],
      Array.from({ length: 40 }, (_, i) => i + 1),
      random,
    );
    const link = encodeGridLink(big);
    expect(link.ok).toBe(false);
    if (!link.ok) expect(link.chars).toBeGreaterThan(GRID_LINK_LIMITS.hashChars);
  });

  it('bad links get a sentence, never a throw', () => {
    const pack = (json: unknown) =>
      `#grid1.${toBase64Url(deflateSync(new TextEncoder().encode(JSON.stringify(json))))}`;
    const cases: [string, RegExp][] = [
      ['#grid1.AAAAAAAA', /damaged/],
      ['#grid1.!!!', /damaged/],
      ['#grid1.', /damaged/],
      ['#grid9.AAAA', /newer version of ICL Lab/],
      ['#grid0.AAAA', /never made/],
      ['#grid1.' + 'A'.repeat(GRID_LINK_LIMITS.hashChars + 1), /too long/],
      [pack({ format: 'icl-lab-grid', version: 1 }), /holds a grid the lab cannot use: it is not a grid file/],
      [pack([1, 2, 3]), /holds a grid the lab cannot use/],
      // a bomb: 5 MB of zeros packs into a few kB
      [`#grid1.${toBase64Url(deflateSync(new Uint8Array(5 << 20).fill(32)))}`, /far more data than a grid holds/],
    ];
    for (const [hash, sentence] of cases) {
      const r = decodeGridLink(hash);
      expect(r.ok, hash.slice(0, 30)).toBe(false);
      if (!r.ok) expect(r.error).toMatch(sentence);
    }
    // a hand-edited cell (its config no longer matches the grid's id) is refused
    const edited = JSON.parse(stringifyCompactGrid(small));
    edited.cells[0].config.steps += 1;
    edited.cells[0].run.config.steps += 1;
    const r = decodeGridLink(pack(edited));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/its id does not match its cells' configs/);
    expect(isGridHash('#v1.abc')).toBe(false);
    expect(isGridHash('#task=sparse_parity')).toBe(false);
  });

  it('the Reproduction has a short link, at a cell if one is open; a wrong one gets a sentence', () => {
    const cell = { task: 'sparse_parity', model: 'mamba' } as const;
    expect(reproductionHash(null)).toBe('#grid=reproduction');
    expect(reproductionHash(cell)).toBe('#grid=reproduction&cell=sparse_parity.mamba');
    expect(isGridHash(reproductionHash(cell))).toBe(true);
    expect(parseReproductionHash(reproductionHash(cell))).toEqual({ ok: true, cell });
    expect(parseReproductionHash('#grid=reproduction')).toEqual({ ok: true, cell: null });
    const bad: [string, RegExp][] = [
      ['#grid=https://example.com/grid.json', /a grid the lab does not ship/],
      ['#grid=reproduction&steps=5', /a grid the lab does not ship/],
      ['#grid=reproduction&cell=sparse_parity', /a cell the grid does not have/],
      ['#grid=reproduction&cell=sparse_parity.mamba.x', /a cell the grid does not have/],
      ['#grid=reproduction&cell=<b>.mamba', /a cell the grid does not have/],
    ];
    for (const [hash, sentence] of bad) {
      const r = parseReproductionHash(hash);
      expect(r.ok, hash).toBe(false);
      if (!r.ok) expect(r.error).toMatch(sentence);
    }
  });
});
