// Chain-of-thought I/O (SPEC.md, after Li et al. 2023): f(x) = vᵀReLU(Wx) with W (h×d),
// v (h) ~ N(0, 1) per prompt, h = 8. The prompt is x₁, s₁, y₁, x₂, s₂, y₂, …, x_n, s_n, y_n
// (T = 3n; s = ReLU(Wx) padded to d, y as [y, 0, …]). Teacher forcing: the read-out at x_i
// predicts s_i (mask on its h real coordinates) and the read-out at s_i predicts y_i (mask on
// coordinate 0). The scored example is y_i, read at the s_i token.
import type { Rng } from '../engine/rng';
import { gaussianX } from './layout';
import type { PromptBatch, SampleOpts } from './types';

export const COT_HIDDEN = 8;

export function sampleCot(rng: Rng, opts: SampleOpts): PromptBatch {
  const { batch: B, nDims: d, activeDims: a, nPoints: n } = opts;
  const h = COT_HIDDEN;
  if (d < h)
    throw new Error(`cot_io pads the hidden layer (h = ${h}) into a token, so it needs nDims ≥ ${h} (got ${d}).`);
  const T = 3 * n;
  const p: PromptBatch = {
    task: 'cot_io',
    batch: B,
    tokens: T,
    dim: d,
    outDim: d,
    inputs: new Float32Array(B * T * d), // (B, T, d)
    targets: new Float32Array(B * T * d), // (B, T, d)
    mask: new Float32Array(B * T * d), // (B, T, d)
    loss: 'mse',
    nExamples: n,
    predTokens: Array.from({ length: n }, (_, i) => 3 * i + 1), // the s_i token predicts y_i
    xs: new Float32Array(B * n * d), // (B, n, d)
    ys: new Float32Array(B * n * d), // (B, n, d) [y_i, 0, …]
  };
  const x = new Float32Array(d); // (d)
  const W = new Float32Array(h * a); // (h, a): columns of inactive coordinates never matter
  const v = new Float32Array(h); // (h)
  for (let b = 0; b < B; b++) {
    rng.fillNormal(W);
    rng.fillNormal(v);
    for (let i = 0; i < n; i++) {
      gaussianX(rng, x, a);
      const xTok = (b * T + 3 * i) * d; // x_i; s_i and y_i follow at + d and + 2d
      p.inputs.set(x, xTok);
      p.xs.set(x, (b * n + i) * d);
      let y = 0;
      for (let j = 0; j < h; j++) {
        let z = 0;
        for (let c = 0; c < a; c++) z += W[j * a + c] * x[c];
        const s = z > 0 ? z : 0;
        p.inputs[xTok + d + j] = s;
        p.targets[xTok + j] = s; // at x_i: predict s_i
        p.mask[xTok + j] = 1;
        y += v[j] * s;
      }
      p.inputs[xTok + 2 * d] = y;
      p.targets[xTok + d] = y; // at s_i: predict y_i
      p.mask[xTok + d] = 1;
      p.ys[(b * n + i) * d] = y;
    }
  }
  return p;
}

/** E[y²] = h·(d/2) for v, W ~ N(0, 1), x ~ N(0, I_d): the zero predictor's error, used to normalise the plot. */
export function cotYVariance(d: number): number {
  return (COT_HIDDEN * d) / 2;
}
