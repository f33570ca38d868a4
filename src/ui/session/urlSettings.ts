// Settings in the URL, TensorFlow-Playground style: readable keys, only what differs from the
// defaults of that task, model and size ("#v=2&task=sparse_parity&model=mamba&steps=500"). The
// keys, the version and the checks are the lab's one URL schema (src/train/urlFormat.ts), which
// share links are written in too: a share link is a settings URL with the run's results added.
import type { RunConfig } from '../../spec/config';
import type { Parsed } from '../../train/schema';
import { isLabHash, readLabHash, writeLabHash } from '../../train/urlFormat';
import { useLab } from '../store/lab';

/** Is this hash in the lab's key=value form (settings, perhaps with a share link's results)? */
export function isSettingsHash(hash: string): boolean {
  return isLabHash(hash);
}

/** The hash for a config: only the settings that differ from the defaults ("" when none do). */
export function settingsHash(c: RunConfig): string {
  return writeLabHash({ config: c }, false);
}

/** The config a settings hash (or a share link's settings part) describes, missing settings
 *  taking their defaults, or why not. */
export function parseSettingsHash(hash: string): Parsed<RunConfig> {
  const read = readLabHash(hash);
  return read.ok ? { ok: true, value: read.value.config } : read;
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
