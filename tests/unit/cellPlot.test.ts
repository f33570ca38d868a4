// A grid cell's plot (src/ui/grid/cellPlot.ts): the seeds' mean with a band from the lowest to the
// highest seed, every seed's own curve, the baselines; parity as accuracy, MQAR as recall per evaluation.
import { describe, expect, it } from 'vitest';
import type { TaskId } from '../../src/spec/config';
import type { IclResult } from '../../src/spec/icl';
import { presetConfig } from '../../src/train/presets';
import type { RunFile } from '../../src/train/protocol';
import { cellPlot } from '../../src/ui/grid/cellPlot';

function run(task: TaskId, seed: number, icl: IclResult, recalls: number[] = []): RunFile {
  return {
    version: 1,
    config: presetConfig('teaching', task, 'mamba', seed),
    history: [],
    icl,
    metrics: {},
    stepsPerSecond: 1,
    adapter: '',
    evaluations: recalls.map((model, i) => ({ step: (i + 1) * 100, model })),
  };
}

const flat = (xs: number[]) => ({ mean: xs, lo: xs, hi: xs });

describe('cellPlot', () => {
  it('regression: the mean of the seeds with their min–max band, each seed, and the baselines', () => {
    const icl = (m: number[]): IclResult => ({
      positions: [1, 2, 3],
      curves: { model: flat(m), least_squares: flat([1, 0.5, 0.1]), zero: flat([1, 1, 1]) },
    });
    const seeds = [
      { seed: 1, run: run('linear_regression', 1, icl([1, 0.6, 0.2])) },
      { seed: 2, run: run('linear_regression', 2, icl([1, 0.4, 0.4])) },
    ];
    const { plot, seeds: drawn, note } = cellPlot('linear_regression', seeds);
    expect(note).toBeNull();
    expect(drawn).toEqual([1, 2]);
    const labels = plot.series.map((s) => s.label);
    expect(labels).toEqual(['Mean of 2 seeds (model)', 'Least squares', 'Zero (trivial)', 'Seed 1', 'Seed 2']);
    const mean = plot.series[0];
    const at2 = plot.rows.find((r) => r.pos === 2)!;
    expect(at2[mean.key]).toBeCloseTo(0.5);
    expect(at2[mean.bandKey!]).toEqual([0.4, 0.6]);
    expect(plot.rows.find((r) => r.pos === 3)![mean.bandKey!]).toEqual([0.2, 0.4]);
    expect(at2[plot.series[3].key]).toBe(0.6);
    expect(plot.series[3].width).toBeLessThan(mean.width);
  });

  it('sparse parity: accuracy per position, the mean and each seed', () => {
    const icl = (a: number[]): IclResult => ({
      positions: [1, 2],
      curves: { model: flat([1, 1]), zero: flat([1, 1]) },
      accuracy: { model: a, zero: [0.5, 0.5] },
    });
    const { plot } = cellPlot('sparse_parity', [
      { seed: 1, run: run('sparse_parity', 1, icl([0.5, 1])) },
      { seed: 2, run: run('sparse_parity', 2, icl([0.5, 0.8])) },
    ]);
    expect(plot.metric).toBe('accuracy');
    expect(plot.rows.find((r) => r.pos === 2)![plot.series[0].key]).toBeCloseTo(0.9);
    expect(plot.series.map((s) => s.label)).toContain('Seed 2');
  });

  it('vector MQAR: recall at each evaluation, the seeds’ mean, each seed and chance', () => {
    const icl: IclResult = { positions: [1], curves: { model: flat([0.5]) }, accuracy: { model: [0.9] } };
    const { plot } = cellPlot('vector_mqar', [
      { seed: 1, run: run('vector_mqar', 1, icl, [0.1, 0.5, 0.9]) },
      { seed: 2, run: run('vector_mqar', 2, icl, [0.1, 0.3, 0.7]) },
    ]);
    expect(plot.metric).toBe('recall');
    expect(plot.series.map((s) => s.label)).toEqual([
      'Mean of 2 seeds (model)',
      'Seed 1',
      'Seed 2',
      expect.stringMatching(/^Chance \(1 in \d+\)$/),
    ]);
    expect(plot.rows.map((r) => r[plot.series[0].key])).toEqual([0.1, 0.4, 0.8]);
  });

  it('says so when no seed has a curve, or the seeds’ curves differ in length (each drawn, no mean)', () => {
    expect(cellPlot('linear_regression', []).note).toMatch(/No seed/);
    const a = run('linear_regression', 1, { positions: [1, 2], curves: { model: flat([1, 0.5]) } });
    const b = run('linear_regression', 2, { positions: [1], curves: { model: flat([1]) } });
    const { plot, note } = cellPlot('linear_regression', [
      { seed: 1, run: a },
      { seed: 2, run: b },
    ]);
    expect(note).toMatch(/different lengths/);
    expect(plot.series.map((s) => s.label)).toEqual(['Seed 1', 'Seed 2']);
  });
});
