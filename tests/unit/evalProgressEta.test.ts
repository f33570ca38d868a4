// The time left while an evaluation runs (src/ui/eta.ts): once the worker has said how many
// prompts the model has read, the rest of this evaluation and the ones to come are timed by it;
// and the lab store times the evaluations to come by the first one's prompts only (it also
// compiled and computed the baselines, which happens once per run).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../src/spec/config';
import type { IclResult } from '../../src/spec/icl';
import { timeLeft } from '../../src/ui/eta';
import { useLab } from '../../src/ui/store/lab';

describe('time left during an evaluation that reports its prompts', () => {
  const base = { step: 40, total: 100, stepsPerSecond: 2, evalEvery: 20 }; // 30 s of steps, 3 evaluations to come

  it('takes what is left of this evaluation from the prompts read so far', () => {
    // 64 of 256 prompts in 4 s: 12 s to go, whatever the last evaluation took
    const promptsRead = { done: 64, total: 256, seconds: 4 };
    expect(timeLeft({ ...base, evalSeconds: 10, evaluatingFor: 9, promptsRead }).seconds).toBe(30 + 3 * 10 + 12);
  });

  it('counts down between reports instead of growing while the next chunk is read', () => {
    const at = (waiting: number) =>
      timeLeft({
        ...base,
        evalSeconds: 10,
        evaluatingFor: 9 + waiting,
        promptsRead: { done: 64, total: 256, seconds: 4, waiting },
      }).seconds;
    expect(at(0)).toBe(30 + 3 * 10 + 12);
    expect(at(5)).toBe(30 + 3 * 10 + 7);
    expect(at(20)).toBe(30 + 3 * 10); // a slow chunk: nothing negative
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

describe('the lab store’s evaluation time', () => {
  afterEach(() => vi.restoreAllMocks());
  const icl: IclResult = { positions: [1], curves: { model: { mean: [1], lo: [1], hi: [1] } } };

  /** One evaluation: the model reads 128 prompts in `readMs`, and the whole evaluation takes `seconds`. */
  function evaluate(step: number, at: number, readMs: number, seconds: number): void {
    const now = vi.spyOn(performance, 'now');
    const lab = useLab.getState();
    lab.setTrainerState('evaluating');
    now.mockReturnValue(at);
    lab.setEvalProgress({ phase: 'prompts', done: 0, total: 128 });
    now.mockReturnValue(at + readMs / 2);
    lab.setEvalProgress({ phase: 'prompts', done: 64, total: 128 });
    now.mockReturnValue(at + readMs);
    lab.setEvalProgress({ phase: 'prompts', done: 128, total: 128 });
    lab.applyEval(step, icl, {}, seconds);
    lab.setTrainerState('training');
  }

  it('counts only the first evaluation’s prompts, then each evaluation’s whole time', () => {
    const config = defaultConfig('linear_regression', 'transformer', 'tiny');
    useLab.getState().beginLive(config, 'key', null, 'run-1');
    evaluate(100, 1_000, 4_000, 30); // 26 s of compiling and baselines besides its 4 s of prompts
    expect(useLab.getState().evalSeconds).toBe(4);
    evaluate(200, 60_000, 3_000, 3.5);
    expect(useLab.getState().evalSeconds).toBe(3.5);
    // a run loaded again (a resume) compiles again: its first evaluation is read the same way
    useLab.getState().beginLive(config, 'key', null, 'run-1');
    evaluate(300, 90_000, 5_000, 20);
    expect(useLab.getState().evalSeconds).toBe(5);
  });
});
