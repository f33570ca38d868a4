// Honest progress (issue 23) on SwiftShader: the CPU adapter is named on load with what to do;
// the status line passes through distinct states (compiling, training, evaluating k / n prompts,
// pausing…, paused) on one fixed line; Pause acts within one step; the time left counts the
// evaluations from the first one's prompts on.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newLabPage, statusStep, useLab } from '../helpers/browser';

const lab = useLab();

async function setNumber(page: Page, label: string, value: number): Promise<void> {
  await page.getByRole('spinbutton', { name: label, exact: true }).fill(String(value));
}

interface Seen {
  text: string;
  height: number;
  /** performance.now() in the page when the line took this text. */
  at: number;
}

/** Records every text and height the status line takes, from now on, in the page. */
async function recordStatus(page: Page): Promise<void> {
  await page.evaluate(() => {
    const el = document.querySelector('[role="status"]')!;
    const w = window as unknown as { seen: Seen[] };
    w.seen = [];
    const note = () =>
      w.seen.push({ text: el.textContent ?? '', height: el.getBoundingClientRect().height, at: performance.now() });
    new MutationObserver(note).observe(el, { subtree: true, childList: true, characterData: true });
    note();
  });
}

const seen = (page: Page) => page.evaluate(() => (window as unknown as { seen: Seen[] }).seen);

it('names the CPU adapter, shows each state on one line, and pauses within one step', async () => {
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url);
  // on load, before any Train: the adapter is named and flagged
  const notice = page.getByRole('region', { name: 'WebGPU runs on the CPU here' });
  await notice.waitFor({ timeout: 60_000 });
  expect(await notice.textContent()).toMatch(/SwiftShader .*Teaching preset/);
  expect(await page.getByRole('status').textContent()).toMatch(/GPU: .*SwiftShader/i);

  await page.getByRole('combobox', { name: 'Task', exact: true }).selectOption('linear_regression');
  await page.getByRole('combobox', { name: 'Model', exact: true }).selectOption('transformer');
  await page.getByRole('combobox', { name: 'Size', exact: true }).selectOption('tiny');
  await setNumber(page, 'Steps', 400);
  await setNumber(page, 'Batch', 8);
  await setNumber(page, 'Evaluation interval', 10);
  // more than one chunk of 64 prompts: the evaluation reports 0, 64, 128 and 130 prompts read
  await setNumber(page, 'Evaluation prompts', 130);
  await recordStatus(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();

  // an evaluation that counts its prompts, and already gives a time left with the evaluations to
  // come (measured by its own prompts: no "+ evaluations"), then training again
  const texts = async () => (await seen(page)).map((s) => s.text);
  await expect
    .poll(async () => (await texts()).some((t) => / · evaluating 64 \/ 130 prompts · .* left · GPU/.test(t)), {
      timeout: 300_000,
    })
    .toBe(true);
  await expect
    .poll(async () => (await page.getByRole('status').textContent()) ?? '', { timeout: 300_000, interval: 200 })
    .toMatch(/step (1[3-9]|[2-9]\d) \/ 400 · [\d.]+ steps\/s · training · .* left · GPU/);
  expect(await page.getByRole('status').textContent()).not.toMatch(/\+ evaluations/);

  // the rate shown is the training's own: the first step's wait for its pipelines to compile is
  // not in it (it made the rate, and so the time left, several times too slow on SwiftShader)
  const first = (await seen(page)).find((s) => s.text.startsWith('step 3 / 400'))!;
  const later = (await seen(page)).find((s) => s.text.startsWith('step 9 / 400'))!;
  const measured = 6 / ((later.at - first.at) / 1000);
  const shown = Number(/([\d.]+) steps\/s/.exec(later.text)![1]);
  console.log(`rate: shown ${shown} steps/s at step 9, measured ${measured.toFixed(2)} from step 3 to 9`);
  expect(shown / measured).toBeGreaterThan(0.6);
  expect(shown / measured).toBeLessThan(1.6);

  const rate = Number(/([\d.]+) steps\/s/.exec((await page.getByRole('status').textContent()) ?? '')![1]);
  const pauseAt = (await statusStep(page)).step;
  const clickedAt = Date.now();
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  expect(await page.getByRole('status').textContent()).toMatch(/pausing…/);
  await expect
    .poll(() => page.getByRole('status').textContent(), { timeout: 120_000, interval: 100 })
    .toMatch(/paused/);
  const pausedAfterMs = Date.now() - clickedAt;
  // Pause is disabled now; the keyboard focus went to Train, not to <body>
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Train');
  const stoppedAt = (await statusStep(page)).step;
  await page.waitForTimeout(2000);
  expect((await statusStep(page)).step, 'nothing trains after "paused"').toBe(stoppedAt);
  // the shown count may lag the worker by one progress report (200 ms); the loop stops after its step
  expect(stoppedAt - pauseAt, `paused ${pausedAfterMs} ms after the click`).toBeLessThanOrEqual(2);
  // in time too: the step in progress and the next one at most (plus the messages' way), not the
  // several steps a GPU queue can hold
  expect(pausedAfterMs, `at ${rate} steps/s`).toBeLessThan((2 / rate) * 1000 + 1500);
  console.log(`pause: step ${pauseAt} → ${stoppedAt}, ${pausedAfterMs} ms at ${rate} steps/s`);

  const all = await seen(page);
  const states = ['compiling', 'training', 'evaluating', 'pausing…', 'paused'];
  for (const s of states)
    expect(
      all.some((x) => x.text.includes(` · ${s}`)),
      s,
    ).toBe(true);
  const heights = new Set(all.map((x) => Math.round(x.height)));
  expect([...heights], 'the status line keeps one height').toHaveLength(1);
  expect(log.errors).toEqual([]);
  await page.context().close();
}, 600_000);
