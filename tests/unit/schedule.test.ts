import { describe, expect, it } from 'vitest';
import { learningRate } from '../../src/train/schedule';

describe('learningRate', () => {
  it('is the constant lr without warm-up (the paper)', () => {
    const c = { lr: 1e-4, warmup: 0, lrSchedule: 'constant' as const, steps: 100 };
    expect([1, 50, 100].map((t) => learningRate(c, t))).toEqual([1e-4, 1e-4, 1e-4]);
  });
  it('warms up linearly, then decays by a cosine to 0 at the last step', () => {
    const c = { lr: 1e-3, warmup: 10, lrSchedule: 'cosine' as const, steps: 110 };
    expect(learningRate(c, 1)).toBeCloseTo(1e-4, 12);
    expect(learningRate(c, 10)).toBeCloseTo(1e-3, 12);
    expect(learningRate(c, 60)).toBeCloseTo(5e-4, 12); // halfway through the decay
    expect(learningRate(c, 110)).toBeCloseTo(0, 12);
    for (let t = 11; t < 110; t++) expect(learningRate(c, t + 1)).toBeLessThan(learningRate(c, t));
  });
});
