// The messages between the page and the worker's run set ("Train all families", "Seeds: N"):
// the worker exposes RunSetApi as `runSet` beside TrainerApi (worker.ts, runSetHost.ts), and
// reports through its own callback, so the single run's events and the set's never mix.
import type { RunConfig } from '../spec/config';
import type { IclResult } from '../spec/icl';
import type { RunFile } from './protocol';

/** One run of the set, since the last progress event. */
export interface RunSetMemberProgress {
  step: number;
  total: number;
  /** The last loss read back (NaN before the first). */
  loss: number;
  /** Losses read back since the last event. */
  losses: { step: number; loss: number }[];
}

/** 'ended': the set was freed (a single run or another set took the device). */
export type RunSetState = 'idle' | 'training' | 'evaluating' | 'paused' | 'done' | 'ended';

export type RunSetEvent =
  /** stepsPerSecond: steps of each run per second (the set's own rate; one step trains every run once). */
  | { type: 'progress'; runs: RunSetMemberProgress[]; stepsPerSecond: number }
  | { type: 'eval'; index: number; step: number; icl: IclResult; metrics: Record<string, number> }
  | { type: 'state'; state: RunSetState }
  /** GPU pipelines being compiled before a step or an evaluation can run; 0: done. */
  | { type: 'compiling'; pipelines: number }
  /** Run `index` diverged and was set aside; the others train on. */
  | { type: 'failed'; index: number; message: string }
  | { type: 'error'; kind: 'too_big' | 'internal'; message: string };

export interface RunSetApi {
  /** Builds one run per config on the worker's device (the single run, if any, is left behind). */
  load(configs: RunConfig[]): Promise<void>;
  /** Trains the runs one step each in turn, evaluating each every evalEvery steps. */
  start(): void;
  /** Stops after the step (or the evaluation) in progress; the state event 'paused' says when. */
  pause(): void;
  /** Stops the set and frees its GPU memory. */
  end(): Promise<void>;
  /** Each run so far, as a run file (in the order of load's configs). */
  runFiles(): Promise<RunFile[]>;
  subscribe(onEvent: (e: RunSetEvent) => void): void;
}
