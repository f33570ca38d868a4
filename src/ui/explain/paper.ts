// What Park et al. (2024) report, in the page's words: the marks of SPEC.md's table (kept in
// src/train/gridPaper.ts, which the CLI's grid report reads too), what each mark means, and the
// paper's overall conclusion. The lab's own verdicts come from src/spec/verdict.ts.
import type { ModelId, TaskId } from '../../spec/config';
import { PAPER_TABLE, paperMark, type PaperMark } from '../../train/gridPaper';

export const PAPER_URL = 'https://arxiv.org/abs/2402.04248';
export const PAPER_TITLE = 'Can Mamba Learn How To Learn? A Comparative Study on In-Context Learning Tasks';

export type PaperSymbol = PaperMark;
/** The models the paper's summary table covers (the standard hybrid has no entry there). */
export type PaperModel = Extract<ModelId, 'transformer' | 'mamba' | 'mambaformer'>;

export const PAPER_MODELS: readonly PaperModel[] = ['transformer', 'mamba', 'mambaformer'];

export const PAPER_SYMBOL_WORDS: Record<PaperSymbol, string> = {
  '✓': 'on par with the best baseline',
  '▲': 'learns, with a gap',
  '✗': 'fails',
};

/** The paper's mark for a task and model (src/train/gridPaper.ts, SPEC's table), or null. */
export const paperReport: (task: TaskId, model: ModelId) => PaperSymbol | null = paperMark;

/** The paper's marks for the three models of its table, for one task. */
export function paperRow(task: TaskId): Record<PaperModel, PaperSymbol> {
  const row = PAPER_TABLE[task];
  return { transformer: row.transformer!, mamba: row.mamba!, mambaformer: row.mambaformer! };
}

/** The paper's conclusion, in its abstract's terms. */
export const PAPER_CONCLUSION =
  'State-space models such as Mamba learn in context about as well as Transformers on the standard regression ' +
  'tasks and do better on sparse parity, but fall short where a task needs retrieval from the prompt (vector ' +
  'MQAR) and on some outlier and tree tasks. MambaFormer, a hybrid that starts with a Mamba block, interleaves ' +
  'attention and drops the positional encoding, does well on every task, including those where each model ' +
  'alone struggles.';

/** The page's view of the paper's table: every task's marks for the three models (paperRow). */
export const PAPER_REPORTS = Object.fromEntries(
  (Object.keys(PAPER_TABLE) as TaskId[]).map((t) => [t, paperRow(t)]),
) as Record<TaskId, Record<PaperModel, PaperSymbol>>;
