// node scripts/compact-grid.mjs IN OUT: a grid.json (`npm run grid`) made compact and results-only
// for the page (src/train/gridCompact.ts): the shipped Reproduction is
//   node scripts/compact-grid.mjs path/to/grid.json public/reproduction/grid.json
// The file is checked as the page checks it (parseGridFile), every verdict is kept as it was,
// and OUT is written to a temporary file beside it and renamed, so it is whole or untouched.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { runnerImport } from 'vite';

const root = resolve(new URL('..', import.meta.url).pathname);
const usage =
  'usage: node scripts/compact-grid.mjs IN OUT   (IN: a grid.json of `npm run grid`; OUT: the compact file)';

function fail(sentence) {
  console.error(sentence);
  process.exit(2);
}

const [input, output, ...rest] = process.argv.slice(2);
if (!input || !output || rest.length) fail(usage);

let text;
try {
  if (!statSync(input).isFile()) fail(`${input} is not a file.`);
  text = readFileSync(input, 'utf8');
} catch (e) {
  fail(`${input} could not be read (${e.code ?? e.message}).`);
}
let json;
try {
  json = JSON.parse(text);
} catch {
  fail(`${input} is not JSON, so it is not a grid file.`);
}

// The TypeScript modules, loaded through Vite (no separate build step).
const load = (path) => runnerImport(join(root, path), { configFile: false, logLevel: 'error', root });
const { module: gridFile } = await load('src/train/gridFile.ts');
const { module: gridCompact } = await load('src/train/gridCompact.ts');

const parsed = gridFile.parseGridFile(json);
if (!parsed.ok) fail(`${input} is not a grid file the page can open: ${parsed.error}.`);
const { state, digits } = gridCompact.compactGrid(parsed.value);
const out = gridCompact.stringifyCompactGrid(state);
// The page must read back what was written.
const back = gridFile.parseGridFile(JSON.parse(out));
if (!back.ok) fail(`internal error: the compact file does not read back (${back.error}); nothing was written.`);

const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
try {
  writeFileSync(tmp, out);
  renameSync(tmp, output);
} catch (e) {
  rmSync(tmp, { force: true });
  fail(`${output} could not be written (${e.code ?? e.message}); nothing was changed.`);
}

const cells = state.cells;
const notDone = cells.filter((c) => c.status !== 'done').map((c) => `${c.cell.id} (${c.status})`);
const kB = (n) => `${(n / 1024).toFixed(0)} kB`;
console.log(
  `${output}: ${cells.length} runs of ${state.spec.tasks.length} tasks × ${state.spec.models.length} models × ` +
    `${state.spec.seeds.length} seeds, ${kB(Buffer.byteLength(out))} (from ${kB(Buffer.byteLength(text))}); ` +
    `curves at ${digits === null ? 'full precision' : `${digits} significant digits`}, every verdict unchanged.`,
);
if (notDone.length) {
  const more = notDone.length > 5 ? ` and ${notDone.length - 5} more` : '';
  console.log(`${notDone.length} runs not finished, shown without a result: ${notDone.slice(0, 5).join(', ')}${more}.`);
}
