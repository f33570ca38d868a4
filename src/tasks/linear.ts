// Linear and sparse linear regression (SPEC.md): y = wᵀx, x ~ N(0, I), w ~ N(0, I) per prompt;
// the sparse variant keeps k = 3 random coordinates of w among the active ones.
import type { Rng } from '../engine/rng';
import { allocInterleaved, dot, gaussianX, writeExample } from './layout';
import type { PromptBatch, SampleOpts } from './types';

export const SPARSE_K = 3;

/** w ~ N(0, I) on the active coordinates (length d, 0 beyond). */
export function drawW(rng: Rng, d: number, active: number): Float32Array {
  return gaussianX(rng, new Float32Array(d), active);
}

export function sampleLinear(rng: Rng, opts: SampleOpts): PromptBatch {
  return sampleLinearLike('linear_regression', rng, opts, (w) => w);
}

export function sampleSparseLinear(rng: Rng, opts: SampleOpts): PromptBatch {
  const k = Math.min(SPARSE_K, opts.activeDims);
  return sampleLinearLike('sparse_linear_regression', rng, opts, (w) => {
    const keep = rng.choose(opts.activeDims, k);
    const sparse = new Float32Array(w.length);
    for (const c of keep) sparse[c] = w[c];
    return sparse;
  });
}

function sampleLinearLike(
  task: 'linear_regression' | 'sparse_linear_regression',
  rng: Rng,
  opts: SampleOpts,
  shape: (w: Float32Array) => Float32Array,
): PromptBatch {
  const p = allocInterleaved(task, opts);
  const { nDims: d, activeDims: a } = opts;
  const x = new Float32Array(d); // (d)
  for (let b = 0; b < opts.batch; b++) {
    const w = shape(drawW(rng, d, a)); // (d)
    for (let i = 0; i < opts.nPoints; i++) {
      gaussianX(rng, x, a);
      writeExample(p, b, i, x, dot(w, x, a));
    }
  }
  return p;
}
