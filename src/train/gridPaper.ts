// SPEC.md, "What the paper reports": Park et al.'s table of which model learns which task in
// context (✓ on par with the baseline, ▲ learns with a gap, ✗ fails), as data, for the grid's
// report to print beside the lab's verdicts. The standard hybrid has no entries there.
import type { ModelId, TaskId } from '../spec/config';

export type PaperMark = '✓' | '▲' | '✗';

type PaperRow = Partial<Record<ModelId, PaperMark>>;

export const PAPER_TABLE: Record<TaskId, PaperRow> = {
  linear_regression: { transformer: '✓', mamba: '✓', mambaformer: '✓' },
  sparse_linear_regression: { transformer: '✓', mamba: '✓', mambaformer: '✓' },
  relu_2nn_regression: { transformer: '✓', mamba: '✓', mambaformer: '✓' },
  decision_tree: { transformer: '✓', mamba: '▲', mambaformer: '✓' },
  orthogonal_outlier_regression: { transformer: '✓', mamba: '▲', mambaformer: '✓' },
  many_outlier_regression: { transformer: '▲', mamba: '✓', mambaformer: '✓' },
  sparse_parity: { transformer: '✗', mamba: '✓', mambaformer: '✓' },
  // the least certain entry of SPEC's table: Mamba on CoT-I/O
  cot_io: { transformer: '✓', mamba: '✓', mambaformer: '✓' },
  vector_mqar: { transformer: '✓', mamba: '✗', mambaformer: '✓' },
};

/** The paper's mark for a cell, or null where the paper reports none (the standard hybrid). */
export function paperMark(task: TaskId, model: ModelId): PaperMark | null {
  return PAPER_TABLE[task][model] ?? null;
}
