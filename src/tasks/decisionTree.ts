// Decision-tree regression (SPEC.md): a full binary tree of depth 4 per prompt; each internal
// node splits on a coordinate drawn uniformly (among the active ones, so a curriculum stage
// never splits on a coordinate that is always 0); go right when x_c > 0; leaves ~ N(0, 1).
import type { Rng } from '../engine/rng';
import { allocInterleaved, gaussianX, writeExample } from './layout';
import type { PromptBatch, SampleOpts } from './types';

export const TREE_DEPTH = 4;

export interface RandomTree {
  coords: Int32Array; // (2^depth − 1) split coordinate of each internal node, heap order
  leaves: Float32Array; // (2^depth) leaf values, left to right
}

export function drawTree(rng: Rng, active: number, depth = TREE_DEPTH): RandomTree {
  const coords = new Int32Array(2 ** depth - 1);
  for (let k = 0; k < coords.length; k++) coords[k] = rng.int(active);
  const leaves = rng.fillNormal(new Float32Array(2 ** depth)) as Float32Array;
  return { coords, leaves };
}

export function evalTree(tree: RandomTree, x: ArrayLike<number>): number {
  const internal = tree.coords.length;
  let node = 0; // heap index: children of k are 2k + 1 (left) and 2k + 2 (right)
  while (node < internal) node = 2 * node + 1 + (x[tree.coords[node]] > 0 ? 1 : 0);
  return tree.leaves[node - internal];
}

export function sampleDecisionTree(rng: Rng, opts: SampleOpts): PromptBatch {
  const p = allocInterleaved('decision_tree', opts);
  const x = new Float32Array(opts.nDims); // (d)
  for (let b = 0; b < opts.batch; b++) {
    const tree = drawTree(rng, opts.activeDims);
    for (let i = 0; i < opts.nPoints; i++) {
      gaussianX(rng, x, opts.activeDims);
      writeExample(p, b, i, x, evalTree(tree, x));
    }
  }
  return p;
}
