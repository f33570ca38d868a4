// The typed message protocol between the page (src/ui) and the training Web Worker
// (src/train/worker.ts). The worker exposes `TrainerApi` through comlink; it reports
// progress through the `onEvent` callback the page passes in (comlink.proxy).
import type { RunConfig } from '../spec/config';
import type { IclResult } from '../spec/icl';
import type { EvalPoint } from '../spec/verdict';
import type { PromptView } from './promptView';
import type { RunSetApi } from './runSetProtocol';

export interface RunFile {
  version: 1;
  config: RunConfig;
  history: { step: number; loss: number }[];
  icl: IclResult | null;
  metrics: Record<string, number>;
  stepsPerSecond: number;
  adapter: string;
  /** Step at which the ICL curve was last evaluated. */
  evalStep?: number;
  /** Each evaluation's score (verdict.ts), oldest first. */
  evaluations?: EvalPoint[];
}

/** What the worker kept at an evaluation for a resume after a lost device (keptCheckpoint.ts). */
export interface KeepReport {
  step: number;
  /** A checkpoint at this step is in storage (with or without the moments). */
  stored: boolean;
  /** Adam's moments were kept too: a resume from here continues the run exactly. */
  exact: boolean;
  /** What could not be kept, as a sentence; null when everything was. */
  problem: string | null;
}

export interface ResumeReport {
  /** The step the run continues from (0 when nothing usable was kept). */
  step: number;
  /** Nothing was lost but the steps since the checkpoint: Adam's moments were restored, or no
   *  checkpoint had been kept yet (the run restarts as it began). False: say it as a problem. */
  exact: boolean;
  /** What happened, as a sentence for the page. */
  message: string;
}

/** How far an evaluation is (the page's "evaluating k / n prompts"): the model reads the prompts
 *  in chunks, then a first evaluation computes the baselines (seconds on a CPU). */
export interface EvalProgress {
  phase: 'prompts' | 'baselines';
  /** Prompts the model has read so far, of `total` (the evaluation set). */
  done: number;
  total: number;
}

export type TrainerEvent =
  | { type: 'ready'; adapter: string }
  | {
      type: 'progress';
      step: number;
      total: number;
      loss: number;
      stepsPerSecond: number;
      losses: { step: number; loss: number }[];
    }
  /** `seconds`: how long the evaluation took (the page's time-left estimate counts the ones to come). */
  | {
      type: 'eval';
      step: number;
      icl: IclResult;
      metrics: Record<string, number>;
      seconds: number;
      /** The evaluation set's first prompt with this evaluation's predictions (promptView.ts). */
      prompt?: PromptView | null;
    }
  | ({ type: 'evalProgress' } & EvalProgress)
  /** 'evaluating': the run stopped its steps to evaluate the ICL curve (training resumes after it). */
  | { type: 'state'; state: 'idle' | 'training' | 'evaluating' | 'paused' | 'done' }
  /** GPU pipelines being compiled before a step or an evaluation can run; 0: done. */
  | { type: 'compiling'; pipelines: number }
  /** The checkpoint kept at an evaluation (for a resume after a lost device), or why it was not. */
  | ({ type: 'checkpoint' } & KeepReport)
  | { type: 'error'; kind: 'diverged' | 'device_lost' | 'too_big' | 'no_webgpu' | 'internal'; message: string };

export interface TrainerApi {
  /** Creates the GPU device; resolves with the adapter name or rejects with a sentence. */
  init(): Promise<string>;
  /** Builds model and data for a config (does not start training); `runId` (chosen by the page)
   *  names the run's checkpoints in IndexedDB, so runs in other tabs never overwrite them. */
  load(config: RunConfig, runId: string): Promise<void>;
  start(): void;
  /** Stops the loop after the step in progress (an evaluation under way finishes first); the
   *  state event 'paused' says when it has. */
  pause(): void;
  /** Runs exactly one training step (while paused) and reports it. */
  step(): Promise<void>;
  /** Evaluates the ICL curve now and reports it. */
  evaluate(): Promise<void>;
  /** Prompt `index` of the evaluation set with the last evaluation's predictions and the task's
   *  baseline; null before the first evaluation of the loaded run. Rejects an index outside the set. */
  promptView(index: number): PromptView | null;
  /** The run so far, as a run file. */
  runFile(): Promise<RunFile>;
  /** The model's parameters as a .safetensors file (official names). */
  checkpoint(): Promise<Uint8Array>;
  /**
   * Loads `config` and restores the checkpoint kept in IndexedDB under `runId` (saved at every
   * evaluation): weights, Adam's moments when storage took them, step and loss history.
   * Resolves with the step the run continues from, whether it continues exactly, and a sentence.
   */
  resume(config: RunConfig, runId: string): Promise<ResumeReport>;
  /** Loads parameters from a .safetensors file into the loaded model. */
  loadCheckpoint(bytes: Uint8Array): Promise<string[]>;
  subscribe(onEvent: (e: TrainerEvent) => void): void;
  /** Several runs trained interleaved on the same device ("Train all families", "Seeds: N"). */
  readonly runSet: RunSetApi;
}
