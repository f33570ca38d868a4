// The page's run storage (src/ui/session/persist.ts, runRecords.ts) against an in-memory
// IndexedDB stand-in shared by simulated tabs, each with its own runs store, joined by a
// BroadcastChannel stand-in: runs added at once in two tabs are both kept and listed in both;
// unreadable records are named, never rewritten or deleted; the old single-key list is copied
// once; a refused write is a sentence. The same code runs in Chromium in tests/e2e/storage.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { createRunsStore, type SavedRun } from '../../src/ui/store/runs';
import { startPersistence, type RunsChannel, type StorageProblem } from '../../src/ui/session/persist';
import {
  LEGACY_KEY,
  MIGRATED_KEY,
  rawRecordText,
  toRecord,
  type LegacyStore,
  type RecordStore,
} from '../../src/ui/session/runRecords';
import { stringifyRunFile } from '../../src/train/schema';
import { fixtureRun } from '../e2e/fixtures';

/** Values are structured clones, as IndexedDB keeps them; `refuse` plays a full disk. */
class MemoryDb implements RecordStore, LegacyStore {
  readonly values = new Map<string, unknown>();
  refuse = false;
  async get(key: IDBValidKey) {
    return structuredClone(this.values.get(String(key)));
  }
  async set(key: string, value: unknown) {
    if (this.refuse) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.values.set(key, structuredClone(value));
  }
  async del(key: string) {
    this.values.delete(key);
  }
  async entries() {
    return [...this.values].map(([k, v]) => [k, structuredClone(v)] as [IDBValidKey, unknown]);
  }
}

/** BroadcastChannel's shape: a message reaches every other tab, later, never the sender. */
function channelHub() {
  const tabs = new Set<(msg: unknown) => void>();
  return (): RunsChannel => {
    let mine: ((msg: unknown) => void) | null = null;
    return {
      post: (msg) => tabs.forEach((fn) => fn !== mine && setTimeout(() => fn(structuredClone(msg)), 1)),
      listen: (fn) => {
        mine = fn;
        tabs.add(fn);
        return () => tabs.delete(fn);
      },
    };
  };
}

async function openTab(db: MemoryDb, channel: RunsChannel | null, legacy: LegacyStore | null = null) {
  const runs = createRunsStore();
  const problems: StorageProblem[] = [];
  const stop = await startPersistence({ runs, records: db, legacy, channel, onProblem: (p) => problems.push(p) });
  return { runs, problems, stop, ids: () => runs.getState().runs.map((r) => r.id) };
}

function savedRun(id: string, createdAt: number): SavedRun {
  return { id, colour: '#0072B2', createdAt, gridId: null, run: fixtureRun() };
}

describe('run storage: one record per run, tabs in step', () => {
  it('two tabs that each add a run at once both keep both, and a deletion reaches the other tab', async () => {
    const db = new MemoryDb();
    const hub = channelHub();
    const a = await openTab(db, hub());
    const b = await openTab(db, hub());
    const idA = a.runs.getState().add(fixtureRun());
    const idB = b.runs.getState().add({ ...fixtureRun(), config: { ...fixtureRun().config, model: 'mamba' } });
    await vi.waitFor(() => {
      expect([...db.values.keys()].sort()).toEqual([idA, idB].sort());
      expect(a.ids().sort()).toEqual([idA, idB].sort());
      expect(b.ids()).toEqual(a.ids()); // the same order: oldest first
    });
    expect(b.runs.getState().runs.find((r) => r.id === idA)?.run.config.model).toBe('transformer');
    // a third tab opened now reads both
    const c = await openTab(db, hub());
    expect(c.ids()).toEqual(a.ids());

    b.runs.getState().remove(idA);
    await vi.waitFor(() => {
      expect(a.ids()).toEqual([idB]);
      expect(c.ids()).toEqual([idB]);
      expect([...db.values.keys()]).toEqual([idB]);
    });
    // an overlay is the tab's own choice, stored with the run for the next visit
    a.runs.getState().toggleCompare(idB);
    await vi.waitFor(() => expect((db.values.get(idB) as { compared: boolean }).compared).toBe(true));
    expect(b.runs.getState().compare).toEqual([]);
    expect((await openTab(db, null)).runs.getState().compare).toEqual([idB]);
    expect([...a.problems, ...b.problems, ...c.problems]).toEqual([]);
    for (const t of [a, b, c]) t.stop();
  });

  it('records the page cannot read are named with their key, kept untouched, and the others load', async () => {
    const db = new MemoryDb();
    const good = toRecord(savedRun('good', 1), false);
    const corrupt: Record<string, unknown> = {
      'bad-json': { ...toRecord(savedRun('bad-json', 2), false), run: '{"version":1,"config":' },
      'bad-run': { ...toRecord(savedRun('bad-run', 3), false), run: '{"version":1,"config":{"task":"nope"}}' },
      newer: { ...toRecord(savedRun('newer', 4), false), version: 2 },
      'not-a-record': 'banana',
      'wrong-id': toRecord(savedRun('someone-else', 5), false),
    };
    db.values.set('good', good);
    for (const [k, v] of Object.entries(corrupt)) db.values.set(k, structuredClone(v));
    const tab = await openTab(db, null);
    expect(tab.ids()).toEqual(['good']);
    expect(tab.problems.map((p) => p.recordKey).sort()).toEqual(Object.keys(corrupt).sort());
    const says = (key: string) => tab.problems.find((p) => p.recordKey === key)!.message;
    expect(says('bad-json')).toBe(
      'A stored run ("bad-json", saved 1970-01-01 00:00 UTC) could not be read: its run file is not valid JSON. ' +
        'It is kept in this browser\'s storage, untouched; "Export record" downloads it as it is.',
    );
    expect(says('bad-run')).toMatch(/^A stored run \("bad-run".*\) could not be read: its run file does not pass the/);
    expect(says('newer')).toMatch(/another version of the lab \(record version 2\)/);
    expect(says('not-a-record')).toMatch(/^A stored run \("not-a-record"\) could not be read: it is not a run record/);
    expect(says('wrong-id')).toMatch(/its id does not match its key/);
    // the tab goes on saving and deleting its own runs; the unreadable records stay as they were
    tab.runs.getState().add(fixtureRun());
    tab.runs.getState().remove('good');
    await vi.waitFor(() => expect(db.values.has('good')).toBe(false));
    for (const [k, v] of Object.entries(corrupt)) expect(db.values.get(k), k).toEqual(v);
    expect(rawRecordText(db.values.get('bad-json'))).toContain('"run": "{\\"version\\":1,\\"config\\":"');
    expect(rawRecordText('banana')).toBe('banana');
    expect(rawRecordText({ weights: new Uint8Array([1, 2]) })).toBe('{\n  "weights": [\n    1,\n    2\n  ]\n}');
    tab.stop();
  });

  it('copies the old single-key list into records once, leaving the old list as it was', async () => {
    const db = new MemoryDb();
    const legacy = new MemoryDb();
    const entry = (id: string, createdAt: number, run = stringifyRunFile(fixtureRun())) => {
      return { id, colour: '#D55E00', createdAt, gridId: null, run };
    };
    const old = { runs: [entry('r1', 10), entry('r2', 20), entry('r3', 30, 'not json'), 42], compare: ['r2'] };
    legacy.values.set(LEGACY_KEY, structuredClone(old));
    const tab = await openTab(db, null, legacy);
    expect(tab.ids()).toEqual(['r1', 'r2']);
    expect(tab.runs.getState().compare).toEqual(['r2']);
    expect(tab.runs.getState().runs[0].colour).toBe('#D55E00');
    expect(tab.problems.map((p) => p.recordKey)).toEqual(['r3', 'legacy-3']); // kept, named, exportable
    expect(legacy.values.get(LEGACY_KEY)).toEqual(old);
    expect(legacy.values.get(MIGRATED_KEY)).toMatchObject({ records: 4 });
    // a run deleted after the copy does not come back from the old list
    tab.runs.getState().remove('r1');
    await vi.waitFor(() => expect(db.values.has('r1')).toBe(false));
    tab.stop();
    expect((await openTab(db, null, legacy)).ids()).toEqual(['r2']);
  });

  it('a write that storage refuses is one sentence, and the run stays on the page', async () => {
    const db = new MemoryDb();
    const tab = await openTab(db, null);
    db.refuse = true;
    tab.runs.getState().add(fixtureRun());
    await vi.waitFor(() => expect(tab.problems).toHaveLength(1));
    expect(tab.problems[0].message).toMatch(
      /^The run ".+" could not be saved in this browser's storage \(QuotaExceededError: The quota has been/,
    );
    expect(tab.problems[0].message).toMatch(/; it stays on this page but will not survive a reload\.$/);
    expect(tab.ids()).toHaveLength(1);
    tab.stop();
  });
});
