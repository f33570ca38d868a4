// SPEC.md's one verdict rule, for the page, the CLI, the grid and the learnability tests.
// From a run's last evaluation (≥ 256 prompts):
//   regression: m, z, b = means over the last quarter of positions of the model's, the zero
//     predictor's and the best baseline's curves; gap = (m − b) / (z − b), undefined when
//     z − b < 0.05.
//   sparse parity: accuracy over the last quarter of positions; MQAR: recall.
//   learns: gap ≤ 0.2 or accuracy ≥ 0.9; ✓: gap ≤ 0.1 or accuracy ≥ 0.95;
//   ✗: gap ≥ 0.9 or accuracy ≤ chance + 0.1·(1 − chance); ▲ in between.
//   inconclusive: < 3 evaluations, the model's score moved by more than a tenth of the
//     trivial-to-best span between the last two evaluations (still learning), or no gap.
import type { TaskId } from './config';
import type { IclResult } from './icl';

export const VERDICT_RULE = {
  minPrompts: 256,
  minEvaluations: 3,
  /** z − b below this: no baseline beats the zero predictor clearly. */
  minSpan: 0.05,
  learnsGap: 0.2,
  matchGap: 0.1,
  failGap: 0.9,
  learnsAccuracy: 0.9,
  matchAccuracy: 0.95,
  /** The last two evaluations may differ by at most this fraction of the span. */
  settled: 0.1,
} as const;

export type VerdictKind = 'matches' | 'gap' | 'fails' | 'inconclusive';

export interface Verdict {
  kind: VerdictKind;
  /** ✓, ▲, ✗ or – (inconclusive). */
  symbol: '✓' | '▲' | '✗' | '–';
  /** SPEC's "learns": gap ≤ 0.2 or accuracy ≥ 0.9 (a ▲ may learn). */
  learns: boolean;
  /** Regression: the ICL gap; accuracy tasks: the accuracy or recall. */
  value: number;
  /** One sentence with the numbers behind it. */
  reason: string;
}

/** What one evaluation contributes: the model's score and, for regression, z and b. */
export interface EvalSummary {
  /** Regression: the model's tail mean error; parity: tail accuracy; MQAR: recall. */
  model: number;
  /** Regression only: the zero predictor's and the best baseline's tail means. */
  zero?: number;
  best?: number;
  bestName?: string;
}

/** An evaluation's score as the run file keeps it (one per evaluation). */
export interface EvalPoint extends EvalSummary {
  step: number;
}

export function isAccuracyTask(task: TaskId): boolean {
  return task === 'sparse_parity' || task === 'vector_mqar';
}

/** Chance accuracy: parity 1/2, MQAR 1/m (m pairs). */
export function chanceOf(task: TaskId, pairs: number): number {
  return task === 'vector_mqar' ? 1 / pairs : 0.5;
}

/** Mean over the last quarter of positions (at least the last), skipping non-finite entries. */
export function tailMean(xs: readonly number[]): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const from = Math.min(n - 1, Math.floor(n * 0.75));
  const tail = xs.slice(from).filter(Number.isFinite);
  return tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN;
}

/** The numbers the rule reads from one evaluation's ICL result. */
export function summarize(task: TaskId, icl: IclResult): EvalSummary {
  if (task === 'sparse_parity') return { model: tailMean(icl.accuracy?.model ?? []) };
  if (task === 'vector_mqar') return { model: icl.accuracy?.model?.[0] ?? NaN };
  const model = tailMean(icl.curves.model?.mean ?? []);
  const zero = tailMean(icl.curves.zero?.mean ?? []);
  let best = zero;
  let bestName = 'zero';
  for (const [name, c] of Object.entries(icl.curves)) {
    if (name === 'model') continue;
    const m = tailMean(c.mean);
    if (m < best) [best, bestName] = [m, name];
  }
  return { model, zero, best, bestName };
}

const fmt = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * The verdict of a run from its evaluations (oldest first, the last is the one judged),
 * the size of its evaluation set and, for MQAR, its number of pairs.
 */
export function judge(task: TaskId, evaluations: readonly EvalSummary[], evalPrompts: number, pairs = 1): Verdict {
  const R = VERDICT_RULE;
  const last = evaluations[evaluations.length - 1];
  const inconclusive = (value: number, reason: string): Verdict => ({
    kind: 'inconclusive',
    symbol: '–',
    learns: false,
    value,
    reason,
  });
  if (!last) return inconclusive(NaN, 'Not evaluated yet.');
  const prev = evaluations[evaluations.length - 2];

  if (isAccuracyTask(task)) {
    const acc = last.model;
    const chance = chanceOf(task, pairs);
    const what = task === 'vector_mqar' ? 'Recall' : 'Accuracy';
    const span = 1 - chance;
    if (!Number.isFinite(acc)) return inconclusive(acc, `${what} is not a number.`);
    const base = `${what} ${pct(acc)} (chance ${pct(chance)})`;
    const early = earlyReason(
      evaluations.length,
      evalPrompts,
      prev && Math.abs(acc - prev.model) > R.settled * span
        ? `it moved ${pct(Math.abs(acc - prev.model))} since the evaluation before`
        : null,
    );
    if (early) return inconclusive(acc, `${base}, but ${early}.`);
    if (acc >= R.matchAccuracy)
      return {
        kind: 'matches',
        symbol: '✓',
        learns: true,
        value: acc,
        reason: `${base}: at least ${pct(R.matchAccuracy)}.`,
      };
    if (acc <= chance + 0.1 * span)
      return { kind: 'fails', symbol: '✗', learns: false, value: acc, reason: `${base}: no better than chance.` };
    return {
      kind: 'gap',
      symbol: '▲',
      learns: acc >= R.learnsAccuracy,
      value: acc,
      reason: `${base}: above chance, below ${pct(R.matchAccuracy)}.`,
    };
  }

  const { model: m, zero: z = NaN, best: b = NaN, bestName = 'zero' } = last;
  const span = z - b;
  if (!Number.isFinite(m)) return inconclusive(NaN, 'The model error is not a number.');
  if (!(span >= R.minSpan))
    return inconclusive(
      NaN,
      `No baseline beats the zero predictor clearly (zero ${fmt(z)}, best ${bestName} ${fmt(b)}), so the gap ` +
        `is not defined.`,
    );
  const gap = (m - b) / span;
  const base = `Error ${fmt(m)}, ${bestName} ${fmt(b)}, zero ${fmt(z)}: gap ${gap.toFixed(2)}`;
  const moved = prev ? Math.abs(m - prev.model) : 0;
  const early = earlyReason(
    evaluations.length,
    evalPrompts,
    moved > R.settled * span ? `its error moved by ${fmt(moved)} since the evaluation before (still learning)` : null,
  );
  if (early) return inconclusive(gap, `${base}, but ${early}.`);
  if (gap <= R.matchGap)
    return { kind: 'matches', symbol: '✓', learns: true, value: gap, reason: `${base}: matches the best baseline.` };
  if (gap >= R.failGap)
    return { kind: 'fails', symbol: '✗', learns: false, value: gap, reason: `${base}: no better than trivial.` };
  return {
    kind: 'gap',
    symbol: '▲',
    learns: gap <= R.learnsGap,
    value: gap,
    reason: `${base}: ${gap <= R.learnsGap ? 'learns' : 'learns part of it'}, with a gap to ${bestName}.`,
  };
}

function earlyReason(evaluations: number, prompts: number, moved: string | null): string | null {
  if (prompts < VERDICT_RULE.minPrompts)
    return `the evaluation set has ${prompts} prompts (a verdict needs ${VERDICT_RULE.minPrompts})`;
  if (evaluations < VERDICT_RULE.minEvaluations)
    return (
      `only ${evaluations} evaluation${evaluations === 1 ? '' : 's'} ` +
      `(a verdict needs ${VERDICT_RULE.minEvaluations})`
    );
  return moved;
}
