// Human words for task, model, size and baseline ids, and one sentence per task saying what
// it tests (SPEC.md "The nine tasks"). Plain data: the controls, plots and grid read it.
import type { ModelId, SizeId, TaskId } from '../spec/config';

export interface TaskText {
  label: string;
  /** What the task tests, in one sentence. */
  tests: string;
  /** The y axis of the ICL curve (the plotted, normalised quantity). */
  yLabel: string;
  /** The x axis: what a prompt position counts. */
  xLabel: string;
}

export const TASK_TEXT: Record<TaskId, TaskText> = {
  linear_regression: {
    label: 'Linear regression',
    tests:
      'Can the model infer a fresh linear function y = wᵀx from the examples in its prompt, as least squares does?',
    yLabel: 'squared error / d',
    xLabel: 'examples in the prompt',
  },
  sparse_linear_regression: {
    label: 'Sparse linear regression',
    tests:
      'Only 3 coordinates of w matter: does the model exploit sparsity the way Lasso does, needing fewer examples?',
    yLabel: 'squared error / k',
    xLabel: 'examples in the prompt',
  },
  relu_2nn_regression: {
    label: '2-layer ReLU network regression',
    tests:
      'Each prompt is a random two-layer ReLU network: can the model fit a non-linear function from examples alone?',
    yLabel: 'squared error / d',
    xLabel: 'examples in the prompt',
  },
  decision_tree: {
    label: 'Decision tree',
    tests:
      'Each prompt is a random depth-4 decision tree over the signs of x: can the model learn ' +
      'piecewise-constant rules in context?',
    yLabel: 'squared error',
    xLabel: 'examples in the prompt',
  },
  orthogonal_outlier_regression: {
    label: 'Orthogonal-outlier regression',
    tests: 'Half the examples are decoys orthogonal to w: can the model ignore them and still solve the regression?',
    yLabel: 'squared error (real examples)',
    xLabel: 'examples in the prompt',
  },
  many_outlier_regression: {
    label: 'Many-outlier regression',
    tests:
      '90% of the examples are the same dummy pair (x = 1, y = 1): can the model find the few real ones in a ' +
      'long prompt?',
    yLabel: 'squared error (real examples)',
    xLabel: 'examples in the prompt',
  },
  sparse_parity: {
    label: 'Sparse parity',
    tests:
      'y is the product of 2 hidden coordinates of x ∈ {−1, +1}ᵈ: can the model work out which two from ' +
      'examples? (The paper finds Transformers fail here and Mamba succeeds.)',
    yLabel: 'accuracy',
    xLabel: 'examples in the prompt',
  },
  cot_io: {
    label: 'Chain-of-thought I/O',
    tests:
      'Each example shows the hidden layer of a 2-layer ReLU net before the answer: does the model use the ' +
      'intermediate steps to learn the net?',
    yLabel: 'squared error of y',
    xLabel: 'examples in the prompt',
  },
  vector_mqar: {
    label: 'Vector MQAR',
    tests:
      'Multi-query associative recall: after 64 key/value vector pairs, can the model return the value of a ' +
      'queried key? (The paper finds Mamba struggles and attention succeeds.)',
    yLabel: 'squared error / d',
    xLabel: 'key/value pairs',
  },
};

export const MODEL_LABEL: Record<ModelId, string> = {
  transformer: 'Transformer',
  mamba: 'Mamba',
  mambaformer: 'MambaFormer',
  standard_hybrid: 'Standard hybrid',
};

export const SIZE_LABEL: Record<SizeId, string> = {
  tiny: 'tiny (width 64)',
  small: 'small (width 128)',
  paper: 'paper (width 256)',
};

const BASELINE_LABEL: Record<string, string> = {
  model: 'Model',
  zero: 'Zero (trivial)',
  least_squares: 'Least squares',
  knn3: '3-nearest neighbours',
  knn: '3-nearest neighbours',
  nearest_neighbours: '3-nearest neighbours',
  '3nn': '3-nearest neighbours',
  averaging: 'Averaging',
  lasso: 'Lasso',
  gd_2nn: '2-layer NN by GD',
  nn_gd: '2-layer NN by GD',
  greedy_tree: 'Greedy tree (CART)',
  tree: 'Greedy tree (CART)',
  context_free: 'Best guess without the examples',
};

/** Label for a curve key; unknown keys (e.g. from a link) become plain words, never markup. */
export function curveLabel(key: string): string {
  const known = Object.prototype.hasOwnProperty.call(BASELINE_LABEL, key) ? BASELINE_LABEL[key] : undefined;
  if (known) return known;
  const words = key.replace(/[_-]+/g, ' ').trim().slice(0, 40);
  return words.length > 0 ? words[0].toUpperCase() + words.slice(1) : 'Curve';
}

export const taskLabel = (t: TaskId): string => TASK_TEXT[t]?.label ?? String(t);
export const modelLabel = (m: ModelId): string => MODEL_LABEL[m] ?? String(m);
