// Builds the ICL plot's rows and series from runs: the shown run's model curve with its 90%
// band and each baseline, plus the model curves of runs chosen for comparison. Sparse parity
// is read as accuracy beside chance (50%); vector MQAR, whose evaluation gives one answer per
// prompt, as recall at each evaluation during training beside chance (1/m). Curve names from
// links or files only become labels (text) and never data keys, which are "s0", "s1", …
import type { IclResult } from '../../spec/icl';
import type { TaskId } from '../../spec/config';
import type { EvalPoint } from '../../spec/verdict';
import { curveLabel, TASK_TEXT } from '../labels';
import { baselineStroke } from '../palette';

export interface Series {
  key: string;
  label: string;
  colour: string;
  dash?: string;
  width: number;
  /** Data key of this series' [lo, hi] band, if it has one. */
  bandKey?: string;
  /** Points drawn as dots (a few evaluations rather than a curve). */
  dots?: boolean;
}

export type Row = Record<string, number | [number, number] | null>;

export interface IclPlot {
  rows: Row[];
  series: Series[];
  metric: 'error' | 'accuracy' | 'recall';
  yLabel: string;
  xLabel: string;
  /** The tooltip's heading for an x value: "12 examples", "step 400". */
  xName(x: number): string;
}

export interface PlotRun {
  title: string;
  colour: string;
  task: TaskId;
  icl: IclResult | null;
  /** Each evaluation's score (MQAR's recall is its `model`), oldest first. */
  evaluations?: readonly EvalPoint[];
  /** MQAR: key/value pairs per prompt (chance is 1 in this many). */
  pairs?: number;
  /** The step of the run's last evaluation. */
  evalStep?: number;
}

const finite = (x: number | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Parity is read as accuracy when the run has accuracy lists; everything else as error. */
function usesAccuracy(run: PlotRun): boolean {
  return (
    run.task === 'sparse_parity' &&
    !!run.icl?.accuracy?.model &&
    run.icl.accuracy.model.length === run.icl.positions.length
  );
}

/** Baselines in a steady order: the named ones alphabetically, the trivial "zero" last. */
function baselineKeys(keys: string[]): string[] {
  return keys
    .filter((k) => k !== 'model' && k !== 'zero')
    .sort()
    .concat(keys.includes('zero') ? ['zero'] : []);
}

/** The label of the zero predictor's line where the plot reads accuracy: it is chance there. */
export const PARITY_CHANCE_LABEL = 'Chance 50%';

export function buildIclPlot(shown: PlotRun | null, compared: PlotRun[]): IclPlot {
  const task = shown?.task ?? compared[0]?.task ?? 'linear_regression';
  if (task === 'vector_mqar') return buildRecallPlot(shown, compared);
  const metric = (shown ? usesAccuracy(shown) : compared.some(usesAccuracy)) ? 'accuracy' : 'error';
  const text = TASK_TEXT[task];
  const byPos = new Map<number, Row>();
  const series: Series[] = [];
  const row = (pos: number): Row => {
    let r = byPos.get(pos);
    if (!r) byPos.set(pos, (r = { pos }));
    return r;
  };
  const addLine = (
    positions: number[],
    values: number[],
    s: Omit<Series, 'key'>,
    band?: { lo: number[]; hi: number[] },
  ) => {
    const key = `s${series.length}`;
    const bandKey = band ? `b${series.length}` : undefined;
    series.push({ ...s, key, bandKey });
    positions.forEach((p, i) => {
      if (!Number.isFinite(p)) return;
      const r = row(p);
      r[key] = finite(values[i]);
      if (band && bandKey) {
        const lo = finite(band.lo[i]);
        const hi = finite(band.hi[i]);
        r[bandKey] = lo !== null && hi !== null ? [lo, hi] : null;
      }
    });
  };

  if (shown?.icl) {
    const { positions, curves, accuracy } = shown.icl;
    if (metric === 'accuracy' && accuracy) {
      addLine(positions, accuracy.model, { label: `${shown.title} (model)`, colour: shown.colour, width: 2.5 });
      baselineKeys(Object.keys(accuracy)).forEach((k, i) =>
        addLine(positions, accuracy[k], {
          label: k === 'zero' ? PARITY_CHANCE_LABEL : curveLabel(k),
          colour: baselineStroke(i).stroke,
          dash: baselineStroke(i).dash,
          width: 1.5,
        }),
      );
    } else if (curves.model) {
      addLine(
        positions,
        curves.model.mean,
        { label: `${shown.title} (model)`, colour: shown.colour, width: 2.5 },
        curves.model,
      );
      baselineKeys(Object.keys(curves)).forEach((k, i) =>
        addLine(positions, curves[k].mean, {
          label: curveLabel(k),
          colour: baselineStroke(i).stroke,
          dash: baselineStroke(i).dash,
          width: 1.5,
        }),
      );
    }
  }
  for (const c of compared) {
    if (!c.icl || c.task !== task) continue;
    const values = metric === 'accuracy' ? c.icl.accuracy?.model : c.icl.curves.model?.mean;
    if (values) addLine(c.icl.positions, values, { label: c.title, colour: c.colour, width: 2 });
  }
  const rows = [...byPos.values()].sort((a, b) => (a.pos as number) - (b.pos as number));
  return {
    rows,
    series,
    metric,
    yLabel: metric === 'accuracy' ? 'accuracy' : text.yLabel,
    xLabel: text.xLabel,
    xName: (x) => `${x} examples`,
  };
}

/**
 * MQAR: recall (the share of prompts whose answer is nearest to the right value) at each
 * evaluation, against the training step, beside chance (1 in m). A run file without its
 * evaluations gives its last recall alone, at its evaluation step.
 */
function buildRecallPlot(shown: PlotRun | null, compared: PlotRun[]): IclPlot {
  const rows = new Map<number, Row>();
  const series: Series[] = [];
  const points = (run: PlotRun): { step: number; recall: number }[] => {
    const evals = run.evaluations?.length ? run.evaluations : [];
    if (evals.length) return evals.map((e) => ({ step: e.step, recall: e.model }));
    const last = run.icl?.accuracy?.model?.[0];
    return last === undefined ? [] : [{ step: run.evalStep ?? 0, recall: last }];
  };
  const add = (run: PlotRun, s: Omit<Series, 'key'>, pts: { step: number; recall: number }[]) => {
    const key = `s${series.length}`;
    series.push({ ...s, key });
    for (const p of pts) {
      if (!Number.isFinite(p.step)) continue;
      const r = rows.get(p.step) ?? { pos: p.step };
      r[key] = finite(p.recall);
      rows.set(p.step, r);
    }
  };
  const all = [shown, ...compared].filter((r): r is PlotRun => r !== null && r.task === 'vector_mqar');
  if (shown)
    add(shown, { label: `${shown.title} (model)`, colour: shown.colour, width: 2.5, dots: true }, points(shown));
  for (const c of compared.filter((r) => r.task === 'vector_mqar'))
    add(c, { label: c.title, colour: c.colour, width: 2, dots: true }, points(c));
  const steps = [...rows.keys()];
  const pairs = shown?.pairs ?? all[0]?.pairs;
  if (pairs && steps.length > 0) {
    const key = `s${series.length}`;
    const chance = baselineStroke(0);
    series.push({ key, label: `Chance (1 in ${pairs})`, colour: chance.stroke, dash: chance.dash, width: 1.5 });
    for (const x of steps) rows.get(x)![key] = 1 / pairs; // across the evaluations drawn
  }
  const sorted = [...rows.values()].sort((a, b) => (a.pos as number) - (b.pos as number));
  return {
    rows: sorted,
    series,
    metric: 'recall',
    yLabel: 'recall',
    xLabel: 'training step',
    xName: (x) => `step ${x}`,
  };
}

/** Top of the error axis: the data's maximum, at least 1.1 (the trivial line sits at 1), at most 3. */
export function errorAxisTop(plot: IclPlot): number {
  let max = 0;
  for (const r of plot.rows) {
    for (const s of plot.series) {
      const v = r[s.key];
      if (typeof v === 'number') max = Math.max(max, v);
    }
  }
  return Math.min(3, Math.max(1.1, Math.ceil(max * 5) / 5));
}

/** Round ticks from 0 to `top`. */
export function axisTicks(top: number): number[] {
  const step = top <= 1.2 ? 0.2 : top <= 2 ? 0.25 : 0.5;
  const ticks: number[] = [];
  for (let t = 0; t <= top + 1e-9; t += step) ticks.push(Math.round(t * 100) / 100);
  return ticks;
}
