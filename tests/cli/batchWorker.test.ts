// The CLI draws its training batches in a worker thread (src/cli/batchWorker.ts): the run must
// be the one the trainer's own thread gives, bit for bit, through curriculum stages too.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, removeCli, ROOT } from './bundle';

let bundle = '';
let dir = '';
beforeAll(() => {
  bundle = buildCli();
  dir = mkdtempSync(join(ROOT, 'tmp', 'batches-'));
}, 300_000);
afterAll(() => {
  removeCli(bundle);
  rmSync(dir, { recursive: true, force: true });
});

function train(batchWorker: '0' | '1'): Record<string, unknown> {
  const out = join(dir, `run-${batchWorker}.json`);
  // d 8, n 16 with the curriculum: the prompts grow from d 5, n 11 within the 30 steps
  const args = ['train', '--task', 'linear_regression', '--model', 'mamba', '--steps', '30', '--n-dims', '8'];
  args.push('--n-points', '16', '--batch', '8', '--eval-every', '15', '--eval-prompts', '16', '--out', out);
  const r = spawnSync(process.execPath, [bundle, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, ICL_BATCH_WORKER: batchWorker },
  });
  expect(r.status, r.stderr).toBe(0);
  const { stepsPerSecond, ...run } = JSON.parse(readFileSync(out, 'utf8'));
  expect(stepsPerSecond).toBeGreaterThan(0);
  return run;
}

describe('training batches drawn in a worker thread', () => {
  it('give the same run as batches drawn on the training thread', { timeout: 600_000 }, () => {
    const inWorker = train('1');
    const onThread = train('0');
    expect((inWorker.history as unknown[]).length).toBe(30);
    expect(inWorker).toEqual(onThread);
  });
});
