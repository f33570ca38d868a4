// "Train all families" in Chromium on SwiftShader: a tiny linear-regression run read from the URL
// is trained for all four families at once in the page's worker (interleaved, one step each in
// turn); one plot draws four ICL curves, one per family, and redraws them at the next evaluation;
// when the set finishes, the four runs are in the runs list. Then "Seeds: 2" on the same device:
// Pause and "Continue all" act on both runs, and the ICL plot is their mean with a min–max band.
// Screenshot of the race at its first evaluation, training on: /tmp/race.png (1280x800).
import AxeBuilder from '@axe-core/playwright';
import { expect, it } from 'vitest';
import { newLabPage, useLab } from '../helpers/browser';

const lab = useLab();

/** Tiny and fast: d 2, 5 examples, batch 4, an evaluation every 2 steps over 8 prompts, 4 steps. On
 *  SwiftShader here most of the time (~80 of ~120 s) goes to compiling the four families' pipelines. */
const RUN =
  '#task=linear_regression&model=transformer&size=tiny&seed=3&steps=4&batch=4&eval_every=2&eval_prompts=8' +
  '&curriculum=0&d=2&n=5';

const FAMILIES = ['Transformer', 'Mamba', 'MambaFormer', 'Standard hybrid'];

it('trains the four families at once, their curves live in one plot, then lists four runs', async () => {
  const { page, log } = await newLabPage(lab.browser);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(lab.server.url + RUN);
  await page.getByRole('button', { name: 'Train all families', exact: true }).click();

  const race = page.getByRole('region', { name: 'All families', exact: true });
  await race.waitFor({ timeout: 30_000 });
  const legend = await race.getByRole('list', { name: 'Lines in the plot' }).getByRole('listitem').allTextContents();
  expect(legend).toEqual(FAMILIES);
  // the runs evaluate every 2 steps; the region says which step each run's curve is from. One read of
  // the page gives the steps, the curves and the caption together (they change at each evaluation)
  const read = () =>
    race.evaluate((el) => ({
      steps: (el.getAttribute('data-eval-steps') ?? '').split(',').map(Number),
      curves: [...el.querySelectorAll('.run-set-icl path.recharts-line-curve')].map((p) => p.getAttribute('d') ?? ''),
      caption: el.querySelector('.run-set-icl [role="img"]')?.getAttribute('aria-label') ?? '',
    }));
  /** The page once all four curves are from one evaluation after step `after`. */
  const evaluatedAfter = async (after: number) => {
    let seen = await read();
    await expect
      .poll(
        async () => {
          seen = await read();
          return seen.steps.length === 4 && seen.steps.every((s) => s === seen.steps[0] && s > after);
        },
        { timeout: 300_000, interval: 50 },
      )
      .toBe(true);
    return { ...seen, step: seen.steps[0] };
  };
  const first = await evaluatedAfter(0);
  await race.scrollIntoViewIfNeeded();
  await page.screenshot({ path: '/tmp/race.png' });
  expect(first.curves.filter((d) => d.length > 0)).toHaveLength(4);
  expect(new Set(first.curves).size, 'four different curves').toBe(4);
  expect(first.caption).toMatch(new RegExp(`^ICL curve of each family\\. .* at step ${first.step}\\.$`));
  // the page's status line follows the set, not the single run that is not training
  expect(await page.getByRole('status').textContent()).toMatch(/^step [1-9]\d* \/ \d+ · .* each · four families: /);
  const icl = race.locator('.run-set-icl');
  const colours = await icl
    .locator('path.recharts-line-curve')
    .evaluateAll((ps) => ps.map((p) => p.getAttribute('stroke')));
  expect(new Set(colours).size, 'one colour per family').toBe(4);
  expect(await race.locator('.run-set-loss path.recharts-line-curve').count()).toBe(4);

  // the next evaluation redraws all four
  const second = await evaluatedAfter(first.step);
  expect(second.curves.filter((d) => d.length > 0)).toHaveLength(4);
  second.curves.forEach((d, i) => expect(d, `${FAMILIES[i]} redrawn`).not.toBe(first.curves[i]));

  // finished: each run is a normal run in the runs list
  await expect.poll(() => race.textContent(), { timeout: 60_000 }).toMatch(/finished/);
  const { violations } = await new AxeBuilder({ page }).include('.run-set').analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  const runs = page.getByRole('region', { name: 'Runs' }).getByRole('listitem');
  await expect.poll(() => runs.count(), { timeout: 30_000 }).toBe(4);
  const titles = await runs.locator('.run-title').allTextContents();
  FAMILIES.forEach((f, i) => expect(titles[i]).toContain(`Linear regression · ${f} · tiny · seed 3`));

  // "Seeds: 2" on the same device (its pipelines are compiled): the lab's Pause stops both runs, "Continue
  // all" goes on, and the ICL plot is the seeds' mean with a min–max band
  await page.getByRole('spinbutton', { name: 'Seeds', exact: true }).fill('2');
  await page.getByRole('button', { name: 'Run 2 seeds', exact: true }).click();
  const seeds = page.getByRole('region', { name: '2 seeds', exact: true });
  await expect.poll(() => seeds.locator('.run-set-status').textContent(), { timeout: 60_000 }).toMatch(/training/);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect.poll(() => seeds.locator('.run-set-status').textContent(), { timeout: 60_000 }).toMatch(/paused/);
  const pausedAt = await seeds.getAttribute('data-eval-steps');
  const statusAt = await seeds.locator('.run-set-status').textContent();
  await page.waitForTimeout(1500);
  expect(await seeds.locator('.run-set-status').textContent(), 'no step while paused').toBe(statusAt);
  expect(await seeds.getAttribute('data-eval-steps')).toBe(pausedAt);
  await seeds.getByRole('button', { name: 'Continue all', exact: true }).click();
  await expect.poll(() => seeds.locator('.run-set-status').textContent(), { timeout: 300_000 }).toMatch(/finished/);
  const band = seeds.locator('.run-set-icl');
  expect(await band.locator('div[role="img"]').getAttribute('aria-label')).toMatch(
    /^ICL curve of the seeds\. Mean squared error \/ d against examples in the prompt of 2 seeds, at step 4; the band/,
  );
  expect(await band.locator('path.recharts-area-area').count(), 'the band').toBe(1);
  expect(await band.locator('path.recharts-line-curve').count(), 'the mean').toBe(1);
  await expect.poll(() => runs.count(), { timeout: 30_000 }).toBe(6);
  expect(await page.getByRole('alert').count(), 'no alert').toBe(0);
  expect(log.errors).toEqual([]);
  await page.context().close();
});
