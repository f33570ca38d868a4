// The interleaved x₁, y₁, x₂, y₂, … layout shared by the scalar-y tasks: one helper allocates
// the batch, another writes one example. Each task file only draws its function and its xs.
import type { TaskId } from '../spec/config';
import type { PromptBatch, SampleOpts } from './types';

/** An empty scalar-y batch of n interleaved (x, y) pairs: T = 2n, x_i at token 2i, y_i at 2i + 1. */
export function allocInterleaved(task: TaskId, opts: SampleOpts, loss: 'mse' | 'logistic' = 'mse'): PromptBatch {
  const { batch: B, nDims: d, nPoints: n } = opts;
  const T = 2 * n;
  return {
    task,
    batch: B,
    tokens: T,
    dim: d,
    outDim: 1,
    inputs: new Float32Array(B * T * d), // (B, T, d)
    targets: new Float32Array(B * T), // (B, T, 1)
    mask: new Float32Array(B * T), // (B, T, 1)
    loss,
    nExamples: n,
    predTokens: Array.from({ length: n }, (_, i) => 2 * i),
    xs: new Float32Array(B * n * d), // (B, n, d)
    ys: new Float32Array(B * n), // (B, n, 1)
  };
}

/** Writes example i of prompt b: x (length d) at token 2i, [y, 0, …] at token 2i + 1, scored at 2i. */
export function writeExample(p: PromptBatch, b: number, i: number, x: ArrayLike<number>, y: number): void {
  const { tokens: T, dim: d, nExamples: n } = p;
  const xTok = (b * T + 2 * i) * d;
  for (let c = 0; c < d; c++) {
    p.inputs[xTok + c] = x[c];
    p.xs[(b * n + i) * d + c] = x[c];
  }
  p.inputs[xTok + d] = y; // token 2i + 1, coordinate 0
  p.ys[b * n + i] = y;
  p.targets[b * T + 2 * i] = y;
  p.mask[b * T + 2 * i] = 1;
}

/** Fills x (length d) with N(0, 1) on the first `active` coordinates and 0 elsewhere. */
export function gaussianX(rng: { normal(): number }, x: Float32Array, active: number): Float32Array {
  for (let c = 0; c < x.length; c++) x[c] = c < active ? rng.normal() : 0;
  return x;
}

/** Dot product of the first k entries. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  let s = 0;
  for (let c = 0; c < k; c++) s += a[c] * b[c];
  return s;
}
