// RunView: what the plots and the status line show — a live run, a saved run, a run from a
// link or a file. Converts to and from the run file (protocol.ts RunFile).
import type { RunConfig } from '../spec/config';
import type { IclResult } from '../spec/icl';
import type { RunFile } from '../train/protocol';

export interface RunView extends Omit<RunFile, 'version'> {
  /** Steps done so far (the last history step for a finished run). */
  step: number;
  total: number;
}

export function emptyView(config: RunConfig, adapter = ''): RunView {
  return { config, history: [], icl: null, metrics: {}, stepsPerSecond: 0, adapter, step: 0, total: config.steps };
}

export function viewFromRunFile(run: RunFile): RunView {
  const last = run.history.length > 0 ? run.history[run.history.length - 1].step : 0;
  return {
    config: run.config,
    history: run.history,
    icl: run.icl,
    metrics: run.metrics,
    stepsPerSecond: run.stepsPerSecond,
    adapter: run.adapter,
    evalStep: run.evalStep,
    evaluations: run.evaluations,
    step: Math.max(last, run.evalStep ?? 0),
    total: run.config.steps,
  };
}

export function runFileFromView(v: RunView): RunFile {
  const run: RunFile = {
    version: 1,
    config: v.config,
    history: v.history,
    icl: v.icl,
    metrics: v.metrics,
    stepsPerSecond: v.stepsPerSecond,
    adapter: v.adapter,
  };
  if (v.evalStep !== undefined) run.evalStep = v.evalStep;
  if (v.evaluations !== undefined) run.evaluations = v.evaluations;
  return run;
}

/** A short human name for a run: "Linear regression · Transformer · tiny · seed 1". */
export function runTitle(
  c: RunConfig,
  taskLabel: (t: RunConfig['task']) => string,
  modelLabel: (m: RunConfig['model']) => string,
): string {
  return `${taskLabel(c.task)} · ${modelLabel(c.model)} · ${c.size} · seed ${c.seed}`;
}

/** A stable key for "is the worker's loaded model this config?". */
export function configKey(c: RunConfig): string {
  return JSON.stringify(c, Object.keys(c).sort());
}
