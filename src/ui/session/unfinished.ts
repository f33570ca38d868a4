// The unfinished run, remembered across a reload: its id (the worker keeps its checkpoints in
// IndexedDB under it, keptCheckpoint.ts), its settings and the step of its last kept checkpoint.
// Written at each checkpoint the worker keeps, removed when the run finishes or is set aside;
// after a reload the page offers to resume it (ResumeOffer).
import type { RunConfig } from '../../spec/config';
import { parseRunConfig } from '../../train/schema';

const KEY = 'icl-lab:unfinished-run';

export interface UnfinishedRun {
  runId: string;
  config: RunConfig;
  /** Step of the last checkpoint the worker kept (the resume continues from there). */
  step: number;
}

export function rememberUnfinished(run: UnfinishedRun): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(run));
  } catch {
    // storage refused: a reload will simply not offer the resume
  }
}

export function forgetUnfinished(runId?: string): void {
  try {
    if (runId === undefined || readUnfinished()?.runId === runId) localStorage.removeItem(KEY);
  } catch {
    // nothing kept, nothing to forget
  }
}

/** The remembered run, or null (also when what is stored is not a run this lab can use). */
export function readUnfinished(): UnfinishedRun | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const o = JSON.parse(raw) as Partial<UnfinishedRun>;
    const config = parseRunConfig(o.config);
    if (typeof o.runId !== 'string' || !config.ok || !Number.isInteger(o.step) || o.step! <= 0) return null;
    return { runId: o.runId, config: config.value, step: o.step! };
  } catch {
    return null;
  }
}
