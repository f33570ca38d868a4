// One URL format (src/train/urlFormat.ts) for settings URLs and share links: a share link is a
// settings URL with the run's results added, so each reads as the other; the addresses made
// before (format 1 share links, settings hashes without a version) still open to the same run
// and settings; every setting of a run config has its key.
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type RunConfig } from '../../src/spec/config';
import { compactRun, decodeLabHash, decodeShareLink, encodeShareLink, toBase64Url } from '../../src/train/shareLink';
import { readLabHash, SETTINGS_PROPS, URL_FORMAT_VERSION, writeLabHash } from '../../src/train/urlFormat';
import { parseSettingsHash, settingsHash } from '../../src/ui/session/urlSettings';
import { fixtureRun } from '../e2e/fixtures';

/** A share link as the lab wrote it before format 2: the whole run (compacted), packed. */
const formatOneLink = (payload: unknown) =>
  `#v1.${toBase64Url(deflateSync(new TextEncoder().encode(JSON.stringify(payload))))}`;

const configs: RunConfig[] = [
  defaultConfig(),
  { ...defaultConfig('vector_mqar', 'mambaformer', 'small'), seed: 9, lr: 0.00031, nPoints: 32 },
  { ...defaultConfig('sparse_parity', 'mamba', 'tiny'), steps: 500, parityPerPrompt: false, lrSchedule: 'cosine' },
];

describe('one URL format', () => {
  it('has a key for every setting of a run config', () => {
    expect(SETTINGS_PROPS.map((p) => p.field).sort()).toEqual(Object.keys(defaultConfig()).sort());
    expect(new Set(SETTINGS_PROPS.map((p) => p.key)).size).toBe(SETTINGS_PROPS.length);
  });

  it('writes a share link as the settings URL of its run plus its results', () => {
    const run = { ...fixtureRun(), config: configs[2] };
    const link = encodeShareLink(run, { teaching: true });
    expect(link.startsWith(`#v=${URL_FORMAT_VERSION}&task=sparse_parity&model=mamba&size=tiny&seed=1&steps=500&`)).toBe(
      true,
    );
    expect(link).toMatch(/&teach=1&results=[A-Za-z0-9_-]+$/);
    // read as a settings URL, a share link gives its run's settings
    expect(parseSettingsHash(link)).toEqual({ ok: true, value: run.config });
    // and a settings URL given the results part is that share link's run
    const results = /&results=.*$/.exec(link)![0];
    const rebuilt = decodeShareLink(`${settingsHash(run.config)}&teach=1${results}`);
    expect(rebuilt.ok).toBe(true);
    expect(rebuilt).toEqual(decodeShareLink(link));
  });

  it('reads a settings URL as settings with no run, and a share link as both', () => {
    for (const config of configs) {
      const settings = decodeLabHash(settingsHash(config) || '#task=linear_regression');
      expect(settings).toEqual({ ok: true, config, teaching: false, run: null });
      const shared = decodeLabHash(encodeShareLink({ ...fixtureRun(), config }));
      expect(shared.ok && shared.config).toEqual(config);
      expect(shared.ok && shared.run?.config).toEqual(config);
    }
  });

  it('opens a format 1 share link to the run a format 2 link of it opens', () => {
    const run = fixtureRun();
    for (const teaching of [false, true]) {
      const packed = { run: compactRun(run) };
      const old = decodeShareLink(formatOneLink(teaching ? { teaching, ...packed } : packed));
      const now = decodeShareLink(encodeShareLink(run, { teaching }));
      if (!old.ok || !now.ok) throw new Error('both links should open');
      expect(old.teaching).toBe(teaching);
      expect(now.teaching).toBe(teaching);
      expect(now.run).toEqual(old.run);
    }
  });

  it('reads a settings hash from before versions as the same settings', () => {
    for (const config of configs.slice(1)) {
      const now = settingsHash(config);
      const before = now.replace(`#v=${URL_FORMAT_VERSION}&`, '#');
      expect(before).not.toMatch(/v=/);
      expect(parseSettingsHash(before)).toEqual({ ok: true, value: config });
      expect(parseSettingsHash(now)).toEqual({ ok: true, value: config });
    }
  });

  it('writes every setting in a share link, only the changed ones in a settings URL', () => {
    const c = configs[1];
    const complete = writeLabHash({ config: c }, true);
    for (const { key } of SETTINGS_PROPS) expect(complete).toMatch(new RegExp(`[#&]${key}=`));
    expect(writeLabHash({ config: defaultConfig() }, false)).toBe('');
    expect(writeLabHash({ config: c }, false)).toBe(
      '#v=2&task=vector_mqar&model=mambaformer&size=small&seed=9&lr=0.00031&n=32',
    );
  });

  it('refuses with a sentence: a newer format, a setting given twice, a bad flag, a link of settings only', () => {
    const said = (hash: string) => {
      const r = readLabHash(hash);
      return r.ok ? '' : r.error;
    };
    expect(said('#v=3&task=cot_io')).toMatch(/newer version of ICL Lab \(link format v3\); this page reads v2/);
    expect(said('#v=x&task=cot_io')).toBe('This address names a link format that ICL Lab never made.');
    expect(said('#task=cot_io&task=linear_regression')).toMatch(/gives "task" twice/);
    expect(said('#task=cot_io&teach=yes')).toBe('The address\'s "teach" must be 1 or 0.');
    expect(said('#task=cot_io&<b>=1')).toMatch(/^The address holds settings the lab does not know; the ones it knows/);
    const noRun = decodeShareLink('#v=2&task=cot_io');
    expect(noRun.ok).toBe(false);
    expect(!noRun.ok && noRun.error).toMatch(/holds settings but no run/);
  });
});
