// The page's view of the worker's run set ("Train all families", "Seeds: N"): each run's loss
// history and latest evaluations as they arrive, the set's state and rate. Filled from the
// worker's RunSetEvents by session/runSet.ts; read by FamiliesRace.tsx.
import { create } from 'zustand';
import type { RunConfig } from '../../spec/config';
import type { IclResult } from '../../spec/icl';
import { summarize, type EvalPoint } from '../../spec/verdict';
import type { RunSetEvent, RunSetState } from '../../train/runSetProtocol';

export type RunSetKind = 'families' | 'seeds';

/** Most loss points kept per run for plotting; older points are thinned (every other one dropped). */
const MAX_HISTORY = 1000;

export interface RunSetMember {
  config: RunConfig;
  step: number;
  total: number;
  history: { step: number; loss: number }[];
  /** The latest evaluations' ICL curves, oldest first (the last two: a band needs every run at one step). */
  evals: { step: number; icl: IclResult }[];
  /** Each evaluation's score (MQAR's recall is its `model`), oldest first. */
  evaluations: EvalPoint[];
  /** Why the run stopped early (it diverged), or null. */
  failure: string | null;
}

/** 'loading': the worker is building the models; 'pausing': Pause was pressed, the worker has not yet stopped. */
export type RunSetViewState = RunSetState | 'loading' | 'pausing';

export interface RunSetStore {
  kind: RunSetKind | null;
  state: RunSetViewState;
  members: RunSetMember[];
  /** Steps of each run per second (one set step trains every run once). */
  stepsPerSecond: number;
  /** Seeds the "Seeds: N" field holds. */
  seeds: number;
  begin(kind: RunSetKind, configs: RunConfig[]): void;
  setState(state: RunSetViewState): void;
  setSeeds(n: number): void;
  apply(e: RunSetEvent): void;
  clear(): void;
}

function member(config: RunConfig): RunSetMember {
  return { config, step: 0, total: config.steps, history: [], evals: [], evaluations: [], failure: null };
}

function thin<T>(xs: T[]): T[] {
  return xs.length > MAX_HISTORY ? xs.filter((_, i) => i % 2 === 0 || i === xs.length - 1) : xs;
}

/** The members with event e applied (progress, evaluation, failure); the same array when e changes none. */
function applyToMembers(members: RunSetMember[], e: RunSetEvent): RunSetMember[] {
  switch (e.type) {
    case 'progress':
      return members.map((m, i) => {
        const p = e.runs[i];
        if (!p) return m;
        const history = p.losses.length > 0 ? thin(m.history.concat(p.losses)) : m.history;
        return { ...m, step: p.step, total: p.total, history };
      });
    case 'eval':
      return members.map((m, i) => {
        if (i !== e.index) return m;
        const evals = [...m.evals.filter((x) => x.step < e.step), { step: e.step, icl: e.icl }].slice(-2);
        const point = { step: e.step, ...summarize(m.config.task, e.icl) };
        return { ...m, evals, evaluations: [...m.evaluations.filter((x) => x.step < e.step), point] };
      });
    case 'failed':
      return members.map((m, i) => (i === e.index ? { ...m, failure: e.message } : m));
    default:
      return members;
  }
}

/** "pausing…" stays until the worker has stopped; a finished set stays finished when it is freed. */
function nextState(was: RunSetViewState, now: RunSetState): RunSetViewState {
  if (was === 'pausing' && (now === 'training' || now === 'evaluating')) return was;
  if (was === 'done' && now === 'ended') return was;
  return now;
}

export const useRunSet = create<RunSetStore>()((set) => ({
  kind: null,
  state: 'ended',
  members: [],
  stepsPerSecond: 0,
  seeds: 3,
  begin: (kind, configs) => set({ kind, state: 'loading', members: configs.map(member), stepsPerSecond: 0 }),
  setState: (state) => set({ state }),
  setSeeds: (seeds) => set({ seeds }),
  apply: (e) =>
    set((s) => {
      const members = applyToMembers(s.members, e);
      if (e.type === 'progress') return { members, stepsPerSecond: e.stepsPerSecond };
      if (e.type === 'state') return { state: nextState(s.state, e.state) };
      return members === s.members ? {} : { members };
    }),
  clear: () => set({ kind: null, state: 'ended', members: [], stepsPerSecond: 0 }),
}));

/** The set is under way or paused (its buttons apply). */
export function setIsLive(state: RunSetViewState): boolean {
  return state !== 'ended' && state !== 'done';
}
