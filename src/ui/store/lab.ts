// The lab store: the settings in the controls, the run the worker is training ("live"), a run
// being looked at instead (from a link, the runs list or a file), and page-level switches.
import { create } from 'zustand';
import { defaultConfig, type RunConfig } from '../../spec/config';
import type { IclResult } from '../../spec/icl';
import { summarize } from '../../spec/verdict';
import type { EvalProgress, TrainerEvent } from '../../train/protocol';
import type { TrainerClient } from '../trainerClient';
import { emptyView, type RunView } from '../runView';

/** 'pausing': Pause was pressed and the worker has not yet stopped (the step or evaluation in
 *  progress finishes first); 'evaluating': the run stopped its steps to evaluate. */
export type TrainerState =
  'off' | 'starting' | 'loading' | 'idle' | 'training' | 'evaluating' | 'pausing' | 'paused' | 'done';

/** The worker is working on the live run (Train, Step and the queue wait). */
export function isBusy(state: TrainerState): boolean {
  return ['starting', 'loading', 'training', 'evaluating', 'pausing'].includes(state);
}

/** The live run is under way (Pause applies). */
export function isRunning(state: TrainerState): boolean {
  return state === 'training' || state === 'evaluating';
}
export type ViewSource = 'link' | 'saved' | 'file';

export interface ViewedRun {
  view: RunView;
  source: ViewSource;
  /** Id in the runs list when source is 'saved'. */
  runId?: string;
}

/** Most loss points kept for plotting; older points are thinned (every other one dropped). */
const MAX_HISTORY = 4000;

export interface LabState {
  config: RunConfig;
  /** Teaching mode (from a link): advanced controls hidden. */
  teaching: boolean;
  tab: 'lab' | 'grid';
  client: TrainerClient | null;
  trainerState: TrainerState;
  /** GPU pipelines the worker is compiling (before a first step or evaluation), else 0. */
  compiling: number;
  adapter: string | null;
  /** Seconds the live run's last evaluation took (the time-left estimate counts those to come), or null. */
  evalSeconds: number | null;
  /** When the evaluation under way began (performance.now()), or null. */
  evalStartedAt: number | null;
  /** How far the evaluation under way is, with when its model began reading prompts and when
   *  this report came (performance.now()), or null when none is or it has not said yet. */
  evalProgress: (EvalProgress & { since: number; at: number }) | null;
  /** Seconds the model took to read the evaluation under way's prompts, once it has read them all. */
  evalReadSeconds: number | null;
  /** Evaluations timed since the live run was loaded: the first one also compiles its pipelines and
   *  computes the baselines (once per run), so only its prompts' part stands for the ones to come. */
  evalsTimed: number;
  /** configKey of the config the worker has loaded, or null. */
  loadedKey: string | null;
  /** The live run diverged (a non-finite loss): its weights are unusable, so Train and Step start
   *  it again from step 0 rather than continue it. */
  liveDiverged: boolean;
  /** Grid the live run belongs to, if it was queued by the paper grid. */
  liveGridId: string | null;
  /** The live run's id: the worker keeps its checkpoints under it (a resume finds them by it). */
  liveRunId: string | null;
  live: RunView | null;
  viewed: ViewedRun | null;
  shareLink: string | null;
  /** A polite, non-alarming note (e.g. "copied", tensors ignored from a checkpoint). */
  notice: string | null;

  setConfig(patch: Partial<RunConfig>): void;
  replaceConfig(c: RunConfig): void;
  setTab(tab: LabState['tab']): void;
  setTeaching(on: boolean): void;
  setClient(client: TrainerClient | null): void;
  setTrainerState(s: TrainerState): void;
  setCompiling(pipelines: number): void;
  setEvalProgress(p: EvalProgress): void;
  setAdapter(a: string): void;
  beginLive(config: RunConfig, loadedKey: string, gridId: string | null, runId: string): void;
  clearLive(): void;
  markDiverged(): void;
  applyProgress(e: Extract<TrainerEvent, { type: 'progress' }>): void;
  applyEval(step: number, icl: IclResult, metrics: Record<string, number>, seconds?: number): void;
  replaceLive(v: RunView): void;
  setViewed(v: ViewedRun | null): void;
  setShareLink(url: string | null): void;
  setNotice(msg: string | null): void;
}

export const useLab = create<LabState>()((set) => ({
  config: defaultConfig(),
  teaching: false,
  tab: 'lab',
  client: null,
  trainerState: 'off',
  compiling: 0,
  adapter: null,
  evalSeconds: null,
  evalStartedAt: null,
  evalProgress: null,
  evalReadSeconds: null,
  evalsTimed: 0,
  loadedKey: null,
  liveDiverged: false,
  liveGridId: null,
  liveRunId: null,
  live: null,
  viewed: null,
  shareLink: null,
  notice: null,

  setConfig: (patch) => set((s) => ({ config: { ...s.config, ...patch }, shareLink: null })),
  replaceConfig: (config) => set({ config, shareLink: null }),
  setTab: (tab) => set({ tab }),
  setTeaching: (teaching) => set({ teaching }),
  setClient: (client) =>
    set(client ? { client } : { client: null, loadedKey: null, trainerState: 'off', compiling: 0 }),
  setTrainerState: (trainerState) =>
    set((s) => ({
      trainerState,
      evalStartedAt: trainerState === 'evaluating' ? (s.evalStartedAt ?? performance.now()) : null,
      evalProgress: trainerState === 'evaluating' ? s.evalProgress : null,
    })),
  setCompiling: (compiling) => set({ compiling }),
  setEvalProgress: (p) =>
    set((s) => {
      // the model's rate is timed from its first chunk on (a compile before it is not reading)
      const fresh = p.phase === 'prompts' && p.done === 0;
      const now = performance.now();
      const since = fresh || !s.evalProgress ? now : s.evalProgress.since;
      const read = p.phase === 'prompts' && p.total > 0 && p.done === p.total;
      return {
        evalProgress: { phase: p.phase, done: p.done, total: p.total, since, at: now },
        evalReadSeconds: read ? (now - since) / 1000 : s.evalReadSeconds,
      };
    }),
  setAdapter: (adapter) => set({ adapter }),
  beginLive: (config, loadedKey, liveGridId, liveRunId) =>
    set((s) => {
      const live = emptyView(config, s.adapter ?? '');
      return {
        live,
        loadedKey,
        liveGridId,
        liveRunId,
        liveDiverged: false,
        viewed: null,
        shareLink: null,
        evalSeconds: null,
        evalsTimed: 0,
      };
    }),
  clearLive: () => set({ live: null, loadedKey: null, liveGridId: null, liveRunId: null, liveDiverged: false }),
  markDiverged: () => set({ liveDiverged: true }),
  applyProgress: (e) =>
    set((s) => {
      if (!s.live) return {};
      let history = e.losses.length > 0 ? s.live.history.concat(e.losses) : s.live.history;
      if (history.length > MAX_HISTORY) history = history.filter((_, i) => i % 2 === 0 || i === history.length - 1);
      return { live: { ...s.live, step: e.step, total: e.total, stepsPerSecond: e.stepsPerSecond, history } };
    }),
  applyEval: (step, icl, metrics, seconds) =>
    set((s) => {
      if (!s.live) return {};
      // each evaluation's score, as the run file keeps them: the verdict and MQAR's plot read them
      const past = (s.live.evaluations ?? []).filter((e) => e.step < step);
      const evaluations = [...past, { step, ...summarize(s.live.config.task, icl) }];
      return {
        live: { ...s.live, icl, metrics, evalStep: step, evaluations },
        evalSeconds:
          seconds === undefined ? s.evalSeconds : s.evalsTimed === 0 ? (s.evalReadSeconds ?? seconds) : seconds,
        evalsTimed: seconds === undefined ? s.evalsTimed : s.evalsTimed + 1,
        evalProgress: null,
        evalReadSeconds: null,
      };
    }),
  replaceLive: (live) => set({ live }),
  setViewed: (viewed) => set({ viewed }),
  setShareLink: (shareLink) => set({ shareLink }),
  setNotice: (notice) => set({ notice }),
}));

/** The run the plots show: the one being looked at, else the live one. */
export function shownRun(s: Pick<LabState, 'viewed' | 'live'>): RunView | null {
  return s.viewed?.view ?? s.live;
}
