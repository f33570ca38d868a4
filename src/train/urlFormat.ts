// The lab's URL hash, one versioned schema for both of its uses (TensorFlow Playground's
// State.PROPS): a settings URL and a share link are the same format, readable keys for the
// settings, and a share link adds the teaching flag and the run's results (compressed; packed
// and unpacked by shareLink.ts, opaque text here):
//   #v=2&task=sparse_parity&model=mamba&steps=500[&teach=1][&results=<base64url(deflate(JSON))>]
// A settings URL writes only what differs from the defaults of its task, model and size; a
// share link writes every setting, so a later change of defaults never changes what it means.
// Reading checks everything through the run config's schema (schema.ts). Hashes from before
// versions ("#task=…", the same keys) read as this version; format 1 share links ("#v1.<…>")
// are shareLink.ts's to read.
import { defaultConfig, type RunConfig } from '../spec/config';
import { parseRunConfig, type Parsed } from './schema';

/** The format this lab writes; a hash's "v=" says which one it uses (none: written before versions, read as this). */
export const URL_FORMAT_VERSION = 2;

type Kind = 'text' | 'number' | 'flag';

/** URL key → config field, in the order written. */
export const SETTINGS_PROPS: readonly { key: string; field: keyof RunConfig; kind: Kind }[] = [
  { key: 'task', field: 'task', kind: 'text' },
  { key: 'model', field: 'model', kind: 'text' },
  { key: 'size', field: 'size', kind: 'text' },
  { key: 'seed', field: 'seed', kind: 'number' },
  { key: 'steps', field: 'steps', kind: 'number' },
  { key: 'lr', field: 'lr', kind: 'number' },
  { key: 'batch', field: 'batch', kind: 'number' },
  { key: 'clip', field: 'clip', kind: 'number' },
  { key: 'eval_every', field: 'evalEvery', kind: 'number' },
  { key: 'eval_prompts', field: 'evalPrompts', kind: 'number' },
  { key: 'curriculum', field: 'curriculum', kind: 'flag' },
  { key: 'd', field: 'nDims', kind: 'number' },
  { key: 'n', field: 'nPoints', kind: 'number' },
  { key: 'parity_per_prompt', field: 'parityPerPrompt', kind: 'flag' },
  { key: 'warmup', field: 'warmup', kind: 'number' },
  { key: 'lr_schedule', field: 'lrSchedule', kind: 'text' },
];

/** The keys besides the settings: the version, the teaching flag, a share link's results. */
const VERSION_KEY = 'v';
const TEACHING_KEY = 'teach';
const RESULTS_KEY = 'results';
const KNOWN_KEYS = new Set([VERSION_KEY, TEACHING_KEY, RESULTS_KEY, ...SETTINGS_PROPS.map((p) => p.key)]);

/** What a hash holds: the settings, whether advanced controls are hidden, a share link's packed results. */
export interface LabHash {
  config: RunConfig;
  teaching: boolean;
  /** The results part as written (shareLink.ts unpacks it), or null for a settings URL. */
  results: string | null;
}

/** Is this hash in the key=value form (a settings URL or a share link of format 2 on)? */
export function isLabHash(hash: string): boolean {
  const text = hash.replace(/^#/, '');
  return text.length > 0 && !/^v\d+\./.test(text) && text.includes('=');
}

/**
 * The hash for these settings ("" when there is nothing to write). `complete`: every setting
 * (a share link); otherwise only those off the defaults (a settings URL).
 */
export function writeLabHash(
  h: { config: RunConfig; teaching?: boolean; results?: string },
  complete: boolean,
): string {
  const c = h.config;
  const base = defaultConfig(c.task, c.model, c.size);
  const top = defaultConfig();
  const parts: string[] = [];
  for (const { key, field, kind } of SETTINGS_PROPS) {
    const identity = field === 'task' || field === 'model' || field === 'size';
    if (!complete && c[field] === (identity ? top : base)[field]) continue;
    const value = kind === 'flag' ? (c[field] ? '1' : '0') : String(c[field]);
    parts.push(`${key}=${encodeURIComponent(value)}`);
  }
  if (h.teaching) parts.push(`${TEACHING_KEY}=1`);
  if (h.results !== undefined) parts.push(`${RESULTS_KEY}=${encodeURIComponent(h.results)}`);
  return parts.length ? `#${VERSION_KEY}=${URL_FORMAT_VERSION}&${parts.join('&')}` : '';
}

const fail = (error: string): Parsed<LabHash> => ({ ok: false, error });

/** A key as a sentence may quote it: plain words only (a hostile link's markup or a page of text is not echoed). */
const quotable = (key: string) => /^[A-Za-z0-9_-]{1,30}$/.test(key);

/** The settings (missing ones take their defaults), teaching flag and results a hash holds, or why not. */
export function readLabHash(hash: string): Parsed<LabHash> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) {
      const which = quotable(key) ? `"${key}"` : 'a setting';
      return fail(`The address gives ${which} twice; the lab did not guess which one you meant.`);
    }
    seen.add(key);
  }
  const unknown = [...seen].filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length) {
    const named = unknown.filter(quotable).slice(0, 5);
    return fail(
      `The address holds settings the lab does not know${named.length ? ` (${named.join(', ')})` : ''}; the ones ` +
        `it knows are ${SETTINGS_PROPS.map((p) => p.key).join(', ')}.`,
    );
  }
  const version = params.get(VERSION_KEY);
  if (version !== null) {
    const n = /^\d{1,9}$/.test(version) ? Number(version) : NaN;
    if (n > URL_FORMAT_VERSION)
      return fail(
        `This link was made by a newer version of ICL Lab (link format v${n}); this page reads ` +
          `v${URL_FORMAT_VERSION}. Reload the page to get the latest lab.`,
      );
    if (n !== URL_FORMAT_VERSION) return fail('This address names a link format that ICL Lab never made.');
  }
  const teach = params.get(TEACHING_KEY);
  if (teach !== null && teach !== '1' && teach !== '0') return fail(`The address's "${TEACHING_KEY}" must be 1 or 0.`);
  const input: Record<string, unknown> = {};
  for (const { key, field, kind } of SETTINGS_PROPS) {
    const raw = params.get(key);
    if (raw === null) continue;
    input[field] = kind === 'text' ? raw : kind === 'flag' ? flag(raw) : raw.trim() === '' ? NaN : Number(raw);
  }
  const parsed = parseRunConfig(input);
  if (!parsed.ok) return fail(`The settings in the address are not valid: ${parsed.error}`);
  return { ok: true, value: { config: parsed.value, teaching: teach === '1', results: params.get(RESULTS_KEY) } };
}

function flag(raw: string): boolean | string {
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  return raw; // the schema says what a flag must be
}
