// Sparse parity (SPEC.md): x ∈ {−1, +1}^d uniform, y = product of k coordinates, trained with
// the logistic loss on ±1 labels. The k indices are drawn per prompt (lab) or once for the
// whole batch (official code, which redraws them every step): `parityPerPrompt`.
import type { Rng } from '../engine/rng';
import { allocInterleaved, writeExample } from './layout';
import type { PromptBatch, SampleOpts } from './types';

export const PARITY_K = 2;

export function sampleParity(rng: Rng, opts: SampleOpts): PromptBatch {
  const p = allocInterleaved('sparse_parity', opts, 'logistic');
  const { nDims: d, activeDims: a } = opts;
  const k = Math.min(PARITY_K, a);
  const perPrompt = opts.parityPerPrompt ?? true;
  const x = new Float32Array(d); // (d), inactive coordinates stay 0
  let idx = perPrompt ? [] : rng.choose(a, k);
  for (let b = 0; b < opts.batch; b++) {
    if (perPrompt) idx = rng.choose(a, k);
    for (let i = 0; i < opts.nPoints; i++) {
      for (let c = 0; c < a; c++) x[c] = rng.nextU32() >>> 31 ? 1 : -1;
      let y = 1;
      for (const c of idx) y *= x[c];
      writeExample(p, b, i, x, y);
    }
  }
  return p;
}
