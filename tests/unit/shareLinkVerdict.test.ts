// Share links keep each run's evaluations, so a shared run reads with the same verdict
// (src/spec/verdict.ts: ≥ 3 evaluations, the last two settled) as the run it was made from;
// a run with too many evaluations for a link keeps its last three and still fits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig, TASK_IDS, type TaskId } from '../../src/spec/config';
import { judge, summarize, type EvalPoint } from '../../src/spec/verdict';
import type { RunFile } from '../../src/train/protocol';
import { Rng } from '../../src/engine/rng';
import { decodeShareLink, encodeShareLink, SHARE_LINK_LIMITS, thinEvaluations } from '../../src/train/shareLink';

/** A finished run of `task` whose evaluations are `evaluations` (the last ICL curve is made up). */
function runWith(task: TaskId, evaluations: EvalPoint[], steps = 2000): RunFile {
  const config = { ...defaultConfig(task, 'mamba', 'tiny'), steps, evalEvery: 100, evalPrompts: 256 };
  const positions = [1, 2, 3, 4];
  const curve = (x: number) => ({
    mean: positions.map(() => x),
    lo: positions.map(() => x),
    hi: positions.map(() => x),
  });
  return {
    version: 1,
    config,
    history: Array.from({ length: 40 }, (_, i) => ({ step: 50 * (i + 1), loss: 1 / (i + 1) })),
    icl: { positions, curves: { model: curve(0.3), zero: curve(1), least_squares: curve(0.1) } },
    metrics: {},
    stepsPerSecond: 10,
    adapter: '',
    evalStep: steps,
    evaluations,
  };
}

const verdictOf = (run: RunFile) =>
  judge(run.config.task, run.evaluations ?? [], run.config.evalPrompts, run.config.nPoints);

function roundTrip(run: RunFile): RunFile {
  const decoded = decodeShareLink(encodeShareLink(run));
  if (!decoded.ok) throw new Error(decoded.error);
  return decoded.run;
}

describe('share links and the verdict', () => {
  it('a learned linear-regression run reads ✓ after a round trip, not inconclusive', () => {
    // error falling to least squares' level and settled over the last evaluations
    const evaluations = Array.from({ length: 20 }, (_, i) => ({
      step: 100 * (i + 1),
      model: 0.1 + 0.9 * Math.exp(-i / 2) + 1e-4 * Math.sin(i),
      zero: 1.0123456789,
      best: 0.0987654321,
      bestName: 'least_squares',
    }));
    const run = runWith('linear_regression', evaluations);
    const original = verdictOf(run);
    expect(original.symbol).toBe('✓');
    const shared = roundTrip(run);
    expect(shared.evaluations).toEqual(evaluations);
    expect(verdictOf(shared)).toEqual(original);
  });

  it('a link without evaluations would read inconclusive (what this keeps from happening)', () => {
    const run = runWith('linear_regression', []);
    const lastCurveOnly = [summarize(run.config.task, run.icl!)];
    expect(judge(run.config.task, lastCurveOnly, run.config.evalPrompts).kind).toBe('inconclusive');
  });

  it('any run keeps its verdict, symbol, value and reason through a link', () => {
    const score = fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constant(NaN));
    const point = fc.record({ model: score, zero: score, best: score });
    fc.assert(
      fc.property(
        fc.constantFrom(...TASK_IDS),
        fc.array(point, { minLength: 0, maxLength: 30 }),
        fc.boolean(),
        (task, points, teaching) => {
          const evaluations: EvalPoint[] = points.map((p, i) => ({ step: 100 * (i + 1), ...p, bestName: 'knn_3' }));
          const run = runWith(task, evaluations);
          const decoded = decodeShareLink(encodeShareLink(run, { teaching }));
          expect(decoded.ok).toBe(true);
          if (!decoded.ok) return;
          expect(verdictOf(decoded.run)).toEqual(verdictOf(run));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('thins a run with more evaluations than a link holds, keeping the last three and the verdict', () => {
    const rng = new Rng(3);
    const steps = 50_000;
    // noisy digits, so deflate cannot shrink them away
    const evaluations = Array.from({ length: steps }, (_, i) => ({
      step: i + 1,
      model: 0.5 + rng.uniform() * 1e-3,
      zero: 1 + rng.uniform() * 1e-3,
      best: 0.1 + rng.uniform() * 1e-3,
      bestName: 'least_squares',
    }));
    const run = runWith('linear_regression', evaluations, steps);
    // long noisy curves take most of the link, so even the first cap of evaluations does not fit
    const positions = Array.from({ length: 3500 }, (_, i) => i + 1);
    const noisy = () => positions.map(() => rng.uniform());
    const names = ['model', 'zero', 'least_squares', 'knn_3', 'averaging'];
    run.icl = {
      positions,
      curves: Object.fromEntries(names.map((n) => [n, { mean: noisy(), lo: noisy(), hi: noisy() }])),
    };
    const link = encodeShareLink(run);
    expect(link.length - 1).toBeLessThanOrEqual(SHARE_LINK_LIMITS.hashChars);
    const shared = roundTrip(run);
    const kept = shared.evaluations ?? [];
    expect(kept.length).toBeGreaterThanOrEqual(SHARE_LINK_LIMITS.lastEvaluations);
    expect(kept.length).toBeLessThan(SHARE_LINK_LIMITS.evaluationPoints);
    expect(kept.slice(-3)).toEqual(evaluations.slice(-3));
    expect(kept[0]).toEqual(evaluations[0]);
    expect(verdictOf(shared)).toEqual(verdictOf(run));
  });

  it('thinEvaluations keeps the last three whatever the room, and the older ones evenly', () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ step: i, model: i }));
    expect(thinEvaluations(points, 0).map((p) => p.step)).toEqual([7, 8, 9]);
    expect(thinEvaluations(points, 4).map((p) => p.step)).toEqual([6, 7, 8, 9]);
    expect(thinEvaluations(points, 5).map((p) => p.step)).toEqual([0, 6, 7, 8, 9]);
    expect(thinEvaluations(points, 7).map((p) => p.step)).toEqual([0, 2, 4, 6, 7, 8, 9]);
    expect(thinEvaluations(points, 20)).toEqual(points);
  });
});
