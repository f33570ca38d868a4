// What Park et al. (2024) report, as SPEC.md "What the paper reports" states it: one symbol per
// task for the three main models, and the paper's overall conclusion. The explanation layer and
// the paper grid read this; the lab's own verdicts come from src/spec/verdict.ts.
import type { ModelId, TaskId } from '../../spec/config';

export const PAPER_URL = 'https://arxiv.org/abs/2402.04248';
export const PAPER_TITLE = 'Can Mamba Learn How To Learn? A Comparative Study on In-Context Learning Tasks';

export type PaperSymbol = '✓' | '▲' | '✗';
/** The models the paper's summary table covers (the standard hybrid has no entry there). */
export type PaperModel = Extract<ModelId, 'transformer' | 'mamba' | 'mambaformer'>;

export const PAPER_MODELS: readonly PaperModel[] = ['transformer', 'mamba', 'mambaformer'];

export const PAPER_REPORTS: Record<TaskId, Record<PaperModel, PaperSymbol>> = {
  linear_regression: { transformer: '✓', mamba: '✓', mambaformer: '✓' },
  sparse_linear_regression: { transformer: '✓', mamba: '✓', mambaformer: '✓' },
  relu_2nn_regression: { transformer: '✓', mamba: '✓', mambaformer: '✓' },
  decision_tree: { transformer: '✓', mamba: '▲', mambaformer: '✓' },
  orthogonal_outlier_regression: { transformer: '✓', mamba: '▲', mambaformer: '✓' },
  many_outlier_regression: { transformer: '▲', mamba: '✓', mambaformer: '✓' },
  sparse_parity: { transformer: '✗', mamba: '✓', mambaformer: '✓' },
  cot_io: { transformer: '✓', mamba: '✓', mambaformer: '✓' },
  vector_mqar: { transformer: '✓', mamba: '✗', mambaformer: '✓' },
};

export const PAPER_SYMBOL_WORDS: Record<PaperSymbol, string> = {
  '✓': 'on par with the best baseline',
  '▲': 'learns, with a gap',
  '✗': 'fails',
};

export function paperReport(task: TaskId, model: ModelId): PaperSymbol | null {
  return model === 'standard_hybrid' ? null : PAPER_REPORTS[task][model];
}

/** The paper's conclusion, in its abstract's terms. */
export const PAPER_CONCLUSION =
  'State-space models such as Mamba learn in context about as well as Transformers on the standard regression ' +
  'tasks and do better on sparse parity, but fall short where a task needs retrieval from the prompt (vector ' +
  'MQAR) and on some outlier and tree tasks. MambaFormer, a hybrid that starts with a Mamba block, interleaves ' +
  'attention and drops the positional encoding, does well on every task, including those where each model ' +
  'alone struggles.';
