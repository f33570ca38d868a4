// The paper grid view (issue 23): SPEC's verdict rule stated, what the paper reports beside the
// lab's verdict in each cell, and runs already made in the Lab view counted in the table.
import { expect, it } from 'vitest';
import { summarize } from '../../src/spec/verdict';
import type { RunFile } from '../../src/train/protocol';
import { newLabPage, useLab } from '../helpers/browser';
import { fixtureRun } from './fixtures';

const lab = useLab();

/** The fixture run settled at the best baseline over three evaluations of 256 prompts: a ✓. */
function settledRun(): RunFile {
  const run = fixtureRun();
  run.config = { ...run.config, evalPrompts: 256 };
  const n = run.icl!.positions.length;
  const mean = Array.from({ length: n }, () => 0.02);
  const icl = { ...run.icl!, curves: { ...run.icl!.curves, model: { mean, lo: mean, hi: mean } } };
  return { ...run, icl, evaluations: [300, 400, 500].map((step) => ({ step, ...summarize(run.config.task, icl) })) };
}

it('states the rule, shows the paper beside the lab, and counts the Lab view’s runs', async () => {
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url);
  const files = [
    { name: 'settled.json', run: settledRun() },
    { name: 'short.json', run: { ...fixtureRun(), config: { ...fixtureRun().config, model: 'mamba' as const } } },
  ];
  for (const [i, f] of files.entries()) {
    await page.getByLabel('Import run file').setInputFiles({
      name: f.name,
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(f.run)),
    });
    await page.getByRole('button', { name: `Open run ${i + 1}` }).waitFor();
  }
  await page.getByRole('button', { name: 'Paper grid', exact: true }).click();

  const rule = (await page.locator('.verdict-rule').textContent()) ?? '';
  expect(rule).toMatch(/– inconclusive: fewer than 256 evaluation prompts or 3 evaluations/);
  expect(rule).toMatch(/✓ matches the best baseline: gap ≤ 0\.1, or accuracy ≥ 95%/);
  expect(await page.locator('.lab-runs-count').textContent()).toMatch(/^2 runs made in the Lab view; 2 fill a cell/);

  const row = page.getByRole('row', { name: /^Linear regression/ });
  const cells = row.getByRole('cell');
  // Transformer: the settled run, ✓, and the paper's ✓
  const transformer = cells.nth(0);
  await expect.poll(() => transformer.textContent()).toMatch(/✓.*lab run.*paper ✓/);
  expect(await transformer.getByRole('button').getAttribute('title')).toMatch(/matches the best baseline/);
  // Mamba: the short run is inconclusive (no evaluations kept), not a failure
  const mamba = cells.nth(1);
  expect(await mamba.textContent()).toMatch(/–.*lab run.*paper ✓/);
  expect(await mamba.getByRole('button').getAttribute('title')).toMatch(/only 1 evaluation/);
  // a cell without a run still shows the paper: sparse parity, Transformer ✗
  const parity = page
    .getByRole('row', { name: /^Sparse parity/ })
    .getByRole('cell')
    .nth(0);
  expect(await parity.textContent()).toMatch(/^—paper ✗/);
  expect(log.errors).toEqual([]);
  await page.context().close();
});
