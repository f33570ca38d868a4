// The page's storage in Chromium: two tabs of one browser that each import a run both keep
// both and list both; a stored record the page cannot read is named in the alert, exported
// as it is, never deleted, and the other runs still load; the list an earlier version kept
// under one key is copied into records; a checkpoint that storage refuses while training is
// an alert with a sentence.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunFile } from '../../src/train/protocol';
import { stringifyRunFile } from '../../src/train/schema';
import { LEGACY_KEY } from '../../src/ui/session/runRecords';
import { PROBE_PATH, RESULTS, statusStep, useLab } from '../helpers/browser';
import { fixtureRun } from './fixtures';

const lab = useLab();

async function newContext(): Promise<BrowserContext> {
  return lab.browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } });
}

async function importRun(page: Page, name: string, run: RunFile): Promise<void> {
  const buffer = Buffer.from(JSON.stringify(run));
  await page.getByLabel('Import run file').setInputFiles({ name, mimeType: 'application/json', buffer });
}

/** The titles in the runs list. */
function listed(page: Page): Promise<string[]> {
  return page.locator('section.runs li .run-title').allTextContents();
}

/** Writes values into an IndexedDB store of the served origin (from the test-only probe page,
 *  before the lab opens), creating it as idb-keyval does. */
async function putValues(page: Page, db: string, store: string, values: [string, unknown][]): Promise<void> {
  await page.goto(new URL(PROBE_PATH, lab.server.url).href);
  await page.evaluate(
    ([db, store, values]) =>
      new Promise<void>((ok, fail) => {
        const open = indexedDB.open(db);
        open.onupgradeneeded = () => open.result.createObjectStore(store);
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(store, 'readwrite');
          for (const [k, v] of values) tx.objectStore(store).put(v, k);
          tx.oncomplete = () => {
            open.result.close();
            ok();
          };
          tx.onerror = () => fail(tx.error);
        };
      }),
    [db, store, values] as const,
  );
}

/** Every key and value of the lab's run records, read in the page. */
function storedRecords(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, unknown>>((ok, fail) => {
        const open = indexedDB.open('icl-lab-runs');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const store = open.result.transaction('runs').objectStore('runs');
          const keys = store.getAllKeys();
          const values = store.getAll();
          values.onsuccess = () => {
            open.result.close();
            ok(Object.fromEntries(keys.result.map((k, i) => [String(k), values.result[i]])));
          };
          values.onerror = () => fail(values.error);
        };
      }),
  );
}

describe('storage in the browser', () => {
  it('two tabs that each import a run both store both and list both', async () => {
    const context = await newContext();
    const [a, b] = [await context.newPage(), await context.newPage()];
    await Promise.all([a.goto(lab.server.url), b.goto(lab.server.url)]);
    const mamba = fixtureRun();
    mamba.config.model = 'mamba';
    await Promise.all([importRun(a, 'transformer.json', fixtureRun()), importRun(b, 'mamba.json', mamba)]);
    for (const page of [a, b]) {
      await page.getByRole('button', { name: 'Open run 2', exact: true }).waitFor();
      const titles = await listed(page);
      expect(titles).toHaveLength(2);
      expect(
        titles.filter((t) => /Transformer/.test(t)),
        titles.join(' | '),
      ).toHaveLength(1);
      expect(
        titles.filter((t) => /Mamba/.test(t)),
        titles.join(' | '),
      ).toHaveLength(1);
    }
    expect(await listed(b)).toEqual(await listed(a));
    expect(Object.keys(await storedRecords(a))).toHaveLength(2);
    // both survive a reload of either tab; a deletion in one reaches the other
    await a.reload();
    await a.getByRole('button', { name: 'Open run 2', exact: true }).waitFor();
    await b.getByRole('button', { name: 'Delete run 1', exact: true }).click();
    await expect.poll(() => listed(a)).toHaveLength(1);
    expect(await a.getByRole('alert').count()).toBe(0);
    await context.close();
  });

  it('names an unreadable record in the alert, exports it as it is, keeps it, and loads the rest', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const good = fixtureRun();
    const broken = {
      ...{ format: 'icl-lab-run', version: 1, id: 'broken-run', colour: '#0072B2' },
      ...{ createdAt: Date.UTC(2026, 11, 7, 9, 30), gridId: null, compared: false, run: '{"version":1,"config":' },
    };
    // an earlier version's list (one key for all runs) and a record it cannot read
    const oldRun = { id: 'old-run', colour: '#D55E00', createdAt: 1, gridId: null, run: stringifyRunFile(good) };
    await putValues(page, 'keyval-store', 'keyval', [[LEGACY_KEY, { runs: [oldRun], compare: [] }]]);
    await putValues(page, 'icl-lab-runs', 'runs', [
      ['broken-run', broken],
      ['banana', 'banana'],
    ]);
    await page.goto(lab.server.url);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.locator('li').count()).toBe(2);
    const text = (await alert.textContent()) ?? '';
    expect(text).toContain(
      'A stored run ("broken-run", saved 2026-12-07 09:30 UTC) could not be read: its run file is not valid JSON. ' +
        'It is kept in this browser\'s storage, untouched; "Export record" downloads it as it is.',
    );
    expect(text).toContain('A stored run ("banana") could not be read: it is not a run record.');
    await page.getByRole('button', { name: 'Open run 1', exact: true }).waitFor(); // the old list's run, copied
    mkdirSync(RESULTS, { recursive: true });
    await alert.screenshot({ path: join(RESULTS, 'storage-unreadable-alert.png') });

    const item = alert.locator('li', { hasText: 'broken-run' });
    const exportButton = item.getByRole('button', { name: 'Export record', exact: true });
    const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
    expect(download.suggestedFilename()).toBe('icl-lab-stored-run-broken-run.json');
    expect(JSON.parse(readFileSync((await download.path())!, 'utf8'))).toEqual(broken);
    expect(await alert.locator('li').count()).toBe(2); // exporting repairs nothing: the alert stays

    // the page saves and deletes its own runs around them; they stay as they were
    await importRun(page, 'new.json', fixtureRun());
    await page.getByRole('button', { name: 'Open run 2', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete run 1', exact: true }).click();
    await expect.poll(async () => Object.keys(await storedRecords(page)).length).toBe(3);
    const records = await storedRecords(page);
    expect(records['broken-run']).toEqual(broken);
    expect(records.banana).toBe('banana');
    await page.reload();
    await page.getByRole('button', { name: 'Open run 1', exact: true }).waitFor();
    expect(await listed(page)).toHaveLength(1); // the old list is not copied a second time
    await expect.poll(() => page.getByRole('alert').locator('li').count()).toBe(2);
    await context.close();
  });

  it('says so when storage refuses the checkpoint kept while training', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(lab.server.url);
    // a full disk for this origin: storage refuses every write past a few bytes
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(lab.server.url).origin, quotaSize: 1 });
    const number = (name: string, v: number) => page.getByRole('spinbutton', { name, exact: true }).fill(String(v));
    await page.getByRole('combobox', { name: 'Model', exact: true }).selectOption('transformer');
    await page.getByRole('combobox', { name: 'Size', exact: true }).selectOption('tiny');
    // the smallest run that reaches an evaluation (and so a checkpoint) soon on SwiftShader
    await number('Input dimension', 4);
    await number('Prompt length', 8);
    await number('Steps', 400);
    await number('Batch', 4);
    await number('Evaluation interval', 2);
    await number('Evaluation prompts', 8);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 240_000 });
    const text = (await alert.textContent()) ?? '';
    // one sentence, and its Dismiss button
    expect(text).toMatch(/^The checkpoint at step 2 could not be saved in this browser's storage \(QuotaExceededError/);
    expect(text).toMatch(/\); after a lost GPU device this run would resume from step 0\.Dismiss$/);
    await alert.screenshot({ path: join(RESULTS, 'storage-checkpoint-alert.png') });
    // training goes on
    await expect.poll(async () => (await statusStep(page)).step, { timeout: 60_000 }).toBeGreaterThan(2);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await context.close();
  });
});
