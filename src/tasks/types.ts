// The batch a task sampler hands to the model (and to the baselines): token vectors, per-token
// targets and loss weights, plus the raw examples. Legend: B = batch, T = tokens, d = token
// width (nDims), n = scored examples, m = MQAR key/value pairs.
import type { TaskId } from '../spec/config';

export interface PromptBatch {
  task: TaskId;
  batch: number; // B
  tokens: number; // T
  dim: number; // d, token width
  /** Width of the read-out: 1 for scalar-y tasks, d for cot_io and vector_mqar. */
  outDim: number;
  inputs: Float32Array; // (B, T, d) token vectors; a scalar y is the token [y, 0, …, 0]
  targets: Float32Array; // (B, T, outDim) what the read-out at each token should predict (0 where unused)
  mask: Float32Array; // (B, T, outDim) loss weight; loss = Σ mask·err / Σ mask
  loss: 'mse' | 'logistic';
  /** Examples (or queries) whose prediction is scored. */
  nExamples: number; // n
  /** Token whose read-out predicts example i (length n). */
  predTokens: number[];
  /** The x of each example; for vector_mqar the m keys instead: (B, m, d). */
  xs: Float32Array; // (B, n, d)
  /** The target of each example; scalar y sits at [.., 0] (cot_io: [y, 0, …]; vector_mqar: the value). */
  ys: Float32Array; // (B, n, outDim)
  /** Outlier tasks: 0 for a dummy example, which is neither scored nor used by baselines. */
  valid?: Uint8Array; // (B, n)
  /** vector_mqar only: the values and which key the query repeats. */
  mqar?: { pairs: number; values: Float32Array /* (B, m, d) */; queryIndex: Int32Array /* (B) */ };
}

export interface SampleOpts {
  batch: number;
  /** Token width d. */
  nDims: number;
  /** Curriculum's active coordinates (≤ nDims); the rest of every x is 0. */
  activeDims: number;
  /** Examples per prompt (key/value pairs for vector_mqar). */
  nPoints: number;
  /** sparse_parity: indices per prompt (true, lab default) or shared by the batch (official). */
  parityPerPrompt?: boolean;
}
