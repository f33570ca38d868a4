// The explanation layer (issue 23): open by default, reachable and foldable by keyboard, true to
// the chosen task, with the paper's link and the Reproduction's cell; the loss plot marks the
// curriculum's stages.
import { expect, it } from 'vitest';
import { encodeShareLink } from '../../src/train/shareLink';
import { newLabPage, useLab } from '../helpers/browser';
import { fixtureRun } from './fixtures';

const lab = useLab();

it('explains the page, open by default and reachable by keyboard', async () => {
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url);
  const details = page.locator('details.explain');
  expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
  const body = page.locator('.explain-body');
  await expect.poll(() => body.textContent()).toMatch(/in-context learning/);
  expect(await body.textContent()).toMatch(/squared error of that prediction divided by d = 20/);
  expect(await body.textContent()).toMatch(/curriculum starts with easy prompts \(5 active dimensions, 11 examples\)/);
  const link = page.getByRole('link', { name: /arXiv 2402\.04248/ });
  expect(await link.getAttribute('href')).toBe('https://arxiv.org/abs/2402.04248');

  // Tab reaches the summary; Enter folds and unfolds it
  let reached = false;
  let inChart = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.closest('details.explain > summary') != null);
    inChart ||= await page.evaluate(() => document.activeElement?.closest('svg, [role="img"]') != null);
  }
  expect(reached, 'Tab reaches the explanation').toBe(true);
  expect(inChart, 'the charts are no tab stops (each is one labelled image)').toBe(false);
  const images = await page.getByRole('img', { name: /^(Training loss|ICL curve)\. / }).count();
  expect(images).toBe(2);
  await page.keyboard.press('Enter');
  expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  await page.keyboard.press('Enter');
  expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);

  // another task: its own question, the paper's finding and the plot's reading
  await page.getByRole('combobox', { name: 'Task', exact: true }).selectOption('sparse_parity');
  const text = (await body.textContent()) ?? '';
  expect(text).toMatch(/This task: Sparse parity/);
  expect(text).toMatch(/Transformer ✗ \(fails\); Mamba ✓/);
  expect(text).toMatch(/chance \(50%\)/);
  expect(text).toMatch(/no curriculum/);
  expect(text).toMatch(/Best guess without the examples: .*59% at d 6/);

  // the lab's own runs of the task: the Reproduction's cell, one click away
  const own = page.getByRole('link', { name: 'Sparse parity with Transformer in the Reproduction' });
  expect(await own.getAttribute('href')).toBe('#grid=reproduction&cell=sparse_parity.transformer');
  await own.click();
  await page.getByRole('heading', { name: 'Sparse parity with Transformer' }).waitFor();
  expect(log.errors).toEqual([]);
  await page.context().close();
});

it('marks the curriculum stages on the loss plot', async () => {
  const { page } = await newLabPage(lab.browser);
  await page.goto(lab.server.url + encodeShareLink(fixtureRun())); // linear regression, 500 steps
  const loss = page.getByRole('region', { name: 'Training loss', exact: true });
  await loss.locator('.recharts-reference-line').first().waitFor({ state: 'attached' });
  // 15 dimension steps and 15 length steps, taken together at this pace: one mark per stage
  expect(await loss.locator('.recharts-reference-line').count()).toBeGreaterThan(5);
  expect(await loss.textContent()).toMatch(/curriculum stages? so far .*; full size from step \d+/);
  await page.context().close();
});
