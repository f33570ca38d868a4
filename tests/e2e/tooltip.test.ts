// Fit and finish (issue 23): the ICL plot's tooltip stays inside the plot, even at its right
// edge, where it used to be cut off.
import { expect, it } from 'vitest';
import { encodeShareLink } from '../../src/train/shareLink';
import { newLabPage, useLab } from '../helpers/browser';
import { fixtureRun } from './fixtures';

const lab = useLab();

for (const viewport of [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
]) {
  it(`keeps the ICL tooltip inside the plot at both edges (${viewport.width} px wide)`, async () => {
    const { page } = await newLabPage(lab.browser);
    await page.setViewportSize(viewport);
    await page.goto(lab.server.url + encodeShareLink(fixtureRun()));
    const region = page.getByRole('region', { name: 'ICL curve', exact: true });
    const grid = region.locator('.recharts-cartesian-grid');
    await grid.waitFor();
    await region.scrollIntoViewIfNeeded();
    const box = (await grid.boundingBox())!;
    const outer = (await region.boundingBox())!;
    for (const x of [box.x + 3, box.x + box.width / 2, box.x + box.width - 3]) {
      await page.mouse.move(x, box.y + box.height / 2, { steps: 4 });
      const tip = region.locator('.recharts-tooltip-wrapper');
      await expect.poll(() => tip.evaluate((el) => getComputedStyle(el).visibility)).toBe('visible');
      const t = (await tip.boundingBox())!;
      expect(t.width).toBeGreaterThan(20);
      expect(t.x, `tooltip's left edge at x = ${x}`).toBeGreaterThanOrEqual(outer.x);
      expect(t.x + t.width, `tooltip's right edge at x = ${x}`).toBeLessThanOrEqual(outer.x + outer.width);
    }
    await page.context().close();
  });
}
