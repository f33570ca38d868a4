// Curriculum schedule, maxTokens, the official n_positions and the fixed evaluation sets.
import { describe, expect, test } from 'vitest';
import { Curriculum, makeEvalSet, maxTokens, nPositions, sampleBatch } from '../../src/tasks';
import { Rng } from '../../src/engine/rng';
import { defaultConfig, TASK_IDS, type TaskId } from '../../src/spec/config';

const cfg = (task: TaskId, steps: number, curriculum = true) => ({ ...defaultConfig(task), steps, curriculum });

describe('Curriculum', () => {
  test('paper schedule: linear regression 5 → 20 dims (+1) and 11 → 41 points (+2) every 2000 steps', () => {
    const c = new Curriculum({ ...cfg('linear_regression', 500_000), paperSchedule: true });
    expect(c.at(0)).toEqual({ activeDims: 5, nPoints: 11 });
    expect(c.at(1999)).toEqual({ activeDims: 5, nPoints: 11 });
    expect(c.at(2000)).toEqual({ activeDims: 6, nPoints: 13 });
    expect(c.at(20_000)).toEqual({ activeDims: 15, nPoints: 31 });
    expect(c.at(30_000)).toEqual({ activeDims: 20, nPoints: 41 });
    expect(c.at(400_000)).toEqual({ activeDims: 20, nPoints: 41 });
    expect(c.fullSizeStep()).toBe(30_000);
  });

  test('paper schedule: 2NN / tree / ortho-outlier 26 → 101 (+5); many-outlier 12 → 512 (+2 every 200)', () => {
    for (const task of ['relu_2nn_regression', 'decision_tree', 'orthogonal_outlier_regression'] as const) {
      const c = new Curriculum({ ...cfg(task, 500_000), paperSchedule: true });
      expect(c.at(0).nPoints).toBe(26);
      expect(c.at(2000).nPoints).toBe(31);
      expect(c.at(30_000).nPoints).toBe(101);
    }
    const many = new Curriculum({ ...cfg('many_outlier_regression', 500_000), paperSchedule: true });
    expect(many.at(0)).toEqual({ activeDims: 5, nPoints: 12 });
    expect(many.at(200)).toEqual({ activeDims: 5, nPoints: 14 });
    expect(many.at(2000)).toEqual({ activeDims: 6, nPoints: 32 });
    expect(many.at(50_000)).toEqual({ activeDims: 20, nPoints: 512 });
    expect(many.at(49_999).nPoints).toBe(510);
  });

  test('a short run reaches the full size by 60% of its steps, growing monotonically', () => {
    for (const task of [
      'linear_regression',
      'sparse_linear_regression',
      'relu_2nn_regression',
      'decision_tree',
      'orthogonal_outlier_regression',
      'many_outlier_regression',
    ] as const) {
      for (const steps of [50, 500, 2000, 7777]) {
        const config = cfg(task, steps);
        const c = new Curriculum(config);
        expect(c.at(0).activeDims).toBe(5);
        expect(c.fullSizeStep()).toBeLessThanOrEqual(Math.ceil(0.6 * steps));
        expect(c.at(Math.ceil(0.6 * steps))).toEqual({ activeDims: config.nDims, nPoints: config.nPoints });
        expect(c.at(Math.ceil(0.6 * steps) - 2)).not.toEqual({ activeDims: config.nDims, nPoints: config.nPoints });
        let prev = c.at(0);
        for (let s = 1; s <= steps; s += Math.max(1, Math.floor(steps / 97))) {
          const now = c.at(s);
          expect(now.activeDims).toBeGreaterThanOrEqual(prev.activeDims);
          expect(now.nPoints).toBeGreaterThanOrEqual(prev.nPoints);
          prev = now;
        }
      }
    }
    // 2000-step linear run: interval 0.6·2000/15 = 80 steps
    const c = new Curriculum(cfg('linear_regression', 2000));
    expect(c.at(79)).toEqual({ activeDims: 5, nPoints: 11 });
    expect(c.at(80)).toEqual({ activeDims: 6, nPoints: 13 });
    expect(c.fullSizeStep()).toBe(1200);
  });

  test('long runs keep the paper intervals (never slower than 2000 steps per increment)', () => {
    const c = new Curriculum(cfg('linear_regression', 5_000_000));
    expect(c.fullSizeStep()).toBe(30_000);
  });

  test('no curriculum: parity, cot_io, MQAR, or the flag off → full size from step 0', () => {
    for (const task of ['sparse_parity', 'cot_io', 'vector_mqar'] as const) {
      const config = cfg(task, 1000, true);
      expect(new Curriculum(config).at(0)).toEqual({ activeDims: config.nDims, nPoints: config.nPoints });
    }
    const off = cfg('linear_regression', 1000, false);
    expect(new Curriculum(off).at(0)).toEqual({ activeDims: 20, nPoints: 41 });
  });

  test('maxTokens is the full-size prompt length of each layout', () => {
    expect(maxTokens(defaultConfig('linear_regression'))).toBe(82);
    expect(maxTokens(defaultConfig('many_outlier_regression'))).toBe(1024);
    expect(maxTokens(defaultConfig('sparse_parity'))).toBe(280);
    expect(maxTokens(defaultConfig('cot_io'))).toBe(150);
    expect(maxTokens(defaultConfig('vector_mqar'))).toBe(129);
    const config = defaultConfig('relu_2nn_regression');
    const c = new Curriculum(config);
    for (let s = 0; s <= config.steps; s += 100) {
      const stage = c.at(s);
      const p = sampleBatch(config.task, new Rng(s), { batch: 1, nDims: config.nDims, ...stage });
      expect(p.tokens).toBeLessThanOrEqual(maxTokens(config));
    }
  });
});

describe('nPositions', () => {
  test("the official configs' n_positions; GPT-2's 2 × n_positions rows hold every default prompt", () => {
    expect(nPositions(defaultConfig('linear_regression'))).toBe(101);
    expect(nPositions(defaultConfig('relu_2nn_regression'))).toBe(101); // 202 tokens: exactly GPT-2's rows
    expect(nPositions(defaultConfig('decision_tree'))).toBe(256);
    expect(nPositions(defaultConfig('many_outlier_regression'))).toBe(1024);
    expect(nPositions(defaultConfig('sparse_parity'))).toBe(300);
    expect(nPositions(defaultConfig('vector_mqar'))).toBe(130);
    for (const task of TASK_IDS)
      expect(2 * nPositions(defaultConfig(task)), task).toBeGreaterThanOrEqual(maxTokens(defaultConfig(task)));
  });
});

describe('makeEvalSet', () => {
  test('full size, evalPrompts prompts, deterministic per seed, and not the training stream', () => {
    const config = defaultConfig('linear_regression');
    const a = makeEvalSet(config, 5);
    const b = makeEvalSet(config, 5);
    const c = makeEvalSet(config, 6);
    expect(a.batch.batch).toBe(config.evalPrompts);
    expect(a.batch.nExamples).toBe(41);
    expect(a.nDims).toBe(20);
    // every coordinate active
    expect(Array.from({ length: 20 }, (_, k) => a.batch.xs[19 * 20 + k] !== 0).every(Boolean)).toBe(true);
    expect(Buffer.from(a.batch.inputs.buffer).equals(Buffer.from(b.batch.inputs.buffer))).toBe(true);
    expect(Buffer.from(a.batch.inputs.buffer).equals(Buffer.from(c.batch.inputs.buffer))).toBe(false);
    const train = sampleBatch('linear_regression', new Rng(5), { batch: 4, nDims: 20, activeDims: 20, nPoints: 41 });
    expect(train.xs[0]).not.toBe(a.batch.xs[0]);
    const trainFork = sampleBatch('linear_regression', new Rng(5).fork(), {
      batch: 4,
      nDims: 20,
      activeDims: 20,
      nPoints: 41,
    });
    expect(trainFork.xs[0]).not.toBe(a.batch.xs[0]);
  });
});
