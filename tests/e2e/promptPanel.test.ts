// "Inside a prompt" (issue 23, item 2) in Chromium on SwiftShader: before any training the panel
// says when it will draw; a tiny run read from the URL draws one evaluation prompt (the model's
// guess and least squares' for each y) at its first evaluation and redraws it at the next;
// "Next prompt" shows another prompt of the set.
import { expect, it } from 'vitest';
import { newLabPage, useLab } from '../helpers/browser';

const lab = useLab();

/** Tiny and fast: an evaluation every 10 steps over 16 prompts, 30 steps in all. */
const RUN = '#task=linear_regression&model=transformer&size=tiny&seed=3&steps=30&batch=8&eval_every=10&eval_prompts=16';

it('draws one evaluation prompt and redraws it at the next evaluation', async () => {
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url + RUN);
  const panel = page.getByRole('figure', { name: 'Inside a prompt' });
  await panel.waitFor({ timeout: 60_000 });
  expect(await panel.locator('figcaption').textContent()).toMatch(/appears at the next evaluation/);
  expect(await panel.getByRole('button', { name: /next prompt/i }).isDisabled()).toBe(true);

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // the picture is one labelled image (role img) for assistive technology
  const picture = panel.locator('.prompt-picture[role="img"]');
  const label = async () => (await picture.count()) && ((await picture.getAttribute('aria-label')) ?? '');
  await expect.poll(label, { timeout: 300_000, interval: 250 }).toMatch(/step \d+\./);
  const first = String(await label());
  const firstStep = Number(/evaluation at step (\d+)/.exec(first)![1]);
  expect(first).toMatch(
    /^Inside a prompt\. Prompt 1 of 16, predictions from the evaluation at step \d+\. \d+ examples/,
  );
  expect(first).toMatch(/For example \d+: true y -?[\d.]+, model -?[\d.e-]+, least squares -?[\d.e-]+\./);
  // the model's line and least squares' line are drawn
  expect(await picture.locator('path.recharts-curve').count()).toBeGreaterThanOrEqual(2);
  const drawn = async () =>
    (await picture.locator('path.recharts-curve').evaluateAll((ps) => ps.map((p) => p.getAttribute('d')))).join(' ');
  const firstPath = await drawn();

  // the next evaluation redraws the same prompt with the newer model's guesses
  await expect
    .poll(async () => Number(/evaluation at step (\d+)/.exec(String(await label()))?.[1] ?? 0), {
      timeout: 300_000,
      interval: 250,
    })
    .toBeGreaterThan(firstStep);
  expect(await label()).toMatch(/Prompt 1 of 16/);
  expect(await drawn()).not.toBe(firstPath);

  await panel.getByRole('button', { name: /next prompt/i }).click();
  await expect.poll(label, { timeout: 30_000 }).toMatch(/Prompt 2 of 16/);
  expect(log.errors).toEqual([]);
});
