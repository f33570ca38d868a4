// The presets on the page, without training: "Teaching" sets the task's reduced d and n and says
// what it reduces; each preset's note gives its duration at the speed measured in this browser
// (seeded in localStorage here, as a finished run would leave it) or says it is not measured
// yet; a CPU adapter is named as such; a task change under Teaching gives that task's teaching d.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { TEACHING } from '../../src/train/presets';
import { SPEEDS_KEY, recordSpeed, stringifySpeeds } from '../../src/ui/speeds';
import { RESULTS, newLabPage, useLab } from '../helpers/browser';

const lab = useLab();

it('applies the Teaching preset and states its duration at the measured speed', async () => {
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url);
  const teaching = page.getByRole('button', { name: 'Teaching', exact: true });
  const note = () => page.locator('#preset-note-teaching').textContent();
  const value = (name: string) => page.getByRole('spinbutton', { name, exact: true }).inputValue();
  expect(await teaching.getAttribute('aria-describedby')).toBe('preset-note-teaching');

  // The page names its adapter on load (the training worker starts then); nothing is measured yet in
  // this browser: no number for this adapter.
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/GPU: /);
  const adapter = /GPU: (.*)$/.exec((await page.getByRole('status').textContent()) ?? '')![1];
  await expect(note()).resolves.toMatch(
    /6,000 steps; not measured yet on this adapter for Transformer, tiny: its first run measures it/,
  );
  expect(await page.getByRole('button', { name: 'Tiny', exact: true }).getAttribute('aria-pressed')).toBe('true');

  // A speed measured earlier on a software adapter, as the speed log stores it.
  const speeds = recordSpeed([], adapter, 'transformer', 'tiny', {
    stepsPerSecond: 0.5,
    task: 'linear_regression',
    nPoints: TEACHING.linear_regression.fields.nPoints!,
    batch: 64,
  });
  await page.evaluate(([key, text]) => localStorage.setItem(key, text), [SPEEDS_KEY, stringifySpeeds(speeds)]);
  await page.reload();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/GPU: /);
  await page.getByRole('combobox', { name: 'Task', exact: true }).selectOption('linear_regression');
  await teaching.click();
  expect(await teaching.getAttribute('aria-pressed')).toBe('true');
  expect(await page.getByRole('button', { name: 'Tiny', exact: true }).getAttribute('aria-pressed')).toBe('false');
  await expect(value('Input dimension')).resolves.toBe(String(TEACHING.linear_regression.fields.nDims));
  await expect(value('Prompt length')).resolves.toBe(String(TEACHING.linear_regression.fields.nPoints));
  await expect(value('Steps')).resolves.toBe(String(TEACHING.linear_regression.fields.steps));
  const text = await note();
  expect(text).toContain(TEACHING.linear_regression.reduction);
  expect(text).toContain("The fast setting that shows the paper's contrast");
  expect(text).toContain("6,000 steps ≈ 3 h 20 min at this adapter's measured 0.5 steps/s (Transformer, tiny).");
  // the CPU adapter is announced once, by the notice (with what helps), not again under the presets
  await expect(page.getByRole('region', { name: 'WebGPU runs on the CPU here' }).count()).resolves.toBe(1);
  await expect(page.getByText(/runs on the CPU/).count()).resolves.toBe(1);
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, 'presets-teaching.png'), fullPage: true });

  // Another task while Teaching is active: that task's teaching config.
  await page.getByRole('combobox', { name: 'Task', exact: true }).selectOption('sparse_parity');
  await expect(value('Input dimension')).resolves.toBe(String(TEACHING.sparse_parity.fields.nDims));
  expect(await teaching.getAttribute('aria-pressed')).toBe('true');
  await expect(note()).resolves.toContain(TEACHING.sparse_parity.reduction);

  expect(log.cspViolations).toEqual([]);
  expect(log.errors).toEqual([]);
  await page.context().close();
});
