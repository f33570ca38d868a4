// The paper grid's verdict for one run, from the run's own ICL curve (SPEC.md "The paper's
// grid"): ✓ matches the best baseline (or accuracy ≥ 0.95), ▲ learns with a clear gap,
// ✗ no better than trivial. Pure; the thresholds are named so the table can explain them.
import type { RunFile } from '../../train/protocol';

export type Verdict = '✓' | '▲' | '✗';

export interface Judgement {
  verdict: Verdict;
  /** One sentence with the numbers behind the verdict. */
  reason: string;
}

/** ✓ when the model closes all but this fraction of the gap from trivial to the best baseline. */
export const MATCH_GAP = 0.1;
/** ✗ when the model's error is at least this fraction of the trivial (zero) predictor's. */
export const TRIVIAL_FRACTION = 0.9;
export const ACCURACY_MATCH = 0.95;

/** Mean of the last quarter of a curve (at least its last point): the "enough examples" regime. */
function tailMean(xs: readonly number[]): number {
  const finite = xs.filter(Number.isFinite);
  if (finite.length === 0) return NaN;
  const tail = finite.slice(Math.floor(finite.length * 0.75));
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

function judgeAccuracy(acc: number, chance: number, what: string): Judgement {
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  if (acc >= ACCURACY_MATCH) return { verdict: '✓', reason: `${what} ${pct(acc)} ≥ ${pct(ACCURACY_MATCH)}.` };
  // "No better than trivial": within a tenth of the way from chance to perfect.
  if (acc <= chance + 0.1 * (1 - chance)) return { verdict: '✗', reason: `${what} ${pct(acc)}, chance is ${pct(chance)}.` };
  return { verdict: '▲', reason: `${what} ${pct(acc)}: above chance (${pct(chance)}), below ${pct(ACCURACY_MATCH)}.` };
}

export function judgeRun(run: RunFile): Judgement | null {
  const { icl, config } = run;
  if (config.task === 'sparse_parity') {
    // The last quarter of the accuracy curve (enough examples to tell); else the run's metric.
    const tail = tailMean(icl?.accuracy?.model ?? []);
    const acc = Number.isFinite(tail) ? tail : (run.metrics.final_accuracy ?? run.metrics.accuracy ?? NaN);
    return Number.isFinite(acc) ? judgeAccuracy(acc, 0.5, 'Accuracy') : null;
  }
  if (config.task === 'vector_mqar') {
    const recall = run.metrics.recall ?? run.metrics.accuracy ?? tailMean(icl?.accuracy?.model ?? []);
    return Number.isFinite(recall) ? judgeAccuracy(recall, 1 / Math.max(1, config.nPoints), 'Recall') : null;
  }
  if (!icl?.curves.model) return null;
  const model = tailMean(icl.curves.model.mean);
  const trivial = icl.curves.zero ? tailMean(icl.curves.zero.mean) : 1; // normalised: zero predictor ≈ 1
  const baselines = Object.entries(icl.curves)
    .filter(([k]) => k !== 'model' && k !== 'zero')
    .map(([k, c]) => [k, tailMean(c.mean)] as const)
    .filter(([, v]) => Number.isFinite(v));
  if (!Number.isFinite(model)) return { verdict: '✗', reason: 'The model error is not finite.' };
  const best = baselines.reduce((b, x) => (x[1] < b[1] ? x : b), ['zero', trivial] as const);
  const f = (x: number) => x.toPrecision(2);
  if (model >= TRIVIAL_FRACTION * trivial)
    return { verdict: '✗', reason: `Error ${f(model)}, trivial ${f(trivial)}: no better than predicting 0.` };
  if (model <= best[1] + MATCH_GAP * Math.max(0, trivial - best[1]))
    return { verdict: '✓', reason: `Error ${f(model)}, best baseline (${best[0]}) ${f(best[1])}.` };
  return { verdict: '▲', reason: `Error ${f(model)}: learns, but the best baseline (${best[0]}) reaches ${f(best[1])}.` };
}
