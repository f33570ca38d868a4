// SPEC.md's verdict rule: each branch, its thresholds, and the inconclusive cases.
import { describe, expect, it } from 'vitest';
import type { IclResult } from '../../src/spec/icl';
import { judge, summarize, tailMean, type EvalSummary } from '../../src/spec/verdict';

/** Three evaluations with the same numbers (settled), as a finished run would have. */
const settled = (s: EvalSummary) => [s, s, s];
const regression = (model: number, best = 0, zero = 1): EvalSummary => ({
  model,
  zero,
  best,
  bestName: 'least_squares',
});

describe('tailMean', () => {
  it('averages the last quarter of positions, at least the last one', () => {
    expect(tailMean([9, 9, 9, 1, 3])).toBe(2); // positions 4..5 of 5 (from index ⌊0.75·5⌋ = 3)
    expect(tailMean([5])).toBe(5);
    expect(tailMean([1, 2, 3, 4, 5, 6, 7, 8])).toBe(7.5);
    expect(tailMean([1, NaN, 3, NaN])).toBe(NaN); // only the last position, which is not scored
  });
});

describe('regression verdicts from the ICL gap (m − b) / (z − b)', () => {
  it.each([
    [0.05, 'matches', '✓', true],
    [0.1, 'matches', '✓', true],
    [0.15, 'gap', '▲', true],
    [0.2, 'gap', '▲', true],
    [0.5, 'gap', '▲', false],
    [0.9, 'fails', '✗', false],
    [1.2, 'fails', '✗', false],
  ] as const)('gap %s → %s', (gap, kind, symbol, learns) => {
    const v = judge('linear_regression', settled(regression(gap, 0, 1)), 256); // b = 0, z = 1: m is the gap
    expect(v).toMatchObject({ kind, symbol, learns });
    expect(v.value).toBeCloseTo(gap, 10);
  });

  it('is inconclusive if no baseline beats zero by 0.05, with < 3 evaluations, a small set or a moving error', () => {
    expect(judge('decision_tree', settled(regression(0.5, 0.97, 1)), 256).kind).toBe('inconclusive');
    expect(judge('linear_regression', [regression(0), regression(0)], 256).kind).toBe('inconclusive');
    expect(judge('linear_regression', settled(regression(0)), 255).kind).toBe('inconclusive');
    const moving = [regression(0.5), regression(0.3), regression(0.15)];
    const v = judge('linear_regression', moving, 256);
    expect(v.kind).toBe('inconclusive');
    expect(v.reason).toMatch(/still learning/);
    // a move of at most a tenth of z − b is settled
    expect(judge('linear_regression', [regression(0.5), regression(0.1), regression(0.02)], 256).kind).toBe('matches');
  });
});

describe('accuracy verdicts', () => {
  it('parity: chance 0.5, ✗ at or below 0.55, learns from 0.9, ✓ from 0.95', () => {
    const acc = (a: number) => judge('sparse_parity', settled({ model: a }), 256);
    expect(acc(0.55)).toMatchObject({ kind: 'fails', learns: false });
    expect(acc(0.6)).toMatchObject({ kind: 'gap', learns: false });
    expect(acc(0.9)).toMatchObject({ kind: 'gap', learns: true });
    expect(acc(0.95)).toMatchObject({ kind: 'matches', learns: true });
  });

  it('MQAR: chance 1/m', () => {
    // ≤ 1/16 + 0.1·15/16
    expect(judge('vector_mqar', settled({ model: 0.1 }), 256, 16)).toMatchObject({ kind: 'fails' });
    expect(judge('vector_mqar', settled({ model: 0.2 }), 256, 16)).toMatchObject({ kind: 'gap', learns: false });
    expect(judge('vector_mqar', settled({ model: 0.2 }), 256, 4)).toMatchObject({ kind: 'fails' }); // chance 0.25
  });
});

describe('summarize', () => {
  it('reads m, z and the best baseline from the curves', () => {
    const curve = (v: number) => ({ mean: [1, v, v, v], lo: [0, 0, 0, 0], hi: [0, 0, 0, 0] });
    const icl: IclResult = {
      positions: [1, 2, 3, 4],
      curves: { model: curve(0.3), zero: curve(1), least_squares: curve(0.1), knn_3: curve(0.5) },
    };
    expect(summarize('linear_regression', icl)).toEqual({ model: 0.3, zero: 1, best: 0.1, bestName: 'least_squares' });
    expect(summarize('sparse_parity', { ...icl, accuracy: { model: [0.5, 0.6, 0.7, 0.8] } })).toEqual({ model: 0.8 });
    expect(summarize('vector_mqar', { ...icl, accuracy: { model: [0.42] } })).toEqual({ model: 0.42 });
  });
});
