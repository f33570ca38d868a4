// Keeps the runs list in IndexedDB (idb-keyval) so runs survive a reload. Stored runs pass
// parseRunFile again on the way in: the database is outside input like any other.
import { get, set } from 'idb-keyval';
import { parseRunFile } from '../../train/schema';
import { stringifyRunFile } from '../../train/schema';
import { useRuns, type SavedRun } from '../store/runs';
import { RUN_COLOURS } from '../palette';

const KEY = 'icl-lab:runs:v1';

interface Stored {
  runs: { id: string; colour: string; createdAt: number; gridId: string | null; run: string }[];
  compare: string[];
}

function revive(s: Stored['runs'][number]): SavedRun | null {
  try {
    const parsed = parseRunFile(JSON.parse(s.run));
    if (!parsed.ok || typeof s.id !== 'string') return null;
    const colour = (RUN_COLOURS as readonly string[]).includes(s.colour) ? s.colour : RUN_COLOURS[0];
    return { id: s.id, colour, createdAt: Number(s.createdAt) || 0, gridId: typeof s.gridId === 'string' ? s.gridId : null, run: parsed.value };
  } catch {
    return null;
  }
}

/** Reads the saved runs, then writes the list back whenever it changes. Returns an unsubscribe. */
export async function startPersistence(onError: (msg: string) => void): Promise<() => void> {
  try {
    const stored = (await get<Stored>(KEY)) ?? { runs: [], compare: [] };
    const runs = (Array.isArray(stored.runs) ? stored.runs : []).map(revive).filter((r): r is SavedRun => r !== null);
    const compare = Array.isArray(stored.compare) ? stored.compare.filter((id) => runs.some((r) => r.id === id)) : [];
    useRuns.getState().hydrate(runs, compare);
  } catch {
    // Private windows may refuse IndexedDB: the lab works, runs just do not outlive the page.
    useRuns.getState().hydrate([], []);
    onError('Saved runs could not be read from this browser\'s storage; new runs will not survive a reload.');
    return () => {};
  }
  // Runs are stored as run-file JSON text (NaN-safe, the same format as Export).
  return useRuns.subscribe((s, prev) => {
    if (s.runs === prev.runs && s.compare === prev.compare) return;
    const data: Stored = {
      runs: s.runs.map((r) => ({ id: r.id, colour: r.colour, createdAt: r.createdAt, gridId: r.gridId, run: stringifyRunFile(r.run) })),
      compare: s.compare,
    };
    set(KEY, data).catch(() => onError('This run could not be saved in the browser\'s storage (is it full?).'));
  });
}
