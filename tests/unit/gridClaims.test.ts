// --claim's pieces without a GPU: the order cells are taken in, and the claim files (one
// holder at a time, released, a dead process's claim taken over, a live one's respected).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClaimBoard } from '../../src/cli/gridClaims';
import { claimOrder, gridCells, type GridCell } from '../../src/train/gridPlan';
import { configFromFlags } from '../../src/cli/configFlags';

const dir = mkdtempSync(join(tmpdir(), 'icl-claims-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cells: GridCell[] = gridCells(
  ['linear_regression', 'many_outlier_regression'],
  ['transformer'],
  [2, 1],
  (task, model, seed) => configFromFlags({ preset: 'teaching', task, model, seed: String(seed) }),
);

describe('--claim', () => {
  it('takes the first seed given first, and within a seed the costliest cell first', () => {
    expect(claimOrder(cells, [2, 1]).map((c) => c.id)).toEqual([
      'many_outlier_regression.transformer.seed2', // 12,000 steps of 96 tokens
      'linear_regression.transformer.seed2',
      'many_outlier_regression.transformer.seed1',
      'linear_regression.transformer.seed1',
    ]);
  });

  it('gives a cell to one holder at a time, and again once released', () => {
    const [first, second] = [new ClaimBoard(dir), new ClaimBoard(dir)];
    const claim = first.take(cells[0]);
    expect(claim).not.toBeNull();
    expect(second.take(cells[0])).toBeNull();
    expect(second.take(cells[1])).not.toBeNull();
    claim!.release();
    expect(second.take(cells[0])).not.toBeNull();
  });

  it("takes over a claim whose process has died on this machine, and respects another host's", () => {
    const board = new ClaimBoard(dir);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const path = (c: GridCell) => join(dir, 'claims', `${c.id}.claim`);
    writeFileSync(path(cells[2]), JSON.stringify({ host: hostname(), pid: Number(dead.stdout), since: '' }));
    writeFileSync(path(cells[3]), JSON.stringify({ host: `not-${hostname()}`, pid: 1, since: '' }));
    expect(board.take(cells[2])).not.toBeNull();
    expect(board.take(cells[3])).toBeNull();
    expect(readdirSync(join(dir, 'claims')).filter((f) => f.includes('stale'))).toEqual([]);
  });
});
