// The run set's plots as data: one loss line per run against the step, and one ICL line per
// run (the same reading as the ICL plot's: error, parity's accuracy, or MQAR's recall per
// evaluation). Keys are "r0", "r1", … in the order of the set's runs.
import { RUN_COLOURS } from '../palette';
import { buildIclPlot, type IclPlot, type PlotRun } from '../plots/iclData';
import type { RunSetMember } from './runSetStore';

/** Run i's colour: the palette in order, so the families keep theirs from one race to the next. */
export function memberColour(i: number): string {
  return RUN_COLOURS[i % RUN_COLOURS.length];
}

export type LossRow = { step: number } & Record<string, number | null>;

/** One row per step any run has a loss for; a run without one there has null (its line skips it). */
export function lossRows(members: readonly RunSetMember[]): LossRow[] {
  const rows = new Map<number, LossRow>();
  members.forEach((m, i) => {
    for (const h of m.history) {
      if (!Number.isFinite(h.step) || !(h.loss > 0)) continue; // the log axis cannot draw 0 or less
      const row = rows.get(h.step) ?? ({ step: h.step } as LossRow);
      row[`r${i}`] = h.loss;
      rows.set(h.step, row);
    }
  });
  return [...rows.values()].sort((a, b) => a.step - b.step);
}

/** The plot run of member i: its latest evaluation, titled by `label`. */
export function memberPlotRun(m: RunSetMember, i: number, label: string): PlotRun {
  const last = m.evals[m.evals.length - 1];
  return {
    title: label,
    colour: memberColour(i),
    task: m.config.task,
    icl: last?.icl ?? null,
    evaluations: m.evaluations,
    pairs: m.config.nPoints,
    evalStep: last?.step,
  };
}

/** Each run's latest ICL curve, one line and colour per run (no baselines: the lab's plot has those). */
export function raceIclPlot(members: readonly RunSetMember[], labels: readonly string[]): IclPlot {
  return buildIclPlot(
    null,
    members.map((m, i) => memberPlotRun(m, i, labels[i])),
  );
}
