// The shipped Reproduction (issue 19, "Ship it"): the built page serves public/reproduction/grid.json
// (copied to dist/ by `npm run build`); the Paper grid view shows it as "Reproduction", 36 cells
// (9 tasks × 4 families), each with the verdict gridVerdicts gives for the file (computed here
// from the same file) and the paper's mark; a cell opens its curves (mean, band, every seed,
// baselines) by mouse and by keyboard, passes axe, and loads a seed into the Lab. Then: its short
// link opens it at that cell in a fresh page; opened as a grid.json, its share link (or, too big,
// the file saved instead) opens the same table; a bad link or file changes nothing.
import AxeBuilder from '@axe-core/playwright';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { gridVerdicts, parseGridFile, type GridState } from '../../src/train/gridFile';
import { MODEL_LABEL, TASK_TEXT } from '../../src/ui/labels';
import { DIST, drawnPaths, newLabPage, REPO_ROOT, useLab } from '../helpers/browser';

const lab = useLab();

const SHIPPED = join(REPO_ROOT, 'public', 'reproduction', 'grid.json');

/** The shipped file, as the page must read it, and that the build serves this very file. */
function shippedGrid(): GridState {
  if (!existsSync(SHIPPED))
    throw new Error(`${SHIPPED} is missing: the Reproduction is made by scripts/compact-grid.mjs from a grid.json.`);
  const text = readFileSync(SHIPPED, 'utf8');
  const served = join(DIST, 'reproduction', 'grid.json');
  if (!existsSync(served) || readFileSync(served, 'utf8') !== text)
    throw new Error(`${served} is not the shipped file: run \`npm run build\` before the end-to-end tests.`);
  const parsed = parseGridFile(JSON.parse(text));
  if (!parsed.ok) throw new Error(`The shipped Reproduction does not parse: ${parsed.error}`);
  return parsed.value;
}

async function showReproduction(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Paper grid', exact: true }).click();
  await page.getByRole('radio', { name: /^Reproduction/ }).check();
  await page.locator('table.file-grid').waitFor();
}

/** Each cell's text in the table, row by row, in the file's task and model order. */
async function tableCells(page: Page, grid: GridState): Promise<string[]> {
  const out: string[] = [];
  for (const task of grid.spec.tasks) {
    const row = page.locator('table.file-grid tbody tr', {
      has: page.getByRole('rowheader', { name: TASK_TEXT[task].label, exact: true }),
    });
    out.push(...(await row.getByRole('cell').allTextContents()));
  }
  return out;
}

it('shows the shipped Reproduction: 36 cells with verdicts and the paper’s marks, and a cell’s curves', async () => {
  const grid = shippedGrid();
  const rows = gridVerdicts(grid);
  expect(rows).toHaveLength(36);
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url);
  await showReproduction(page);

  const cells = await tableCells(page, grid);
  expect(cells).toHaveLength(36);
  cells.forEach((text, i) => {
    const row = rows[i];
    // the verdict of the seeds' mean first (— where no seed finished), then the numbers, then the paper
    expect(text.startsWith(row.verdict?.symbol ?? '—'), `${row.task} × ${row.model}: "${text}"`).toBe(true);
    expect(text).toContain(row.paper ? `paper ${row.paper}` : 'paper: no entry');
    for (const s of row.seeds) expect(text).toContain(`Seed ${s.seed}: ${s.verdict.symbol}.`);
  });

  // the regression or parity cell with the most finished seeds: its curves, by mouse
  const [open] = rows
    .filter((r) => r.task !== 'vector_mqar' && r.seeds.length > 0)
    .sort((a, b) => b.seeds.length - a.seeds.length);
  const title = `${TASK_TEXT[open.task].label} with ${MODEL_LABEL[open.model]}`;
  const cellButton = page.getByRole('button', { name: new RegExp(`^Curves of ${title}:`) });
  await cellButton.click();
  const region = page.getByRole('region', { name: 'Cell ICL curves', exact: true });
  await region.waitFor();
  expect(await region.getByRole('heading', { level: 3 }).textContent()).toBe(title);
  // one line per seed of the grid: its verdict, or that it failed or has not finished
  const seedLines = await region
    .getByRole('list', { name: "Each seed's verdict" })
    .getByRole('listitem')
    .allTextContents();
  expect(seedLines).toHaveLength(grid.spec.seeds.length);
  for (const s of open.seeds) expect(seedLines).toContain(`Seed ${s.seed}: ${s.verdict.symbol} ${s.verdict.reason}`);
  for (const seed of open.unfinished) expect(seedLines).toContain(`Seed ${seed}: not finished.`);
  const legend = await region.getByRole('list', { name: 'Lines in the plot' }).getByRole('listitem').allTextContents();
  for (const s of open.seeds) expect(legend).toContain(`Seed ${s.seed}`);
  expect(legend.some((l) => /^Mean of \d+ seeds? \(model\), shaded from the lowest to the highest seed$/.test(l))).toBe(
    true,
  );
  // drawn: the mean, its band, every seed and at least the zero baseline
  await expect.poll(() => drawnPaths(page, 'Cell ICL curves')).toBeGreaterThanOrEqual(open.seeds.length + 3);
  expect(await region.textContent()).toContain(`The seeds' mean: ${open.verdict!.symbol}`);
  // the table and the open cell pass axe (no serious or critical violation), as the other views do
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  // by keyboard: close, then Enter on the focused cell opens it again
  await region.getByRole('button', { name: 'Close the curves' }).click();
  await expect.poll(() => region.count()).toBe(0);
  // the focus went back to the cell
  expect(await cellButton.evaluate((b) => b === document.activeElement)).toBe(true);
  await page.keyboard.press('Enter');
  await region.waitFor();
  expect(await cellButton.getAttribute('aria-expanded')).toBe('true');

  // a seed into the Lab: its settings in the controls, its results in the plots
  await region.getByRole('button', { name: `Train seed ${open.seeds[0].seed} in the Lab` }).click();
  await expect.poll(() => page.getByLabel('Task', { exact: true }).inputValue()).toBe(open.task);
  expect(await page.getByLabel('Model', { exact: true }).inputValue()).toBe(open.model);
  expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toBe(String(open.seeds[0].seed));
  expect(log.errors).toEqual([]);
  await page.context().close();
});

it('shares the Reproduction (short link) and an opened grid (link or file); bad input changes nothing', async () => {
  const grid = shippedGrid();
  const rows = gridVerdicts(grid);
  const { page, log } = await newLabPage(lab.browser);
  await page.goto(lab.server.url);
  await showReproduction(page);
  const cells = await tableCells(page, grid);
  const open = rows.find((r) => r.seeds.length > 0)!;
  const title = `${TASK_TEXT[open.task].label} with ${MODEL_LABEL[open.model]}`;
  await page.getByRole('button', { name: new RegExp(`^Curves of ${title}:`) }).click();
  await page.getByRole('button', { name: 'Share this grid' }).click();
  const short = await page.getByLabel('Grid link', { exact: true }).inputValue();
  expect(short).toBe(`${lab.server.url}#grid=reproduction&cell=${open.task}.${open.model}`);
  // the short link opens the Reproduction at that cell
  const fresh = await newLabPage(lab.browser);
  await fresh.page.goto(short);
  const region = fresh.page.getByRole('region', { name: 'Cell ICL curves', exact: true });
  await region.waitFor();
  expect(await region.getByRole('heading', { level: 3 }).textContent()).toBe(title);
  expect(await tableCells(fresh.page, grid)).toEqual(cells);

  // the same file opened as a grid.json: its share link holds the grid itself, or, too big for a
  // link, the page saves the compact file and says so in a sentence
  await fresh.page.getByLabel('Open a grid file').setInputFiles(SHIPPED);
  await fresh.page.getByRole('radio', { name: 'Opened grid: "grid.json"' }).waitFor();
  expect(await tableCells(fresh.page, grid)).toEqual(cells);
  const download = fresh.page.waitForEvent('download', { timeout: 5_000 }).catch(() => null);
  await fresh.page.getByRole('button', { name: 'Share this grid' }).click();
  const saved = await download;
  if (saved) {
    expect(await fresh.page.locator('p.notice').textContent()).toMatch(
      /too big for a link \([\d,]+ characters; a link holds at most 200,000\), so it was saved as the file grid\.json/,
    );
    await fresh.page.getByLabel('Open a grid file').setInputFiles(await saved.path());
  } else {
    const reopened = await fresh.page.getByLabel('Grid link', { exact: true }).inputValue();
    expect(reopened).toMatch(/#grid1\.[A-Za-z0-9_-]+$/);
    await fresh.page.goto('about:blank');
    await fresh.page.goto(reopened);
    expect(await fresh.page.getByRole('radio', { name: 'Opened grid: a grid link' }).isChecked()).toBe(true);
  }
  // the same verdicts and numbers (the link or file drops only the loss history and free text)
  await fresh.page.locator('table.file-grid').waitFor();
  expect(await tableCells(fresh.page, grid)).toEqual(cells);
  await fresh.page.context().close();

  // a damaged link: a sentence, and the Lab as it was
  const bad = await newLabPage(lab.browser);
  await bad.page.goto(`${lab.server.url}#grid1.AAAAAAAA`);
  await expect.poll(() => bad.page.getByRole('alert').textContent()).toMatch(/grid link is damaged/);
  expect(await bad.page.getByRole('button', { name: 'Lab', exact: true }).getAttribute('aria-pressed')).toBe('true');
  // a file that is not a grid: a sentence, and the grid shown stays
  await bad.page.getByRole('button', { name: 'Paper grid', exact: true }).click();
  await bad.page.getByLabel('Open a grid file').setInputFiles({
    name: 'run.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"version":1,"config":{}}'),
  });
  await expect
    .poll(() => bad.page.getByRole('alert').textContent())
    .toMatch(/"run\.json" could not be opened as a grid: it is not a grid file of this lab/);
  expect(await bad.page.getByRole('radio', { name: /^Lab runs/ }).isChecked()).toBe(true);
  await bad.page.context().close();
  expect(log.errors).toEqual([]);
  await page.context().close();
});
