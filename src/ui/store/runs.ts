// Saved runs: every finished (or imported) run, its colour, and which runs are overlaid on
// the ICL plot. Persisted in IndexedDB, one record per run, and shared with the lab's other
// open tabs (session/persist.ts).
import { create } from 'zustand';
import type { RunFile } from '../../train/protocol';
import { nextColour } from '../palette';

export interface SavedRun {
  id: string;
  colour: string;
  createdAt: number;
  /** Set when the paper grid queued this run. */
  gridId: string | null;
  run: RunFile;
}

export interface RunsState {
  runs: SavedRun[];
  /** Ids overlaid on the ICL plot. */
  compare: string[];
  /** True once the saved runs have been read from IndexedDB. */
  hydrated: boolean;
  add(run: RunFile, gridId?: string | null): string;
  remove(id: string): void;
  toggleCompare(id: string): void;
  hydrate(runs: SavedRun[], compare: string[]): void;
  /** Another tab stored (run) or deleted (null) this run: list it as storage has it. */
  applyStored(id: string, run: SavedRun | null): void;
}

/** Oldest first, so every tab numbers the same runs alike; runs created in the same
 *  millisecond (two tabs at once) are ordered by id, the same in every tab. */
function byCreation(runs: SavedRun[]): SavedRun[] {
  return runs.slice().sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A runs store; the page has one (useRuns), a test may make one per simulated tab. */
export const createRunsStore = () =>
  create<RunsState>()((set, get) => ({
    runs: [],
    compare: [],
    hydrated: false,
    add: (run, gridId = null) => {
      const id = crypto.randomUUID();
      const colour = nextColour(
        get()
          .runs.slice(-6)
          .map((r) => r.colour),
      );
      set((s) => ({ runs: [...s.runs, { id, colour, createdAt: Date.now(), gridId, run }] }));
      return id;
    },
    remove: (id) =>
      set((s) => ({ runs: s.runs.filter((r) => r.id !== id), compare: s.compare.filter((c) => c !== id) })),
    toggleCompare: (id) =>
      set((s) => ({ compare: s.compare.includes(id) ? s.compare.filter((c) => c !== id) : [...s.compare, id] })),
    // Runs added before the saved ones were read (e.g. an import during start-up) are kept.
    hydrate: (runs, compare) =>
      set((s) => ({
        runs: [...byCreation(runs), ...s.runs.filter((r) => !runs.some((x) => x.id === r.id))],
        compare: [...new Set([...compare, ...s.compare])],
        hydrated: true,
      })),
    applyStored: (id, run) =>
      set((s) => {
        const listed = s.runs.some((r) => r.id === id);
        if (run === null) {
          return listed ? { runs: s.runs.filter((r) => r.id !== id), compare: s.compare.filter((c) => c !== id) } : {};
        }
        return listed ? {} : { runs: byCreation([...s.runs, run]) };
      }),
  }));

export const useRuns = createRunsStore();
