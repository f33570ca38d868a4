// The explanation layer's words: how to read each plot for a task, and what each baseline is.
// Plain data so the panel stays a layout; the numbers come from the run's own settings.
import type { RunConfig, TaskId } from '../../spec/config';

/** What each baseline curve is, by its curve key (src/baselines). */
export const BASELINE_WORDS: Record<string, string> = {
  least_squares:
    'Least squares fits a linear function to the previous examples (the minimum-norm solution): the best ' +
    'possible for noiseless linear regression once there are at least d examples.',
  knn3: '3-nearest neighbours predicts the mean y of the 3 previous examples whose x is closest.',
  averaging: 'Averaging estimates w as the mean of y·x over the previous examples: simple, never exact.',
  lasso: 'Lasso is least squares with a penalty that favours sparse w (α = 0.01): the right tool for sparse w.',
  nn_gd: '2-layer NN by GD trains a fresh ReLU network (100 hidden units) on the prompt alone with 100 Adam steps.',
  greedy_tree: 'Greedy tree fits a depth-4 regression tree (CART) to the previous examples.',
  zero: 'Zero always predicts 0: the trivial line. The error is scaled so that it sits at 1.',
  context_free:
    'Best guess without the examples: the sign that is right most often over the possible secret ' +
    'coordinates, from the query alone (59% at d 6). A model that stays on it learned the prior, not from the prompt.',
};

/** The baselines drawn for a task, as the evaluation computes them (src/baselines BASELINES_FOR_TASK). */
export const TASK_BASELINES: Record<TaskId, string[]> = {
  linear_regression: ['least_squares', 'knn3', 'averaging', 'zero'],
  sparse_linear_regression: ['lasso', 'least_squares', 'knn3', 'averaging', 'zero'],
  relu_2nn_regression: ['nn_gd', 'least_squares', 'knn3', 'zero'],
  decision_tree: ['greedy_tree', 'least_squares', 'knn3', 'averaging', 'zero'],
  orthogonal_outlier_regression: ['least_squares', 'knn3', 'zero'],
  many_outlier_regression: ['least_squares', 'knn3', 'zero'],
  sparse_parity: ['context_free'],
  cot_io: ['knn3', 'zero'],
  vector_mqar: [],
};

/** What one prompt of the task holds (SPEC.md "The nine tasks"), with the run's numbers. The
 *  task's question itself is the sentence under the settings (TaskSentence). */
export function promptWords(config: RunConfig): string {
  const d = config.nDims;
  switch (config.task) {
    case 'linear_regression':
      return `Each prompt draws a fresh w in ${d} dimensions; its examples are random x with y = wᵀx.`;
    case 'sparse_linear_regression':
      return `As linear regression in ${d} dimensions, but only 3 coordinates of each prompt's w are non-zero.`;
    case 'relu_2nn_regression':
      return 'Each prompt draws a fresh two-layer ReLU network (100 hidden units); y is its output at x.';
    case 'decision_tree':
      return (
        'Each prompt draws a depth-4 binary tree: every node looks at the sign of one coordinate of x, and ' +
        'y is the value of the leaf that x reaches.'
      );
    case 'orthogonal_outlier_regression':
      return (
        'Linear regression in which each example is, with probability ½, replaced by a decoy built ' +
        'orthogonal to w, so it carries no information about w.'
      );
    case 'many_outlier_regression':
      return 'Linear regression in which 90% of the examples are one dummy pair (x all ones, y = 1).';
    case 'sparse_parity':
      return `x has ${d} entries of ±1; y multiplies 2 of them, a pair chosen afresh for each prompt.`;
    case 'cot_io':
      return (
        'Each example shows x, then the hidden layer ReLU(Wx) of a random two-layer network, then its ' +
        'output y: the intermediate step is written out, as in chain-of-thought prompting.'
      );
    case 'vector_mqar':
      return (
        `${config.nPoints} keys and values, each a random ${d}-dimensional vector, then a query equal to one ` +
        'of the keys; the answer is that key’s value.'
      );
  }
}

/** How to read the ICL plot for this task: axes, scaling, band. */
export function readingIcl(config: RunConfig): string {
  const d = config.nDims;
  switch (config.task) {
    case 'sparse_parity':
      return (
        'The x axis counts the examples in the prompt before the one predicted; the y axis is the share of ' +
        'evaluation prompts whose next label the model gets right. The dashed line is chance (50%): guessing. ' +
        'A model that learns in context climbs above it as examples accumulate. No band is drawn: each prompt ' +
        'is simply right or wrong.'
      );
    case 'vector_mqar':
      return (
        `Each prompt holds ${config.nPoints} key/value pairs and then one query: a copy of one of the keys. The ` +
        'model must return that key\u2019s value. There is one answer per prompt, so the plot shows recall (the ' +
        'share of prompts whose answer is nearest to the right value) at each evaluation during training, ' +
        `beside chance (1 in ${config.nPoints}).`
      );
    case 'sparse_linear_regression':
      return (
        'The x axis counts the examples in the prompt before the one predicted. The y axis is the squared ' +
        'error of that prediction divided by k (the number of coordinates of w that matter), so predicting 0 ' +
        'scores about 1. Lower is better. The shaded band holds the middle 90% of evaluation prompts.'
      );
    case 'decision_tree':
      return (
        'The x axis counts the examples in the prompt before the one predicted; the y axis is the squared ' +
        'error of that prediction (the leaves are N(0, 1), so predicting 0 scores about 1). Lower is better. ' +
        'The shaded band holds the middle 90% of evaluation prompts.'
      );
    case 'cot_io':
      return (
        'The x axis counts the examples in the prompt before the one predicted; the y axis is the squared ' +
        'error of the final answer y divided by its variance, so predicting 0 scores about 1. Lower is better. ' +
        'The shaded band holds the middle 90% of evaluation prompts.'
      );
    default:
      return (
        'The x axis counts the examples in the prompt before the one predicted. The y axis is the squared ' +
        `error of that prediction divided by d = ${d} (the dimension of x), so that predicting 0 scores about ` +
        '1. Lower is better. The shaded band holds the middle 90% of evaluation prompts (5th to 95th ' +
        'percentile); the dashed grey lines are classical algorithms given the same examples.' +
        (config.task.endsWith('outlier_regression') ? ' Only the real examples are scored, never the decoys.' : '')
      );
  }
}
