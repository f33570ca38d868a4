// Does this Chromium offer WebGPU (SwiftShader) in pages and in Web Workers? Under CI a
// missing adapter fails here; elsewhere the training tests skip with the reason.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newLabPage, serveDist, webgpuAdapters, type StaticServer } from '../helpers/browser';

let server: StaticServer;
let browser: Browser;
beforeAll(async () => {
  server = await serveDist();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('offers a WebGPU adapter and device in the page and in a Web Worker', async () => {
  const { page } = await newLabPage(browser);
  const found = await webgpuAdapters(page, server.url);
  await page.context().close();
  expect(found.page, 'adapter in the page').toBeTruthy();
  expect(found.worker, 'adapter in a Web Worker').toBeTruthy();
});
