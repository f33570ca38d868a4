// The unfinished run, remembered across a reload: its id (the worker keeps its checkpoints in
// IndexedDB under it, keptCheckpoint.ts), its settings and the step of its last kept checkpoint.
// Written at each checkpoint the worker keeps; marked ended when the run finishes or diverges,
// removed when it is set aside; after a reload the page offers it for Resume (ResumeOffer) only
// while it could still train on (resumableRun).
import type { RunConfig } from '../../spec/config';
import { parseRunConfig } from '../../train/schema';

const KEY = 'icl-lab:unfinished-run';

/** How a run ended: resuming either would not continue it (a diverged run diverges again). */
export type RunEnd = 'finished' | 'diverged';

export interface UnfinishedRun {
  runId: string;
  config: RunConfig;
  /** Step of the last checkpoint the worker kept (the resume continues from there). */
  step: number;
  /** Set once the run has ended; kept (not removed) so a late checkpoint of it cannot revive it. */
  ended?: RunEnd;
}

function readStored(): UnfinishedRun | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const o = JSON.parse(raw) as Partial<UnfinishedRun>;
    const config = parseRunConfig(o.config);
    if (typeof o.runId !== 'string' || !config.ok || !Number.isInteger(o.step) || o.step! <= 0) return null;
    const run: UnfinishedRun = { runId: o.runId, config: config.value, step: o.step! };
    if (o.ended === 'finished' || o.ended === 'diverged') run.ended = o.ended;
    return run;
  } catch {
    return null;
  }
}

function write(run: UnfinishedRun): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(run));
  } catch {
    // storage refused: a reload will simply not offer the resume
  }
}

/** The rule for the Resume offer: a run that has neither ended nor reached its last step. */
export function resumableRun(run: UnfinishedRun | null): UnfinishedRun | null {
  if (!run || run.ended !== undefined || run.step >= run.config.steps) return null;
  return run;
}

export function rememberUnfinished(run: UnfinishedRun): void {
  const stored = readStored();
  if (stored?.runId === run.runId && stored.ended) return; // a late checkpoint of an ended run
  write(run);
}

/** Marks the remembered run ended, when it is `runId`'s (another run's record is left alone). */
export function markEnded(runId: string, how: RunEnd): void {
  const stored = readStored();
  if (stored?.runId === runId) write({ ...stored, ended: how });
}

export function forgetUnfinished(runId?: string): void {
  try {
    if (runId === undefined || readStored()?.runId === runId) localStorage.removeItem(KEY);
  } catch {
    // nothing kept, nothing to forget
  }
}

/** The remembered run while it can be resumed, or null (also when what is stored is not a run this
 *  lab can use). */
export function readUnfinished(): UnfinishedRun | null {
  return resumableRun(readStored());
}
