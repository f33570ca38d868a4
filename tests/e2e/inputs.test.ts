// The page's number inputs, without training: a value outside the allowed range or form stays as
// typed, is marked invalid with a sentence saying what is allowed, and holds Train back (with its
// reason) while the stored setting keeps its last valid value; fixing the value commits it and
// re-enables Train. The paper grid's fields hold back only "Run the grid".
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { newLabPage, useLab } from '../helpers/browser';

const lab = useLab();

interface Case {
  field: string;
  bad: string;
  message: string;
  good: string;
}

// The four values the issue found silently replaced, and a prompt of one example.
const CASES: Case[] = [
  {
    field: 'Learning rate',
    bad: '-5',
    message: 'Learning rate must be a number above 0 and at most 1.',
    good: '0.002',
  },
  { field: 'Steps', bad: '0', message: 'Steps must be a whole number from 1 to 1,000,000.', good: '300' },
  { field: 'Batch', bad: '100000', message: 'Batch must be a whole number from 1 to 1,024.', good: '32' },
  { field: 'Seed', bad: '1.5', message: 'Seed must be a whole number from 0 to 2,147,483,647.', good: '5' },
  { field: 'Prompt length', bad: '1', message: 'Prompt length must be a whole number from 2 to 1,024.', good: '12' },
];

/** The text of the elements an element's aria-describedby names, joined. */
async function description(el: Locator): Promise<string> {
  return el.evaluate((node) =>
    (node.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? `<missing #${id}>`)
      .join(' '),
  );
}

/** Leaves the Lab and comes back: the fields remount and show what the store holds. */
async function remountLab(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Paper grid', exact: true }).click();
  await page.getByRole('button', { name: 'Lab', exact: true }).click();
}

describe('number inputs', () => {
  it('marks each invalid value, keeps it as typed, and holds Train until it is fixed', async () => {
    const { page, log } = await newLabPage(lab.browser);
    await page.goto(lab.server.url);
    const train = page.getByRole('button', { name: 'Train', exact: true });
    const step = page.getByRole('button', { name: 'Step', exact: true });
    await expect.poll(() => train.isEnabled(), { timeout: 30_000 }).toBe(true);

    for (const c of CASES) {
      const input = page.getByRole('spinbutton', { name: c.field, exact: true });
      const stored = await input.inputValue();
      expect(stored, c.field).not.toBe(c.bad);

      await input.fill(c.bad);
      await input.press('Tab');
      // Not replaced: the text stays as typed after the field loses focus.
      expect(await input.inputValue(), c.field).toBe(c.bad);
      expect(await input.getAttribute('aria-invalid'), c.field).toBe('true');
      expect(await description(input), c.field).toContain(c.message);
      await expect(page.getByText(c.message, { exact: true }).count()).resolves.toBe(1);
      await expect.poll(() => train.isDisabled(), { message: c.field }).toBe(true);
      await expect.poll(() => step.isDisabled(), { message: c.field }).toBe(true);
      expect(await description(train), c.field).toBe(`Fix ${c.field} to train.`);
      expect(await train.getAttribute('title'), c.field).toBe(`Fix ${c.field} to train.`);

      // The stored setting kept its valid value: a remounted field shows it, and Train is free.
      await remountLab(page);
      expect(await input.inputValue(), c.field).toBe(stored);
      expect(await input.getAttribute('aria-invalid'), c.field).toBe('false');
      await expect.poll(() => train.isEnabled(), { message: c.field }).toBe(true);

      // Invalid again, then fixed: the mark and the message go, Train comes back, the value commits.
      await input.fill(c.bad);
      await expect.poll(() => train.isDisabled(), { message: c.field }).toBe(true);
      await input.fill(c.good);
      expect(await input.getAttribute('aria-invalid'), c.field).toBe('false');
      await expect(page.getByText(c.message, { exact: true }).count()).resolves.toBe(0);
      await expect.poll(() => train.isEnabled(), { message: c.field }).toBe(true);
      expect(await train.getAttribute('aria-describedby'), c.field).toBeNull();
      await remountLab(page);
      expect(await input.inputValue(), c.field).toBe(c.good);
    }

    // Two invalid fields: both named; Train waits for the last one to be fixed.
    const lr = page.getByRole('spinbutton', { name: 'Learning rate', exact: true });
    const batch = page.getByRole('spinbutton', { name: 'Batch', exact: true });
    await lr.fill('0');
    await batch.fill('');
    await expect.poll(() => description(train)).toBe('Fix Learning rate and Batch to train.');
    expect(await page.getByRole('button', { name: 'Add to queue', exact: true }).isDisabled()).toBe(true);
    await lr.fill('0.001');
    await expect.poll(() => description(train)).toBe('Fix Batch to train.');
    await expect.poll(() => train.isDisabled()).toBe(true);
    await batch.fill('16');
    await expect.poll(() => train.isEnabled()).toBe(true);

    expect(log.cspViolations).toEqual([]);
    expect(log.errors).toEqual([]);
    await page.context().close();
  });

  it("holds back only the grid's start button for an invalid grid field", async () => {
    const { page, log } = await newLabPage(lab.browser);
    await page.goto(lab.server.url);
    await page.getByRole('button', { name: 'Paper grid', exact: true }).click();
    const steps = page.getByRole('spinbutton', { name: 'Training steps per run', exact: true });
    const run = page.getByRole('button', { name: /^Run the grid/ });
    await expect.poll(() => run.isEnabled()).toBe(true);
    await steps.fill('0');
    await steps.press('Tab');
    expect(await steps.inputValue()).toBe('0');
    expect(await steps.getAttribute('aria-invalid')).toBe('true');
    expect(await description(steps)).toContain('Training steps per run must be a whole number from 1 to 1,000,000.');
    await expect.poll(() => run.isDisabled()).toBe(true);
    expect(await run.getAttribute('title')).toBe('Fix Training steps per run to run the grid.');
    await steps.fill('50');
    await expect.poll(() => run.isEnabled()).toBe(true);
    expect(log.errors).toEqual([]);
    await page.context().close();
  });
});
