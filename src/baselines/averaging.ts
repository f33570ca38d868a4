// Averaging (SPEC.md baseline): ŵ = mean over the context of y_j·x_j, predict x_qᵀŵ (the
// one-step-of-gradient-descent estimator, unbiased for x ~ N(0, I)).
import { predictEach, type PromptData } from './prompt';

export function averaging(p: PromptData, positions?: readonly number[]): Float64Array {
  const { d } = p;
  const w = new Float64Array(d); // (d)
  return predictEach(
    p,
    (ctx, q) => {
      w.fill(0);
      for (const j of ctx) for (let c = 0; c < d; c++) w[c] += p.ys[j] * p.xs[j * d + c];
      let pred = 0;
      for (let c = 0; c < d; c++) pred += (w[c] / ctx.length) * p.xs[q * d + c];
      return pred;
    },
    positions,
  );
}
