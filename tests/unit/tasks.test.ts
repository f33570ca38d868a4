// Task samplers: layout, determinism and the statistics SPEC.md fixes for each task.
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/engine/rng';
import { sampleBatch, tokensFor, type PromptBatch } from '../../src/tasks';
import { COT_HIDDEN } from '../../src/tasks/cot';
import { drawTree, evalTree } from '../../src/tasks/decisionTree';
import { TASK_DEFAULTS, TASK_IDS, type TaskId } from '../../src/spec/config';

function sample(task: TaskId, seed = 1, over: Partial<Parameters<typeof sampleBatch>[2]> = {}): PromptBatch {
  const t = TASK_DEFAULTS[task];
  return sampleBatch(task, new Rng(seed), {
    batch: 16,
    nDims: t.nDims,
    activeDims: t.nDims,
    nPoints: Math.min(t.nPoints, 64),
    ...over,
  });
}

const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

/** Scalar y of every example (valid ones only). */
function scalarYs(p: PromptBatch): number[] {
  const out: number[] = [];
  for (let k = 0; k < p.batch * p.nExamples; k++) if (!p.valid || p.valid[k]) out.push(p.ys[k * p.outDim]);
  return out;
}

describe('every task', () => {
  for (const task of TASK_IDS) {
    test(`${task}: shapes, determinism, targets match ys at predTokens`, () => {
      const a = sample(task, 7);
      const b = sample(task, 7);
      const c = sample(task, 8);
      const { batch: B, tokens: T, dim: d, outDim, nExamples: n } = a;
      expect(T).toBe(tokensFor(task, task === 'vector_mqar' ? a.mqar!.pairs : n));
      expect(a.inputs.length).toBe(B * T * d);
      expect(a.targets.length).toBe(B * T * outDim);
      expect(a.mask.length).toBe(B * T * outDim);
      expect(a.predTokens.length).toBe(n);
      expect(Buffer.from(a.inputs.buffer).equals(Buffer.from(b.inputs.buffer))).toBe(true);
      expect(Buffer.from(a.targets.buffer).equals(Buffer.from(b.targets.buffer))).toBe(true);
      expect(Buffer.from(a.inputs.buffer).equals(Buffer.from(c.inputs.buffer))).toBe(false);
      for (let bb = 0; bb < B; bb++) {
        for (let i = 0; i < n; i++) {
          if (a.valid && !a.valid[bb * n + i]) continue;
          const tok = (bb * T + a.predTokens[i]) * outDim;
          expect(a.mask[tok]).toBe(1);
          expect(a.targets[tok]).toBe(a.ys[(bb * n + i) * outDim]);
        }
      }
      expect(a.inputs.every(Number.isFinite)).toBe(true);
    });
  }

  test('inactive coordinates are 0 in every token', () => {
    for (const task of [
      'linear_regression',
      'relu_2nn_regression',
      'decision_tree',
      'orthogonal_outlier_regression',
      'many_outlier_regression',
    ] as const) {
      const p = sample(task, 3, { activeDims: 7 });
      for (let t = 0; t < p.batch * p.tokens; t++)
        for (let c = 7; c < p.dim; c++) expect(p.inputs[t * p.dim + c]).toBe(0);
    }
  });
});

describe('regression tasks', () => {
  test('linear: x ~ N(0, I), Var y ≈ active dims, y = wᵀx with one w per prompt (least squares recovers it)', () => {
    const p = sample('linear_regression', 2, { batch: 64, activeDims: 12, nPoints: 41 });
    const ys = scalarYs(p);
    expect(mean(ys.map((y) => y * y))).toBeGreaterThan(12 * 0.8);
    expect(mean(ys.map((y) => y * y))).toBeLessThan(12 * 1.2);
    const xs = Array.from(p.xs).filter((_, k) => k % p.dim < 12);
    expect(Math.abs(mean(xs))).toBeLessThan(0.03);
    expect(mean(xs.map((x) => x * x))).toBeCloseTo(1, 1);
    // interleaving: token 2i + 1 is [y_i, 0, …]
    expect(p.inputs[1 * p.dim]).toBe(p.ys[0]);
    expect(p.inputs[1 * p.dim + 1]).toBe(0);
  });

  test('sparse linear: exactly k = 3 coordinates of w carry y (checked by exact fit on 3 coordinates)', () => {
    const p = sample('sparse_linear_regression', 4, { batch: 32, nPoints: 41 });
    const ys = scalarYs(p);
    expect(mean(ys.map((y) => y * y))).toBeGreaterThan(3 * 0.75);
    expect(mean(ys.map((y) => y * y))).toBeLessThan(3 * 1.25);
    // Prompt 0: least squares on all 20 coordinates finds exactly 3 non-zero weights.
    const { dim: d, nExamples: n } = p;
    const X = Array.from({ length: n }, (_, i) => Array.from(p.xs.subarray(i * d, (i + 1) * d)));
    const xtx = Array.from({ length: d }, (_, a) =>
      Array.from({ length: d }, (_, b) => X.reduce((s, x) => s + x[a] * x[b], 0)),
    );
    const xty = Array.from({ length: d }, (_, a) => X.reduce((s, x, i) => s + x[a] * p.ys[i], 0));
    const w = solve(xtx, xty);
    expect(w.filter((v) => Math.abs(v) > 1e-3).length).toBe(3);
  });

  test('relu 2nn: √(2/h) scaling keeps Var y ≈ d', () => {
    const p = sample('relu_2nn_regression', 5, { batch: 128, nPoints: 50 });
    const v = mean(scalarYs(p).map((y) => y * y));
    expect(v).toBeGreaterThan(20 * 0.7);
    expect(v).toBeLessThan(20 * 1.3);
  });

  test('decision tree: leaves ~ N(0, 1), the walk goes right when x_c > 0', () => {
    const tree = drawTree(new Rng(1), 20);
    expect(tree.coords.length).toBe(15);
    expect(tree.leaves.length).toBe(16);
    const x = new Float32Array(20).fill(-1); // always left → leftmost leaf
    expect(evalTree(tree, x)).toBe(tree.leaves[0]);
    x.fill(1); // always right → rightmost leaf
    expect(evalTree(tree, x)).toBe(tree.leaves[15]);
    const p = sample('decision_tree', 6, { batch: 256, nPoints: 20 });
    const ys = scalarYs(p);
    expect(mean(ys.map((y) => y * y))).toBeGreaterThan(0.8);
    expect(mean(ys.map((y) => y * y))).toBeLessThan(1.2);
    // y takes at most 16 values per prompt
    expect(new Set(Array.from(p.ys.subarray(0, 20))).size).toBeLessThanOrEqual(16);
  });
});

describe('outlier tasks', () => {
  test('orthogonal outliers: rate ≈ 0.5, dummy x ⊥ w (so wᵀx_dummy = 0), dummy y token = dummy x, not scored', () => {
    const p = sample('orthogonal_outlier_regression', 9, { batch: 64, nPoints: 101 });
    const { dim: d, nExamples: n, tokens: T } = p;
    const rate = 1 - mean(p.valid!);
    expect(rate).toBeGreaterThan(0.45);
    expect(rate).toBeLessThan(0.55);
    for (let b = 0; b < 4; b++) {
      // recover w from the valid examples of prompt b: use 2 dummy and compare to y of valid ones via LS is heavy;
      // instead: a valid pair's y = wᵀx and the dummy is orthogonal to w, so the dummy must be orthogonal
      // to the least-squares w; check it with the exact w from 20 valid examples.
      const valid = Array.from({ length: n }, (_, i) => i).filter((i) => p.valid![b * n + i]);
      const dummy = Array.from({ length: n }, (_, i) => i).find((i) => !p.valid![b * n + i])!;
      const w = solve(
        valid.slice(0, d).map((i) => Array.from(p.xs.subarray((b * n + i) * d, (b * n + i + 1) * d))),
        valid.slice(0, d).map((i) => p.ys[b * n + i]),
      );
      const xd = p.xs.subarray((b * n + dummy) * d, (b * n + dummy + 1) * d);
      const norm = Math.hypot(...xd);
      expect(Math.abs(w.reduce((s, wc, c) => s + wc * xd[c], 0)) / norm / Math.hypot(...w)).toBeLessThan(1e-3);
      const xTok = p.inputs.subarray((b * T + 2 * dummy) * d, (b * T + 2 * dummy + 1) * d);
      const yTok = p.inputs.subarray((b * T + 2 * dummy + 1) * d, (b * T + 2 * dummy + 2) * d);
      expect(Array.from(yTok)).toEqual(Array.from(xTok));
      expect(p.mask[b * T + 2 * dummy]).toBe(0);
    }
  });

  test('many outliers: rate ≈ 0.9, dummies are x = 1 on active dims and y = 1', () => {
    const p = sample('many_outlier_regression', 10, { batch: 16, nPoints: 512, activeDims: 15 });
    const { dim: d, nExamples: n, tokens: T } = p;
    const rate = 1 - mean(p.valid!);
    expect(rate).toBeGreaterThan(0.88);
    expect(rate).toBeLessThan(0.92);
    const k = Array.from(p.valid!).indexOf(0);
    const [b, i] = [Math.floor(k / n), k % n];
    const x = Array.from(p.inputs.subarray((b * T + 2 * i) * d, (b * T + 2 * i + 1) * d));
    expect(x).toEqual([...Array(15).fill(1), ...Array(d - 15).fill(0)]);
    expect(p.inputs[(b * T + 2 * i + 1) * d]).toBe(1);
    expect(p.mask[b * T + 2 * i]).toBe(0);
  });
});

describe('sparse parity', () => {
  test('±1 inputs, balanced labels, y = product of 2 coordinates, logistic loss', () => {
    const p = sample('sparse_parity', 11, { batch: 64, nPoints: 140 });
    expect(p.loss).toBe('logistic');
    expect(p.xs.every((v) => v === 1 || v === -1)).toBe(true);
    const ys = scalarYs(p);
    expect(Math.abs(mean(ys))).toBeLessThan(0.05);
    // the label of prompt 0 is x_a·x_b for exactly one pair (a, b) (with 140 examples, unique w.h.p.)
    const { dim: d, nExamples: n } = p;
    const pairs: [number, number][] = [];
    for (let a = 0; a < d; a++)
      for (let c = a + 1; c < d; c++) {
        let ok = true;
        for (let i = 0; i < n && ok; i++) ok = p.xs[i * d + a] * p.xs[i * d + c] === p.ys[i];
        if (ok) pairs.push([a, c]);
      }
    expect(pairs.length).toBe(1);
  });

  test('per-prompt indices differ across prompts; shared indices are one pair for the batch', () => {
    const pairOf = (p: PromptBatch, b: number) => {
      const { dim: d, nExamples: n } = p;
      for (let a = 0; a < d; a++)
        for (let c = a + 1; c < d; c++) {
          let ok = true;
          for (let i = 0; i < n && ok; i++)
            ok = p.xs[(b * n + i) * d + a] * p.xs[(b * n + i) * d + c] === p.ys[b * n + i];
          if (ok) return `${a},${c}`;
        }
      return '';
    };
    const own = sample('sparse_parity', 12, { batch: 16, nPoints: 140, parityPerPrompt: true });
    const shared = sample('sparse_parity', 12, { batch: 16, nPoints: 140, parityPerPrompt: false });
    expect(new Set(Array.from({ length: 16 }, (_, b) => pairOf(own, b))).size).toBeGreaterThan(3);
    expect(new Set(Array.from({ length: 16 }, (_, b) => pairOf(shared, b))).size).toBe(1);
  });
});

describe('cot_io', () => {
  test('s = ReLU(Wx) is linear-then-ReLU in x, y = vᵀs, targets at x_i are s_i and at s_i are y_i', () => {
    const p = sample('cot_io', 13, { batch: 4, nPoints: 50 });
    const { dim: d, tokens: T, nExamples: n } = p;
    expect(p.outDim).toBe(d);
    expect(T).toBe(3 * n);
    for (let b = 0; b < 4; b++) {
      const xs = Array.from({ length: n }, (_, i) =>
        Array.from(p.inputs.subarray((b * T + 3 * i) * d, (b * T + 3 * i + 1) * d)),
      );
      const ss = Array.from({ length: n }, (_, i) =>
        Array.from(p.inputs.subarray((b * T + 3 * i + 1) * d, (b * T + 3 * i + 2) * d)),
      );
      const ys = Array.from({ length: n }, (_, i) => p.inputs[(b * T + 3 * i + 2) * d]);
      for (const s of ss) {
        expect(s.every((v) => v >= 0)).toBe(true);
        expect(s.slice(COT_HIDDEN).every((v) => v === 0)).toBe(true);
      }
      // Each hidden unit j: on examples where s_j > 0, s_j is an exact linear function of x (fit on d of them).
      for (let j = 0; j < COT_HIDDEN; j++) {
        const active = ss.map((s, i) => (s[j] > 0 ? i : -1)).filter((i) => i >= 0);
        if (active.length < d + 3) continue;
        const w = solve(
          active.slice(0, d).map((i) => xs[i]),
          active.slice(0, d).map((i) => ss[i][j]),
        );
        // tokens are f32 and the d×d solve amplifies their rounding: compare to 1% relative
        for (const i of active.slice(d))
          expect(Math.abs(xs[i].reduce((s, x, c) => s + x * w[c], 0) - ss[i][j])).toBeLessThan(1e-2 * (1 + ss[i][j]));
        // and where s_j = 0, that linear function is ≤ 0 (ReLU)
        for (let i = 0; i < n; i++)
          if (ss[i][j] === 0) expect(xs[i].reduce((s, x, c) => s + x * w[c], 0)).toBeLessThan(1e-3);
      }
      // y is linear in s (v fixed per prompt)
      const v = solve(
        ss.slice(0, COT_HIDDEN).map((s) => s.slice(0, COT_HIDDEN)),
        ys.slice(0, COT_HIDDEN),
      );
      for (let i = COT_HIDDEN; i < n; i++)
        expect(Math.abs(ss[i].slice(0, COT_HIDDEN).reduce((s, x, c) => s + x * v[c], 0) - ys[i])).toBeLessThan(
          1e-2 * (1 + Math.abs(ys[i])),
        );
      for (let i = 0; i < n; i++) {
        const xTok = (b * T + 3 * i) * d;
        expect(Array.from(p.targets.subarray(xTok, xTok + COT_HIDDEN))).toEqual(
          ss[i].slice(0, COT_HIDDEN).map((v) => Math.fround(v)),
        );
        expect(p.targets[xTok + d]).toBe(p.inputs[xTok + 2 * d]);
        expect(p.predTokens[i]).toBe(3 * i + 1);
      }
    }
  });

  test('rejects a token narrower than the hidden layer', () => {
    expect(() => sampleBatch('cot_io', new Rng(1), { batch: 1, nDims: 5, activeDims: 5, nPoints: 3 })).toThrow(/nDims/);
  });
});

describe('vector_mqar', () => {
  test('keys/values have norm √d, the query equals one key, the target is its value at the last token', () => {
    const p = sample('vector_mqar', 14, { batch: 32, nPoints: 64 });
    const { dim: d, tokens: T } = p;
    const m = p.mqar!.pairs;
    expect(T).toBe(2 * m + 1);
    expect(p.nExamples).toBe(1);
    expect(p.predTokens).toEqual([2 * m]);
    for (let b = 0; b < 32; b++) {
      for (let t = 0; t < 2 * m; t++)
        expect(Math.hypot(...p.inputs.subarray((b * T + t) * d, (b * T + t + 1) * d))).toBeCloseTo(Math.sqrt(d), 4);
      const query = Array.from(p.inputs.subarray((b * T + 2 * m) * d, (b * T + 2 * m + 1) * d));
      const matches = Array.from({ length: m }, (_, j) => j).filter((j) =>
        Array.from(p.inputs.subarray((b * T + 2 * j) * d, (b * T + 2 * j + 1) * d)).every((v, c) => v === query[c]),
      );
      expect(matches).toEqual([p.mqar!.queryIndex[b]]);
      const value = Array.from(p.inputs.subarray((b * T + 2 * matches[0] + 1) * d, (b * T + 2 * matches[0] + 2) * d));
      expect(Array.from(p.targets.subarray((b * T + 2 * m) * d, (b * T + 2 * m + 1) * d))).toEqual(value);
      expect(Array.from(p.ys.subarray(b * d, (b + 1) * d))).toEqual(value);
    }
    const maskSum = p.mask.reduce((s, v) => s + v, 0);
    expect(maskSum).toBe(32 * d);
    const qs = new Set(Array.from(p.mqar!.queryIndex));
    expect(qs.size).toBeGreaterThan(10); // the queried slot varies
  });
});

/** Solves the square system A w = y by Gaussian elimination with partial pivoting (test helper). */
function solve(A: number[][], y: number[]): number[] {
  const n = y.length;
  const M = A.map((row, i) => [...row.slice(0, n), y[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[n] / row[i]);
}
