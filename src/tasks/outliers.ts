// Linear regression with outlier pairs (SPEC.md). Each (x, y) pair is, with probability p,
// replaced by a dummy whose prediction is not scored (mask 0, valid 0):
// - orthogonal outliers (p = 0.5): x and the whole y token are a·u + b·v with u ⊥ w and
//   v ⊥ {w, u}, built from the prompt's own w. As in the official code, u, v, a, b are drawn
//   once per prompt, so every dummy of a prompt is the same vector; a and b are rescaled
//   together: (a, b) ← (a, b)/(a² + b²).
// - many outliers (p = 0.9): x = 1 on every active coordinate, y = 1.
import type { Rng } from '../engine/rng';
import { allocInterleaved, dot, gaussianX, writeExample } from './layout';
import { drawW } from './linear';
import type { PromptBatch, SampleOpts } from './types';

export const ORTHO_OUTLIER_P = 0.5;
export const MANY_OUTLIER_P = 0.9;

export function sampleOrthoOutliers(rng: Rng, opts: SampleOpts): PromptBatch {
  const p = withValid(allocInterleaved('orthogonal_outlier_regression', opts));
  const { nDims: d, activeDims: a } = opts;
  const x = new Float32Array(d); // (d)
  for (let b = 0; b < opts.batch; b++) {
    const w = drawW(rng, d, a); // (d)
    const dummy = orthoDummy(rng, w, a); // (d)
    for (let i = 0; i < opts.nPoints; i++) {
      if (rng.uniform() < ORTHO_OUTLIER_P) writeDummy(p, b, i, dummy, dummy);
      else writeExample(p, b, i, gaussianX(rng, x, a), dot(w, x, a));
    }
  }
  return p;
}

export function sampleManyOutliers(rng: Rng, opts: SampleOpts): PromptBatch {
  const p = withValid(allocInterleaved('many_outlier_regression', opts));
  const { nDims: d, activeDims: a } = opts;
  const x = new Float32Array(d); // (d)
  const ones = new Float32Array(d).fill(1, 0, a); // (d) the dummy x
  const yOne = new Float32Array(d); // (d) the dummy y token [1, 0, …, 0]
  yOne[0] = 1;
  for (let b = 0; b < opts.batch; b++) {
    const w = drawW(rng, d, a); // (d)
    for (let i = 0; i < opts.nPoints; i++) {
      if (rng.uniform() < MANY_OUTLIER_P) writeDummy(p, b, i, ones, yOne);
      else writeExample(p, b, i, gaussianX(rng, x, a), dot(w, x, a));
    }
  }
  return p;
}

/** a·u + b·v with u ⊥ w, v ⊥ {w, u} (Gram–Schmidt of Gaussian draws on the active coordinates). */
export function orthoDummy(rng: Rng, w: Float32Array, active: number): Float32Array {
  const d = w.length;
  const u = removeComponent(gaussianX(rng, new Float32Array(d), active), w, active);
  const v = removeComponent(removeComponent(gaussianX(rng, new Float32Array(d), active), w, active), u, active);
  let a = rng.normal();
  let b = rng.normal();
  const r = a * a + b * b;
  a /= r;
  b /= r;
  const out = new Float32Array(d); // (d), inactive coordinates stay exactly 0
  for (let c = 0; c < active; c++) out[c] = a * u[c] + b * v[c];
  return out;
}

/** x − (xᵀbasis / ‖basis‖²)·basis on the first `active` coordinates. */
function removeComponent(x: Float32Array, basis: Float32Array, active: number): Float32Array {
  const bb = dot(basis, basis, active);
  if (bb === 0) return x;
  const k = dot(x, basis, active) / bb;
  for (let c = 0; c < active; c++) x[c] -= k * basis[c];
  return x;
}

function withValid(p: PromptBatch): PromptBatch {
  p.valid = new Uint8Array(p.batch * p.nExamples).fill(1); // (B, n)
  return p;
}

/** A dummy pair: tokens 2i and 2i + 1 hold x and yToken; not scored, not valid; ys keeps yToken[0]. */
function writeDummy(p: PromptBatch, b: number, i: number, x: Float32Array, yToken: Float32Array): void {
  const { tokens: T, dim: d, nExamples: n } = p;
  p.inputs.set(x, (b * T + 2 * i) * d);
  p.inputs.set(yToken, (b * T + 2 * i + 1) * d);
  p.xs.set(x, (b * n + i) * d);
  p.ys[b * n + i] = yToken[0];
  p.valid![b * n + i] = 0;
}
