// The training worker's checkpoint of its live run, kept in IndexedDB at every evaluation so
// that a lost GPU device can be resumed. Each run has its own keys ([runId, savedAt]), so two
// tabs never overwrite each other's checkpoints; a new checkpoint is written before the older
// one is removed; every failure comes back as one sentence for the page to show.
import { createStore, del, get, keys, set } from 'idb-keyval';
import { loadCheckpoint, loadOptimizerState, saveCheckpoint, saveOptimizerState } from '../nn/checkpoint';
import type { EvalPoint } from '../spec/verdict';
import type { KeepReport, ResumeReport } from './protocol';
import type { Trainer } from './trainer';
import { storageFailure } from './storageError';

/** The run a checkpoint belongs to (chosen by the page) and when it was written (ms). */
export type CheckpointKey = [runId: string, savedAt: number];

/** Checkpoints of other runs (other tabs, tabs closed mid-run) kept besides a run's own. */
export const OTHER_RUNS_KEPT = 3;

export interface KeptCheckpoint {
  format: 'icl-lab-kept-checkpoint';
  version: 1;
  config: string; // JSON of the RunConfig
  step: number;
  history: { step: number; loss: number }[];
  /** The evaluations so far (the verdict reads them); absent in checkpoints kept before they were. */
  evaluations?: EvalPoint[];
  weights: Uint8Array; // .safetensors (saveCheckpoint)
  /** Adam's moments (saveOptimizerState); null when storage refused them. */
  adam: Uint8Array | null;
}

/** The few IndexedDB calls the checkpoints need (an in-memory map stands in for it in tests). */
export interface CheckpointStore {
  get(key: CheckpointKey): Promise<unknown>;
  set(key: CheckpointKey, value: KeptCheckpoint): Promise<void>;
  del(key: CheckpointKey): Promise<void>;
  keys(): Promise<IDBValidKey[]>;
}

/** The checkpoints' own IndexedDB database; call only where IndexedDB exists (the worker). */
export function idbCheckpointStore(): CheckpointStore {
  const store = createStore('icl-lab-checkpoints', 'checkpoints');
  return {
    get: (key) => get(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
    keys: () => keys(store),
  };
}

/** Where the lab kept its one checkpoint for every tab before checkpoints had a key per run. */
const LEGACY_KEY = 'icl-lab:last-checkpoint';

/** Removes the old global checkpoint: it names no run, so no tab can resume from it, and it can
 *  hold a model's weights and moments (over 100 MB at the paper's size). */
export async function dropLegacyCheckpoint(): Promise<void> {
  await del(LEGACY_KEY);
}

function isKey(k: IDBValidKey): k is CheckpointKey {
  return Array.isArray(k) && k.length === 2 && typeof k[0] === 'string' && typeof k[1] === 'number';
}

/** This store's checkpoint keys, newest first. */
async function checkpointKeys(store: CheckpointStore): Promise<CheckpointKey[]> {
  return (await store.keys()).filter(isKey).sort((a, b) => b[1] - a[1]);
}

/**
 * Keeps the trainer's weights, Adam's moments, step, loss history and evaluations under `runId`.
 * The older checkpoints of the run are removed only once the new one is in; when storage
 * refuses the moments, the weights alone are kept and the report says so. `lastKeptStep`
 * (the step of this run's last checkpoint, or null) lets a failure say what a resume would do.
 */
export async function keepCheckpoint(
  t: Trainer,
  store: CheckpointStore,
  runId: string,
  lastKeptStep: number | null,
  now = Date.now(),
): Promise<KeepReport> {
  const step = t.step;
  const weights = await saveCheckpoint(t.model, t.gpu, { step: String(step) });
  const adam = await saveOptimizerState(t.model, t.gpu, t.adamSteps);
  const base = {
    format: 'icl-lab-kept-checkpoint',
    version: 1,
    config: JSON.stringify(t.config),
    step,
    history: t.history.slice(),
    evaluations: t.evaluations.slice(),
    weights,
  } as const;
  const key: CheckpointKey = [runId, now];
  const prune = () => pruneCheckpoints(store, key).catch(() => {}); // a leftover costs room, never a run
  const saved = { step, stored: true, exact: true, problem: null };
  try {
    await store.set(key, { ...base, adam });
    await prune();
    return saved;
  } catch (refused) {
    try {
      await store.set(key, { ...base, adam: null });
    } catch (e) {
      const from = lastKeptStep === null ? 'step 0' : `its checkpoint at step ${lastKeptStep}`;
      const problem =
        `The checkpoint at step ${step} could not be saved in this browser's storage (${storageFailure(e)}); ` +
        `after a lost GPU device this run would resume from ${from}.`;
      return { step, stored: false, exact: false, problem };
    }
    // the weights are in: with the older checkpoints gone, the moments may fit now
    await prune();
    try {
      await store.set(key, { ...base, adam });
      return saved;
    } catch {
      const problem =
        `Adam's moments at step ${step} could not be saved in this browser's storage (${storageFailure(refused)}); ` +
        'after a lost GPU device this run would resume with fresh moments and no longer match an uninterrupted run.';
      return { step, stored: true, exact: false, problem };
    }
  }
}

/** Removes the run's checkpoints other than `keep`, and those of all but the newest other runs. */
async function pruneCheckpoints(store: CheckpointStore, keep: CheckpointKey): Promise<void> {
  const all = await checkpointKeys(store); // newest first
  const newestPerRun = new Map<string, CheckpointKey>();
  for (const k of all) if (!newestPerRun.has(k[0])) newestPerRun.set(k[0], k);
  const others = [...newestPerRun.values()].filter((k) => k[0] !== keep[0]).slice(0, OTHER_RUNS_KEPT);
  for (const k of all) {
    const kept = k[0] === keep[0] ? k[1] === keep[1] : others.includes(k);
    if (!kept) await store.del(k);
  }
}

/** Removes every checkpoint of the run (it finished, or the page discarded it). */
export async function dropCheckpoints(store: CheckpointStore, runId: string): Promise<void> {
  for (const k of await checkpointKeys(store)) if (k[0] === runId) await store.del(k);
}

function readKept(value: unknown, config: string): KeptCheckpoint | string {
  const v = value as Partial<KeptCheckpoint> | null;
  if (typeof v !== 'object' || v === null || v.format !== 'icl-lab-kept-checkpoint') {
    return 'it is not a checkpoint of this lab';
  }
  if (v.version !== 1) return `it has format version ${String(v.version)}, which this page does not read`;
  if (v.config !== config) return 'it belongs to other settings';
  const complete = Number.isInteger(v.step) && v.weights instanceof Uint8Array && Array.isArray(v.history);
  return complete ? (v as KeptCheckpoint) : 'it is incomplete';
}

/**
 * Restores the newest readable checkpoint of `runId` into a trainer just built for the same
 * config: weights, Adam's moments when they were kept, step, loss history and evaluations.
 */
export async function resumeCheckpoint(t: Trainer, store: CheckpointStore, runId: string): Promise<ResumeReport> {
  let ours: CheckpointKey[];
  try {
    ours = (await checkpointKeys(store)).filter((k) => k[0] === runId);
  } catch (e) {
    const message =
      `This browser's storage could not be read (${storageFailure(e)}), ` + 'so the run starts again from step 0.';
    return { step: 0, exact: false, message };
  }
  if (ours.length === 0) {
    const message = 'No checkpoint of this run was kept in this browser, so it starts again from step 0.';
    return { step: 0, exact: true, message };
  }
  const problems: string[] = [];
  for (const key of ours) {
    let kept: KeptCheckpoint | string;
    try {
      kept = readKept(await store.get(key), JSON.stringify(t.config));
      if (typeof kept !== 'string' && kept.step > t.config.steps) {
        kept = `its step ${kept.step} is past the run's ${t.config.steps}`;
      }
      if (typeof kept !== 'string') loadCheckpoint(t.model, t.gpu, kept.weights);
    } catch (e) {
      kept = storageFailure(e);
    }
    if (typeof kept === 'string') {
      problems.push(kept);
      continue;
    }
    let adamSteps = 0;
    let lacking = kept.adam ? '' : 'storage had refused them';
    if (kept.adam) {
      try {
        adamSteps = loadOptimizerState(t.model, t.gpu, kept.adam);
      } catch (e) {
        lacking = `they could not be read: ${storageFailure(e)}`;
      }
    }
    t.restore(kept.step, kept.history, adamSteps, { evaluations: kept.evaluations });
    const message = lacking
      ? `Resumed at step ${kept.step} without Adam's moments (${lacking}): ` +
        'they start afresh, so from here the run differs from an uninterrupted one.'
      : `Resumed at step ${kept.step} with Adam's moments: ` +
        'the run continues exactly as if the device had not been lost.';
    return { step: kept.step, exact: !lacking, message };
  }
  const message =
    `The checkpoint kept for this run could not be used (${problems.join('; ')}), ` + 'so it starts again from step 0.';
  return { step: 0, exact: false, message };
}
