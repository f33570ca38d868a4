// Minimum-norm least squares on the previous examples (SPEC.md baseline); the decompositions
// come from ml-matrix. With X (m×d) the context: m < d → w = Xᵀ(XXᵀ)⁻¹y (the min-norm
// interpolant), m ≥ d → w = (XᵀX)⁻¹Xᵀy, both by a Cholesky solve of the small Gram matrix;
// a Gram matrix too ill-conditioned for that (repeated or zero rows, an all-zero coordinate)
// falls back to pinv(X)·y by SVD. The sums XᵀX and Xᵀy are accumulated here as the context
// grows, because ml-matrix's general mmul costs ~100 µs per call and this runs at every
// prompt and position. The context rule is predictEach's: the valid examples before i.
import { CholeskyDecomposition, Matrix, WrapperMatrix1D, pseudoInverse } from 'ml-matrix';
import type { PromptData } from './prompt';

/** Smallest accepted Cholesky pivot², relative to the Gram matrix's largest diagonal entry. */
const CHOLESKY_RCOND = 1e-12;

export function leastSquares(p: PromptData, positions?: readonly number[]): Float64Array {
  const { n, d } = p;
  const out = new Float64Array(n).fill(NaN); // (n)
  const asked = new Uint8Array(n).fill(positions ? 0 : 1); // (n)
  for (const i of positions ?? []) asked[i] = 1;
  const xtx = new Float64Array(d * d); // (d, d) Σ x xᵀ over the context
  const xty = new Float64Array(d); // (d) Σ y x
  const ctx: number[] = [];
  for (let i = 0; i < n; i++) {
    const valid = !p.valid || p.valid[i] === 1;
    if (asked[i] && valid) {
      const w = ctx.length === 0 ? null : ctx.length < d ? wideSolve(p, ctx) : tallSolve(p, ctx, xtx, xty);
      out[i] = w ? dotRow(p, i, w) : 0;
    }
    if (!valid) continue;
    ctx.push(i);
    for (let a = 0; a < d; a++) {
      const xa = p.xs[i * d + a];
      xty[a] += p.ys[i] * xa;
      for (let b = 0; b < d; b++) xtx[a * d + b] += xa * p.xs[i * d + b];
    }
  }
  return out;
}

/** m < d: w = Xᵀα with (XXᵀ)α = y. */
function wideSolve(p: PromptData, ctx: number[]): Float64Array {
  const { d } = p;
  const m = ctx.length;
  const gram = new Float64Array(m * m); // (m, m) XXᵀ, filled symmetric so ml-matrix accepts it
  for (let r = 0; r < m; r++) {
    for (let c = r; c < m; c++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += p.xs[ctx[r] * d + k] * p.xs[ctx[c] * d + k];
      gram[r * m + c] = gram[c * m + r] = s;
    }
  }
  const y = Matrix.columnVector(ctx.map((j) => p.ys[j])); // (m, 1)
  const alpha = choleskySolve(gram, m, y);
  if (!alpha) return pinvSolve(p, ctx);
  const w = new Float64Array(d); // (d)
  for (let r = 0; r < m; r++) for (let k = 0; k < d; k++) w[k] += alpha.get(r, 0) * p.xs[ctx[r] * d + k];
  return w;
}

/** m ≥ d: (XᵀX)w = Xᵀy. */
function tallSolve(p: PromptData, ctx: number[], xtx: Float64Array, xty: Float64Array): Float64Array {
  const w = choleskySolve(xtx, p.d, Matrix.columnVector(Array.from(xty)));
  return w ? Float64Array.from(w.getColumn(0)) : pinvSolve(p, ctx);
}

/** Solves G x = rhs for a symmetric positive-definite G (k, k); null when G is not safely so. */
function choleskySolve(gram: Float64Array, k: number, rhs: Matrix): Matrix | null {
  const chol = new CholeskyDecomposition(new WrapperMatrix1D(gram, { rows: k }));
  if (!chol.isPositiveDefinite()) return null;
  const L = chol.lowerTriangularMatrix;
  let maxDiag = 0;
  let minPivot = Infinity;
  for (let a = 0; a < k; a++) {
    maxDiag = Math.max(maxDiag, gram[a * k + a]);
    minPivot = Math.min(minPivot, L.get(a, a) ** 2);
  }
  return minPivot > CHOLESKY_RCOND * maxDiag ? chol.solve(rhs) : null;
}

/** The robust path: w = pinv(X)·y by SVD. */
function pinvSolve(p: PromptData, ctx: number[]): Float64Array {
  const X = new Matrix(ctx.map((j) => Array.from(p.xs.subarray(j * p.d, (j + 1) * p.d)))); // (m, d)
  const w = pseudoInverse(X).mmul(Matrix.columnVector(ctx.map((j) => p.ys[j]))); // (d, 1)
  return Float64Array.from(w.getColumn(0));
}

function dotRow(p: PromptData, i: number, w: Float64Array): number {
  let s = 0;
  for (let c = 0; c < p.d; c++) s += p.xs[i * p.d + c] * w[c];
  return s;
}
