// The paper grid: queue one run per (task × model) at the chosen size and length, all
// tagged with one grid id so the table can find them; open grids from files and links (the
// shipped Reproduction among them), share one, and load one of its cells into the Lab.
import { defaultConfig } from '../../spec/config';
import { compactGrid, stringifyCompactGrid } from '../../train/gridCompact';
import { parseGridFile, type GridState as GridFile } from '../../train/gridFile';
import type { RunFile } from '../../train/protocol';
import type { Parsed } from '../../train/schema';
import { saveBlob } from '../download';
import {
  decodeGridLink,
  encodeGridLink,
  GRID_LINK_LIMITS,
  isReproductionHash,
  parseReproductionHash,
  reproductionHash,
} from '../grid/gridLink';
import { MODEL_LABEL, TASK_TEXT } from '../labels';
import { viewFromRunFile } from '../runView';
import { useAlerts } from '../store/alerts';
import { useGrid } from '../store/grid';
import { useLab } from '../store/lab';
import { useQueue } from '../store/queue';
import { startQueue } from './trainer';

export async function runGrid(): Promise<void> {
  const g = useGrid.getState();
  const gridId = crypto.randomUUID();
  for (const task of g.tasks) {
    for (const model of g.models) {
      const c = defaultConfig(task, model, g.size);
      c.steps = g.steps;
      c.seed = g.seed;
      // At least a few evaluations per run, whatever its length.
      c.evalEvery = Math.max(1, Math.min(c.evalEvery, Math.floor(g.steps / 4)));
      useQueue.getState().push(c, gridId);
    }
  }
  g.set({ gridId });
  await startQueue();
}

// ---- grids from files: the shipped Reproduction, a grid.json, a grid link ----

/** Where the build serves the Reproduction (Vite copies public/ to the site's root). */
export const REPRODUCTION_URL = `${import.meta.env.BASE_URL}reproduction/grid.json`;

/** Files larger than this are not grid files the lab wrote (a 108-run grid.json is a few MB). */
const GRID_FILE_MAX_BYTES = 64 << 20;

/** Fetches the shipped Reproduction when the view first asks for it (again after a failure). */
export async function loadReproduction(): Promise<void> {
  const g = useGrid.getState();
  if (g.reproduction.status !== 'idle' && g.reproduction.status !== 'error') return;
  g.set({ reproduction: { status: 'loading' } });
  let text: string;
  try {
    const res = await fetch(REPRODUCTION_URL, { cache: 'no-cache' });
    // a static host that falls back to index.html answers 200 with HTML: that is "missing" too
    const html = (res.headers.get('content-type') ?? '').includes('text/html');
    if (!res.ok || html) {
      const message = 'This build of the lab has no Reproduction grid (reproduction/grid.json is not on the site).';
      useGrid.getState().set({ reproduction: { status: 'missing', message } });
      return;
    }
    text = await res.text();
  } catch {
    const message = 'The Reproduction grid could not be fetched; check the connection and choose it again.';
    useGrid.getState().set({ reproduction: { status: 'error', message } });
    return;
  }
  const parsed = parseGridText(text);
  useGrid.getState().set({
    reproduction: parsed.ok
      ? { status: 'ready', grid: parsed.value }
      : { status: 'error', message: `The shipped Reproduction grid cannot be shown: ${parsed.error}.` },
  });
}

function parseGridText(text: string): Parsed<GridFile> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'it is not JSON' };
  }
  return parseGridFile(json);
}

/** Opens a grid.json (or a compact one) chosen by the reader; a bad file changes nothing. */
export async function openGridFile(file: File): Promise<void> {
  const alerts = useAlerts.getState();
  if (file.size > GRID_FILE_MAX_BYTES) {
    alerts.push('bad_file', `"${file.name}" is ${Math.round(file.size / 2 ** 20)} MB, too large to be a grid file.`);
    return;
  }
  const parsed = parseGridText(await file.text());
  if (!parsed.ok) {
    alerts.push('bad_file', `"${file.name}" could not be opened as a grid: ${parsed.error}. Nothing was changed.`);
    return;
  }
  alerts.clearKind('bad_file');
  useGrid.getState().open({ name: `"${file.name}"`, grid: parsed.value });
  useLab.getState().setTab('grid');
}

/** A bad grid link: the alert says why, and the address loses the link. */
function refuseLink(error: string): void {
  useAlerts.getState().push('bad_link', `${error} Nothing from the link was used; the lab is as it was.`);
  history.replaceState(null, '', location.pathname + location.search);
}

/** Opens the grid in a grid link ("#grid1.…"), or the Reproduction ("#grid=reproduction…");
 *  a bad link says why and changes nothing. */
export function openGridFromHash(hash: string): void {
  if (isReproductionHash(hash)) {
    const link = parseReproductionHash(hash);
    if (!link.ok) return refuseLink(link.error);
    useAlerts.getState().clearKind('bad_link');
    const gridLink = `${location.origin}${location.pathname}${hash}`;
    useGrid.getState().set({ source: 'reproduction', openCell: link.cell, gridLink });
    useLab.getState().setTab('grid');
    return;
  }
  const decoded = decodeGridLink(hash);
  if (!decoded.ok) return refuseLink(decoded.error);
  useAlerts.getState().clearKind('bad_link');
  useGrid.getState().open({ name: 'a grid link', grid: decoded.state });
  useGrid.getState().set({ gridLink: `${location.origin}${location.pathname}${hash}` });
  useLab.getState().setTab('grid');
}

/** The grid shown (Reproduction or opened), if the view shows one from a file. */
export function shownGridFile(): { name: string; grid: GridFile } | null {
  const g = useGrid.getState();
  if (g.source === 'reproduction' && g.reproduction.status === 'ready')
    return { name: 'the Reproduction', grid: g.reproduction.grid };
  if (g.source === 'opened' && g.opened) return g.opened;
  return null;
}

/** A link to the shown grid: the Reproduction's short link (at the open cell), else the grid itself
 *  (results only), or, when that would be too long for a link, the compact file. */
export async function shareShownGrid(): Promise<void> {
  const shown = shownGridFile();
  if (!shown) return;
  const lab = useLab.getState();
  const g = useGrid.getState();
  if (g.source === 'reproduction') {
    const url = `${location.origin}${location.pathname}${reproductionHash(g.openCell)}`;
    g.set({ gridLink: url });
    await copyGridLink(url);
    return;
  }
  const link = encodeGridLink(shown.grid);
  if (!link.ok) {
    const text = stringifyCompactGrid(compactGrid(shown.grid).state);
    saveBlob('grid.json', new Blob([text], { type: 'application/json' }));
    useGrid.getState().set({ gridLink: null });
    lab.setNotice(
      `This grid is too big for a link (${link.chars.toLocaleString('en')} characters; a link holds at most ` +
        `${GRID_LINK_LIMITS.hashChars.toLocaleString('en')}), so it was saved as the file grid.json instead: ` +
        'send the file, and open it with "Open a grid file".',
    );
    return;
  }
  const url = `${location.origin}${location.pathname}${link.hash}`;
  useGrid.getState().set({ gridLink: url });
  await copyGridLink(url);
}

async function copyGridLink(url: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(url);
    useLab.getState().setNotice('Grid link copied to the clipboard.');
  } catch {
    useLab.getState().setNotice('Copy the grid link from the field below the table.');
  }
}

/** Loads one seed of a grid cell into the Lab: its settings in the controls, its results in the
 *  plots, so Train runs the same cell again on this computer's GPU. */
export function rerunInLab(run: RunFile, gridName: string): void {
  const lab = useLab.getState();
  lab.replaceConfig(run.config);
  lab.setViewed({ view: viewFromRunFile(run), source: 'file' });
  lab.setTab('lab');
  lab.setNotice(
    `Loaded seed ${run.config.seed} of ${TASK_TEXT[run.config.task].label} with ${MODEL_LABEL[run.config.model]} ` +
      `from ${gridName}: its results are in the plots, and Train trains it again here.`,
  );
}
