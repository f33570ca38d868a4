// One grid cell's ICL plot, built with the Lab's plot helper (iclData.ts): the seeds' mean curve
// (SPEC's verdict is read from it) with a band from the lowest to the highest seed at each
// position, the task's baselines averaged over the seeds' evaluation sets, and every seed's own
// last curve. Vector MQAR: recall at each evaluation, the seeds' mean and each seed.
import type { TaskId } from '../../spec/config';
import type { EvalPoint } from '../../spec/verdict';
import { meanIcl } from '../../train/gridVerdicts';
import type { RunFile } from '../../train/protocol';
import { buildIclPlot, type IclPlot, type PlotRun } from '../plots/iclData';
import { RUN_COLOURS } from '../palette';

/** The mean's colour: black, as the Lab draws its live run; the seeds take the runs' palette. */
const MEAN_COLOUR = '#000000';

export interface CellPlot {
  plot: IclPlot;
  /** Seeds drawn (those with an ICL curve). */
  seeds: number[];
  /** Why nothing or only part is drawn, as a sentence; null when all is. */
  note: string | null;
}

/** Position by position min and max of equally long lists. */
function range(lists: readonly (readonly number[])[]): { lo: number[]; hi: number[] } {
  const at = (i: number) => lists.map((l) => l[i]).filter(Number.isFinite);
  const lo = lists[0].map((_, i) => (at(i).length ? Math.min(...at(i)) : NaN));
  const hi = lists[0].map((_, i) => (at(i).length ? Math.max(...at(i)) : NaN));
  return { lo, hi };
}

/** The seeds' evaluations averaged one by one (as the verdict's mean reads them), at the first seed's steps. */
function meanEvaluations(runs: readonly RunFile[]): EvalPoint[] {
  const lists = runs.map((r) => r.evaluations ?? []);
  const count = Math.min(...lists.map((l) => l.length));
  return Array.from({ length: count }, (_, i) => ({
    step: lists[0][i].step,
    model: lists.reduce((s, l) => s + l[i].model, 0) / lists.length,
  }));
}

export function cellPlot(task: TaskId, seeds: readonly { seed: number; run: RunFile }[]): CellPlot {
  const drawn = seeds.filter((s) => s.run.icl !== null);
  const seedRuns: PlotRun[] = drawn.map((s, i) => ({
    title: `Seed ${s.seed}`,
    colour: RUN_COLOURS[i % (RUN_COLOURS.length - 1)], // the palette's last colour is black, the mean's
    task,
    icl: s.run.icl,
    evaluations: s.run.evaluations,
    pairs: s.run.config.nPoints,
    evalStep: s.run.evalStep,
  }));
  const empty = { plot: buildIclPlot(null, []), seeds: [] };
  if (!drawn.length) return { ...empty, note: 'No seed of this cell has an ICL curve yet.' };
  let icl;
  try {
    icl = meanIcl(drawn.map((s) => s.run.icl!));
  } catch {
    // seeds evaluated at different prompt lengths: each is drawn, no mean
    const plot = buildIclPlot(null, seedRuns);
    return { plot, seeds: drawn.map((s) => s.seed), note: 'The seeds have curves of different lengths: no mean.' };
  }
  if (icl.curves.model) {
    const spread = range(drawn.map((s) => s.run.icl!.curves.model?.mean ?? []));
    icl = { ...icl, curves: { ...icl.curves, model: { ...icl.curves.model, ...spread } } };
  }
  const mean: PlotRun = {
    title: `Mean of ${drawn.length} seed${drawn.length === 1 ? '' : 's'}`,
    colour: MEAN_COLOUR,
    task,
    icl,
    evaluations: meanEvaluations(drawn.map((s) => s.run)),
    pairs: drawn[0].run.config.nPoints,
    evalStep: drawn[0].run.evalStep,
  };
  const plot = buildIclPlot(mean, seedRuns);
  // the seeds thinner than the mean, so the mean reads first
  const seedLabels = new Set(seedRuns.map((r) => r.title));
  plot.series = plot.series.map((s) => (seedLabels.has(s.label) ? { ...s, width: 1.25 } : s));
  return { plot, seeds: drawn.map((s) => s.seed), note: null };
}
