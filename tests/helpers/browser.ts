// End-to-end helpers: serve the BUILT page (dist/, made by `npm run build` beforehand) from a
// tiny static server on a free port, and launch Debian's Chromium headless with a SwiftShader
// WebGPU adapter (in pages and in Web Workers). Builds nothing itself.
import { afterAll, beforeAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DIST = join(REPO_ROOT, 'dist');
export const RESULTS = join(REPO_ROOT, 'test-results');

/**
 * Chromium flags that give a SwiftShader WebGPU adapter headless, in pages and in Web Workers,
 * on a machine without a GPU (checked on Debian 12, Chromium 156). --enable-unsafe-webgpu alone
 * already does on Linux; the ANGLE/Vulkan flags pin the software path so a stray GPU driver
 * cannot change the adapter under the tests.
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
  '--disable-dev-shm-usage',
];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wgsl': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves dist/ on 127.0.0.1 at a free port; unknown paths get index.html (one-page app). */
export async function serveDist(dir = DIST): Promise<StaticServer> {
  if (!existsSync(join(dir, 'index.html')))
    throw new Error(`${dir}/index.html is missing: run \`npm run build\` before the end-to-end tests.`);
  const root = resolve(dir);
  const server: Server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (path === PROBE_PATH || path === '/__probe-worker.js') {
        res.writeHead(200, { 'content-type': path.endsWith('.js') ? MIME['.js'] : MIME['.html'] });
        res.end(path.endsWith('.js') ? PROBE_WORKER : PROBE_PAGE);
        return;
      }
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      const s = await stat(file).catch(() => null);
      if (!s || s.isDirectory()) file = join(root, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('The static server has no port.');
  return {
    url: `http://127.0.0.1:${addr.port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface PageLog {
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Content-Security-Policy violations the page reported. */
  cspViolations: string[];
}

/** A new page (own context: fresh storage unless `context` is given) that records errors and CSP violations. */
export async function newLabPage(
  browser: Browser,
  opts: { acceptDownloads?: boolean } = {},
): Promise<{ page: Page; log: PageLog }> {
  const context = await browser.newContext({
    acceptDownloads: opts.acceptDownloads ?? true,
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  const log: PageLog = { errors: [], cspViolations: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(m.text());
    if (/Content Security Policy/i.test(m.text())) log.cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  return { page, log };
}

export interface AdapterReport {
  page: string | null;
  worker: string | null;
}

/** Test-only pages the static server adds next to dist/ (no CSP): the WebGPU probe. */
export const PROBE_PATH = '/__probe.html';
const PROBE_WORKER = `
const describe = async () => {
  const g = self.navigator.gpu;
  const a = g ? await g.requestAdapter().catch(() => null) : null;
  if (!a) return null;
  const d = await a.requestDevice().catch(() => null);
  return d ? (a.info.vendor + ' ' + a.info.architecture + ' ' + a.info.description).trim() || 'adapter' : null;
};
onmessage = async () => postMessage(await describe());`;
const PROBE_PAGE = `<!doctype html><meta charset="utf-8"><title>WebGPU probe</title><script type="module">
const describe = async () => {
  const a = navigator.gpu ? await navigator.gpu.requestAdapter().catch(() => null) : null;
  if (!a) return null;
  const d = await a.requestDevice().catch(() => null);
  return d ? (a.info.vendor + ' ' + a.info.architecture + ' ' + a.info.description).trim() || 'adapter' : null;
};
const worker = new Promise((ok) => {
  const w = new Worker('/__probe-worker.js', { type: 'module' });
  w.onmessage = (e) => ok(e.data);
  w.onerror = () => ok(null);
  w.postMessage(0);
});
window.probe = Promise.all([describe(), worker]).then(([page, worker]) => ({ page, worker }));
</script>`;

/** Asks for a WebGPU adapter and device in a page and in a module Web Worker of the served origin. */
export async function webgpuAdapters(page: Page, baseUrl: string): Promise<AdapterReport> {
  await page.goto(new URL(PROBE_PATH, baseUrl).href);
  await page.waitForFunction(() => 'probe' in window);
  return page.evaluate(() => (window as unknown as { probe: Promise<AdapterReport> }).probe);
}

/** Counts `path` elements with drawing data inside the named region (recharts lines and areas). */
export async function drawnPaths(page: Page, region: string): Promise<number> {
  return page
    .getByRole('region', { name: region, exact: true })
    .evaluate(
      (el) =>
        [...el.querySelectorAll('svg path.recharts-curve')].filter((p) => (p.getAttribute('d') ?? '').length > 20)
          .length,
    );
}

/** The "step N / M" numbers of the status line. */
export async function statusStep(page: Page): Promise<{ step: number; total: number }> {
  const text = (await page.getByRole('status').textContent()) ?? '';
  const m = /step (\d+) \/ (\d+)/.exec(text);
  if (!m) throw new Error(`The status line has no step count: "${text}"`);
  return { step: Number(m[1]), total: Number(m[2]) };
}

/** Serves dist/ and launches Chromium before a file's tests, and closes both after them. */
export function useLab(): { readonly server: StaticServer; readonly browser: Browser } {
  const lab = {} as { server: StaticServer; browser: Browser };
  beforeAll(async () => {
    lab.server = await serveDist();
    lab.browser = await launchChromium();
  });
  afterAll(async () => {
    await lab.browser?.close();
    await lab.server?.close();
  });
  return lab;
}
