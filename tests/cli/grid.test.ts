// `npm run grid` as a user runs it (the bundled CLI on lavapipe), on a 2 × 2 grid of tiny runs
// (20 steps, an evaluation every 10, 16 evaluation prompts): killed mid-way (SIGTERM), stopped
// by --budget-minutes and run again, it writes the same grid.json as an uninterrupted run, bit
// for bit apart from timings; two --claim processes sharing one --out do too; shards 0/2
// (--shard) and 1/2 (from Slurm's variables) merged equal the whole; merge refuses shards of
// another grid and a cell reported twice with two results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, removeCli, ROOT, runCli, startCli } from './bundle';

const GRID = ['grid', '--tasks', 'linear_regression,sparse_linear_regression', '--models', 'transformer,mamba'];
GRID.push('--seeds', '1', '--steps', '20', '--eval-every', '10', '--eval-prompts', '16', '--batch', '8');
GRID.push('--n-dims', '4', '--n-points', '8');

let bundle = '';
const dir = mkdtempSync(join(tmpdir(), 'icl-grid-'));
const WHOLE = join(dir, 'whole');

/** grid.json without what may differ between two trainings of the same grid: timings and the adapter's name. */
function results(path: string): string {
  const grid = JSON.parse(readFileSync(path, 'utf8'));
  delete grid.timing;
  for (const c of grid.cells) if (c.run) c.run.stepsPerSecond = null;
  return JSON.stringify(grid);
}

beforeAll(() => {
  bundle = buildCli();
  const r = runCli(bundle, [...GRID, '--out', WHOLE, '--quiet']);
  expect(r.status, r.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  removeCli(bundle);
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run grid', () => {
  it('trains every cell, writes the run files, grid.json and grid.md beside the paper', () => {
    for (const id of ['linear_regression.transformer.seed1', 'sparse_linear_regression.mamba.seed1']) {
      expect(existsSync(join(WHOLE, 'cells', `${id}.json`))).toBe(true);
      expect(existsSync(join(WHOLE, 'cells', `${id}.safetensors`))).toBe(true);
    }
    const grid = JSON.parse(readFileSync(join(WHOLE, 'grid.json'), 'utf8'));
    expect(grid.cells.map((c: { status: string }) => c.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(grid.groups).toHaveLength(2); // one per family: the two tasks share a prompt shape here
    // 16 evaluation prompts are too few for a verdict: inconclusive, said with the numbers
    expect(grid.table[0].verdict.symbol).toBe('–');
    const md = readFileSync(join(WHOLE, 'grid.md'), 'utf8');
    expect(md).toMatch(/\| linear_regression \| – \(paper ✓\) \| – \(paper ✓\) \|/);
    expect(md).toMatch(/gap \d\.\d\d, but the evaluation set has 16 prompts/);
    // run again: nothing to train, the same results
    const again = runCli(bundle, [...GRID, '--out', WHOLE]);
    expect(again.status).toBe(0);
    expect(again.stdout.match(/done before, skipped/g)).toHaveLength(4);
  });

  it('killed mid-way (SIGTERM), then stopped by --budget-minutes, then run again: the same grid.json', async () => {
    const out = join(dir, 'killed');
    const run = startCli(bundle, [...GRID, '--out', out]);
    while (!/^\[1\/4\] .*eval @ 10/m.test(run.output())) await new Promise((r) => setTimeout(r, 50));
    run.child.kill('SIGTERM');
    const killed = await run.exit;
    expect(killed.code).toBe(143);
    expect(killed.stdout).toMatch(/SIGTERM received: 4 of this shard's 4 cells not finished, checkpoints written/);
    const stopped = JSON.parse(readFileSync(join(out, 'grid.json'), 'utf8'));
    expect(stopped.cells[0].status).toBe('started');

    const t0 = Date.now();
    const budget = runCli(bundle, [...GRID, '--out', out, '--budget-minutes', '0.15']);
    const seconds = (Date.now() - t0) / 1000;
    expect(budget.status, budget.stderr).toBe(0);
    expect(budget.stdout).toMatch(/^\[1\/4\] linear_regression.transformer.seed1: resumed at step 1\d of 20/m);
    expect(budget.stdout).toMatch(/--budget-minutes 0.15 reached: [1-4] of this shard's 4 cells not finished/);
    expect(seconds).toBeLessThan(9 + 1); // 0.15 minutes, and the node start-up before the process's clock

    const rest = runCli(bundle, [...GRID, '--out', out]);
    expect(rest.status, rest.stderr).toBe(0);
    expect(rest.stdout).toMatch(/done before, skipped/);
    expect(results(join(out, 'grid.json'))).toBe(results(join(WHOLE, 'grid.json')));
  }, 300_000);

  it("--shard 0/2 and Slurm's array task 1 of 2, merged, equal the whole grid", () => {
    const [a, b, merged] = ['shard0', 'shard1', 'merged'].map((d) => join(dir, d));
    const first = runCli(bundle, [...GRID, '--out', a, '--shard', '0/2', '--quiet']);
    expect(first.status, first.stderr).toBe(0);
    const slurm = { SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_MIN: '7', SLURM_ARRAY_TASK_COUNT: '2' };
    const second = spawnSync(process.execPath, [bundle, ...GRID, '--out', b], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...slurm },
    });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Slurm array task 8 of 7-8: shard 1\/2/);
    expect(existsSync(join(b, 'grid.shard-1-of-2.json'))).toBe(true);
    // each shard trained one group (two cells); together, all four
    const done = (p: string) =>
      JSON.parse(readFileSync(p, 'utf8')).cells.filter((c: { status: string }) => c.status === 'done');
    expect(done(join(a, 'grid.shard-0-of-2.json'))).toHaveLength(2);
    expect(done(join(b, 'grid.shard-1-of-2.json'))).toHaveLength(2);
    const m = runCli(bundle, ['grid', '--merge', a, b, '--out', merged]);
    expect(m.status, m.stderr).toBe(0);
    expect(results(join(merged, 'grid.json'))).toBe(results(join(WHOLE, 'grid.json')));
  });

  it('two --claim processes on one --out train each cell once and write the whole grid', async () => {
    const out = join(dir, 'claimed');
    const [a, b] = [
      startCli(bundle, [...GRID, '--out', out, '--claim']),
      startCli(bundle, [...GRID, '--out', out, '--claim']),
    ];
    const [ea, eb] = await Promise.all([a.exit, b.exit]);
    expect(ea.code, ea.stderr).toBe(0);
    expect(eb.code, eb.stderr).toBe(0);
    const trained = (s: string) => s.match(/: training 20 steps/g)?.length ?? 0;
    expect(trained(ea.stdout) + trained(eb.stdout)).toBe(4);
    expect(ea.stdout + eb.stdout).toMatch(/--claim: no free cell left; \d of 4 cells done/);
    expect(readdirSync(join(out, 'claims'))).toEqual([]); // every claim released
    const report = runCli(bundle, ['grid', '--report', out]);
    expect(report.status, report.stderr).toBe(0);
    expect(results(join(out, 'grid.json'))).toBe(results(join(WHOLE, 'grid.json')));
    const both = runCli(bundle, [...GRID, '--out', out, '--claim', '--shard', '0/2']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--claim shares the whole grid among processes: give it without --shard/);
  }, 300_000);

  it('merge refuses shards of another grid and a cell reported twice with different results', () => {
    const other = join(dir, 'other');
    const small = ['grid', '--tasks', 'linear_regression', '--models', 'transformer', '--seeds', '1', '--steps', '2'];
    small.push('--eval-every', '1', '--eval-prompts', '8', '--batch', '2', '--n-dims', '2', '--n-points', '3');
    expect(runCli(bundle, [...small, '--out', other, '--quiet']).status).toBe(0);
    const mixed = runCli(bundle, ['grid', '--merge', WHOLE, other, '--out', join(dir, 'mixed')]);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/^error: .*other\/grid.json \(grid \w+\) and .* are shards of different grids/);
    expect(existsSync(join(dir, 'mixed', 'grid.json'))).toBe(false);

    const changed = join(dir, 'changed');
    mkdirSync(changed);
    const grid = JSON.parse(readFileSync(join(WHOLE, 'grid.json'), 'utf8'));
    grid.cells[1].run.history[0].loss += 1; // linear_regression.mamba.seed1
    writeFileSync(join(changed, 'grid.json'), JSON.stringify(grid));
    const twice = runCli(bundle, ['grid', '--merge', WHOLE, changed, '--out', join(dir, 'twice')]);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/Cell linear_regression.mamba.seed1 is reported twice with different results/);
    // into a directory that holds another grid, the grid command does not train
    const taken = runCli(bundle, [...GRID, '--out', other]);
    expect(taken.status).toBe(2);
    expect(taken.stderr).toMatch(/holds grid \w+ .* and these flags make grid \w+/);
  });

  it('explains bad flags with a sentence and exit status 2', () => {
    const cases: [string[], RegExp][] = [
      [['--tasks', 'linear,parity'], /--tasks: "linear" is not one of/],
      [['--seeds', '1,x'], /--seeds must be whole numbers/],
      [['--shard', '2/2', '--plan'], /shard 2 does not exist in 2 shards/],
      [['--preset', 'huge'], /--preset must be one of teaching, tiny, small, paper/],
      [['--budget-minutes', '0', '--out', dir], /--budget-minutes must be more than 0/],
      [['--steps', '20'], /--out DIR is needed/],
      [['--merge', WHOLE], /--merge needs --out DIR/],
      [['--report', join(dir, 'nothing-here')], /cannot read .*nothing-here: no such file/],
    ];
    for (const [args, sentence] of cases) {
      const r = runCli(bundle, ['grid', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(sentence);
    }
    const help = runCli(bundle, ['grid', '--help']);
    expect(help.stdout).toMatch(/^ {2}--shard i\/n /m);
    const plan = runCli(bundle, [...GRID, '--plan']);
    expect(plan.stdout).toMatch(/4 cells in 2 stacking groups/);
    expect(plan.stdout).toMatch(/--array=0-1/);
  });
});
