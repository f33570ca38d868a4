// Two-layer ReLU network trained by gradient descent on the context (SPEC.md baseline for the
// 2NN task, after Garg et al.'s GDModel): hidden 100, PyTorch's default init (U(±1/√fan_in)
// for weights and biases), Adam (lr 5e-3, β 0.9/0.999, ε 1e-8), 100 full-batch steps on the
// mean squared error (the reference's batch of 100 covers the whole context for n ≤ 101).
// Legend: m = context size, d = x width, h = hidden.
import { Rng } from '../engine/rng';
import { predictEach, type PromptData } from './prompt';

export const NN_HIDDEN = 100;
export const NN_LR = 5e-3;
export const NN_STEPS = 100;

export function nnGd(p: PromptData, positions?: readonly number[], seed = 0): Float64Array {
  const rng = new Rng(seed);
  return predictEach(p, (ctx, q) => fitAndPredictNn(p, ctx, q, rng.fork()), positions);
}

export function fitAndPredictNn(p: PromptData, ctx: Int32Array, q: number, rng: Rng, steps = NN_STEPS): number {
  const { d } = p;
  const h = NN_HIDDEN;
  const m = ctx.length;
  // Parameters in one flat buffer so that Adam is one loop: W1 (d, h), b1 (h), W2 (h), b2 (1).
  const nParams = d * h + h + h + 1;
  const params = new Float64Array(nParams);
  const grads = new Float64Array(nParams);
  const mom1 = new Float64Array(nParams);
  const mom2 = new Float64Array(nParams);
  const oW1 = 0,
    oB1 = d * h,
    oW2 = oB1 + h,
    oB2 = oW2 + h;
  const k1 = 1 / Math.sqrt(d),
    k2 = 1 / Math.sqrt(h);
  for (let i = 0; i < oW2; i++) params[i] = (2 * rng.uniform() - 1) * k1;
  for (let i = oW2; i < nParams; i++) params[i] = (2 * rng.uniform() - 1) * k2;

  const X = new Float64Array(m * d); // (m, d)
  const y = new Float64Array(m); // (m)
  for (let i = 0; i < m; i++) {
    y[i] = p.ys[ctx[i]];
    for (let c = 0; c < d; c++) X[i * d + c] = p.xs[ctx[i] * d + c];
  }
  const Z = new Float64Array(m * h); // (m, h) pre-activations
  const dZ = new Float64Array(h); // (h) one row at a time
  const b1 = 0.9,
    b2 = 0.999,
    eps = 1e-8;
  for (let t = 1; t <= steps; t++) {
    grads.fill(0);
    for (let i = 0; i < m; i++) {
      const zi = Z.subarray(i * h, (i + 1) * h); // (h)
      for (let j = 0; j < h; j++) zi[j] = params[oB1 + j];
      for (let c = 0; c < d; c++) {
        const xc = X[i * d + c];
        for (let j = 0; j < h; j++) zi[j] += xc * params[oW1 + c * h + j];
      }
      let out = params[oB2];
      for (let j = 0; j < h; j++) if (zi[j] > 0) out += zi[j] * params[oW2 + j];
      const dOut = (2 * (out - y[i])) / m; // d(mean squared error)/d(out_i)
      grads[oB2] += dOut;
      for (let j = 0; j < h; j++) {
        const z = zi[j];
        if (z > 0) {
          grads[oW2 + j] += dOut * z;
          dZ[j] = dOut * params[oW2 + j];
        } else dZ[j] = 0;
      }
      for (let j = 0; j < h; j++) grads[oB1 + j] += dZ[j];
      for (let c = 0; c < d; c++) {
        const xc = X[i * d + c];
        for (let j = 0; j < h; j++) grads[oW1 + c * h + j] += xc * dZ[j];
      }
    }
    const c1 = 1 - b1 ** t,
      c2 = 1 - b2 ** t;
    for (let k = 0; k < nParams; k++) {
      mom1[k] = b1 * mom1[k] + (1 - b1) * grads[k];
      mom2[k] = b2 * mom2[k] + (1 - b2) * grads[k] * grads[k];
      params[k] -= (NN_LR * (mom1[k] / c1)) / (Math.sqrt(mom2[k] / c2) + eps);
    }
  }
  let out = params[oB2];
  for (let j = 0; j < h; j++) {
    let z = params[oB1 + j];
    for (let c = 0; c < d; c++) z += p.xs[q * d + c] * params[oW1 + c * h + j];
    if (z > 0) out += z * params[oW2 + j];
  }
  return out;
}
