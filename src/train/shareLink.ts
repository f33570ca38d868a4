// Share links: a run in the URL hash, in the lab's one URL format (urlFormat.ts): its settings
// as readable keys, then its compact results, "results=<base64url(deflate(JSON))>". Links of
// format 1 ("#v1.<base64url(deflate(JSON of the whole run))>") still open. Decoding treats the
// link as hostile: sizes are capped before and during decompression, everything passes the
// run-file schema, and every failure is a sentence, never a throw.
import { deflateSync, Inflate } from 'fflate';
import type { RunConfig } from '../spec/config';
import type { Curve, IclResult } from '../spec/icl';
import type { EvalPoint } from '../spec/verdict';
import type { RunFile } from './protocol';
import { parseRunFile } from './schema';
import { isLabHash, readLabHash, URL_FORMAT_VERSION, writeLabHash } from './urlFormat';

/** The link format this lab writes (urlFormat.ts); format 1 was "#v1.<…>", the whole run packed. */
export const SHARE_LINK_VERSION = URL_FORMAT_VERSION;

export const SHARE_LINK_LIMITS = {
  /** Characters of the hash; a typical run needs about 5 000. */
  hashChars: 200_000,
  /** Bytes of JSON after decompression. */
  jsonBytes: 1 << 20,
  /** History points kept in a link. */
  historyPoints: 200,
  /** Significant digits of curve values, losses and metrics in a link. */
  digits: 4,
  /** Evaluations a link carries at most (a run evaluated every 100 steps has 200 at 20 000 steps). */
  evaluationPoints: 1000,
  /** Evaluations always kept when a link must thin them: the verdict reads the last two and needs three. */
  lastEvaluations: 3,
} as const;

export type DecodedShareLink = { ok: true; run: RunFile; teaching: boolean } | { ok: false; error: string };

/** What any hash of the lab holds: settings, and a run when it is a share link. */
export type DecodedLabHash =
  { ok: true; config: RunConfig; teaching: boolean; run: RunFile | null } | { ok: false; error: string };

// ---- base64url (RFC 4648 §5, no padding) ----

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i;

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** The bytes, or null when the text is not base64url (a stray character or an impossible length). */
export function fromBase64Url(text: string): Uint8Array | null {
  const s = text.replace(/=+$/, '');
  if (s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c < 128 ? INDEX[c] : -1;
    if (d < 0) return null;
    acc = ((acc << 6) | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

// ---- compact form ----

function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(SHARE_LINK_LIMITS.digits)) : x;
}

/** At most `max` entries, evenly spaced, keeping the first and the last (the last alone when max is 1). */
export function downsample<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items.slice();
  if (max < 2) return max === 1 ? [items[items.length - 1]] : []; // no room for both ends: the last
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.round((i * (items.length - 1)) / (max - 1))]);
  return out;
}

function mapRecord<T, U>(r: Record<string, T>, f: (x: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(r).map(([k, x]) => [k, f(x)]));
}

function compactIcl(icl: IclResult): IclResult {
  const curve = (c: Curve): Curve => ({ mean: c.mean.map(round), lo: c.lo.map(round), hi: c.hi.map(round) });
  const out: IclResult = { positions: icl.positions.slice(), curves: mapRecord(icl.curves, curve) };
  if (icl.accuracy) out.accuracy = mapRecord(icl.accuracy, (a) => a.map(round));
  return out;
}

/** The evaluations with the older ones thinned to at most `max` entries (at least the last
 *  `lastEvaluations` are kept whatever `max` says). */
export function thinEvaluations(evaluations: EvalPoint[], max: number): EvalPoint[] {
  const keep = SHARE_LINK_LIMITS.lastEvaluations;
  if (evaluations.length <= Math.max(max, keep)) return evaluations.slice();
  const older = evaluations.slice(0, -keep);
  const room = Math.max(0, max - keep);
  return [...downsample(older, room), ...evaluations.slice(-keep)];
}

/** The run as a link carries it: config exact, results rounded, history thinned, no free text.
 *  Evaluations stay exact (the verdict is read from them, and rounding could move it across a
 *  threshold); `maxEvaluations` thins the older ones when the link would be too long. */
export function compactRun(run: RunFile, maxEvaluations = Infinity): RunFile {
  const out: RunFile = {
    version: run.version,
    config: { ...run.config },
    history: downsample(run.history, SHARE_LINK_LIMITS.historyPoints).map((h) => ({
      step: h.step,
      loss: round(h.loss),
    })),
    icl: run.icl ? compactIcl(run.icl) : null,
    metrics: mapRecord(run.metrics, round),
    stepsPerSecond: round(run.stepsPerSecond),
    // The adapter name is free text; a link carries none.
    adapter: '',
  };
  if (run.evalStep !== undefined) out.evalStep = run.evalStep;
  if (run.evaluations?.length) out.evaluations = thinEvaluations(run.evaluations, maxEvaluations);
  return out;
}

// ---- encode / decode ----

/** The fields of a run the results part carries (the config is in the settings part, the adapter nowhere). */
const RESULT_FIELDS = ['history', 'icl', 'metrics', 'stepsPerSecond', 'evalStep', 'evaluations'] as const;

/** The hash and the size of the JSON inside it (the decoder caps both). */
function encodeCompact(run: RunFile, teaching: boolean): { hash: string; jsonBytes: number } {
  const results: Record<string, unknown> = {};
  for (const k of RESULT_FIELDS) if (run[k] !== undefined) results[k] = run[k];
  const json = new TextEncoder().encode(JSON.stringify(results));
  const packed = toBase64Url(deflateSync(json, { level: 9 }));
  return { hash: writeLabHash({ config: run.config, teaching, results: packed }, true), jsonBytes: json.length };
}

/** The URL hash (with its "#") that reopens this run. Expects a run that parseRunFile accepts.
 *  Evaluations go in up to `evaluationPoints`; when the link would still pass a size the decoder
 *  accepts, the older ones are halved until it fits (the last three stay, so the verdict does). */
export function encodeShareLink(run: RunFile, opts: { teaching?: boolean } = {}): string {
  const teaching = opts.teaching === true;
  const { lastEvaluations, evaluationPoints, hashChars, jsonBytes } = SHARE_LINK_LIMITS;
  let max = Math.min(run.evaluations?.length ?? 0, evaluationPoints);
  let link = encodeCompact(compactRun(run, max), teaching);
  const tooBig = () => link.hash.length - 1 > hashChars || link.jsonBytes > jsonBytes;
  while (tooBig() && max > lastEvaluations) {
    max = Math.max(lastEvaluations, Math.floor(max / 2));
    link = encodeCompact(compactRun(run, max), teaching);
  }
  return link.hash;
}

/** Thrown by inflateCapped when the output passes its limit. */
export class TooBig extends Error {}

/** Inflates raw DEFLATE in small pieces and stops as soon as the output passes `limit` bytes. */
export function inflateCapped(data: Uint8Array, limit: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > limit) throw new TooBig();
    parts.push(chunk);
  });
  // DEFLATE expands at most ~1032×, so a 1 KiB piece yields at most ~1 MiB before the check.
  const piece = 1024;
  for (let i = 0; i < data.length; i += piece) inflater.push(data.subarray(i, i + piece), i + piece >= data.length);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
const DAMAGED = 'This share link is damaged (perhaps cut off when it was copied); ask for the link again.';

/** The run in a share link, or a sentence saying why it cannot be opened. Never throws. */
export function decodeShareLink(hash: string): DecodedShareLink {
  const d = decodeLabHash(hash);
  if (!d.ok) return d;
  if (!d.run) return fail('This address holds settings but no run; the lab can train with them, not show a run.');
  return { ok: true, run: d.run, teaching: d.teaching };
}

/** Any hash of the lab: the settings of a settings URL, or a share link's run (either format),
 *  or a sentence saying why it cannot be used. Never throws. */
export function decodeLabHash(hash: string): DecodedLabHash {
  try {
    if (typeof hash !== 'string') return fail('This is not an ICL Lab share link.');
    const text = hash.startsWith('#') ? hash.slice(1) : hash;
    if (text.length > SHARE_LINK_LIMITS.hashChars) return fail('This share link is too long to be one the lab made.');
    if (/^v\d{1,9}\./.test(text)) return withConfig(decodePacked(text));
    if (!isLabHash(text)) return fail('This is not an ICL Lab share link.');
    const read = readLabHash(text);
    if (!read.ok) return read;
    const { config, teaching, results } = read.value;
    if (results === null) return { ok: true, config, teaching, run: null };
    const payload = unpack(results);
    if (typeof payload === 'string') return fail(payload);
    const given: Record<string, unknown> = { version: 1, config, adapter: '' };
    for (const k of RESULT_FIELDS) if (Object.hasOwn(payload, k)) given[k] = payload[k];
    const parsed = parseRunFile(given);
    if (!parsed.ok) return fail(`This share link holds a run the lab cannot use. ${parsed.error}`);
    return { ok: true, config, teaching, run: { ...parsed.value, adapter: '' } };
  } catch {
    return fail('This share link could not be read.');
  }
}

function withConfig(d: DecodedShareLink): DecodedLabHash {
  return d.ok ? { ok: true, config: d.run.config, teaching: d.teaching, run: d.run } : d;
}

/** The JSON object packed in base64url(deflate(…)), or a sentence saying why there is none. */
function unpack(text: string): Record<string, unknown> | string {
  const packed = fromBase64Url(text);
  if (!packed || packed.length === 0) return DAMAGED;
  let bytes: Uint8Array;
  try {
    bytes = inflateCapped(packed, SHARE_LINK_LIMITS.jsonBytes);
  } catch (e) {
    if (e instanceof TooBig)
      return 'This share link unpacks to far more data than a run holds; the lab did not open it.';
    return DAMAGED;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return DAMAGED;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return DAMAGED;
  return payload as Record<string, unknown>;
}

/** A link of format 1, "v1.<base64url(deflate(JSON of { run, teaching? }))>" (the "#" removed). */
function decodePacked(text: string): DecodedShareLink {
  const m = /^v(\d{1,9})\.([\s\S]*)$/.exec(text)!;
  const version = Number(m[1]);
  if (version > SHARE_LINK_VERSION) {
    return fail(
      `This link was made by a newer version of ICL Lab (link format v${version}); this page reads ` +
        `v${SHARE_LINK_VERSION}. Reload the page to get the latest lab.`,
    );
  }
  if (version !== 1) return fail(`This link uses a link format (v${version}) that ICL Lab never made.`);
  const payload = unpack(m[2]);
  if (typeof payload === 'string') return fail(payload);
  const { run, teaching } = payload as { run?: unknown; teaching?: unknown };
  if (teaching !== undefined && typeof teaching !== 'boolean') return fail(DAMAGED);
  const parsed = parseRunFile(run);
  if (!parsed.ok) return fail(`This share link holds a run the lab cannot use. ${parsed.error}`);
  // Only enum values and identifiers reach the page: free text is dropped whatever the link says.
  return { ok: true, run: { ...parsed.value, adapter: '' }, teaching: teaching === true };
}
