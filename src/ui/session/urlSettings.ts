// Settings in the URL, TensorFlow-Playground style: one table of readable keys drives both
// writing the hash ("#task=sparse_parity&model=mamba&steps=500", only what differs from the
// defaults of that task, model and size) and reading it back, which goes through the run
// config's schema (src/train/schema.ts), so a hand-edited URL is checked like a file or link.
// Share links ("#v1.…") keep their own compressed format; a hash is one or the other.
import { defaultConfig, type RunConfig } from '../../spec/config';
import { parseRunConfig, type Parsed } from '../../train/schema';
import { useLab } from '../store/lab';

type Kind = 'text' | 'number' | 'flag';

/** URL key → config field, in the order written. */
const PROPS: readonly { key: string; field: keyof RunConfig; kind: Kind }[] = [
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

/** Is this hash a settings hash (and not empty or a share link)? */
export function isSettingsHash(hash: string): boolean {
  const text = hash.replace(/^#/, '');
  return text.length > 0 && !/^v\d+\./.test(text) && text.includes('=');
}

/** The hash for a config: only the settings that differ from the defaults ("" when none do). */
export function settingsHash(c: RunConfig): string {
  const base = defaultConfig(c.task, c.model, c.size);
  const top = defaultConfig();
  const parts: string[] = [];
  for (const { key, field, kind } of PROPS) {
    const differs =
      field === 'task' || field === 'model' || field === 'size' ? c[field] !== top[field] : c[field] !== base[field];
    if (!differs) continue;
    const value = kind === 'flag' ? (c[field] ? '1' : '0') : String(c[field]);
    parts.push(`${key}=${encodeURIComponent(value)}`);
  }
  return parts.length ? `#${parts.join('&')}` : '';
}

/** The config a settings hash describes (missing settings take their defaults), or why not. */
export function parseSettingsHash(hash: string): Parsed<RunConfig> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const input: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, raw] of params) {
    const prop = PROPS.find((p) => p.key === key);
    if (!prop) {
      unknown.push(key);
      continue;
    }
    input[prop.field] =
      prop.kind === 'text' ? raw : prop.kind === 'flag' ? flag(raw) : raw.trim() === '' ? NaN : Number(raw);
  }
  if (unknown.length)
    return {
      ok: false,
      error:
        `The address holds settings the lab does not know (${unknown.slice(0, 5).join(', ')}); the ones it knows ` +
        `are ${PROPS.map((p) => p.key).join(', ')}.`,
    };
  const parsed = parseRunConfig(input);
  return parsed.ok ? parsed : { ok: false, error: `The settings in the address are not valid: ${parsed.error}` };
}

function flag(raw: string): boolean | string {
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  return raw; // the schema says what a flag must be
}

/** Keeps the address in step with the settings (replaceState: no history entry, no hashchange),
 *  except while a shared run is shown, whose link stays in the address. Returns the stop. */
export function startSettingsUrl(): () => void {
  return useLab.subscribe((s, prev) => {
    if (s.config === prev.config || s.viewed?.source === 'link') return;
    const hash = settingsHash(s.config);
    if (hash === location.hash || (hash === '' && location.hash === '')) return;
    history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  });
}
