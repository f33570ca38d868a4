// Training in the browser, end to end: choose linear regression / Transformer / tiny, Train,
// watch the status pass step 30 and both plots draw; Pause holds the count, Step adds one;
// Share opens in a fresh page without training; Export writes a run file that parses and
// re-imports. Needs the training worker and a WebGPU adapter (SwiftShader on CPU machines).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parseRunFile } from '../../src/train/schema';
import {
  RESULTS,
  drawnPaths,
  launchChromium,
  newLabPage,
  serveDist,
  statusStep,
  webgpuAdapters,
  type PageLog,
  type StaticServer,
} from '../helpers/browser';

let server: StaticServer;
let browser: Browser;
let gpu: { page: string | null; worker: string | null };

beforeAll(async () => {
  server = await serveDist();
  browser = await launchChromium();
  const { page } = await newLabPage(browser);
  gpu = await webgpuAdapters(page, server.url);
  await page.context().close();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const step = async (page: Page) => (await statusStep(page)).step;

async function setNumber(page: Page, label: string, value: number): Promise<void> {
  await page.getByRole('spinbutton', { name: label, exact: true }).fill(String(value));
}

/**
 * The run the tests train: the brief's choice, shrunk (batch, evaluation) so SwiftShader keeps
 * up. On a 2-core CI machine SwiftShader takes seconds per step and the worker reports progress
 * every 10-step slice, so the waits below are long on purpose.
 */
async function chooseSmallRun(page: Page): Promise<void> {
  await page.getByRole('combobox', { name: 'Task', exact: true }).selectOption('linear_regression');
  await page.getByRole('combobox', { name: 'Model', exact: true }).selectOption('transformer');
  await page.getByRole('combobox', { name: 'Size', exact: true }).selectOption('tiny');
  await setNumber(page, 'Seed', 3);
  await setNumber(page, 'Steps', 400);
  await setNumber(page, 'Batch', 8);
  await setNumber(page, 'Evaluation interval', 20);
  await setNumber(page, 'Evaluation prompts', 8);
}

function noProblems(page: Page, log: PageLog) {
  return Promise.all([page.getByRole('alert').count()]).then(([alerts]) => {
    expect(log.cspViolations).toEqual([]);
    expect(alerts, 'no alert while training').toBe(0);
  });
}

describe('training in the browser', () => {
  it('trains, plots, pauses, steps, shares and exports', async () => {
    // never skipped: without WebGPU in Chromium this fails and says why
    if (!gpu.page || !gpu.worker)
      throw new Error(`WebGPU is required (page adapter: ${gpu.page}, worker adapter: ${gpu.worker}).`);
    const { page, log } = await newLabPage(browser);
    await page.goto(server.url);
    await chooseSmallRun(page);
    await page.getByRole('button', { name: 'Train', exact: true }).click();

    // Before the first step the worker compiles the step's GPU kernels (seconds on
    // SwiftShader), and the status line says so.
    const status = async () => (await page.getByRole('status').textContent()) ?? '';
    await expect
      .poll(status, { timeout: 120_000, interval: 100 })
      .toMatch(/^step 0 \/ \d+ · compiling \d+ GPU kernels/);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'lab-compiling.png') });

    // The status passes step 30 and both plots hold drawn curves.
    await expect.poll(() => step(page), { timeout: 600_000, interval: 500 }).toBeGreaterThan(30);
    await expect
      .poll(() => drawnPaths(page, 'ICL curve'), { timeout: 120_000, interval: 500 })
      .toBeGreaterThanOrEqual(2);
    expect(await drawnPaths(page, 'Training loss')).toBeGreaterThan(0);
    expect(await status()).toMatch(/steps\/s/);
    await page.screenshot({ path: join(RESULTS, 'lab-training.png'), fullPage: true });
    await noProblems(page, log);

    // Pause stops the count.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Step', exact: true }).isEnabled(), { timeout: 300_000 })
      .toBe(true);
    await page.waitForTimeout(1000); // events already on their way may still land
    const paused = await step(page);
    await page.waitForTimeout(2500);
    expect(await step(page)).toBe(paused);

    // Step advances it by exactly one.
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await expect.poll(() => step(page), { timeout: 180_000 }).toBe(paused + 1);
    await page.waitForTimeout(1500);
    expect(await step(page)).toBe(paused + 1);

    // Share: the link opens in a fresh page with the curves, without training.
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    const link = await page.getByRole('textbox', { name: 'Share link', exact: true }).inputValue();
    expect(link).toMatch(/#v=2&task=[a-z0-9_]+&.*&results=[A-Za-z0-9_-]+$/); // the URL format (urlFormat.ts)
    const fresh = await newLabPage(browser);
    await fresh.page.goto(link);
    await fresh.page.getByRole('button', { name: 'Train again', exact: true }).waitFor();
    expect(await drawnPaths(fresh.page, 'ICL curve')).toBeGreaterThanOrEqual(2);
    expect(await drawnPaths(fresh.page, 'Training loss')).toBeGreaterThan(0);
    expect((await statusStep(fresh.page)).step).toBe(paused + 1);
    await fresh.page.context().close();

    // Export: the run file parses with parseRunFile and imports again.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    const path = await download.path();
    const parsed = parseRunFile(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.config).toMatchObject({
      task: 'linear_regression',
      model: 'transformer',
      size: 'tiny',
      seed: 3,
      batch: 8,
    });
    expect(parsed.value.history.length).toBeGreaterThan(30);
    expect(parsed.value.icl).not.toBeNull();
    const other = await newLabPage(browser);
    await other.page.goto(server.url);
    await other.page.getByLabel('Import run file').setInputFiles(path);
    await other.page.getByRole('button', { name: 'Open run 1' }).waitFor();
    expect(await drawnPaths(other.page, 'ICL curve')).toBeGreaterThanOrEqual(2);
    await other.page.context().close();

    expect(log.errors).toEqual([]);
    await page.context().close();
  }, 1_500_000);
});
