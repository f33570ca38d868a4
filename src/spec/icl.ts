// An ICL result: error (and, for parity and MQAR, accuracy) against the number of in-context
// examples, for the model and each baseline. The run file, the verdict rule and the page all read it.

/** One ICL curve: per prompt position 1..n, mean error and the 90% band. */
export interface Curve {
  mean: number[];
  lo: number[];
  hi: number[];
}

export interface IclResult {
  /** Prompt positions 1..n (1-based). */
  positions: number[];
  /** "model" and one entry per baseline ("zero", "least_squares", …). */
  curves: Record<string, Curve>;
  /** Parity: accuracy per position; MQAR: recall (one value). Absent elsewhere. */
  accuracy?: Record<string, number[]>;
}
