// Accessibility (issue 23, "Must show"): axe-core finds no serious or critical violation on the
// Lab view, the Paper grid view, the Lab with the Teaching preset chosen, and a teaching link
// with a run's plots drawn.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { encodeShareLink } from '../../src/train/shareLink';
import { newLabPage, useLab } from '../helpers/browser';
import { fixtureRun } from './fixtures';

const lab = useLab();

/** Serious and critical violations, one readable line each (rule, impact, what, where). */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The page once the worker has named its adapter (the software-adapter notice is then shown too). */
async function openLab(url: string): Promise<{ page: Page; errors: string[] }> {
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(url);
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/GPU: /);
  return { page, errors: log.errors };
}

it('the Lab view has no serious or critical violations', async () => {
  const { page, errors } = await openLab(lab.server.url);
  expect(await seriousViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
  // the check can fail: a button without a name is a critical violation
  await page.evaluate(() => document.querySelector('main')!.append(document.createElement('button')));
  expect(await seriousViolations(page)).toEqual([expect.stringMatching(/^button-name \(critical\)/)]);
  await page.context().close();
});

it('the Paper grid view has no serious or critical violations', async () => {
  const { page, errors } = await openLab(lab.server.url);
  await page.getByRole('button', { name: 'Paper grid', exact: true }).click();
  await page.locator('.verdict-rule').waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
  await page.context().close();
});

it('the Lab with the Teaching preset chosen has no serious or critical violations', async () => {
  const { page, errors } = await openLab(lab.server.url);
  const teaching = page.getByRole('button', { name: 'Teaching', exact: true });
  await teaching.click();
  await expect.poll(() => teaching.getAttribute('aria-pressed')).toBe('true');
  expect(await seriousViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
  await page.context().close();
});

it('a teaching link with its plots drawn has no serious or critical violations', async () => {
  const { page, errors } = await openLab(lab.server.url + encodeShareLink(fixtureRun(), { teaching: true }));
  await page.getByRole('img', { name: /^ICL curve\. / }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
  await page.context().close();
});
