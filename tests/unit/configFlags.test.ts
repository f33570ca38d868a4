// The train command's config flags without a GPU: each flag sets its field, --config starts
// from a run file or a bare config and flags override it, and bad values are one sentence.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromFlags, CONFIG_HELP } from '../../src/cli/configFlags';
import { defaultConfig, type RunConfig } from '../../src/spec/config';
import type { RunFile } from '../../src/train/protocol';

const dir = mkdtempSync(join(tmpdir(), 'icl-flags-'));
let files = 0;
function file(content: unknown): string {
  const path = join(dir, `f${files++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function runFile(config: RunConfig): RunFile {
  return {
    version: 1,
    config,
    history: [{ step: 1, loss: 1 }],
    icl: null,
    metrics: {},
    stepsPerSecond: 10,
    adapter: 'x',
  };
}

function usageError(flags: Record<string, string | boolean>): string {
  try {
    configFromFlags(flags);
  } catch (e) {
    expect((e as Error).name).toBe('UsageError');
    return (e as Error).message;
  }
  throw new Error('no UsageError');
}

describe('config flags', () => {
  it('set the fields they are named after', () => {
    const c = configFromFlags({
      task: 'sparse_parity',
      model: 'mamba',
      size: 'small',
      steps: '300',
      seed: '4',
      lr: '0.001',
      warmup: '50',
      'lr-schedule': 'cosine',
      batch: '16',
      clip: '2.5',
      'eval-every': '25',
      'eval-prompts': '64',
      'n-dims': '6',
      'n-points': '40',
      'no-parity-per-prompt': true,
      curriculum: true,
    });
    expect(c).toEqual({
      ...defaultConfig('sparse_parity', 'mamba', 'small'),
      steps: 300,
      seed: 4,
      lr: 0.001,
      warmup: 50,
      lrSchedule: 'cosine',
      batch: 16,
      clip: 2.5,
      evalEvery: 25,
      evalPrompts: 64,
      nDims: 6,
      nPoints: 40,
      parityPerPrompt: false,
      curriculum: true,
    });
    expect(configFromFlags({})).toEqual(defaultConfig());
    expect(configFromFlags({ task: 'vector_mqar' })).toEqual(defaultConfig('vector_mqar'));
  });

  it('start from a run file or a bare config given by --config, and flags override it', () => {
    const base: RunConfig = {
      ...defaultConfig('decision_tree', 'mambaformer'),
      nDims: 7,
      nPoints: 30,
      warmup: 100,
      lrSchedule: 'cosine',
      parityPerPrompt: false,
      curriculum: false,
      seed: 9,
    };
    const run = file(runFile(base));
    expect(configFromFlags({ config: run })).toEqual(base);
    expect(
      configFromFlags({
        config: run,
        'n-points': '12',
        'lr-schedule': 'constant',
        'parity-per-prompt': true,
        curriculum: true,
      }),
    ).toEqual({
      ...base,
      nPoints: 12,
      lrSchedule: 'constant',
      parityPerPrompt: true,
      curriculum: true,
    });
    // A bare config; its missing fields take the defaults of the task the flags end with.
    expect(configFromFlags({ config: file({ steps: 50, nDims: 5 }), task: 'sparse_parity' })).toEqual({
      ...defaultConfig('sparse_parity'),
      steps: 50,
      nDims: 5,
    });
    // A run file written before warm-up and schedules existed trains at its constant rate.
    const { warmup: _w, lrSchedule: _s, ...old } = base;
    expect(configFromFlags({ config: file({ ...runFile(base), config: old }) })).toEqual({
      ...base,
      warmup: 0,
      lrSchedule: 'constant',
    });
  });

  it.each<[Record<string, string | boolean>, string]>([
    [{ 'lr-schedule': 'linear' }, '--lr-schedule must be one of constant, cosine; got "linear".'],
    [{ 'n-dims': '0' }, '--n-dims must be an integer from 1 to 64; got "0".'],
    [{ 'n-points': '2.5' }, '--n-points must be an integer from 1 to 1024; got "2.5".'],
    [{ warmup: 'soon' }, '--warmup must be a number, got "soon".'],
    // integers in plain digits only: Number() would read these as 16, 1000 and 7
    [{ steps: '0x10' }, '--steps must be an integer from 1 to 1000000 written in plain digits; got "0x10".'],
    [{ batch: '1e3' }, '--batch must be an integer from 1 to 1024 written in plain digits; got "1e3".'],
    [{ seed: ' 7' }, '--seed must be an integer from 0 to 2147483647 written in plain digits; got " 7".'],
    [{ 'eval-every': '1.5' }, '--eval-every must be an integer from 1 to 1000000; got "1.5".'],
    [{ steps: '' }, '--steps must be a number, got "".'],
    [{ lr: '0x10' }, '--lr must be a number, got "0x10".'],
    [{ clip: '1e999' }, '--clip must be a number, got "1e999".'],
    [{ clip: '0' }, '--clip must be a number greater than 0 and at most 1000000; got "0".'],
    [
      { task: 'nope' },
      '--task must be one of linear_regression, sparse_linear_regression, relu_2nn_regression, ' +
        'decision_tree, orthogonal_outlier_regression, many_outlier_regression, sparse_parity, cot_io, ' +
        'vector_mqar; got "nope".',
    ],
    [
      { curriculum: true, 'no-curriculum': true },
      '--curriculum and --no-curriculum contradict each other; give one of them.',
    ],
    [
      { task: 'cot_io', 'n-dims': '4' },
      'In the config, "nDims" must be at least 8 for cot_io, whose hidden layer is padded into a token (it is 4).',
    ],
  ])('explain %j in one sentence', (flags, message) => {
    expect(usageError(flags)).toBe(message);
  });

  it('take integers in plain digits and numbers as people write them', () => {
    const c = configFromFlags({ steps: '016', seed: '+3', lr: '1e-3', clip: '.5' });
    expect(c).toMatchObject({ steps: 16, seed: 3, lr: 0.001, clip: 0.5 });
  });

  it('explain a --config file they cannot use', () => {
    const missing = join(dir, 'missing.json');
    expect(usageError({ config: missing })).toBe(`cannot read config file ${missing}: no such file or directory.`);
    expect(usageError({ config: '/dev/zero' })).toBe('config file /dev/zero is not a regular file.');
    expect(usageError({ config: dir })).toBe(`config file ${dir} is not a regular file.`);
    const notJson = file('{ "task": ');
    const notJsonError = new RegExp(`^config file ${notJson} is not valid JSON \\(.+\\)\\.$`);
    expect(usageError({ config: notJson })).toMatch(notJsonError);
    const neither = (path: string, what: string) =>
      `--config: ${path} holds neither a run file nor a config object (it holds ${what}).`;
    const list = file([1, 2]);
    expect(usageError({ config: list })).toBe(neither(list, 'a list'));
    const nul = file('null');
    expect(usageError({ config: nul })).toBe(neither(nul, 'null'));
    const runFileError = (path: string, error: string) => `--config: ${path}: ${error}`;
    const nullConfig = file({ ...runFile(defaultConfig()), config: null });
    expect(usageError({ config: nullConfig })).toBe(
      runFileError(nullConfig, 'In the run file, "config" must be an object (it is null).'),
    );
    const banana = file({ ...runFile(defaultConfig()), version: 'banana' });
    expect(usageError({ config: banana })).toBe(
      runFileError(banana, 'In the run file, "version" must be 1 (it is "banana").'),
    );
    const { version: _v, ...unversioned } = runFile(defaultConfig());
    const noVersion = file(unversioned);
    expect(usageError({ config: noVersion })).toBe(runFileError(noVersion, 'The run file has no "version" field.'));
    const typo = file({ task: 'sparse_parity', nDim: 5 });
    expect(usageError({ config: typo })).toMatch(
      new RegExp(
        `^--config: ${typo} has a field a run config does not \\(nDim\\); its fields are task, .*, lrSchedule\\.$`,
      ),
    );
    const badValue = file(runFile({ ...defaultConfig(), warmup: -5 }));
    expect(usageError({ config: badValue, warmup: '5' })).toBe(
      `--config: ${badValue}: In the config, "warmup" must be an integer from 0 to 1000000 (it is -5).`,
    );
    const newer = file({ ...runFile(defaultConfig()), version: 2 });
    expect(usageError({ config: newer })).toBe(
      `--config: ${newer}: This run file was made by a newer version of ICL Lab (format 2); this lab reads format 1.`,
    );
  });

  it('are each in the help text', () => {
    for (const f of [
      '--config FILE',
      '--n-dims N',
      '--n-points N',
      '--no-parity-per-prompt',
      '--warmup N',
      '--lr-schedule NAME',
      '--clip X',
      '--curriculum',
      '--no-curriculum',
    ]) {
      expect(CONFIG_HELP).toMatch(new RegExp(`^  ${f} `, 'm'));
    }
  });
});
