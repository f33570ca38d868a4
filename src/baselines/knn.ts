// k-nearest neighbours (SPEC.md baseline, k = 3): the mean y of the k previous examples whose
// x is nearest (Euclidean; ties go to the earlier example); all of them while fewer than k.
import { predictEach, type PromptData } from './prompt';

export function knn(p: PromptData, k = 3, positions?: readonly number[]): Float64Array {
  const { d } = p;
  return predictEach(
    p,
    (ctx, q) => {
      const best: { dist: number; j: number }[] = []; // the k nearest so far, sorted by dist
      for (const j of ctx) {
        let dist = 0;
        for (let c = 0; c < d; c++) dist += (p.xs[j * d + c] - p.xs[q * d + c]) ** 2;
        if (best.length === k && dist >= best[k - 1].dist) continue;
        let at = best.length;
        while (at > 0 && best[at - 1].dist > dist) at--;
        best.splice(at, 0, { dist, j });
        if (best.length > k) best.pop();
      }
      let s = 0;
      for (const { j } of best) s += p.ys[j];
      return s / best.length;
    },
    positions,
  );
}

export function knn3(p: PromptData, positions?: readonly number[]): Float64Array {
  return knn(p, 3, positions);
}
