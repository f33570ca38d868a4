// Settings in the URL (issue 23): changed settings appear in the address with readable keys,
// only those off their defaults, after the URL format's version, and survive a reload; a bad value
// is refused with a sentence; an address written before versions still opens.
import { expect, it } from 'vitest';
import { newLabPage, useLab } from '../helpers/browser';

const lab = useLab();

it('keeps the settings in the address across a reload', async () => {
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url);
  const task = page.getByRole('combobox', { name: 'Task', exact: true });
  const model = page.getByRole('combobox', { name: 'Model', exact: true });
  const steps = page.getByRole('spinbutton', { name: 'Steps', exact: true });
  await task.selectOption('sparse_parity');
  await model.selectOption('mamba');
  await steps.fill('500');
  await steps.blur();
  await expect.poll(() => page.evaluate(() => location.hash)).toBe('#v=2&task=sparse_parity&model=mamba&steps=500');

  await page.reload();
  expect(await task.inputValue()).toBe('sparse_parity');
  expect(await model.inputValue()).toBe('mamba');
  expect(await steps.inputValue()).toBe('500');
  expect(await page.getByRole('alert').count()).toBe(0);
  expect(log.errors).toEqual([]);

  await page.context().close();

  const bad = (await newLabPage(lab.browser)).page;
  await bad.goto(lab.server.url + '#task=cot_io&steps=-4');
  await expect.poll(() => bad.getByRole('alert').textContent()).toMatch(/settings in the address are not valid/);
  expect(await bad.getByRole('combobox', { name: 'Task', exact: true }).inputValue()).toBe('linear_regression');
  expect(await bad.evaluate(() => location.hash)).toBe('');
  await bad.context().close();

  // an address from before the format had a version: the same keys, read as today's
  const old = (await newLabPage(lab.browser)).page;
  await old.goto(lab.server.url + '#task=cot_io&model=mamba&steps=700');
  await expect.poll(() => old.getByRole('combobox', { name: 'Task', exact: true }).inputValue()).toBe('cot_io');
  expect(await old.getByRole('spinbutton', { name: 'Steps', exact: true }).inputValue()).toBe('700');
  expect(await old.getByRole('alert').count()).toBe(0);
  await old.context().close();
});
