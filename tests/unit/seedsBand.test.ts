// "Seeds: N" band: the mean and the min–max over seeds at each position, drawn at the newest
// evaluation every seed has (never mixing steps while the seeds evaluate in turn), without the
// seeds that diverged; MQAR's recall per evaluation step likewise.
import { describe, expect, it } from 'vitest';
import { defaultConfig, type TaskId } from '../../src/spec/config';
import type { IclResult } from '../../src/spec/icl';
import { summarize } from '../../src/spec/verdict';
import { seedsBand } from '../../src/ui/components/SeedsBandData';
import type { RunSetMember } from '../../src/ui/session/runSetStore';

function icl(model: number[]): IclResult {
  const positions = model.map((_, i) => i + 1);
  return {
    positions,
    curves: { model: { mean: model, lo: model, hi: model }, zero: { mean: model.map(() => 1), lo: [], hi: [] } },
  };
}

function member(seed: number, evals: [number, number[]][], task: TaskId = 'linear_regression'): RunSetMember {
  const config = { ...defaultConfig(task), seed };
  const list = evals.map(([step, curve]) => ({ step, icl: icl(curve) }));
  return {
    config,
    step: 0,
    total: config.steps,
    history: [],
    evals: list,
    evaluations: list.map((e) => ({ step: e.step, ...summarize(task, e.icl) })),
    failure: null,
  };
}

describe('seedsBand', () => {
  it('mean and min–max per position at the newest step every seed has', () => {
    const a = member(1, [
      [10, [0.9, 0.5]],
      [20, [0.8, 0.2]],
    ]);
    const b = member(2, [
      [10, [0.7, 0.3]],
      [20, [0.6, 0.4]],
    ]);
    const c = member(3, [[10, [1.0, 0.4]]]); // still at step 10: the band stays at 10
    const band = seedsBand([a, b, c]);
    expect(band.step).toBe(10);
    expect(band.runs).toBe(3);
    expect(band.rows.map((r) => r.x)).toEqual([1, 2]);
    expect(band.rows[0].mean).toBeCloseTo((0.9 + 0.7 + 1.0) / 3, 12);
    expect(band.rows[0].band).toEqual([0.7, 1.0]);
    expect(band.rows[1].band).toEqual([0.3, 0.5]);
    const later = seedsBand([
      a,
      b,
      member(3, [
        [10, [1.0, 0.4]],
        [20, [0.4, 0.1]],
      ]),
    ]);
    expect(later.step).toBe(20);
    expect(later.rows[1].band).toEqual([0.1, 0.4]);
  });

  it('leaves out a diverged seed, and has no band before every seed is evaluated', () => {
    const a = member(1, [[10, [0.9, 0.5]]]);
    const gone = { ...member(2, [[10, [5, 5]]]), failure: 'Training diverged at step 3.' };
    const band = seedsBand([a, gone]);
    expect(band.runs).toBe(1);
    expect(band.rows[0]).toEqual({ x: 1, mean: 0.9, band: [0.9, 0.9] });
    expect(seedsBand([a, member(2, [])]).step).toBeNull();
    expect(seedsBand([a, member(2, [])]).rows).toEqual([]);
  });
});
