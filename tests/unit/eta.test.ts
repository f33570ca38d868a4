// The status line's time left counts the evaluations to come (src/ui/eta.ts).
import { describe, expect, it } from 'vitest';
import { evaluationsLeft, timeLeft } from '../../src/ui/eta';

describe('time left', () => {
  it('counts one evaluation every interval and one at an end off the interval', () => {
    expect(evaluationsLeft(0, 100, 20)).toBe(5); // 20, 40, 60, 80, 100
    expect(evaluationsLeft(20, 100, 20)).toBe(4);
    expect(evaluationsLeft(19, 100, 20)).toBe(5);
    expect(evaluationsLeft(0, 90, 20)).toBe(5); // 20, 40, 60, 80 and the end
    expect(evaluationsLeft(90, 90, 20)).toBe(0);
  });

  it('adds the evaluations at the last one’s duration, and what is left of the one under way', () => {
    const base = { step: 40, total: 100, stepsPerSecond: 2, evalEvery: 20 };
    expect(timeLeft({ ...base, evalSeconds: null, evaluatingFor: null })).toEqual({ seconds: 30, evalsKnown: false });
    expect(timeLeft({ ...base, evalSeconds: 10, evaluatingFor: null }).seconds).toBe(30 + 3 * 10);
    expect(timeLeft({ ...base, evalSeconds: 10, evaluatingFor: 4 }).seconds).toBe(30 + 3 * 10 + 6);
    expect(timeLeft({ ...base, evalSeconds: 10, evaluatingFor: 14 }).seconds).toBe(60);
    expect(timeLeft({ ...base, stepsPerSecond: 0, evalSeconds: 10, evaluatingFor: null }).seconds).toBeNaN();
  });
});
