// Does this Chromium offer WebGPU (SwiftShader) in pages and in Web Workers? Under CI a
// missing adapter fails here, as everywhere.
import { expect, it } from 'vitest';
import { newLabPage, webgpuAdapters, useLab } from '../helpers/browser';

const lab = useLab();

it('offers a WebGPU adapter and device in the page and in a Web Worker', async () => {
  const { page } = await newLabPage(lab.browser);
  const found = await webgpuAdapters(page, lab.server.url);
  await page.context().close();
  expect(found.page, 'adapter in the page').toBeTruthy();
  expect(found.worker, 'adapter in a Web Worker').toBeTruthy();
});
