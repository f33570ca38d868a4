// Bad input files and flags, given to the bundled CLI as a user gives them: each gets exit
// status 2 and one sentence on stderr, before any GPU work. /dev/zero (endless) is refused
// at once, with the process's peak memory and time measured; a file larger than its format
// can need is refused from its size alone (sparse files, nothing is read). A batch stored in
// other dtypes runs, with a notice for every converted tensor.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../../src/engine/safetensors';
import { buildModel } from '../../src/nn/models';
import { maxTokens, nPositions } from '../../src/tasks';
import { defaultConfig } from '../../src/spec/config';
import { INPUT_LIMITS } from '../../src/cli/files';
import { buildCli, removeCli, ROOT } from './bundle';

const dir = mkdtempSync(join(tmpdir(), 'icl-inputs-'));
let bundle = ''; // this file's own (tests/cli/bundle.ts)
const RSS_FILE = join(dir, 'max-rss-kib');
// records the CLI's peak resident memory when it exits (process.exit runs 'exit' handlers)
const PRELOAD = join(dir, 'max-rss.cjs');

function cli(...args: string[]) {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--require', PRELOAD, bundle, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ICL_TEST_RSS_FILE: RSS_FILE },
  });
  const seconds = (performance.now() - started) / 1000;
  return { ...r, seconds, maxRssMiB: Number(readFileSync(RSS_FILE, 'utf8')) / 1024 };
}

/** Exit status 2 and exactly one line on stderr: "error: <sentence ending in a full stop>". */
function refused(r: ReturnType<typeof cli>): string {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^error: [^\n]+\.\n$/);
  expect(r.stdout).toBe('');
  return r.stderr.slice('error: '.length, -1);
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A sparse file of `bytes` bytes: its size is real, its blocks are not written. */
function sparse(name: string, bytes: number): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

/** A safetensors file whose tensors are stored in the given dtypes (f32 values converted). */
interface StoredTensor {
  name: string;
  shape: number[];
  dtype: 'F32' | 'F64' | 'I32';
  values: ArrayLike<number>;
}

function safetensorsOf(tensors: StoredTensor[]): Uint8Array {
  const header: Record<string, unknown> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    const Typed = { F64: Float64Array, I32: Int32Array, F32: Float32Array }[t.dtype];
    const bytes = Typed.from(t.values);
    const raw = new Uint8Array(bytes.buffer);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + raw.length] };
    chunks.push(raw);
    offset += raw.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// A tiny linear-regression Transformer: d 5, 3 examples (T = 6 tokens), O = 1.
const config = { ...defaultConfig('linear_regression', 'transformer', 'tiny'), nDims: 5, nPoints: 3 };
const [B, T, d] = [2, 6, 5];
const runFile = (over: Record<string, unknown>) =>
  JSON.stringify({ version: 1, config, history: [], icl: null, metrics: {}, stepsPerSecond: 0, adapter: '', ...over });
let paths: { config: string; weights: string; inputs: string; out: string };

afterAll(() => removeCli(bundle));

beforeAll(() => {
  bundle = buildCli();
  const rss = 'String(process.resourceUsage().maxRSS)';
  const record = `require('node:fs').writeFileSync(process.env.ICL_TEST_RSS_FILE, ${rss})`;
  writeFileSync(PRELOAD, `process.on('exit', () => ${record});\n`);
  // weights under the model's own names and shapes, so a good batch runs through
  const shape = { inDim: d, outDim: 1, maxTokens: maxTokens(config), nPositions: nPositions(config) };
  const model = buildModel(config.model, config.size, shape);
  const weights = model.arena.params.map((p, i) => {
    const data = Float32Array.from({ length: p.size }, (_, j) => 0.05 * Math.sin(i + 0.7 * j));
    return { name: p.name, shape: [...p.shape], data };
  });
  paths = {
    config: file('run.json', runFile({})),
    weights: file('weights.safetensors', writeSafetensors(weights)),
    inputs: file('batch.safetensors', batchFile(B, T)),
    out: join(dir, 'out.safetensors'),
  };
}, 300_000);

/** "inputs" (b, t, d) and "targets" (b, t, 1) in the given dtype, and `extra` tensors. */
function batchFile(b: number, t: number, extra: StoredTensor[] = [], targetsDtype: StoredTensor['dtype'] = 'F32') {
  const inputs = Array.from({ length: b * t * d }, (_, i) => Math.sin(0.3 * i));
  const targets = Array.from({ length: b * t }, (_, i) => Math.cos(i));
  return safetensorsOf([
    { name: 'inputs', shape: [b, t, d], dtype: 'F32', values: inputs },
    { name: 'targets', shape: [b, t, 1], dtype: targetsDtype, values: targets },
    ...extra,
  ]);
}

const ones = (n: number) => new Array<number>(n).fill(1);

function forward(over: Partial<typeof paths>) {
  const p = { ...paths, ...over };
  return cli('forward', '--config', p.config, '--weights', p.weights, '--inputs', p.inputs, '--out', p.out);
}

describe('forward refuses bad input files with one sentence', () => {
  it.each(['inputs', 'config', 'weights'] as const)('--%s /dev/zero: at once, in bounded memory', (flag) => {
    const r = forward({ [flag]: '/dev/zero' });
    const what = { inputs: 'batch file', config: 'config file', weights: 'weights file' }[flag];
    expect(refused(r)).toBe(`${what} /dev/zero is not a regular file.`);
    const peak = `peak memory ${r.maxRssMiB.toFixed(0)} MiB`;
    console.log(`--${flag} /dev/zero: exit 2 after ${r.seconds.toFixed(1)} s, ${peak}`);
    // it used to read on without end (2.9 GB in 20 s); node with the bundle loaded needs ~100 MiB
    expect(r.maxRssMiB).toBeLessThan(200);
    expect(r.seconds).toBeLessThan(30);
  });

  it('files larger than their format can need, from their size alone', () => {
    const huge = sparse('huge.safetensors', INPUT_LIMITS.safetensors + 1);
    const hugeError = `batch file ${huge} is 2048.0 MiB, more than a batch file can need (2048 MiB).`;
    expect(refused(forward({ inputs: huge }))).toBe(hugeError);
    const big = sparse('big.json', INPUT_LIMITS.json + 1);
    const bigError = `config file ${big} is 64.0 MiB, more than a config file can need (64 MiB).`;
    expect(refused(forward({ config: big }))).toBe(bigError);
  });

  it('a run file of another version, a null or non-object config', () => {
    const configError = (name: string, content: string) => {
      const path = file(name, content);
      return refused(forward({ config: path })).replace(path, 'FILE');
    };
    expect(configError('v2.json', runFile({ version: 2 }))).toBe(
      '--config: FILE: This run file was made by a newer version of ICL Lab (format 2); this lab reads format 1.',
    );
    expect(configError('banana.json', runFile({ version: 'banana' }))).toBe(
      '--config: FILE: In the run file, "version" must be 1 (it is "banana").',
    );
    expect(configError('null.json', 'null')).toBe(
      '--config: FILE holds neither a run file nor a config object (it holds null).',
    );
    expect(configError('text.json', '"linear_regression"')).toBe(
      '--config: FILE holds neither a run file nor a config object (it holds a string).',
    );
    expect(configError('null-config.json', runFile({ config: null }))).toBe(
      '--config: FILE: In the run file, "config" must be an object (it is null).',
    );
  });

  it('a batch of no prompts or no tokens, or of the wrong shapes', () => {
    const batchError = (name: string, content: Uint8Array) => {
      const path = file(name, content);
      return refused(forward({ inputs: path })).replace(path, 'FILE');
    };
    const empty = 'forward needs B ≥ 1 prompts of T ≥ 1 tokens.';
    expect(batchError('b0.safetensors', batchFile(0, T))).toBe(`batch file FILE: "inputs" has shape [0,6,5]; ${empty}`);
    expect(batchError('t0.safetensors', batchFile(B, 0))).toBe(`batch file FILE: "inputs" has shape [2,0,5]; ${empty}`);
    const wideMask = batchFile(B, T, [{ name: 'mask', shape: [B, T, 2], dtype: 'F32', values: ones(B * T * 2) }]);
    expect(batchError('mask.safetensors', wideMask)).toBe(
      'batch file FILE: "mask" has shape [2,6,2]; it needs [2,6,1], as "targets".',
    );
    const garbage = new TextEncoder().encode('hello');
    expect(batchError('garbage.safetensors', garbage)).toMatch(/^batch file FILE: Not a valid \.safetensors file: /);
  });

  it('names every tensor of the batch converted from another dtype, and runs', () => {
    const notices = (r: ReturnType<typeof cli>) => r.stderr.split('\n').filter((l) => l.startsWith('inputs: '));
    const loss = (path: string) => readSafetensors(readFileSync(path)).tensors.get('loss')!.data[0];
    const mask: StoredTensor = { name: 'mask', shape: [B, T, 1], dtype: 'I32', values: ones(B * T) };
    // targets as F64 and mask as I32: both named
    const converted = file('f64.safetensors', batchFile(B, T, [mask], 'F64'));
    const r = forward({ inputs: converted, out: join(dir, 'f64-out.safetensors') });
    expect(r.status, r.stderr).toBe(0);
    expect(notices(r)).toEqual([
      'inputs: "mask" is stored as I32; converted to f32.',
      'inputs: "targets" is stored as F64; converted to f32.',
    ]);
    // the same batch in f32 says nothing and gives the same loss (these values convert exactly)
    const plain = forward({ out: join(dir, 'f32-out.safetensors') });
    expect(plain.status, plain.stderr).toBe(0);
    expect(notices(plain)).toEqual([]);
    expect(Number.isFinite(loss(join(dir, 'f32-out.safetensors')))).toBe(true);
    expect(loss(join(dir, 'f64-out.safetensors'))).toBe(loss(join(dir, 'f32-out.safetensors')));
    // a tensor forward does not read is named too
    const labels: StoredTensor = { name: 'labels', shape: [1], dtype: 'F32', values: [0] };
    const extra = file('extra.safetensors', batchFile(B, T, [mask, labels]));
    const withExtra = forward({ inputs: extra, out: join(dir, 'extra-out.safetensors') });
    expect(withExtra.status, withExtra.stderr).toBe(0);
    expect(notices(withExtra)).toEqual([
      'inputs: "mask" is stored as I32; converted to f32.',
      'inputs: ignored 1 tensor(s) forward does not read: labels.',
    ]);
  }, 300_000);
});

describe('train refuses integer flags in forms Number() would guess at', () => {
  it.each<[string, string, string]>([
    ['--steps', '0x10', '--steps must be an integer from 1 to 1000000 written in plain digits; got "0x10".'],
    ['--batch', '1e3', '--batch must be an integer from 1 to 1024 written in plain digits; got "1e3".'],
    ['--steps', ' 7', '--steps must be an integer from 1 to 1000000 written in plain digits; got " 7".'],
    ['--seed', '1.5', '--seed must be an integer from 0 to 2147483647; got "1.5".'],
    ['--lr', '0x1', '--lr must be a number, got "0x1".'],
  ])('%s %j', (flag, value, message) => {
    expect(refused(cli('train', flag, value))).toBe(message);
  });

  it('--config /dev/zero', () => {
    const r = cli('train', '--config', '/dev/zero');
    expect(refused(r)).toBe('config file /dev/zero is not a regular file.');
    expect(r.maxRssMiB).toBeLessThan(200);
  });
});
