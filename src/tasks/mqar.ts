// Vector-valued associative recall (SPEC.md): m key/value pairs k₁, v₁, …, k_m, v_m, all
// ~ N(0, I_d) rescaled to norm √d, then a query equal to one of the keys (T = 2m + 1). The
// read-out at the query token predicts that key's value (a d-vector). Layout choice: a single
// query per prompt, at the end, so each prompt scores one example (nExamples = 1).
import type { Rng } from '../engine/rng';
import { gaussianX } from './layout';
import type { PromptBatch, SampleOpts } from './types';

export function sampleMqar(rng: Rng, opts: SampleOpts): PromptBatch {
  const { batch: B, nDims: d, activeDims: a, nPoints: m } = opts;
  const T = 2 * m + 1;
  const p: PromptBatch = {
    task: 'vector_mqar',
    batch: B,
    tokens: T,
    dim: d,
    outDim: d,
    inputs: new Float32Array(B * T * d), // (B, T, d)
    targets: new Float32Array(B * T * d), // (B, T, d) only the query token is non-zero
    mask: new Float32Array(B * T * d), // (B, T, d)
    loss: 'mse',
    nExamples: 1,
    predTokens: [2 * m],
    xs: new Float32Array(B * m * d), // (B, m, d) the keys
    ys: new Float32Array(B * d), // (B, 1, d) the queried value
    mqar: { pairs: m, values: new Float32Array(B * m * d) /* (B, m, d) */, queryIndex: new Int32Array(B) },
  };
  const vec = new Float32Array(d); // (d)
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < m; j++) {
      const key = onSphere(rng, vec, a);
      p.inputs.set(key, (b * T + 2 * j) * d);
      p.xs.set(key, (b * m + j) * d);
      const value = onSphere(rng, vec, a);
      p.inputs.set(value, (b * T + 2 * j + 1) * d);
      p.mqar!.values.set(value, (b * m + j) * d);
    }
    const q = rng.int(m);
    p.mqar!.queryIndex[b] = q;
    const qTok = (b * T + 2 * m) * d;
    p.inputs.set(p.xs.subarray((b * m + q) * d, (b * m + q + 1) * d), qTok);
    const value = p.mqar!.values.subarray((b * m + q) * d, (b * m + q + 1) * d);
    p.targets.set(value, qTok);
    p.mask.fill(1, qTok, qTok + d);
    p.ys.set(value, b * d);
  }
  return p;
}

/** N(0, I) on the active coordinates, rescaled to norm √active. */
function onSphere(rng: Rng, out: Float32Array, active: number): Float32Array {
  gaussianX(rng, out, active);
  let s = 0;
  for (let c = 0; c < active; c++) s += out[c] * out[c];
  const k = Math.sqrt(active / s);
  for (let c = 0; c < active; c++) out[c] *= k;
  return out;
}
