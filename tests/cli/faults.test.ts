// Faults a long run meets, injected into the train command: a missing or read-only output
// directory, a device as output, a full disk and a write that dies mid-file (through the
// injectable writer), kill -9 during a checkpoint write, SIGINT/SIGTERM mid-run (once and
// twice), a mismatched checkpoint pair, a resume with other flags or a bad step, weights
// without a run. Each case checks that every previously good file is byte for byte what it
// was (after a kill: whole files of a consistent pair) and that the user gets one sentence
// and the exit status.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optimizerPath, readCheckpointPair } from '../../src/cli/checkpoints';
import { writeFileAtomic, writeFilesAtomic, type FileSystemWriter } from '../../src/cli/files';
import { readSafetensors, writeSafetensors } from '../../src/engine/safetensors';
import { parseRunFile } from '../../src/train/schema';
import { buildCli, removeCli, runCli, startCli } from './bundle';

const dir = mkdtempSync(join(tmpdir(), 'icl-faults-'));
/** A tiny run: d 6, n 15 (the curriculum grows n), batch 4, 8 evaluation prompts. */
const RUN = ['--task', 'linear_regression', '--model', 'transformer', '--size', 'tiny'];
RUN.push('--n-dims', '6', '--n-points', '15', '--batch', '4', '--eval-prompts', '8', '--seed', '3');
const GOOD = join(dir, 'good.safetensors');
const GOOD_RUN = join(dir, 'good.json');
let bundle = '';
/** Every fault injected, and every good file found damaged afterwards (the goal: 0). */
const tally = { faults: 0, damaged: 0 };

function snapshot(...paths: string[]): Map<string, Buffer> {
  return new Map(paths.map((p) => [p, readFileSync(p)]));
}

/** Every file of the snapshot is still byte for byte what it was. */
function expectUnchanged(before: Map<string, Buffer>): void {
  for (const [path, bytes] of before) {
    const same = existsSync(path) && readFileSync(path).equals(bytes);
    if (!same) tally.damaged += 1;
    expect(same, `${path} unchanged`).toBe(true);
  }
}

/** stderr without Dawn's limit warnings. */
function messages(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l && !l.startsWith('Warning: '))
    .join('\n');
}

/** The command said exactly this one sentence on stderr, as "error: …". */
function expectSaid(stderr: string, sentence: string): void {
  expect(sentence).toMatch(/^[^\n]+\.$/);
  expect(messages(stderr)).toBe(`error: ${sentence}`);
}

function temporaries(where: string): string[] {
  return readdirSync(where).filter((n) => n.endsWith('.tmp'));
}

function copyPair(from: string, to: string): void {
  copyFileSync(from, to);
  copyFileSync(optimizerPath(from), optimizerPath(to));
}

/** The first 8 characters of a checkpoint's run id, as messages show it. */
function runIdOf(path: string): string {
  return readSafetensors(readFileSync(path)).metadata.run_id.slice(0, 8);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  bundle = buildCli();
  // a good checkpoint pair and run file at step 4 of 6
  const args = ['--steps', '6', '--eval-every', '2', '--stop-after', '4', '--checkpoint', GOOD, '--out', GOOD_RUN];
  const r = runCli(bundle, ['train', ...RUN, ...args]);
  expect(r.status, r.stderr).toBe(0);
}, 300_000); // a build and a short run: slow only when the machine is shared
afterAll(() => removeCli(bundle));

describe('output paths are checked before the first step', () => {
  it('a missing directory: exit 2, one sentence, nothing written', () => {
    tally.faults += 1;
    const before = snapshot(GOOD, optimizerPath(GOOD), GOOD_RUN);
    const out = join(dir, 'missing', 'sub', 'run.json');
    const r = runCli(bundle, ['train', ...RUN, '--steps', '6', '--out', out, '--checkpoint', GOOD]);
    expect(r.status).toBe(2);
    expectSaid(r.stderr, `cannot write run file ${out}: no such file or directory (${join(dir, 'missing', 'sub')}).`);
    expect(r.stdout).not.toMatch(/^step /m);
    expectUnchanged(before); // the good pair that --checkpoint names is not overwritten by a run that cannot save
  });

  it('a read-only directory (as root, where permissions do not stop writes: sysfs, or a path under a file)', () => {
    tally.faults += 1;
    const before = snapshot(GOOD, optimizerPath(GOOD), GOOD_RUN);
    let target: string;
    let said: string;
    if (process.getuid?.() !== 0) {
      const ro = join(dir, 'read-only');
      mkdirSync(ro, { mode: 0o555 });
      target = join(ro, 'run.json');
      said = `cannot write run file ${target}: permission denied (${ro}).`;
    } else {
      // root writes into a 0555 directory; sysfs refuses new files even to root
      let refuses = false;
      try {
        writeFileSync('/sys/icl-probe', '');
      } catch {
        refuses = true;
      }
      target = refuses ? '/sys/run.json' : join(GOOD_RUN, 'run.json');
      said = refuses
        ? `cannot write run file ${target}: permission denied (/sys).`
        : `cannot write run file ${target}: ${GOOD_RUN} is not a directory.`;
    }
    const r = runCli(bundle, ['train', ...RUN, '--steps', '6', '--checkpoint', GOOD, '--out', target]);
    expect(r.status).toBe(2);
    expectSaid(r.stderr, said);
    expectUnchanged(before);

    tally.faults += 1;
    const underFile = join(GOOD_RUN, 'model.safetensors');
    const u = runCli(bundle, ['train', ...RUN, '--steps', '6', '--checkpoint', underFile]);
    expect(u.status).toBe(2);
    expectSaid(u.stderr, `cannot write checkpoint ${underFile}: ${GOOD_RUN} is not a directory.`);
    expectUnchanged(before);
  });

  it('a device as output (/dev/full): refused, and the device stays a device', () => {
    tally.faults += 1;
    const r = runCli(bundle, ['train', ...RUN, '--steps', '6', '--out', '/dev/full']);
    expect(r.status).toBe(2);
    expectSaid(r.stderr, 'cannot write run file /dev/full: it is not a regular file.');
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});

describe('writes are atomic', () => {
  /** Writes `limit` bytes of file `fileIndex`, then fails with `code` (ENOSPC: a full disk; EIO: a dying write). */
  function failingWriter(code: string, limit: number, fileIndex: number): FileSystemWriter {
    let files = -1;
    return {
      write: (fd, data, offset) => {
        if (offset === 0) files += 1; // a new file (descriptors are reused, offsets restart)
        const n = Math.min(data.length - offset, 4096);
        if (files === fileIndex && offset + n > limit) {
          throw Object.assign(new Error(`${code}: injected`), { code });
        }
        return writeSync(fd, data, offset, n);
      },
    };
  }

  for (const [code, said] of [
    ['ENOSPC', 'the disk is full'],
    ['EIO', 'EIO: injected'],
  ] as const) {
    for (const fileIndex of [0, 1, 2]) {
      it(`${code} in file ${fileIndex + 1} of 3 of a save: every file stays as it was, no temporaries`, () => {
        tally.faults += 1;
        const where = mkdtempSync(join(dir, 'atomic-'));
        const ckpt = join(where, 'model.safetensors');
        const run = join(where, 'run.json');
        copyPair(GOOD, ckpt);
        copyFileSync(GOOD_RUN, run);
        const before = snapshot(ckpt, optimizerPath(ckpt), run);
        const files = [
          { path: optimizerPath(ckpt), data: new Uint8Array(300_000).fill(1) },
          { path: ckpt, data: new Uint8Array(200_000).fill(2) },
          { path: run, data: 'x'.repeat(20_000) },
        ];
        const failed = files[fileIndex].path;
        expect(() => writeFilesAtomic(files, failingWriter(code, 12_288, fileIndex))).toThrow(
          `could not write ${failed}: ${said}; the previous file (if any) is unchanged.`,
        );
        expectUnchanged(before);
        expect(temporaries(where)).toEqual([]);
        expect(readCheckpointPair(ckpt, false).state.step).toBe(4);
      });
    }
  }

  it('kill -9 during checkpoint writes: files left whole, the pair consistent (or refused as a pair)', async () => {
    const where = mkdtempSync(join(dir, 'kill-'));
    const ckpt = join(where, 'model.safetensors');
    const run = join(where, 'run.json');
    // a save after every step, so that a good share of the time is spent writing
    const every = ['--checkpoint-every', '1', '--checkpoint', ckpt, '--out', run];
    const cli = startCli(bundle, ['train', ...RUN, '--steps', '2000', '--eval-every', '1000', ...every]);
    const deadline = Date.now() + 90_000;
    while (!existsSync(run) && Date.now() < deadline) await sleep(50);
    expect(existsSync(run), cli.output()).toBe(true);
    let caught: string[] = [];
    // stop the process at random moments until it is stopped mid-write, then kill it there
    while (Date.now() < deadline) {
      cli.child.kill('SIGSTOP');
      caught = temporaries(where);
      if (caught.length > 0) break;
      cli.child.kill('SIGCONT');
      await sleep(2 + Math.random() * 25);
    }
    cli.child.kill('SIGKILL');
    const { signal } = await cli.exit;
    expect(signal).toBe('SIGKILL');
    expect(caught.length, 'killed while a temporary file was being written').toBeGreaterThan(0);
    tally.faults += 1;

    // whole files: the run file parses, both checkpoint files are valid safetensors
    expect(parseRunFile(JSON.parse(readFileSync(run, 'utf8'))).ok).toBe(true);
    readSafetensors(readFileSync(optimizerPath(ckpt)));
    try {
      const pair = readCheckpointPair(ckpt, false);
      expect(pair.state.step).toBeGreaterThan(0);
      expect(pair.state.run.history.at(-1)!.step).toBe(pair.state.step);
    } catch (e) {
      // a kill between the two renames (microseconds apart): refused as a pair, never loaded as one
      expect((e as Error).message).toMatch(/are not one pair/);
    }
    // the next save beside them removes what the killed process left
    for (const path of [ckpt, optimizerPath(ckpt), run]) writeFileAtomic(path, readFileSync(path));
    expect(temporaries(where)).toEqual([]);
  }, 150_000);
});

describe('signals', () => {
  /** Starts a long run and resolves once it has printed its first progress line. */
  async function started(args: string[]) {
    const cli = startCli(bundle, ['train', ...RUN, '--steps', '2000', '--eval-every', '1000', ...args]);
    const deadline = Date.now() + 90_000;
    while (!/^step \d+ \/ 2000/m.test(cli.output()) && Date.now() < deadline) await sleep(50);
    expect(cli.output()).toMatch(/^step \d+ \/ 2000/m);
    return cli;
  }

  it('SIGINT mid-run: finishes the step, saves the pair and the run file, says where, exits 130', async () => {
    tally.faults += 1;
    const ckpt = join(dir, 'int.safetensors');
    const run = join(dir, 'int.json');
    const cli = await started(['--checkpoint', ckpt, '--out', run]);
    cli.child.kill('SIGINT');
    const r = await cli.exit;
    expect(r.code).toBe(130);
    const files = `${ckpt}, ${optimizerPath(ckpt)}, ${run}`;
    const said = `SIGINT: finishing the step in progress, then saving to ${files}; a second SIGINT exits at once.`;
    expect(messages(r.stderr)).toBe(said);
    const step = Number(/^SIGINT: stopped at step (\d+) of 2000/m.exec(r.stdout)?.[1]);
    expect(step).toBeGreaterThan(0);
    expect(r.stdout).toContain(
      `SIGINT: stopped at step ${step} of 2000; saved ${files}; continue with: npm run train -- --resume ${ckpt}\n`,
    );
    const pair = readCheckpointPair(ckpt, false);
    expect(pair.state.step).toBe(step);
    expect(pair.state.run.history.map((h) => h.step)).toEqual(Array.from({ length: step }, (_, i) => i + 1));
    const runFile = parseRunFile(JSON.parse(readFileSync(run, 'utf8')));
    expect(runFile.ok && runFile.value.history.length).toBe(step);
  }, 120_000);

  it('SIGTERM with nothing to save to: exits 143 and says why nothing was saved', async () => {
    tally.faults += 1;
    const cli = await started([]);
    cli.child.kill('SIGTERM');
    const r = await cli.exit;
    expect(r.code).toBe(143);
    const step = Number(/^SIGTERM: stopped at step (\d+) of 2000/m.exec(messages(r.stderr))?.[1]);
    expect(step).toBeGreaterThan(0);
    expect(messages(r.stderr)).toBe(
      'SIGTERM: finishing the step in progress, then stopping ' +
        '(nothing can be saved: no --checkpoint or --out was given); ' +
        'a second SIGTERM exits at once.\n' +
        `SIGTERM: stopped at step ${step} of 2000; ` +
        'nothing was saved, because neither --checkpoint nor --out was given.',
    );
  }, 120_000);

  it('a second SIGINT exits at once; the last saved pair stays whole and consistent', async () => {
    tally.faults += 1;
    const ckpt = join(dir, 'twice.safetensors');
    const cli = await started(['--checkpoint', ckpt, '--checkpoint-every', '2']);
    while (!existsSync(optimizerPath(ckpt))) await sleep(20);
    cli.child.kill('SIGINT');
    // the second once the first is being handled (two at once would arrive as one)
    while (!/SIGINT: finishing the step/.test(cli.stderr())) await sleep(2);
    cli.child.kill('SIGINT');
    const r = await cli.exit;
    expect(r.code).toBe(130);
    expect(messages(r.stderr)).toContain(
      '\nSIGINT again: exiting now, without saving this step (the files written before are whole).',
    );
    expect(r.stdout).not.toMatch(/stopped at step/);
    expect(readCheckpointPair(ckpt, false).state.step % 2).toBe(0); // the last periodic pair
  }, 120_000);
});

describe('resume refuses what would not continue the same run', () => {
  it('a mismatched pair (weights at 4, moments at 5): one sentence; --weights-only-resume continues', () => {
    tally.faults += 1;
    const later = join(dir, 'later.safetensors');
    copyPair(GOOD, later);
    const step5 = runCli(bundle, ['train', '--resume', later, '--stop-after', '5']);
    expect(step5.status, step5.stderr).toBe(0);
    const mixed = join(dir, 'mixed.safetensors');
    copyFileSync(GOOD, mixed);
    copyFileSync(optimizerPath(later), optimizerPath(mixed));
    const before = snapshot(mixed, optimizerPath(mixed));
    const r = runCli(bundle, ['train', '--resume', mixed]);
    expect(r.status).toBe(2);
    const id = runIdOf(GOOD);
    expectSaid(
      r.stderr,
      `${mixed} (step 4 of run ${id}) and ${optimizerPath(mixed)} (step 5 of run ${id}) are not one pair ` +
        '(a write was interrupted, or they come from different runs), so nothing is resumed; ' +
        'add --weights-only-resume ' +
        'to continue from the weights alone with fresh Adam moments (not an exact resume).',
    );
    expectUnchanged(before);

    const out = join(dir, 'weights-only.safetensors');
    const elsewhere = ['--checkpoint', out, '--stop-after', '5'];
    const w = runCli(bundle, ['train', '--resume', mixed, '--weights-only-resume', ...elsewhere]);
    expect(w.status, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/Adam's moments start fresh \(--weights-only-resume\)/);
    const adam = readSafetensors(readFileSync(optimizerPath(out)));
    expect(adam.metadata.adam_step).toBe('1'); // fresh moments, one step old
    expectUnchanged(before);
  }, 120_000);

  it("other flags than the run's (seed, lr, model, steps) and bad counts: one sentence each, nothing written", () => {
    const before = snapshot(GOOD, optimizerPath(GOOD), GOOD_RUN);
    const keeps = 'a resumed run keeps its own config, so leave those flags out (or start a new run without --resume).';
    const cases: [string[], string][] = [
      [['--seed', '4'], `${GOOD} is a run with seed 3, but the flags ask for seed 4; ${keeps}`],
      [
        ['--lr', '0.01', '--model', 'mamba'],
        `${GOOD} is a run with model transformer, lr 0.0001, but the flags ask for model mamba, lr 0.01; ${keeps}`,
      ],
      [
        ['--steps', '9'],
        "--steps 9 differs from the resumed run's 6 steps; a resumed run keeps its length " +
          '(use --extend-to 9 to continue it further).',
      ],
      [
        ['--extend-to', '5'],
        "--extend-to 5 must be more than the run's 6 steps; to continue it to its own end, leave --extend-to out.",
      ],
      [
        ['--stop-after', '0x10'],
        '--stop-after must be a whole number from 1 to 1000000, written in digits; got "0x10".',
      ],
      [['--stop-after', '3'], '--stop-after 3 must be after step 4, where the run resumes.'],
    ];
    for (const [flags, said] of cases) {
      tally.faults += 1;
      const r = runCli(bundle, ['train', '--resume', GOOD, ...flags, '--out', join(dir, 'never.json')]);
      expect(r.status, flags.join(' ')).toBe(2);
      expectSaid(r.stderr, said);
    }
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
    expectUnchanged(before);
  });

  it("a step that is negative, not a number, the run's end or past it: refused, never a restart at 0", () => {
    const rewritten = (path: string, step: string) => {
      const file = readSafetensors(readFileSync(path));
      const tensors = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
      return writeSafetensors(tensors, { ...file.metadata, step });
    };
    const nothing = 'so there is nothing to resume; continue it with --extend-to M (M > 6).';
    const cases: [string, (path: string) => string][] = [
      ['-1', (p) => `${p} gives its step as "-1", not a step count, so it is not resumed.`],
      ['four', (p) => `${p} gives its step as "four", not a step count, so it is not resumed.`],
      ['6', (p) => `the run in ${p} is finished (step 6 of 6), ${nothing}`],
      ['7', (p) => `${p} is at step 7, past its run's 6 steps, ${nothing}`],
    ];
    for (const [step, said] of cases) {
      tally.faults += 1;
      const bad = join(dir, `step-${step}.safetensors`);
      // both files of the pair say the same step, so that only the step itself is wrong
      writeFileSync(bad, rewritten(GOOD, step));
      writeFileSync(optimizerPath(bad), rewritten(optimizerPath(GOOD), step));
      const before = snapshot(bad, optimizerPath(bad));
      const r = runCli(bundle, ['train', '--resume', bad]);
      expect(r.status, step).toBe(2);
      expectSaid(r.stderr, said(bad));
      expectUnchanged(before);
    }
  });

  it('weights without a run (a state_dict): refused; --weights-only-resume starts a new run from them', () => {
    tally.faults += 1;
    const file = readSafetensors(readFileSync(GOOD));
    const stateDict = join(dir, 'state_dict.safetensors');
    const tensors = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
    writeFileSync(stateDict, writeSafetensors(tensors)); // no metadata
    const before = snapshot(stateDict);
    const r = runCli(bundle, ['train', '--resume', stateDict]);
    expect(r.status).toBe(2);
    expectSaid(
      r.stderr,
      `${stateDict} holds weights but not the run they belong to (no run id or run state in its metadata), ` +
        'so it cannot be resumed; add --weights-only-resume to start a new run from these weights.',
    );
    const fresh = runCli(bundle, ['train', ...RUN, '--steps', '2', '--resume', stateDict, '--weights-only-resume']);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain(
      `${stateDict} holds no run of the train command: a new run starts from its weights at step 0`,
    );
    expect(fresh.stdout).toMatch(/step 2 \/ 2/);
    expect(existsSync(optimizerPath(stateDict))).toBe(false); // no checkpoint asked for: nothing written beside it
    expectUnchanged(before);
  }, 120_000);

  it('tally: faults injected, good files damaged', () => {
    console.log(`[faults] injected ${tally.faults}, good files damaged ${tally.damaged}`);
    expect(tally.faults).toBeGreaterThanOrEqual(25);
    expect(tally.damaged).toBe(0);
  });
});
