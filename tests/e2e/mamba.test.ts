// Mamba in the browser: the selective-scan kernels fit the browser's storage-buffer limit
// (SwiftShader offers 10), so one training step of a tiny Mamba runs in the worker and the
// status counts it, with no alert.
import { expect, it } from 'vitest';
import { newLabPage, statusStep, useLab } from '../helpers/browser';

const lab = useLab();

it('takes a training step of a tiny Mamba', async () => {
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url);
  await page.getByRole('combobox', { name: 'Task', exact: true }).selectOption('linear_regression');
  await page.getByRole('combobox', { name: 'Model', exact: true }).selectOption('mamba');
  await page.getByRole('combobox', { name: 'Size', exact: true }).selectOption('tiny');
  await page.getByRole('spinbutton', { name: 'Batch', exact: true }).fill('4');
  await page.getByRole('spinbutton', { name: 'Evaluation prompts', exact: true }).fill('4');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(async () => (await statusStep(page)).step, { timeout: 300_000, interval: 500 }).toBe(1);
  expect(await page.getByRole('alert').count(), 'no alert').toBe(0);
  expect(log.cspViolations).toEqual([]);
  await page.context().close();
});
