// The page's verdict for a run (src/ui/grid/classify.ts) is SPEC.md's rule on the run's own
// evaluations (the rule's branches: tests/unit/verdict.test.ts). Pure, but it lives with the
// page's tests because the grid view is the page's.
import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/spec/verdict';
import type { RunFile } from '../../src/train/protocol';
import { judgeRun } from '../../src/ui/grid/classify';
import { fixtureRun } from './fixtures';

/** The fixture run with its model at one error level, evaluated three times at that level. */
function settledAt(level: number): RunFile {
  const run = fixtureRun(); // least squares reaches 0 by the last quarter, zero sits at 1
  const n = run.icl!.positions.length;
  const mean = Array.from({ length: n }, () => level);
  const icl = { ...run.icl!, curves: { ...run.icl!.curves, model: { mean, lo: mean, hi: mean } } };
  const evaluations = [300, 400, 500].map((step) => ({ step, ...summarize(run.config.task, icl) }));
  return { ...run, icl, evaluations };
}

describe('the page judges a run by SPEC.md', () => {
  it('✓ at the best baseline, ▲ with a gap, ✗ at the zero predictor, from the run’s evaluations', () => {
    expect(judgeRun(settledAt(0.02))?.symbol).toBe('✓');
    expect(judgeRun(settledAt(0.4))?.symbol).toBe('▲');
    expect(judgeRun(settledAt(0.4))?.learns).toBe(false);
    expect(judgeRun(settledAt(0.15))?.learns).toBe(true);
    expect(judgeRun(settledAt(0.95))?.symbol).toBe('✗');
  });

  it('calls a run file without its evaluations inconclusive, and says why', () => {
    const old = { ...settledAt(0.02), evaluations: undefined };
    const j = judgeRun(old)!;
    expect(j.symbol).toBe('–');
    expect(j.reason).toMatch(/evaluation/);
  });

  it('reads parity by accuracy', () => {
    const run = settledAt(0);
    run.config = { ...run.config, task: 'sparse_parity', nPoints: run.icl!.positions.length };
    const n = run.icl!.positions.length;
    const icl = { ...run.icl!, accuracy: { model: Array.from({ length: n }, (_, i) => (i < n / 2 ? 0.5 : 0.99)) } };
    run.icl = icl;
    run.evaluations = [300, 400, 500].map((step) => ({ step, ...summarize('sparse_parity', icl) }));
    expect(judgeRun(run)?.symbol).toBe('✓');
  });

  it('has no verdict without a curve', () => {
    expect(judgeRun({ ...fixtureRun(), icl: null })).toBeNull();
  });
});
