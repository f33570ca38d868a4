// Keeps the runs list in IndexedDB, one record per run (runRecords.ts), and in step with the
// lab's other open tabs: a run added or deleted here is written (or deleted) as its own record
// and announced on a BroadcastChannel; the other tabs read that record and list it as storage
// has it. Every failure becomes one sentence for the page's alert; nothing is dropped silently.
import type { StoreApi } from 'zustand';
import { saveBlob } from '../download';
import type { RunsState, SavedRun } from '../store/runs';
import { runTitle } from '../runView';
import { modelLabel, taskLabel } from '../labels';
import {
  idbLegacyStore,
  idbRecordStore,
  migrateLegacyList,
  rawRecordText,
  reviveRecord,
  toRecord,
  unreadableMessage,
  type LegacyStore,
  type RecordStore,
} from './runRecords';
import { storageFailure } from '../../train/storageError';

/** "The record of run `id` changed: read it again" (the message carries no run data). */
export interface RunsMessage {
  type: 'changed';
  id: string;
}

export interface RunsChannel {
  post(msg: RunsMessage): void;
  /** Calls `fn` with each message from the other tabs; returns a stop function. */
  listen(fn: (msg: unknown) => void): () => void;
}

export interface StorageProblem {
  message: string;
  /** Set for a record the page cannot read: the alert offers to export it. */
  recordKey?: IDBValidKey;
}

export interface PersistOptions {
  runs: StoreApi<RunsState>;
  records: RecordStore;
  /** Where earlier versions kept the whole list; null: nothing to migrate. */
  legacy: LegacyStore | null;
  channel: RunsChannel | null;
  onProblem(p: StorageProblem): void;
}

const CHANNEL_NAME = 'icl-lab:runs';

/** The lab's runs channel between this origin's tabs; null where BroadcastChannel is missing. */
export function browserChannel(): RunsChannel | null {
  if (typeof BroadcastChannel === 'undefined') return null;
  const bc = new BroadcastChannel(CHANNEL_NAME);
  return {
    post: (msg) => bc.postMessage(msg),
    listen: (fn) => {
      const onMessage = (e: MessageEvent) => fn(e.data);
      bc.addEventListener('message', onMessage);
      return () => {
        bc.removeEventListener('message', onMessage);
        bc.close();
      };
    },
  };
}

/** The page's storage: IndexedDB records, the old list to migrate, the tabs' channel. */
export function browserPersistence(runs: StoreApi<RunsState>, onProblem: (p: StorageProblem) => void): PersistOptions {
  return { runs, records: idbRecordStore(), legacy: idbLegacyStore(), channel: browserChannel(), onProblem };
}

function title(r: SavedRun): string {
  return `"${runTitle(r.run.config, taskLabel, modelLabel)}"`;
}

/**
 * Reads the saved runs (after copying the old single-key list into records, once), then
 * writes each run that is added, changed or deleted, and takes in the other tabs' changes.
 * Returns a stop function.
 */
export async function startPersistence(o: PersistOptions): Promise<() => void> {
  const { runs, records, channel, onProblem } = o;
  try {
    if (o.legacy) await migrateLegacyList(o.legacy, records);
  } catch (e) {
    const message =
      `The runs saved by an earlier version of the lab could not be moved to the new storage (${storageFailure(e)}); ` +
      'they are still there, and the next visit tries again.';
    onProblem({ message });
  }
  let stored: [IDBValidKey, unknown][];
  try {
    stored = await records.entries();
  } catch (e) {
    // Private windows may refuse IndexedDB: the lab works, runs just do not outlive the page.
    runs.getState().hydrate([], []);
    const message =
      `Saved runs could not be read from this browser's storage (${storageFailure(e)}); ` +
      'new runs will not survive a reload.';
    onProblem({ message });
    return () => {};
  }

  /** What storage holds for each run, as far as this tab knows: the last record written or read. */
  const known = new Map<string, { run: SavedRun; compared: boolean }>();
  const unreadable = (key: IDBValidKey, value: unknown, why: string) =>
    onProblem({ message: unreadableMessage(key, value, why), recordKey: key });
  const listed: SavedRun[] = [];
  const compared: string[] = [];
  for (const [key, value] of stored) {
    const r = reviveRecord(key, value);
    if (!r.ok) {
      unreadable(key, value, r.reason);
      continue;
    }
    known.set(r.run.id, { run: r.run, compared: r.compared });
    listed.push(r.run);
    if (r.compared) compared.push(r.run.id);
  }
  runs.getState().hydrate(listed, compared);

  const announce = (id: string) => channel?.post({ type: 'changed', id });
  const write = (r: SavedRun, isCompared: boolean) =>
    records
      .set(r.id, toRecord(r, isCompared))
      .then(() => announce(r.id))
      .catch((e) => {
        const message =
          `The run ${title(r)} could not be saved in this browser's storage (${storageFailure(e)}); ` +
          'it stays on this page but will not survive a reload.';
        onProblem({ message });
      });
  const erase = (r: SavedRun) =>
    records
      .del(r.id)
      .then(() => announce(r.id))
      .catch((e) => {
        const message =
          `The run ${title(r)} could not be deleted from this browser's storage (${storageFailure(e)}); ` +
          'it will be listed again after a reload.';
        onProblem({ message });
      });
  const sync = (s: RunsState) => {
    for (const r of s.runs) {
      const isCompared = s.compare.includes(r.id);
      const k = known.get(r.id);
      if (k && k.run === r && k.compared === isCompared) continue;
      known.set(r.id, { run: r, compared: isCompared });
      void write(r, isCompared);
    }
    for (const [id, k] of known) {
      if (s.runs.some((r) => r.id === id)) continue;
      known.delete(id);
      void erase(k.run);
    }
  };
  sync(runs.getState()); // runs added before the saved ones were read (an import during start-up)
  const stopStore = runs.subscribe((s, prev) => {
    if (s.runs !== prev.runs || s.compare !== prev.compare) sync(s);
  });

  // Another tab wrote or deleted a record: list it as storage has it now (reading it again
  // makes the order of messages irrelevant). The overlay choice stays this tab's own.
  const refresh = async (id: string) => {
    let value: unknown;
    try {
      value = await records.get(id);
    } catch (e) {
      const message =
        `A run saved in another tab could not be read from this browser's storage (${storageFailure(e)}); ` +
        'it will be listed after a reload.';
      onProblem({ message });
      return;
    }
    const state = runs.getState();
    if (value === undefined) {
      known.delete(id);
      state.applyStored(id, null);
      return;
    }
    const r = reviveRecord(id, value);
    if (!r.ok) return unreadable(id, value, r.reason);
    if (state.runs.some((x) => x.id === id)) return;
    known.set(id, { run: r.run, compared: false });
    state.applyStored(id, r.run);
  };
  const stopChannel = channel?.listen((msg) => {
    const m = msg as Partial<RunsMessage> | null;
    if (m?.type === 'changed' && typeof m.id === 'string') void refresh(m.id);
  });
  return () => {
    stopStore();
    stopChannel?.();
  };
}

/** Downloads a stored record as it is (the "Export record" button of an unreadable run). */
export async function exportStoredRecord(key: IDBValidKey, records: RecordStore = idbRecordStore()): Promise<void> {
  const value = await records.get(key);
  if (value === undefined) {
    throw new Error(`The stored record "${String(key)}" is no longer in this browser's storage.`);
  }
  const name = String(key)
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 80);
  saveBlob(`icl-lab-stored-run-${name}.json`, new Blob([rawRecordText(value)], { type: 'application/json' }));
}
