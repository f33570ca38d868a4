// Settings in the URL (src/ui/session/urlSettings.ts): readable keys, only non-defaults, and a
// round trip through the run config's schema; bad values are refused with a sentence.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/spec/config';
import { isSettingsHash, parseSettingsHash, settingsHash } from '../../src/ui/session/urlSettings';

describe('settings in the URL', () => {
  it('writes nothing for the defaults and only what differs otherwise', () => {
    expect(settingsHash(defaultConfig())).toBe('');
    const c = { ...defaultConfig('sparse_parity', 'mamba', 'tiny'), steps: 500, parityPerPrompt: false };
    expect(settingsHash(c)).toBe('#v=2&task=sparse_parity&model=mamba&steps=500&parity_per_prompt=0');
  });

  it('reads back what it writes', () => {
    const configs = [
      defaultConfig(),
      { ...defaultConfig('vector_mqar', 'mambaformer', 'small'), seed: 9, lr: 0.00031, nPoints: 32 },
      { ...defaultConfig('linear_regression'), curriculum: false, lrSchedule: 'cosine' as const, warmup: 100 },
    ];
    for (const c of configs) {
      const hash = settingsHash(c) || '#task=linear_regression';
      const parsed = parseSettingsHash(hash);
      expect(parsed).toEqual({ ok: true, value: c });
    }
  });

  it('tells a settings hash from a share link', () => {
    expect(isSettingsHash('#task=cot_io')).toBe(true);
    expect(isSettingsHash('#v1.abc=')).toBe(false);
    expect(isSettingsHash('#')).toBe(false);
  });

  it('refuses bad values and unknown keys with a sentence', () => {
    const bad = parseSettingsHash('#steps=-5');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^The settings in the address are not valid: .*steps/);
    const unknown = parseSettingsHash('#task=cot_io&colour=red');
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error).toMatch(/does not know \(colour\)/);
    expect(parseSettingsHash('#task=nonsense').ok).toBe(false);
  });
});
