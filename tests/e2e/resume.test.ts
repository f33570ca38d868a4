// Keep and resume (issue 23): a reload mid-training keeps the settings (they live in the URL)
// and offers the unfinished run for Resume from its own checkpoint; the resumed run ends with
// the same weights, byte for byte, as the same run trained without interruption.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newLabPage, useLab } from '../helpers/browser';

const lab = useLab();

/** A run small enough for SwiftShader, with checkpoints kept at steps 4 and 8. */
const SETTINGS = '#seed=5&steps=12&batch=4&eval_every=4&eval_prompts=4';
const UNFINISHED = 'icl-lab:unfinished-run';

const status = (page: Page) => page.getByRole('status').textContent();

async function finishedWeights(page: Page): Promise<Buffer> {
  await expect.poll(() => status(page), { timeout: 300_000, interval: 500 }).toMatch(/^step 12 \/ 12 .*finished/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download weights (.safetensors)' }).click(),
  ]);
  return readFileSync(await download.path());
}

it('resumes an interrupted run after a reload, ending where an uninterrupted run ends', async () => {
  const whole = await newLabPage(lab.browser);
  await whole.page.goto(lab.server.url + SETTINGS);
  await whole.page.getByRole('button', { name: 'Train', exact: true }).click();
  const expected = await finishedWeights(whole.page);
  await whole.page.context().close();

  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url + SETTINGS);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // the checkpoint at step 4 is kept; reload before the run ends
  await expect
    .poll(() => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? 'null')?.step ?? 0, UNFINISHED), {
      timeout: 300_000,
      interval: 200,
    })
    .toBe(4);
  await page.reload();
  expect(await page.getByRole('spinbutton', { name: 'Steps', exact: true }).inputValue()).toBe('12');
  expect(await page.getByRole('spinbutton', { name: 'Seed', exact: true }).inputValue()).toBe('5');
  const offer = page.locator('.resume-offer');
  expect(await offer.textContent()).toMatch(/at step 4 of 12/);
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect
    .poll(() => page.locator('.notice').textContent(), { timeout: 120_000 })
    .toMatch(/Resumed from the checkpoint at step 4: .*exactly/);
  const resumed = await finishedWeights(page);
  expect(resumed.length).toBeGreaterThan(1000);
  expect(Buffer.compare(resumed, expected), 'the resumed weights equal the uninterrupted run’s').toBe(0);
  expect(await page.getByRole('alert').count()).toBe(0);
  // a finished run is remembered as ended, and no longer offered after a reload
  const stored = await page.evaluate((k) => localStorage.getItem(k), UNFINISHED);
  expect(stored === null || JSON.parse(stored).ended === 'finished', String(stored)).toBe(true);
  await page.reload();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/GPU: /);
  expect(await page.locator('.resume-offer').count()).toBe(0);
  expect(log.errors).toEqual([]);
  await page.context().close();
}, 900_000);
