// The data of a seed never changes by accident: a faster sampler or generator must give the
// same bits (SPEC.md: the same seed gives the same data). Each task's batch for one seed is
// hashed (FNV-1a over every array's bytes); the expected hashes are the samplers' output at
// the time this test was written. A deliberate change of a task's data changes its hash here,
// and says so in its commit.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng';
import { sampleBatch } from '../../src/tasks';
import { TASK_IDS, type TaskId } from '../../src/spec/config';

function fnv1a(hash: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
  return hash;
}

function batchHash(task: TaskId): string {
  const p = sampleBatch(task, new Rng(20261207), {
    batch: 5,
    nDims: 9,
    activeDims: 8,
    nPoints: 9,
    parityPerPrompt: true,
  });
  let h = 0x811c9dc5;
  const arrays = [p.inputs, p.targets, p.mask, p.xs, p.ys, p.mqar?.values, p.mqar?.queryIndex];
  for (const a of arrays) if (a) h = fnv1a(h, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.toString(16).padStart(8, '0');
}

const EXPECTED: Record<TaskId, string> = {
  linear_regression: 'c7e9a666',
  sparse_linear_regression: '61d184b0',
  relu_2nn_regression: 'b6e8af37',
  decision_tree: 'f3b16e76',
  orthogonal_outlier_regression: '7b5d4d54',
  many_outlier_regression: '06b6c301',
  sparse_parity: '2670cb25',
  cot_io: 'bd8ddcd3',
  vector_mqar: 'c85d7179',
};

describe("each task's data for a seed is unchanged", () => {
  for (const task of TASK_IDS) {
    it(task, () => {
      expect(batchHash(task)).toBe(EXPECTED[task]);
    });
  }
});
