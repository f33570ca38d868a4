// Two-layer ReLU network regression (SPEC.md): y = √(2/h)·ReLU(xW₁)W₂ with W₁ (d×h), W₂ (h×1)
// ~ N(0, 1) per prompt; the √(2/h) keeps Var y = d, the scale of linear regression.
import type { Rng } from '../engine/rng';
import { allocInterleaved, gaussianX, writeExample } from './layout';
import type { PromptBatch, SampleOpts } from './types';

export const RELU_HIDDEN = 100;

export function sampleRelu2nn(rng: Rng, opts: SampleOpts): PromptBatch {
  const p = allocInterleaved('relu_2nn_regression', opts);
  const { nDims: d, activeDims: a } = opts;
  const h = RELU_HIDDEN;
  const scale = Math.sqrt(2 / h);
  const x = new Float32Array(d); // (d)
  const w1 = new Float32Array(a * h); // (a, h): rows of inactive coordinates never matter (x = 0 there)
  const w2 = new Float32Array(h); // (h)
  for (let b = 0; b < opts.batch; b++) {
    rng.fillNormal(w1);
    rng.fillNormal(w2);
    for (let i = 0; i < opts.nPoints; i++) {
      gaussianX(rng, x, a);
      writeExample(p, b, i, x, scale * relu2nn(x, w1, w2, a, h));
    }
  }
  return p;
}

/** ReLU(xW₁)W₂ for one x, W₁ (a, h) row-major. */
export function relu2nn(x: ArrayLike<number>, w1: Float32Array, w2: Float32Array, a: number, h: number): number {
  let y = 0;
  for (let j = 0; j < h; j++) {
    let z = 0;
    for (let c = 0; c < a; c++) z += x[c] * w1[c * h + j];
    if (z > 0) y += z * w2[j];
  }
  return y;
}
