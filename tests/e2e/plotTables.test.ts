// Charts for assistive technology (issue 23): each chart is one labelled image that says what it
// shows, with a "Data table" under it whose rows are the plotted points: as many as the chart
// draws, with the values drawn. Checked on a shared linear-regression run (ICL curve and loss)
// and a vector MQAR run (recall per evaluation, drawn as dots), with axe over the open tables.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { defaultConfig } from '../../src/spec/config';
import { encodeShareLink } from '../../src/train/shareLink';
import type { RunFile } from '../../src/train/protocol';
import { newLabPage, useLab } from '../helpers/browser';
import { fixtureRun } from './fixtures';

const lab = useLab();

/** Vector MQAR (64 pairs), its recall at four evaluations. */
function mqarRun(): RunFile {
  const config = { ...defaultConfig('vector_mqar', 'transformer', 'tiny'), steps: 400, evalPrompts: 256 };
  const one = (x: number) => ({ mean: [x], lo: [x], hi: [x] });
  return {
    version: 1,
    config,
    history: [100, 200, 300, 400].map((step) => ({ step, loss: 1 })),
    icl: { positions: [1], curves: { model: one(0.3), zero: one(1) }, accuracy: { model: [0.8], zero: [1 / 64] } },
    metrics: { recall: 0.8 },
    stepsPerSecond: 3,
    adapter: 'fixture',
    evalStep: 400,
    evaluations: [0.1, 0.5, 0.75, 0.8].map((model, i) => ({ step: 100 * (i + 1), model })),
  };
}

/** Opens a plot's "Data table" and reads it: header cells and each body row's cells. */
async function readTable(region: Locator): Promise<{ head: string[]; rows: string[][] }> {
  await region.locator('details.data-table > summary').click();
  const table = region.getByRole('table');
  await table.waitFor();
  const head = await table.locator('thead th').allTextContents();
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
  return { head, rows };
}

/** Points in the plot's longest line (its path's M and L commands) — one per drawn x. */
async function linePoints(region: Locator): Promise<number> {
  const counts = await region
    .locator('path.recharts-line-curve')
    .evaluateAll((ps) => ps.map((p) => (p.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0));
  return Math.max(0, ...counts);
}

async function open(page: Page, run: RunFile): Promise<void> {
  await page.goto(lab.server.url + encodeShareLink(run));
  await page.getByRole('img', { name: /^ICL curve\. / }).waitFor();
}

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
}

it('the ICL and loss charts are labelled images with a data table of their plotted points', async () => {
  const { page, log } = await newLabPage(lab.browser);
  const run = fixtureRun();
  await open(page, run);
  const n = run.config.nPoints;

  const icl = page.getByRole('region', { name: 'ICL curve', exact: true });
  const iclImage = icl.getByRole('img', { name: /^ICL curve\. / });
  expect(await iclImage.getAttribute('aria-label')).toMatch(/against examples in the prompt: 3 lines\. Evaluated/);
  const iclData = await readTable(icl);
  expect(await linePoints(icl)).toBe(n);
  expect(iclData.rows).toHaveLength(n);
  expect(iclData.head[0]).toBe('examples in the prompt');
  const modelColumn = iclData.head.findIndex((h) => /\(model\)$|model$/i.test(h));
  expect(modelColumn, iclData.head.join(' | ')).toBeGreaterThan(0);
  expect(iclData.head).toContain(`${iclData.head[modelColumn]}, 90% band`);
  expect(iclData.rows.map((r) => Number(r[0]))).toEqual(run.icl!.positions);
  // the model's plotted values (the link carries them to 4 digits; the table shows 3)
  const model = run.icl!.curves.model.mean;
  iclData.rows.forEach((r, i) => expect(Number(r[modelColumn])).toBeCloseTo(model[i], 2));

  const loss = page.getByRole('region', { name: 'Training loss', exact: true });
  expect(await loss.locator('div[role="img"]').getAttribute('aria-label')).toMatch(
    /^Training loss\. Loss \(log scale\)/,
  );
  const lossData = await readTable(loss);
  expect(await linePoints(loss)).toBe(run.history.length);
  expect(lossData.rows).toHaveLength(run.history.length);
  expect(lossData.rows.map((r) => Number(r[0]))).toEqual(run.history.map((h) => h.step));

  // each chart is one image: nothing inside it is exposed on its own, and the open tables pass axe
  expect(await page.locator('[role="img"] [role], [role="img"] [tabindex="0"]').count()).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);
  expect(log.errors).toEqual([]);
  await page.context().close();
});

it('the MQAR recall chart’s table lists each evaluation it draws as a dot', async () => {
  const { page, log } = await newLabPage(lab.browser);
  const run = mqarRun();
  await open(page, run);
  const icl = page.getByRole('region', { name: 'ICL curve', exact: true });
  expect(await icl.locator('div[role="img"]').getAttribute('aria-label')).toMatch(
    /^ICL curve\. Recall against training step/,
  );
  const data = await readTable(icl);
  const dots = await icl.locator('.recharts-line-dots').first().locator('circle').count();
  expect(dots).toBe(run.evaluations!.length);
  expect(data.rows).toHaveLength(dots);
  expect(data.head[0]).toBe('training step');
  expect(data.rows.map((r) => Number(r[0]))).toEqual([100, 200, 300, 400]);
  expect(data.rows.map((r) => Number(r[1]))).toEqual([0.1, 0.5, 0.75, 0.8]);
  expect(data.rows.map((r) => r[2])).toEqual(Array(4).fill('0.0156')); // chance, 1 in 64
  expect(log.errors).toEqual([]);
  await page.context().close();
});
