// One prompt as the baselines see it, and the driver shared by every baseline: for each asked
// position i (0-based example index), the context is the valid examples j < i, and a
// fit-and-predict function turns that context into a prediction for example i. Legend:
// n = examples, d = x width, m = context size.

export interface PromptData {
  xs: Float32Array; // (n, d)
  ys: Float32Array; // (n)
  n: number;
  d: number;
  /** 0 for dummy examples (outlier tasks): never context, never predicted. */
  valid?: Uint8Array; // (n)
}

/** Predicts example `query` from the context examples `ctx` (indices into the prompt, m of them, m ≥ 1). */
export type FitPredict = (ctx: Int32Array, query: number) => number;

/**
 * Predictions for every asked position (all by default): 0 where the context is empty (the
 * first position), NaN at positions not asked for and at dummies.
 */
export function predictEach(p: PromptData, fitPredict: FitPredict, positions?: readonly number[]): Float64Array {
  const out = new Float64Array(p.n).fill(NaN); // (n)
  const ctx = new Int32Array(p.n); // (n) context indices, the first m in use
  const ask = positions ?? Array.from({ length: p.n }, (_, i) => i);
  for (const i of ask) {
    if (p.valid && !p.valid[i]) continue;
    let m = 0;
    for (let j = 0; j < i; j++) if (!p.valid || p.valid[j]) ctx[m++] = j;
    out[i] = m === 0 ? 0 : fitPredict(ctx.subarray(0, m), i);
  }
  return out;
}

/** Row i of xs. */
export function row(p: PromptData, i: number): Float32Array {
  return p.xs.subarray(i * p.d, (i + 1) * p.d);
}

/** The trivial baseline: predicts 0 everywhere. */
export function zero(p: PromptData, positions?: readonly number[]): Float64Array {
  return predictEach(p, () => 0, positions);
}
