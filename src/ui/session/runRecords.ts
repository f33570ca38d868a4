// Saved runs in IndexedDB, one record per run (database "icl-lab-runs", store "runs", key = the
// run's id), so tabs that add or delete runs at once never overwrite each other's. A record
// holds the run file as text (what Export writes) and passes parseRunFile again on the way in:
// storage is outside input like any other. A record that does not pass is named to the user
// and can be exported as it is; the page never rewrites or deletes it.
import { createStore, del, entries, get, set } from 'idb-keyval';
import { parseRunFile, stringifyRunFile } from '../../train/schema';
import { RUN_COLOURS } from '../palette';
import type { SavedRun } from '../store/runs';

export const RECORD_FORMAT = 'icl-lab-run';

export interface RunRecord {
  format: typeof RECORD_FORMAT;
  version: 1;
  id: string;
  colour: string;
  createdAt: number;
  /** Set when the paper grid queued this run. */
  gridId: string | null;
  /** Overlaid on the ICL plot when the page last wrote the record. */
  compared: boolean;
  /** The run file as JSON text (NaN-safe, the format Export writes). */
  run: string;
}

/** The IndexedDB calls the runs need (an in-memory map stands in for it in unit tests). */
export interface RecordStore {
  get(key: IDBValidKey): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  entries(): Promise<[IDBValidKey, unknown][]>;
}

export function idbRecordStore(): RecordStore {
  const store = createStore('icl-lab-runs', 'runs');
  return {
    get: (key) => get(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
    entries: () => entries(store),
  };
}

export function toRecord(r: SavedRun, compared: boolean): RunRecord {
  const { id, colour, createdAt, gridId } = r;
  return { format: RECORD_FORMAT, version: 1, id, colour, createdAt, gridId, compared, run: stringifyRunFile(r.run) };
}

export type Revived = { ok: true; run: SavedRun; compared: boolean } | { ok: false; reason: string };

/** The saved run a stored record holds, or why the page cannot read it. */
export function reviveRecord(key: IDBValidKey, value: unknown): Revived {
  const fail = (reason: string): Revived => ({ ok: false, reason });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('it is not a run record');
  const v = value as Partial<Record<keyof RunRecord, unknown>>;
  if (v.format !== RECORD_FORMAT) return fail('it is not a run record of this lab');
  if (v.version !== 1) {
    return fail(`it was written by another version of the lab (record version ${String(v.version)})`);
  }
  if (typeof v.id !== 'string' || v.id !== key) return fail('its id does not match its key');
  if (typeof v.run !== 'string') return fail('it holds no run file');
  let json: unknown;
  try {
    json = JSON.parse(v.run);
  } catch {
    return fail('its run file is not valid JSON');
  }
  const parsed = parseRunFile(json);
  if (!parsed.ok) return fail(`its run file does not pass the checks: ${parsed.error}`);
  const colours: readonly string[] = RUN_COLOURS;
  const colour = typeof v.colour === 'string' && colours.includes(v.colour) ? v.colour : RUN_COLOURS[0];
  const createdAt = typeof v.createdAt === 'number' && Number.isFinite(v.createdAt) ? v.createdAt : 0;
  const gridId = typeof v.gridId === 'string' ? v.gridId : null;
  const run: SavedRun = { id: v.id as string, colour, createdAt, gridId, run: parsed.value };
  return { ok: true, run, compared: v.compared === true };
}

/** One sentence naming an unreadable record, why, and what the page does with it. */
export function unreadableMessage(key: IDBValidKey, value: unknown, reason: string): string {
  const at = (value as { createdAt?: unknown } | null)?.createdAt;
  const dated = typeof at === 'number' && Number.isFinite(at) && at > 0 && at < 8.64e15;
  const saved = dated ? `, saved ${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  return (
    `A stored run ("${String(key)}"${saved}) could not be read: ${reason}. ` +
    'It is kept in this browser\'s storage, untouched; "Export record" downloads it as it is.'
  );
}

/** A stored value as the text of a file: strings as they are, anything else as JSON. */
export function rawRecordText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    const plain = (_key: string, v: unknown) => {
      if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
      return typeof v === 'bigint' ? v.toString() : v;
    };
    const text = JSON.stringify(value, plain, 2);
    return text ?? String(value);
  } catch {
    return String(value); // a cycle: what can be said of it
  }
}

// ---- the list of runs earlier versions of the page kept under one key ----------------------

/** Where earlier versions kept the whole list (idb-keyval's default store). */
export const LEGACY_KEY = 'icl-lab:runs:v1';
/** Set once the old list has been copied into records; the old list stays as it was. */
export const MIGRATED_KEY = 'icl-lab:runs:v1:migrated';

export interface LegacyStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export function idbLegacyStore(): LegacyStore {
  return { get: (key) => get(key), set: (key, value) => set(key, value) };
}

interface LegacyEntry {
  id: string;
  colour: unknown;
  createdAt: unknown;
  gridId: unknown;
  run: string;
}

function isLegacyEntry(e: unknown): e is LegacyEntry {
  const v = e as Partial<LegacyEntry> | null;
  return typeof v === 'object' && v !== null && typeof v.id === 'string' && v.id !== '' && typeof v.run === 'string';
}

/**
 * Copies each run of the old single-key list into its own record, once, without reading it
 * (a run the page cannot read becomes a record it names and offers to export). An entry or a
 * list of another shape is copied as it is. Records already there (from an interrupted copy,
 * or another tab's) are left alone. Returns how many records were written.
 */
export async function migrateLegacyList(legacy: LegacyStore, records: RecordStore): Promise<number> {
  if ((await legacy.get(MIGRATED_KEY)) !== undefined) return 0;
  const old = await legacy.get(LEGACY_KEY);
  if (old === undefined) return 0;
  const list = old as { runs?: unknown; compare?: unknown } | null;
  const copies: [string, unknown][] = [];
  if (typeof list !== 'object' || list === null || !Array.isArray(list.runs)) {
    copies.push(['legacy-list', old]);
  } else {
    const compare = Array.isArray(list.compare) ? list.compare : [];
    for (const [i, e] of (list.runs as unknown[]).entries()) {
      if (!isLegacyEntry(e)) {
        copies.push([`legacy-${i}`, e]);
        continue;
      }
      const createdAt = Number(e.createdAt) || 0;
      const gridId = typeof e.gridId === 'string' ? e.gridId : null;
      const compared = compare.includes(e.id);
      const colour = String(e.colour);
      const record: RunRecord = {
        ...{ format: RECORD_FORMAT, version: 1, id: e.id, colour },
        ...{ createdAt, gridId, compared, run: e.run },
      };
      copies.push([e.id, record]);
    }
  }
  let written = 0;
  for (const [key, value] of copies) {
    if ((await records.get(key)) !== undefined) continue;
    await records.set(key, value);
    written += 1;
  }
  await legacy.set(MIGRATED_KEY, { at: Date.now(), records: written });
  return written;
}
