// The data shaping behind "Inside a prompt": chart rows for regression-style prompts, one row per
// example for parity, the recalled value for MQAR, and the panel's text alternative for each.
import type { ExamplesPrompt, MqarPrompt, ParityPrompt, PromptView } from '../../train/promptView';
import { formatNumber } from '../format';
import { curveLabel } from '../labels';

/** One example of a regression-style prompt: its position (1-based), true y and each guess (null: not shown). */
export interface ExampleRow {
  pos: number;
  y: number | null;
  model: number | null;
  baseline: number | null;
}

/** The chart's rows; a dummy example (outlier tasks) gets no points, since it is neither scored nor an example. */
export function exampleRows(view: ExamplesPrompt): ExampleRow[] {
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  return view.ys.map((y, i) => {
    const shown = view.valid === null || view.valid[i];
    return {
      pos: i + 1,
      y: shown ? finite(y) : null,
      model: shown ? finite(view.model[i]) : null,
      baseline: shown ? finite(view.baseline?.predictions[i]) : null,
    };
  });
}

/** The sign a read-out answers with (0 for exactly 0: no answer, scored as half right). */
const signOf = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);

export interface ParityRow {
  pos: number;
  bits: number[];
  label: number;
  predicted: number;
  right: boolean;
}

export function parityRows(view: ParityPrompt): ParityRow[] {
  return view.labels.map((label, i) => {
    const predicted = signOf(view.model[i]);
    return { pos: i + 1, bits: view.bits[i], label, predicted, right: predicted === label };
  });
}

/** MQAR: the value nearest to the read-out (what the model recalled) and whether it is the queried one. */
export function recalled(view: MqarPrompt): { index: number; right: boolean } {
  let index = -1;
  let best = Infinity;
  view.values.forEach((value, j) => {
    const dist = value.reduce((s, v, c) => s + (v - view.prediction[c]) ** 2, 0);
    if (dist < best) {
      best = dist;
      index = j;
    }
  });
  return { index, right: index === view.queryIndex };
}

/** Where the prompt comes from, for the start of every summary. */
function origin(view: PromptView): string {
  return `Prompt ${view.index + 1} of ${view.prompts}, predictions from the evaluation at step ${view.step}.`;
}

/** The panel's text alternative: what is drawn and the numbers a reader would look for. */
export function promptSummary(view: PromptView): string {
  if (view.kind === 'mqar') {
    const r = recalled(view);
    const m = view.keys.length;
    return (
      `${origin(view)} ${m} key/value pairs; the query repeats key ${view.queryIndex + 1}. ` +
      `The model's answer is nearest to value ${r.index + 1}: ${r.right ? 'recalled right' : 'wrong'}.`
    );
  }
  if (view.kind === 'parity') {
    const rows = parityRows(view);
    const right = rows.filter((r) => r.right).length;
    const last = rows[rows.length - 1];
    return (
      `${origin(view)} ${rows.length} examples of ${view.bits[0]?.length ?? 0} bits. ` +
      `The model's sign is right for ${right} of ${rows.length}; ` +
      `for the last, label ${last.label > 0 ? '+1' : '−1'}, it answers ${signWord(last.predicted)}.`
    );
  }
  const rows = exampleRows(view).filter((r) => r.y !== null);
  const last = rows[rows.length - 1];
  const base = view.baseline ? curveLabel(view.baseline.id) : null;
  const lastText = last
    ? ` For example ${last.pos}: true y ${fmt(last.y)}, model ${fmt(last.model)}` +
      (base ? `, ${base.toLowerCase()} ${fmt(last.baseline)}.` : '.')
    : '';
  return `${origin(view)} ${rows.length} examples; each guess uses only the examples before it.${lastText}`;
}

const fmt = (v: number | null) => (v === null ? 'none' : formatNumber(v));
const signWord = (s: number) => (s > 0 ? '+1' : s < 0 ? '−1' : 'no sign (0)');
