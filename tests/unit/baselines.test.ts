// Baselines on hand-checked cases: each must use only the previous examples.
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/engine/rng';
import {
  averaging,
  greedyTree,
  knn3,
  lasso,
  leastSquares,
  nnGd,
  zero,
  sparsePositions,
  type PromptData,
} from '../../src/baselines';

function linearPrompt(seed: number, n: number, d: number, sparse?: number[]): PromptData & { w: Float64Array } {
  const rng = new Rng(seed);
  const w = new Float64Array(d);
  for (let c = 0; c < d; c++) w[c] = !sparse || sparse.includes(c) ? rng.normal() : 0;
  const xs = rng.fillNormal(new Float32Array(n * d)) as Float32Array;
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) ys[i] += w[c] * xs[i * d + c];
  return { xs, ys, n, d, w };
}

/** A prompt from explicit rows. */
function prompt(rows: number[][], ys: number[]): PromptData {
  return { xs: Float32Array.from(rows.flat()), ys: Float32Array.from(ys), n: rows.length, d: rows[0].length };
}

describe('shared rules', () => {
  test('every baseline predicts 0 at the first position and ignores later examples', () => {
    const p = linearPrompt(1, 12, 4);
    for (const f of [zero, leastSquares, knn3, averaging, lasso, greedyTree, nnGd]) {
      const full = f(p);
      expect(full[0]).toBe(0);
      // changing example 8 onwards must not change predictions at positions ≤ 8
      const q = { ...p, ys: p.ys.slice(), xs: p.xs.slice() };
      for (let i = 8; i < p.n; i++) q.ys[i] += 5;
      const moved = f(q);
      for (let i = 0; i <= 8; i++) expect(moved[i]).toBe(full[i]);
      expect(Array.from(moved.subarray(9)).some((v, k) => v !== full[9 + k]) || f === zero).toBe(true);
    }
  });

  test('dummy examples (valid = 0) are neither context nor predicted', () => {
    const p = linearPrompt(2, 10, 3);
    const valid = Uint8Array.from([1, 0, 1, 1, 0, 1, 1, 1, 1, 1]);
    const withDummies = { ...p, valid, ys: p.ys.slice() };
    withDummies.ys[1] = 1e6; // a wild dummy must not matter
    const a = knn3(withDummies);
    expect(Number.isNaN(a[1])).toBe(true);
    expect(Number.isNaN(a[4])).toBe(true);
    expect(a[2]).toBe(p.ys[0]); // only example 0 is context for example 2
  });

  test('a position subset leaves the others NaN', () => {
    const p = linearPrompt(3, 8, 2);
    const out = leastSquares(p, [0, 5]);
    expect(out[0]).toBe(0);
    expect(Number.isFinite(out[5])).toBe(true);
    expect(Number.isNaN(out[3])).toBe(true);
    expect(sparsePositions(101)).toEqual([0, 1, 2, 3, 4, 6, 9, 14, 21, 32, 48, 72, 100]);
  });
});

describe('least squares', () => {
  test('exact once the context exceeds d on noiseless data; min-norm below d', () => {
    const d = 8;
    const p = linearPrompt(4, 20, d);
    const pred = leastSquares(p);
    for (let i = d + 1; i < p.n; i++) expect(pred[i]).toBeCloseTo(p.ys[i], 3);
    expect(Math.abs(pred[d - 2] - p.ys[d - 2])).toBeGreaterThan(1e-3); // underdetermined: not exact
    // min-norm with one example: w = y₀ x₀ / ‖x₀‖², so the prediction at x₁ is y₀ x₀·x₁ / ‖x₀‖²
    const x0 = [1, 2, 0];
    const x1 = [3, -1, 5];
    const one = leastSquares(prompt([x0, x1], [4, 0]));
    expect(one[1]).toBeCloseTo((4 * (3 - 2)) / 5, 6);
  });

  test('rank-deficient context (a repeated row, a zero coordinate) falls back to the SVD pseudo-inverse', () => {
    // x₂ = x₀ repeated and coordinate 2 always 0: min-norm w on span{e0, e1}
    const rows = [
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
      [1, 1, 0],
      [2, 3, 0],
    ];
    const out = leastSquares(prompt(rows, [2, -1, 2, 1, 1]));
    expect(out[3]).toBeCloseTo(1, 6);
    expect(out[4]).toBeCloseTo(2 * 2 - 3, 6);
  });
});

describe('3-nearest neighbours', () => {
  test('mean y of the 3 nearest previous x (all while fewer than 3)', () => {
    const rows = [
      [0, 0],
      [10, 0],
      [1, 0],
      [0, 1],
      [9, 9],
      [0.4, 0.4],
    ];
    const ys = [1, 100, 2, 3, 50, 0];
    const out = knn3(prompt(rows, ys));
    expect(out[1]).toBe(1);
    expect(out[2]).toBe((1 + 100) / 2);
    expect(out[3]).toBe((1 + 100 + 2) / 3); // 3 previous: all
    expect(out[5]).toBe((1 + 2 + 3) / 3); // nearest to (0.4, 0.4): (0,0), (0,1), (1,0)
  });
});

describe('averaging', () => {
  test('ŵ = mean(y_j x_j), prediction x_qᵀŵ', () => {
    const out = averaging(
      prompt(
        [
          [1, 0],
          [0, 2],
          [3, 4],
        ],
        [2, 4, 0],
      ),
    );
    expect(out[1]).toBe(0); // ŵ = (2, 0), x = (0, 2)
    expect(out[2]).toBe(3 * 1 + 4 * 4); // ŵ = ((2, 0) + (0, 8)) / 2 = (1, 4)
  });
});

describe('Lasso', () => {
  test('recovers a 3-sparse w in d = 20 from 15 examples, where least squares cannot', () => {
    const p = linearPrompt(5, 40, 20, [2, 7, 11]);
    const l = lasso(p);
    const ls = leastSquares(p);
    const err = (pred: Float64Array, from: number, to: number) => {
      let s = 0;
      for (let i = from; i < to; i++) s += (pred[i] - p.ys[i]) ** 2;
      return s / (to - from);
    };
    const yVar = err(new Float64Array(p.n), 12, 19);
    expect(err(l, 12, 19)).toBeLessThan(0.02 * yVar); // recovered, up to the α shrinkage
    expect(err(ls, 12, 19)).toBeGreaterThan(10 * err(l, 12, 19));
  });

  test('soft-thresholds: one coordinate, the solution is (xᵀy/m − α)/(xᵀx/m)', () => {
    const out = lasso(prompt([[1], [2], [3]], [1, 2, 0]), undefined, 0.5);
    // context {(1,1), (2,2)}: xᵀy/m = 2.5, xᵀx/m = 2.5 → w = (2.5 − 0.5)/2.5 = 0.8
    expect(out[2]).toBeCloseTo(3 * 0.8, 6);
  });
});

describe('greedy tree', () => {
  test('fits a depth-1 split exactly', () => {
    const rng = new Rng(6);
    const n = 30;
    const rows: number[][] = [];
    const ys: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = [rng.normal(), rng.normal(), rng.normal()];
      rows.push(x);
      ys.push(x[1] > 0.3 ? 5 : -2);
    }
    const out = greedyTree(prompt(rows, ys));
    // once both sides have been seen and no context point falls between the query and 0.3, it is exact
    let exact = 0;
    for (let i = 10; i < n; i++) if (out[i] === ys[i]) exact++;
    expect(exact).toBeGreaterThanOrEqual(17);
  });

  test('splits halfway between the closest values across the best gap, query x ≤ threshold goes left', () => {
    const rows = [[0], [1], [2], [10], [11], [1.5], [6.1], [5.9]];
    const ys = [0, 0, 0, 9, 9, 0, 0, 0];
    const out = greedyTree(prompt(rows, ys), undefined, 1);
    expect(out[5]).toBe(0);
    expect(out[6]).toBe(9); // threshold (2 + 10)/2 = 6: 6.1 goes right
    expect(out[7]).toBe(0); // 5.9 goes left (the context now includes 6.1 → y 0, so the split moves)
  });

  test('matches a plain full-tree CART (reference written out here) on random data', () => {
    const rng = new Rng(8);
    const n = 40;
    const d = 4;
    const rows = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
    const ys = rows.map((x) => (x[0] > 0 ? 1 : -1) + (x[2] > 0.5 ? 2 : 0) + 0.1 * rng.normal());
    const out = greedyTree(prompt(rows, ys));
    for (let i = 1; i < n; i++)
      // the prompt stores y in f32
      expect(out[i]).toBeCloseTo(referenceCart(rows.slice(0, i), ys.slice(0, i), 4)(rows[i]), 6);
  });

  test('depth limit: depth 0 predicts the context mean', () => {
    const out = greedyTree(prompt([[0], [1], [2], [3]], [1, 2, 6, 0]), undefined, 0);
    expect(out[3]).toBe(3);
  });
});

describe('2-layer NN by gradient descent', () => {
  test('fitting the context reduces the error against the zero predictor on a 2-layer ReLU target', () => {
    const rng = new Rng(7);
    const d = 5;
    const h = 10;
    const n = 41;
    const W = rng.fillNormal(new Float64Array(d * h));
    const v = rng.fillNormal(new Float64Array(h));
    const xs = rng.fillNormal(new Float32Array(n * d)) as Float32Array;
    const ys = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < h; j++) {
        let z = 0;
        for (let c = 0; c < d; c++) z += xs[i * d + c] * W[c * h + j];
        ys[i] += Math.sqrt(2 / h) * Math.max(z, 0) * v[j];
      }
    }
    const positions = [30, 32, 34, 36, 38, 40];
    const out = nnGd({ xs, ys, n, d }, positions, 1);
    let errNn = 0;
    let errZero = 0;
    for (const i of positions) {
      errNn += (out[i] - ys[i]) ** 2;
      errZero += ys[i] ** 2;
    }
    expect(errNn).toBeLessThan(0.5 * errZero);
    // deterministic for a seed
    expect(Array.from(nnGd({ xs, ys, n, d }, positions, 1))).toEqual(Array.from(out));
  });
});

/** A plain recursive CART (best split by brute force over all thresholds), the reference for greedyTree. */
function referenceCart(X: number[][], y: number[], depth: number): (x: number[]) => number {
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const sse = (v: number[]) => {
    const m = v.reduce((s, a) => s + a, 0) / v.length;
    return v.reduce((s, a) => s + (a - m) ** 2, 0);
  };
  if (depth === 0 || y.length < 2 || y.every((v) => v === y[0])) return () => mean;
  let best = { score: sse(y) - 1e-9, c: -1, thr: 0 };
  for (let c = 0; c < X[0].length; c++) {
    const vals = [...new Set(X.map((x) => x[c]))].sort((a, b) => a - b);
    for (let k = 0; k + 1 < vals.length; k++) {
      const thr = (vals[k] + vals[k + 1]) / 2;
      const left = y.filter((_, i) => X[i][c] <= thr);
      const right = y.filter((_, i) => X[i][c] > thr);
      const score = sse(left) + sse(right);
      if (score < best.score) best = { score, c, thr };
    }
  }
  if (best.c < 0) return () => mean;
  const { c, thr } = best;
  const L = referenceCart(
    X.filter((x) => x[c] <= thr),
    y.filter((_, i) => X[i][c] <= thr),
    depth - 1,
  );
  const R = referenceCart(
    X.filter((x) => x[c] > thr),
    y.filter((_, i) => X[i][c] > thr),
    depth - 1,
  );
  return (x) => (x[c] <= thr ? L(x) : R(x));
}
