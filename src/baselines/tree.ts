// Greedy CART regression tree of depth 4 (SPEC.md baseline for the decision-tree task, as
// scikit-learn's DecisionTreeRegressor(max_depth=4)): each node takes the split (coordinate,
// threshold halfway between consecutive distinct values) that most reduces the squared error;
// a node with < 2 examples, equal y, or no improving split is a leaf predicting its mean y.
// Only the query's root-to-leaf path is grown (greedy nodes do not depend on their siblings).
// Each coordinate is sorted once per prompt; a context's sorted order is a filter of it, and
// a child's is a filter of its parent's.
import { predictEach, type PromptData } from './prompt';

export const TREE_MAX_DEPTH = 4;

export function greedyTree(p: PromptData, positions?: readonly number[], maxDepth = TREE_MAX_DEPTH): Float64Array {
  const { n, d } = p;
  const order: Int32Array[] = []; // d × (n): example indices sorted by coordinate c
  for (let c = 0; c < d; c++) {
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => p.xs[a * d + c] - p.xs[b * d + c] || a - b);
    order.push(Int32Array.from(idx));
  }
  const inCtx = new Uint8Array(n); // (n) 1 for the context's examples
  const lists = new Int32Array(d * n); // (d, n) per coordinate, the node's examples in sorted order (first `size`)
  return predictEach(
    p,
    (ctx, q) => {
      inCtx.fill(0);
      for (const j of ctx) inCtx[j] = 1;
      for (let c = 0; c < d; c++) {
        let k = 0;
        for (const j of order[c]) if (inCtx[j]) lists[c * n + k++] = j;
      }
      return pathPrediction(p, lists, ctx.length, q, maxDepth);
    },
    positions,
  );
}

/** Grows the query's path; `lists` holds the node's examples per coordinate and is narrowed in place. */
function pathPrediction(p: PromptData, lists: Int32Array, size: number, q: number, maxDepth: number): number {
  const { d, n } = p;
  for (let depth = 0; ; depth++) {
    let sum = 0;
    let yMin = Infinity;
    let yMax = -Infinity;
    for (let k = 0; k < size; k++) {
      const y = p.ys[lists[k]];
      sum += y;
      yMin = Math.min(yMin, y);
      yMax = Math.max(yMax, y);
    }
    const mean = sum / size;
    if (depth === maxDepth || size < 2 || yMin === yMax) return mean;
    // Best split maximises sl²/nl + sr²/nr (equivalently, minimises the children's squared error);
    // it must beat no split by a relative margin, so float noise never splits.
    let best = ((sum * sum) / size) * (1 + 1e-12) + 1e-300;
    let bestC = -1;
    let bestThr = 0;
    for (let c = 0; c < d; c++) {
      let sl = 0;
      for (let k = 0; k + 1 < size; k++) {
        const j = lists[c * n + k];
        sl += p.ys[j];
        const xj = p.xs[j * d + c];
        const xNext = p.xs[lists[c * n + k + 1] * d + c];
        if (xNext === xj) continue; // no threshold separates equal values
        const nl = k + 1;
        const score = (sl * sl) / nl + ((sum - sl) * (sum - sl)) / (size - nl);
        if (score > best) {
          best = score;
          bestC = c;
          bestThr = (xj + xNext) / 2;
        }
      }
    }
    if (bestC < 0) return mean;
    // Keep the query's side, in every coordinate's list (a stable in-place filter).
    const goLeft = p.xs[q * d + bestC] <= bestThr;
    let kept = 0;
    for (let c = 0; c < d; c++) {
      kept = 0;
      for (let k = 0; k < size; k++) {
        const j = lists[c * n + k];
        if (p.xs[j * d + bestC] <= bestThr === goLeft) lists[c * n + kept++] = j;
      }
    }
    size = kept;
  }
}
