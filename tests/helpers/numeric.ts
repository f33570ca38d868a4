// Numeric helpers for op tests: random data, closeness with a readable failure, and
// central finite differences in f64.
import { expect } from 'vitest';
import { Rng } from '../../src/engine/rng';

export function randn(rng: Rng, n: number, std = 1): Float64Array {
  return rng.fillNormal(new Float64Array(n), std) as Float64Array;
}

/** max |a−b| / (atol + rtol·|b|) must be ≤ 1. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { atol?: number; rtol?: number } = {},
  what = '',
): void {
  const atol = tol.atol ?? 1e-5;
  const rtol = tol.rtol ?? 1e-4;
  expect(actual.length, `${what} length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (atol + rtol * Math.abs(expected[i]));
    if (!(err <= worst)) {
      worst = Number.isNaN(err) ? Infinity : err;
      at = i;
    }
  }
  if (worst > 1) {
    throw new Error(
      `${what}: mismatch at ${at}: got ${actual[at]}, expected ${expected[at]} (atol ${atol}, rtol ${rtol}, ` +
        `ratio ${worst.toFixed(2)})`,
    );
  }
}

/** ∂f/∂x by central differences, f evaluated in f64. */
export function finiteDiff(f: (x: Float64Array) => number, x: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  const xp = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    xp[i] = x[i] + h;
    const fp = f(xp);
    xp[i] = x[i] - h;
    const fm = f(xp);
    xp[i] = x[i];
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** Σ out ⊙ r: turns a vector function into the scalar whose gradient is the VJP with r. */
export function dot(out: ArrayLike<number>, r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * r[i];
  return s;
}
