// Plots that fit their task (issue 23): sparse parity reads accuracy beside a "Chance 50%" line,
// with a caption true to what is drawn (no band) and a verdict that agrees with its numbers;
// vector MQAR draws recall at each evaluation against the training step, beside chance 1/m.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { defaultConfig } from '../../src/spec/config';
import { summarize } from '../../src/spec/verdict';
import type { RunFile } from '../../src/train/protocol';
import { newLabPage, useLab } from '../helpers/browser';

const lab = useLab();

const flat = (n: number, x: number) => Array.from({ length: n }, () => x);

/** Sparse parity, evaluated three times at the same accuracy (0.5 at first, 0.7 from the middle). */
function parityRun(): RunFile {
  const config = { ...defaultConfig('sparse_parity', 'mamba', 'tiny'), steps: 300, evalPrompts: 256, nPoints: 40 };
  const n = config.nPoints;
  const acc = Array.from({ length: n }, (_, i) => (i < n / 2 ? 0.5 : 0.7));
  const err = acc.map((a) => 1 - a);
  const icl = {
    positions: Array.from({ length: n }, (_, i) => i + 1),
    curves: {
      model: { mean: err, lo: flat(n, 0), hi: flat(n, 1) },
      zero: { mean: flat(n, 0.5), lo: flat(n, 0.5), hi: flat(n, 0.5) },
    },
    accuracy: { model: acc, zero: flat(n, 0.5) },
  };
  return {
    version: 1,
    config,
    history: [100, 200, 300].map((step) => ({ step, loss: 0.6 })),
    icl,
    metrics: { final_accuracy: acc[n - 1] },
    stepsPerSecond: 3,
    adapter: 'fixture',
    evalStep: 300,
    evaluations: [100, 200, 300].map((step) => ({ step, ...summarize('sparse_parity', icl) })),
  };
}

/** Vector MQAR (64 pairs), its recall rising over three evaluations. */
function mqarRun(): RunFile {
  const config = { ...defaultConfig('vector_mqar', 'transformer', 'tiny'), steps: 300, evalPrompts: 256 };
  const recalls = [0.1, 0.78, 0.8]; // settled: the last two differ by less than a tenth of the span
  const one = (x: number) => ({ mean: [x], lo: [x], hi: [x] });
  return {
    version: 1,
    config,
    history: [100, 200, 300].map((step) => ({ step, loss: 1 })),
    icl: { positions: [1], curves: { model: one(0.3), zero: one(1) }, accuracy: { model: [0.8], zero: [1 / 64] } },
    metrics: { recall: 0.8 },
    stepsPerSecond: 3,
    adapter: 'fixture',
    evalStep: 300,
    evaluations: recalls.map((model, i) => ({ step: 100 * (i + 1), model })),
  };
}

async function importRun(page: Page, run: RunFile, n: number): Promise<void> {
  await page.getByLabel('Import run file').setInputFiles({
    name: `run${n}.json`,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(run)),
  });
  await page.getByRole('button', { name: `Open run ${n}` }).click();
}

it('draws parity against chance and MQAR recall per evaluation, with true captions', async () => {
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url);
  const icl = page.getByRole('region', { name: 'ICL curve', exact: true });

  await importRun(page, parityRun(), 1);
  const legend = () => icl.getByRole('list', { name: 'Lines in the plot' }).textContent();
  await expect.poll(legend).toMatch(/Chance 50%/);
  expect(await legend()).not.toMatch(/Zero/);
  const parityCaption = (await icl.locator('.plot-summary').textContent()) ?? '';
  expect(parityCaption).toMatch(/no band: each is right or wrong/);
  expect(parityCaption).not.toMatch(/shaded band/);
  // the verdict and the figures beside it agree: ▲ from 70% over the last quarter
  expect(parityCaption).toMatch(/Verdict ▲: Accuracy 70\.0% \(chance 50\.0%\): above chance, below 95\.0%\./);
  expect(parityCaption).toMatch(/Accuracy at the last position 0\.7\./);
  expect(await icl.locator('.recharts-area').count(), 'no band drawn').toBe(0);

  await importRun(page, mqarRun(), 2);
  await expect.poll(legend).toMatch(/Chance \(1 in 64\)/);
  expect(await icl.locator('.recharts-line-dots circle').count()).toBeGreaterThanOrEqual(3);
  expect(await icl.textContent()).toMatch(/training step/);
  const mqarCaption = (await icl.locator('.plot-summary').textContent()) ?? '';
  expect(mqarCaption).toMatch(/Recall at each of its 3 evaluations \(the last at step 300\)\./);
  expect(mqarCaption).toMatch(/Verdict ▲: Recall 80\.0% \(chance 1\.6%\): above chance, below 95\.0%\./);
  // the dots sit at rising heights (SVG y grows downwards)
  const ys = await icl
    .locator('.recharts-line-dots')
    .first()
    .evaluate((g) => [...g.querySelectorAll('circle')].map((c) => Number(c.getAttribute('cy'))));
  expect(ys).toHaveLength(3);
  expect(ys[0]).toBeGreaterThan(ys[1]);
  expect(ys[1]).toBeGreaterThan(ys[2]);
  expect(log.errors).toEqual([]);
  await page.context().close();
});
