// "Seeds: N": the ICL curve of N runs that differ only in their seed, as their mean with a band
// from the lowest to the highest run (min–max over seeds, not a standard deviation: with 2–8
// seeds the range is what was seen). It is drawn at the latest evaluation every run has reached,
// so while the runs evaluate in turn the band never mixes steps. MQAR: recall at each evaluation.
import { isAccuracyTask } from '../../spec/verdict';
import { TASK_TEXT } from '../labels';
import type { RunSetMember } from '../session/runSetStore';

export interface BandRow {
  /** Prompt position (examples), or the training step for MQAR. */
  x: number;
  mean: number;
  band: [number, number];
}

export interface SeedsBand {
  rows: BandRow[];
  /** The evaluation step drawn (MQAR: the last one), or null before every run has one. */
  step: number | null;
  /** Runs in the band (diverged runs are left out). */
  runs: number;
  metric: 'error' | 'accuracy' | 'recall';
  xLabel: string;
  yLabel: string;
}

function summary(values: number[]): { mean: number; band: [number, number] } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { mean, band: [Math.min(...values), Math.max(...values)] };
}

/** Mean and min–max band, per x, of the values every run has there (an x any run lacks is left out). */
function bandRows(perRun: Map<number, number>[]): BandRow[] {
  const xs = [...perRun[0].keys()].filter((x) => perRun.every((r) => Number.isFinite(r.get(x))));
  return xs.sort((a, b) => a - b).map((x) => ({ x, ...summary(perRun.map((r) => r.get(x)!)) }));
}

export function seedsBand(members: readonly RunSetMember[]): SeedsBand {
  const alive = members.filter((m) => m.failure === null);
  const task = members[0]?.config.task ?? 'linear_regression';
  const text = TASK_TEXT[task];
  if (task === 'vector_mqar') {
    const perRun = alive.map((m) => new Map(m.evaluations.map((e) => [e.step, e.model])));
    const rows = perRun.length > 0 ? bandRows(perRun) : [];
    const step = rows.length > 0 ? rows[rows.length - 1].x : null;
    return { rows, step, runs: alive.length, metric: 'recall', xLabel: 'training step', yLabel: 'recall' };
  }
  const accuracy = isAccuracyTask(task) && alive.every((m) => m.evals.every((e) => !!e.icl.accuracy?.model));
  const base = { runs: alive.length, xLabel: text.xLabel };
  const metricWords = accuracy
    ? { metric: 'accuracy' as const, yLabel: 'accuracy' }
    : { metric: 'error' as const, yLabel: text.yLabel };
  // the newest step whose evaluation every run has
  const steps = alive.map((m) => new Set(m.evals.map((e) => e.step)));
  const shared = [...(steps[0] ?? [])].filter((s) => steps.every((set) => set.has(s)));
  if (shared.length === 0) return { rows: [], step: null, ...base, ...metricWords };
  const step = Math.max(...shared);
  const perRun = alive.map((m) => {
    const icl = m.evals.find((e) => e.step === step)!.icl;
    const values = accuracy ? icl.accuracy!.model : (icl.curves.model?.mean ?? []);
    return new Map(icl.positions.map((p, i) => [p, values[i]]));
  });
  return { rows: bandRows(perRun), step, ...base, ...metricWords };
}
