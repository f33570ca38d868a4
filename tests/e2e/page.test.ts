// The built page without training: accessible names, the CSP, share links (good, malformed,
// hostile), run-file import and persistence across a reload.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeShareLink } from '../../src/train/shareLink';
import { DIST, drawnPaths, newLabPage, statusStep, useLab } from '../helpers/browser';
import { fixtureRun } from './fixtures';

const lab = useLab();

describe('the built page', () => {
  it('ships a CSP meta tag without unsafe-eval and without inline scripts', () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    expect(meta).not.toBeNull();
    const csp = meta![1].replace(/&#39;/g, "'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("worker-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(/script-src[^;]*unsafe-inline/.test(csp)).toBe(false);
    // Every script is external: no inline <script> bodies.
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(m[1]).toMatch(/\bsrc=/);
      expect(m[2].trim()).toBe('');
    }
  });

  it('labels every control the way DESIGN.md names them', async () => {
    const { page, log } = await newLabPage(lab.browser);
    await page.goto(lab.server.url);
    for (const name of ['Task', 'Model', 'Size'])
      await expect(page.getByRole('combobox', { name, exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('spinbutton', { name: 'Seed', exact: true }).count()).resolves.toBe(1);
    for (const name of ['Train', 'Pause', 'Step', 'Reset', 'Share', 'Export']) {
      await expect(page.getByRole('button', { name, exact: true }).count(), name).resolves.toBe(1);
    }
    // Non-exact matching too: no other button's name contains these words, but for "Train all families"
    const containing = await page.getByRole('button', { name: /train|pause|step|reset|share|export/i }).allInnerTexts();
    expect(containing.map((t) => t.trim()).sort()).toEqual(
      ['Export', 'Pause', 'Reset', 'Share', 'Step', 'Train', 'Train all families'].sort(),
    );
    for (const name of ['Training loss', 'ICL curve'])
      await expect(page.getByRole('region', { name }).count()).resolves.toBe(1);
    await expect(page.getByRole('status').count()).resolves.toBe(1);
    expect((await statusStep(page)).step).toBe(0);
    // The task sentence changes with the task.
    await page.getByRole('combobox', { name: 'Task' }).selectOption('sparse_parity');
    await expect(page.getByText(/product of 2 hidden coordinates/).count()).resolves.toBe(1);
    expect(log.cspViolations).toEqual([]);
    expect(log.errors).toEqual([]);
    await page.context().close();
  });

  it('opens a share link with its curves at once, without training, and offers "Train again"', async () => {
    const run = fixtureRun();
    const hash = encodeShareLink(run);
    const { page, log } = await newLabPage(lab.browser);
    await page.goto(lab.server.url + hash);
    await page.getByRole('button', { name: 'Train again', exact: true }).waitFor();
    expect(await drawnPaths(page, 'Training loss')).toBeGreaterThan(0);
    expect(await drawnPaths(page, 'ICL curve')).toBeGreaterThanOrEqual(3); // model, its band, baselines
    expect(await statusStep(page)).toEqual({ step: 500, total: 500 });
    await expect(page.getByRole('spinbutton', { name: 'Seed', exact: true }).inputValue()).resolves.toBe('7');
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(log.cspViolations).toEqual([]);
    await page.context().close();
  });

  it('hides the advanced controls for a teaching link', async () => {
    const { page } = await newLabPage(lab.browser);
    await page.goto(lab.server.url + encodeShareLink(fixtureRun(), { teaching: true }));
    await page.getByRole('button', { name: 'Train again' }).waitFor();
    expect(await page.getByRole('spinbutton', { name: 'Learning rate' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Show all controls' }).click();
    expect(await page.getByRole('spinbutton', { name: 'Learning rate' }).count()).toBe(1);
    await page.context().close();
  });

  it("shows a link's d, n, warm-up, schedule and parity setting in the training settings", async () => {
    const run = fixtureRun();
    run.config = { ...run.config, nDims: 6, nPoints: 30, warmup: 100, lrSchedule: 'cosine', parityPerPrompt: false };
    const { page, log } = await newLabPage(lab.browser);
    await page.goto(lab.server.url + encodeShareLink(run));
    await page.getByRole('button', { name: 'Train again' }).waitFor();
    const value = (name: string) => page.getByRole('spinbutton', { name, exact: true }).inputValue();
    await expect(value('Input dimension')).resolves.toBe('6');
    await expect(value('Prompt length')).resolves.toBe('30');
    await expect(value('Warm-up steps')).resolves.toBe('100');
    await expect(page.getByRole('combobox', { name: 'Schedule' }).inputValue()).resolves.toBe('cosine');
    const parity = page.getByRole('checkbox', { name: 'Parity indices drawn per prompt' });
    expect(await parity.isChecked()).toBe(false);
    expect(await parity.isDisabled()).toBe(true); // linear regression has no parity indices
    await expect(
      parity.getAttribute('aria-describedby').then((id) => page.locator(`[id="${id}"]`).textContent()),
    ).resolves.toMatch(/^Sparse parity only/);
    // On sparse parity the switch works; d and n follow the task, warm-up and schedule stay.
    await page.getByRole('combobox', { name: 'Task' }).selectOption('sparse_parity');
    await expect(value('Input dimension')).resolves.toBe('10');
    await expect(value('Warm-up steps')).resolves.toBe('100');
    await parity.check();
    expect(await parity.isChecked()).toBe(true);
    expect(log.errors).toEqual([]);
    await page.context().close();
  });

  it('says what is wrong with a malformed link and keeps a usable default lab', async () => {
    const { page, log } = await newLabPage(lab.browser);
    await page.goto(lab.server.url + '#v1.this-is-not-a-link');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/damaged|not an ICL Lab share link/);
    // The default lab: default task, step 0, controls that still work.
    await expect(page.getByRole('combobox', { name: 'Task' }).inputValue()).resolves.toBe('linear_regression');
    expect((await statusStep(page)).step).toBe(0);
    await page.getByRole('combobox', { name: 'Model' }).selectOption('mamba');
    await expect(page.getByRole('combobox', { name: 'Model' }).inputValue()).resolves.toBe('mamba');
    expect(await page.getByRole('button', { name: 'Train', exact: true }).isEnabled()).toBe(true);
    expect(log.errors.filter((e) => !/WebGPU/i.test(e))).toEqual([]);
    await page.context().close();
  });

  it('never turns link content into markup', async () => {
    const run = fixtureRun();
    // Free text is dropped by the decoder and names must be identifiers; try anyway.
    (run as { adapter: string }).adapter = '<img src=x onerror="window.__pwned=1">';
    const hostile = encodeShareLink(run);
    const { page } = await newLabPage(lab.browser);
    await page.goto(lab.server.url + hostile);
    await page.waitForTimeout(500);
    await page.goto(lab.server.url + '#v1.' + Buffer.from('<script>window.__pwned=1</script>').toString('base64url'));
    await page.getByRole('alert').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('main img, [role=alert] img, [role=alert] script').count()).toBe(0);
    await page.context().close();
  });

  it('imports a run file, lists it, and keeps it across a reload', async () => {
    const { page } = await newLabPage(lab.browser);
    await page.goto(lab.server.url);
    const run = fixtureRun();
    await page
      .getByLabel('Import run file')
      .setInputFiles({ name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(run)) });
    await page.getByRole('button', { name: 'Open run 1' }).waitFor();
    expect(await drawnPaths(page, 'ICL curve')).toBeGreaterThanOrEqual(3);
    expect((await statusStep(page)).step).toBe(500);
    // IndexedDB writes are asynchronous: give it a moment before reloading.
    await page.waitForTimeout(500);
    await page.reload();
    await page.getByRole('button', { name: 'Open run 1' }).click();
    expect(await drawnPaths(page, 'ICL curve')).toBeGreaterThanOrEqual(3);
    // A broken file is refused with a sentence.
    await page.getByLabel('Import run file').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"version":1,"config":{"task":"nope"}}'),
    });
    expect(await page.getByRole('alert').textContent()).toMatch(/could not be imported/);
    await page.context().close();
  });

  it('overlays several runs on the ICL curve, each in its own colour', async () => {
    const { page } = await newLabPage(lab.browser);
    await page.goto(lab.server.url);
    const a = fixtureRun();
    const b = fixtureRun();
    b.config.model = 'mamba';
    b.icl!.curves.model.mean = b.icl!.curves.model.mean.map((x) => x * 0.8);
    const input = page.getByLabel('Import run file');
    await input.setInputFiles({ name: 'a.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(a)) });
    await input.setInputFiles({ name: 'b.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(b)) });
    await page.getByRole('button', { name: 'Open run 2' }).waitFor();
    const before = await drawnPaths(page, 'ICL curve');
    await page.getByRole('checkbox', { name: 'Overlay run 1' }).check();
    await expect.poll(() => drawnPaths(page, 'ICL curve')).toBe(before + 1);
    const colours = await page
      .getByRole('region', { name: 'ICL curve' })
      .evaluate((el) => [...el.querySelectorAll('path.recharts-line-curve')].map((p) => p.getAttribute('stroke')));
    expect(new Set(colours).size).toBe(colours.length);
    await page.context().close();
  });

  it('saves a plot as PNG and the curves as CSV', async () => {
    const { page, log } = await newLabPage(lab.browser);
    await page.goto(lab.server.url + encodeShareLink(fixtureRun()));
    await page.getByRole('button', { name: 'Train again' }).waitFor();
    const region = page.getByRole('region', { name: 'ICL curve' });
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      region.getByRole('button', { name: 'Save PNG' }).click(),
    ]);
    const bytes = readFileSync(await png.path());
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(5000);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Curves CSV' }).click(),
    ]);
    const text = readFileSync(await csv.path(), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^position,model_mean,model_lo,model_hi/);
    expect(log.cspViolations).toEqual([]);
    await page.context().close();
  });

  it('says which browsers work when there is no WebGPU, and stays usable', async () => {
    const { page } = await newLabPage(lab.browser);
    await page.addInitScript(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    await page.goto(lab.server.url);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/WebGPU.*Chrome/s);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    expect(await page.getByRole('alert').count()).toBe(1);
    await page.getByRole('combobox', { name: 'Task' }).selectOption('vector_mqar');
    await expect(page.getByText(/associative recall/).count()).resolves.toBe(1);
    await page.context().close();
  });
});
