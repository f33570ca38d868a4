// Lasso (SPEC.md baseline for sparse regression): argmin (1/2m)‖y − Xw‖² + α‖w‖₁, α = 0.01, no
// intercept — scikit-learn's objective, as in the reference code — by cyclic coordinate
// descent until no coordinate moves more than LASSO_TOL (relative) in a sweep. Each position
// starts from the previous position's solution (warm start: only the speed changes, since the
// objective has one minimiser for data in general position).
import { predictEach, type PromptData } from './prompt';

export const LASSO_ALPHA = 0.01;
const LASSO_TOL = 1e-6;
const LASSO_MAX_SWEEPS = 1000;

export function lasso(p: PromptData, positions?: readonly number[], alpha = LASSO_ALPHA): Float64Array {
  let w: Float64Array | undefined; // the previous position's solution
  return predictEach(
    p,
    (ctx, q) => {
      w = fitLasso(p, ctx, alpha, w);
      let pred = 0;
      for (let c = 0; c < p.d; c++) pred += w[c] * p.xs[q * p.d + c];
      return pred;
    },
    positions,
  );
}

/** Coordinate descent on the context rows; returns w (d). */
export function fitLasso(p: PromptData, ctx: Int32Array, alpha: number, start?: Float64Array): Float64Array {
  const { d } = p;
  const m = ctx.length;
  const X = new Float64Array(d * m); // (d, m) column-major context, so each coordinate's column is contiguous
  const r = new Float64Array(m); // (m) residual y − Xw
  const colSq = new Float64Array(d); // (d) (1/m)‖X_c‖²
  const w = start ? Float64Array.from(start) : new Float64Array(d); // (d)
  for (let i = 0; i < m; i++) {
    r[i] = p.ys[ctx[i]];
    for (let c = 0; c < d; c++) {
      const v = p.xs[ctx[i] * d + c];
      X[c * m + i] = v;
      colSq[c] += (v * v) / m;
      r[i] -= v * w[c];
    }
  }
  for (let sweep = 0; sweep < LASSO_MAX_SWEEPS; sweep++) {
    let maxDelta = 0;
    let maxW = 0;
    for (let c = 0; c < d; c++) {
      if (colSq[c] === 0) continue;
      let rho = 0; // (1/m)·X_cᵀ(r + X_c w_c)
      for (let i = 0; i < m; i++) rho += X[c * m + i] * r[i];
      rho = rho / m + colSq[c] * w[c];
      const next = (Math.sign(rho) * Math.max(Math.abs(rho) - alpha, 0)) / colSq[c];
      const delta = next - w[c];
      if (delta !== 0) {
        for (let i = 0; i < m; i++) r[i] -= delta * X[c * m + i];
        w[c] = next;
      }
      maxDelta = Math.max(maxDelta, Math.abs(delta));
      maxW = Math.max(maxW, Math.abs(next));
    }
    if (maxDelta <= LASSO_TOL * Math.max(1, maxW)) break;
  }
  return w;
}
