// The Node CLI as a user runs it: the bundled file (WGSL inlined, only `webgpu` external),
// flag errors with exit status 2, a short training run that writes a run file with curves and
// a checkpoint, `forward` agreeing with the trainer's forward on the same weights, and
// `--stop-after` + `--resume` giving that run's checkpoint bit for bit, then `--extend-to`.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../../src/engine/safetensors';
import { defaultConfig } from '../../src/spec/config';
import { parseRunFile } from '../../src/train/schema';
import { buildCli, removeCli, runCli } from './bundle';

let BUNDLE = '';
const dir = mkdtempSync(join(tmpdir(), 'icl-cli-'));

function cli(...args: string[]) {
  return runCli(BUNDLE, args);
}

function runFileAt(path: string) {
  const parsed = parseRunFile(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

beforeAll(() => {
  BUNDLE = buildCli();
  const bundle = readFileSync(BUNDLE, 'utf8');
  // one file: kernels inlined, nothing imported but node built-ins and webgpu
  expect(bundle).toContain('@compute');
  const imports = [...bundle.matchAll(/^import .* from ["']([^"']+)["']/gm)].map((m) => m[1]);
  expect(imports.filter((m) => m !== 'webgpu' && !m.startsWith('node:') && !/^[a-z_]+$/.test(m))).toEqual([]);
});

afterAll(() => removeCli(BUNDLE));

describe('cli', () => {
  it('explains bad flags and exits 2', () => {
    const unknown = cli('train', '--bogus');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/bogus/);
    const badTask = cli('train', '--task', 'nope');
    expect(badTask.status).toBe(2);
    expect(badTask.stderr).toMatch(/--task must be one of/);
    const badNumber = cli('train', '--steps', 'many');
    expect(badNumber.status).toBe(2);
    expect(badNumber.stderr).toMatch(/--steps must be a number/);
    expect(cli('train', '--help').stdout).toMatch(/--eval-every/);
    expect(cli('frobnicate').status).toBe(2);
    const badSchedule = cli('train', '--lr-schedule', 'linear');
    expect(badSchedule.status).toBe(2);
    expect(badSchedule.stderr).toBe('error: --lr-schedule must be one of constant, cosine; got "linear".\n');
  });

  it('lists the config flags in --help', () => {
    const help = cli('train', '--help');
    expect(help.status).toBe(0);
    const configFlags = ['--config FILE', '--n-dims N', '--n-points N', '--no-parity-per-prompt', '--warmup N'];
    configFlags.push('--lr-schedule NAME', '--clip X', '--print-config');
    const runFlags = [
      '--checkpoint-every N',
      '--resume FILE',
      '--stop-after K',
      '--extend-to M',
      '--weights-only-resume',
    ];
    for (const f of [...configFlags, ...runFlags]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${f} `, 'm'));
    }
    expect(help.stdout).toMatch(/^SIGINT \(Ctrl-C\) or SIGTERM: the step in progress finishes/m);
  });

  it("trains from a run file's config (--config), flags overriding its fields", () => {
    const config = {
      ...defaultConfig('sparse_parity', 'transformer', 'tiny'),
      nDims: 6,
      nPoints: 12,
      warmup: 1,
      lrSchedule: 'cosine' as const,
      steps: 3,
      batch: 8,
      evalEvery: 2,
      evalPrompts: 16,
      seed: 5,
      clip: 3,
    };
    const source = join(dir, 'source.json');
    writeFileSync(
      source,
      JSON.stringify({ version: 1, config, history: [], icl: null, metrics: {}, stepsPerSecond: 0, adapter: '' }),
    );
    const out = join(dir, 'from-config.json');
    const r = cli('train', '--config', source, '--n-points', '10', '--no-parity-per-prompt', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'on sparse_parity (d 6, n 10, indices shared per batch), 3 steps, batch 8, lr 0.0004 ' +
        '(1 warm-up step, then cosine), clip 3, seed 5',
    );
    const written = parseRunFile(JSON.parse(readFileSync(out, 'utf8')));
    if (!written.ok) throw new Error(written.error);
    const want = { ...config, nPoints: 10, parityPerPrompt: false };
    expect(written.value.config).toEqual(want);
    expect(written.value.icl!.positions).toHaveLength(10);
    // The run file it wrote gives the same config back, and a flag still wins over it.
    const again = cli('train', '--config', out, '--print-config');
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(want);
    expect(
      JSON.parse(cli('train', '--config', out, '--lr-schedule', 'constant', '--warmup', '0', '--print-config').stdout),
    ).toEqual({ ...want, lrSchedule: 'constant', warmup: 0 });
  });

  it('a training step this GPU cannot bind stops the run with a sentence and exit status 1', () => {
    // lavapipe binds at most 128 MiB, as browsers do; the paper Mamba's in_proj output at 1024
    // tokens and batch 64 is 256 MiB (README: what needs more than the defaults)
    const out = join(dir, 'refused.json');
    const r = cli(
      'train',
      '--task',
      'many_outlier_regression',
      '--model',
      'mamba',
      '--size',
      'paper',
      '--no-curriculum',
      '--steps',
      '2',
      '--out',
      out,
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        String.raw`^error: The paper mamba does not fit on this GPU at batch 64 and 512 examples per prompt\. ` +
          String.raw`The kernel "\w+" binds 256\.0 MiB of ".+" \(binding \d\); this GPU binds at most 128\.0 MiB ` +
          String.raw`per storage buffer\. Choose a smaller size or batch\.$`,
        'm',
      ),
    );
    expect(r.stdout).not.toMatch(/^step /m);
    expect(existsSync(out)).toBe(false);
  });

  it('trains, writes a run file with curves and a checkpoint; forward matches', () => {
    const run = join(dir, 'run.json');
    const ckpt = join(dir, 'model.safetensors');
    const r = cli(
      'train',
      '--task',
      'linear_regression',
      '--model',
      'transformer',
      '--size',
      'tiny',
      '--steps',
      '6',
      '--batch',
      '8',
      '--eval-every',
      '3',
      '--eval-prompts',
      '16',
      '--seed',
      '3',
      '--out',
      run,
      '--checkpoint',
      ckpt,
    );
    expect(r.stderr).not.toMatch(/error/i); // Dawn prints limit warnings, nothing more
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/step 6 \/ 6/);
    const parsed = parseRunFile(JSON.parse(readFileSync(run, 'utf8')));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.history.map((h) => h.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Object.keys(parsed.value.icl!.curves)).toEqual(expect.arrayContaining(['model', 'zero', 'least_squares']));
    expect(parsed.value.icl!.positions).toHaveLength(41);

    // forward on the checkpoint: a batch of the full size
    const weights = readSafetensors(readFileSync(ckpt));
    expect(weights.tensors.get('_backbone.h.0.attn.c_attn.weight')!.shape).toEqual([64, 192]);
    const B = 2;
    const T = 82;
    const d = 20;
    const inputs = Float32Array.from({ length: B * T * d }, (_, i) => Math.sin(i * 0.37));
    const targets = Float32Array.from({ length: B * T }, (_, i) => Math.cos(i));
    writeFileSync(
      join(dir, 'in.safetensors'),
      writeSafetensors([
        { name: 'inputs', shape: [B, T, d], data: inputs },
        { name: 'targets', shape: [B, T, 1], data: targets },
      ]),
    );
    const f = cli(
      'forward',
      '--config',
      run,
      '--weights',
      ckpt,
      '--inputs',
      join(dir, 'in.safetensors'),
      '--out',
      join(dir, 'out.safetensors'),
    );
    expect(f.status, f.stderr).toBe(0);
    const out = readSafetensors(readFileSync(join(dir, 'out.safetensors'))).tensors;
    expect(out.get('predictions')!.shape).toEqual([B, T, 1]);
    expect(Number.isFinite(out.get('loss')!.data[0])).toBe(true);
    expect(out.get('grad._backbone.h.1.mlp.c_fc.weight')!.shape).toEqual([64, 256]);
    const gradNorm = Math.hypot(...out.get('grad._read_in.weight')!.data);
    expect(gradNorm).toBeGreaterThan(0);

    // --stop-after 4, then --resume: the checkpoint pair and run of the 6 steps, bit for bit
    const args = ['--task', 'linear_regression', '--model', 'transformer', '--size', 'tiny', '--steps', '6'];
    args.push('--batch', '8', '--eval-every', '3', '--eval-prompts', '16', '--seed', '3');
    const split = join(dir, 'split.safetensors');
    const splitAdam = join(dir, 'split.adam.safetensors');
    const first = cli('train', ...args, '--stop-after', '4', '--checkpoint', split);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `--stop-after 4: stopped at step 4 of 6; saved ${split}, ${splitAdam}; ` +
        `continue with: npm run train -- --resume ${split}`,
    );
    const second = cli('train', '--resume', split, '--out', join(dir, 'split.json'));
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/resumed run \w{8} from .* at step 4 of 6 \(Adam moments from .*split\.adam/);
    for (const [a, b] of [
      [ckpt, split],
      [join(dir, 'model.adam.safetensors'), join(dir, 'split.adam.safetensors')],
    ]) {
      const want = readSafetensors(readFileSync(a));
      const got = readSafetensors(readFileSync(b));
      expect([...got.tensors.keys()]).toEqual([...want.tensors.keys()]);
      for (const [name, t] of want.tensors) expect(got.tensors.get(name)!.data, name).toEqual(t.data);
    }
    const straight = runFileAt(run);
    const resumed = runFileAt(join(dir, 'split.json'));
    expect(resumed.history).toEqual(straight.history);
    expect(resumed.evaluations).toEqual(straight.evaluations);
    expect(resumed.evaluations!.map((e) => e.step)).toEqual([3, 6]);

    // --extend-to continues the finished run; the curriculum keeps its pace
    const more = cli('train', '--resume', ckpt, '--extend-to', '8', '--out', join(dir, 'run8.json'));
    expect(more.status, more.stderr).toBe(0);
    expect(more.stdout).toMatch(
      /extending the run from 6 to 8 steps: the curriculum keeps the pace of the first 6 steps \(full size from step/,
    );
    expect(more.stdout).toContain('so the added steps train at full size');
    expect(more.stdout).toMatch(/step 8 \/ 8/);
    expect(runFileAt(join(dir, 'run8.json')).history.map((h) => h.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(readSafetensors(readFileSync(join(dir, 'model.adam.safetensors'))).metadata.adam_step).toBe('8');
  });
});
