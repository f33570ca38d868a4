// The paper grid's ✓ / ▲ / ✗ from a run's own curves (src/ui/grid/classify.ts). Pure, but it
// lives with the page's tests because the grid view is the page's.
import { describe, expect, it } from 'vitest';
import type { RunFile } from '../../src/train/protocol';
import { judgeRun } from '../../src/ui/grid/classify';
import { fixtureRun } from './fixtures';

function withModelError(run: RunFile, level: number): RunFile {
  const n = run.icl!.positions.length;
  const mean = Array.from({ length: n }, () => level);
  return { ...run, icl: { ...run.icl!, curves: { ...run.icl!.curves, model: { mean, lo: mean, hi: mean } } } };
}

describe('grid verdicts', () => {
  it('✓ when the model matches the best baseline, ▲ with a gap, ✗ at the trivial error', () => {
    const run = fixtureRun(); // least squares reaches 0, zero sits at 1
    expect(judgeRun(withModelError(run, 0.02))?.verdict).toBe('✓');
    expect(judgeRun(withModelError(run, 0.4))?.verdict).toBe('▲');
    expect(judgeRun(withModelError(run, 0.95))?.verdict).toBe('✗');
    expect(judgeRun(withModelError(run, NaN))?.verdict).toBe('✗');
  });

  it('reads parity by accuracy and MQAR by recall', () => {
    const parity = fixtureRun();
    parity.config = { ...parity.config, task: 'sparse_parity' };
    const n = parity.icl!.positions.length;
    parity.icl!.accuracy = { model: Array.from({ length: n }, (_, i) => (i < n / 2 ? 0.5 : 0.99)) };
    expect(judgeRun(parity)?.verdict).toBe('✓');
    parity.icl!.accuracy = { model: Array.from({ length: n }, () => 0.52) };
    expect(judgeRun(parity)?.verdict).toBe('✗');
    parity.icl!.accuracy = { model: Array.from({ length: n }, () => 0.8) };
    expect(judgeRun(parity)?.verdict).toBe('▲');

    const mqar = fixtureRun();
    mqar.config = { ...mqar.config, task: 'vector_mqar', nPoints: 64 };
    mqar.metrics = { recall: 0.97 };
    expect(judgeRun(mqar)?.verdict).toBe('✓');
    mqar.metrics = { recall: 0.05 };
    expect(judgeRun(mqar)?.verdict).toBe('✗');
  });

  it('has no verdict without a curve', () => {
    expect(judgeRun({ ...fixtureRun(), icl: null })).toBeNull();
  });
});
