// The time left while an evaluation runs (src/ui/eta.ts): once the worker has said how many
// prompts the model has read, the rest of this evaluation and the ones to come are timed by it.
import { describe, expect, it } from 'vitest';
import { timeLeft } from '../../src/ui/eta';

describe('time left during an evaluation that reports its prompts', () => {
  const base = { step: 40, total: 100, stepsPerSecond: 2, evalEvery: 20 }; // 30 s of steps, 3 evaluations to come

  it('takes what is left of this evaluation from the prompts read so far', () => {
    // 64 of 256 prompts in 4 s: 12 s to go, whatever the last evaluation took
    const promptsRead = { done: 64, total: 256, seconds: 4 };
    expect(timeLeft({ ...base, evalSeconds: 10, evaluatingFor: 9, promptsRead }).seconds).toBe(30 + 3 * 10 + 12);
  });

  it('gives a first evaluation’s measured rate to the evaluations to come', () => {
    const promptsRead = { done: 128, total: 256, seconds: 5 }; // 10 s for the whole set
    const eta = timeLeft({ ...base, evalSeconds: null, evaluatingFor: 20, promptsRead });
    expect(eta).toEqual({ seconds: 30 + 3 * 10 + 5, evalsKnown: true });
  });

  it('falls back to the last evaluation’s length before a first chunk is read', () => {
    const promptsRead = { done: 0, total: 256, seconds: 1 };
    expect(timeLeft({ ...base, evalSeconds: 10, evaluatingFor: 4, promptsRead }).seconds).toBe(30 + 3 * 10 + 6);
    expect(timeLeft({ ...base, evalSeconds: null, evaluatingFor: 4, promptsRead })).toEqual({
      seconds: 30,
      evalsKnown: false,
    });
  });

  it('ignores prompts read when no evaluation is under way', () => {
    const promptsRead = { done: 64, total: 256, seconds: 4 };
    expect(timeLeft({ ...base, evalSeconds: 10, evaluatingFor: null, promptsRead }).seconds).toBe(30 + 3 * 10);
  });
});
