// Grid share links: a whole grid, results only, in the URL hash: "#grid1.<base64url(deflate(JSON))>".
// The grid travels in the link itself rather than as a link to a file elsewhere: the page's
// Content-Security-Policy lets it fetch from its own origin only, and a link that holds its
// results keeps working when the file it pointed to moves. Like run links, the decoder treats
// the link as hostile (sizes capped before and during decompression, parseGridFile on the rest,
// free text dropped) and answers with a sentence, never a throw. The shipped Reproduction, which
// every copy of the page serves, has a short link instead: "#grid=reproduction[&cell=task.model]".
import { deflateSync } from 'fflate';
import { MODEL_IDS, TASK_IDS, type ModelId, type TaskId } from '../../spec/config';
import { compactGrid, stringifyCompactGrid } from '../../train/gridCompact';
import { parseGridFile, type GridState } from '../../train/gridFile';
import { fromBase64Url, inflateCapped, SHARE_LINK_LIMITS, toBase64Url, TooBig } from '../../train/shareLink';

export const GRID_LINK_VERSION = 1;

export const GRID_LINK_LIMITS = {
  /** Characters of the hash, as for run links. */
  hashChars: SHARE_LINK_LIMITS.hashChars,
  /** Bytes of JSON after decompression (a compact 108-run grid is well under 1 MB). */
  jsonBytes: 4 << 20,
  /** Evaluations a link keeps per run (the last three always; the verdict needs no more). */
  evaluationPoints: 20,
} as const;

const PREFIX = /^#?grid(\d{1,9})\./;

const REPRODUCTION = /^#?grid=/;

/** The hash is a grid link (of any version) or a link to the Reproduction, not a run link or settings. */
export function isGridHash(hash: string): boolean {
  return PREFIX.test(hash) || REPRODUCTION.test(hash);
}

export function isReproductionHash(hash: string): boolean {
  return REPRODUCTION.test(hash);
}

/** The short link to the shipped Reproduction, at one cell's curves if given. */
export function reproductionHash(cell: { task: TaskId; model: ModelId } | null): string {
  return `#grid=reproduction${cell ? `&cell=${cell.task}.${cell.model}` : ''}`;
}

export type ReproductionLink =
  { ok: true; cell: { task: TaskId; model: ModelId } | null } | { ok: false; error: string };

/** The cell a Reproduction link opens (null: the table alone), or why the link is not one. */
export function parseReproductionHash(hash: string): ReproductionLink {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const keys = [...params.keys()];
  if (params.get('grid') !== 'reproduction' || keys.some((k) => k !== 'grid' && k !== 'cell'))
    return { ok: false, error: 'This link names a grid the lab does not ship (it ships "reproduction").' };
  const cell = params.get('cell');
  if (cell === null) return { ok: true, cell: null };
  const [task, model, ...rest] = cell.split('.');
  const t = TASK_IDS.find((x) => x === task);
  const m = MODEL_IDS.find((x) => x === model);
  if (!t || !m || rest.length)
    return { ok: false, error: 'This link names a cell the grid does not have (a cell is "task.model").' };
  return { ok: true, cell: { task: t, model: m } };
}

export type EncodedGridLink = { ok: true; hash: string } | { ok: false; chars: number };

/** The grid's hash (with "#"), or, when it would pass the decoder's caps, its length. */
export function encodeGridLink(state: GridState): EncodedGridLink {
  const opts = { historyPoints: 0, evaluationPoints: GRID_LINK_LIMITS.evaluationPoints, dropFreeText: true };
  const json = new TextEncoder().encode(stringifyCompactGrid(compactGrid(state, opts).state));
  const hash = `#grid${GRID_LINK_VERSION}.${toBase64Url(deflateSync(json, { level: 9 }))}`;
  const chars = hash.length - 1;
  if (chars > GRID_LINK_LIMITS.hashChars || json.length > GRID_LINK_LIMITS.jsonBytes) return { ok: false, chars };
  return { ok: true, hash };
}

/** Free text a link could carry is replaced: only enum values, numbers and identifiers reach the page. */
function withoutFreeText(state: GridState): GridState {
  return {
    ...state,
    cells: state.cells.map((c) => ({
      ...c,
      run: c.run && { ...c.run, adapter: '' },
      ...(c.failure !== undefined ? { failure: 'Its training failed.' } : {}),
    })),
    timing: { written: '', wallSeconds: state.timing.wallSeconds, adapter: null },
  };
}

export type DecodedGridLink = { ok: true; state: GridState } | { ok: false; error: string };

const fail = (error: string): DecodedGridLink => ({ ok: false, error });
const DAMAGED = 'This grid link is damaged (perhaps cut off when it was copied); ask for the link again.';

/** The grid in a grid link, or a sentence saying why it cannot be opened. Never throws. */
export function decodeGridLink(hash: string): DecodedGridLink {
  try {
    const text = hash.startsWith('#') ? hash.slice(1) : hash;
    if (text.length > GRID_LINK_LIMITS.hashChars) return fail('This grid link is too long to be one the lab made.');
    const m = PREFIX.exec(text);
    if (!m) return fail('This is not an ICL Lab grid link.');
    const version = Number(m[1]);
    if (version > GRID_LINK_VERSION)
      return fail(
        `This grid link was made by a newer version of ICL Lab (grid link format ${version}); this page reads ` +
          `${GRID_LINK_VERSION}. Reload the page to get the latest lab.`,
      );
    if (version !== GRID_LINK_VERSION)
      return fail(`This grid link uses a format (${version}) that ICL Lab never made.`);
    const packed = fromBase64Url(text.slice(m[0].length));
    if (!packed || packed.length === 0) return fail(DAMAGED);
    let bytes: Uint8Array;
    try {
      bytes = inflateCapped(packed, GRID_LINK_LIMITS.jsonBytes);
    } catch (e) {
      if (e instanceof TooBig)
        return fail('This grid link unpacks to far more data than a grid holds; the lab did not open it.');
      return fail(DAMAGED);
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      return fail(DAMAGED);
    }
    const parsed = parseGridFile(json);
    if (!parsed.ok) return fail(`This grid link holds a grid the lab cannot use: ${parsed.error}.`);
    return { ok: true, state: withoutFreeText(parsed.value) };
  } catch {
    return fail('This grid link could not be read.');
  }
}
