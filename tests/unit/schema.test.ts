// The run-config / run-file schema: defaults, bounds, enums, curve lengths and the sentences
// it gives for bad input.
import { describe, expect, it } from 'vitest';
import { defaultConfig, TASK_IDS, MODEL_IDS, SIZE_IDS } from '../../src/spec/config';
import type { RunFile } from '../../src/train/protocol';
import { configOfFile, parseRunConfig, parseRunFile, stringifyRunFile } from '../../src/train/schema';

function sampleRun(): RunFile {
  const positions = Array.from({ length: 11 }, (_, i) => i + 1);
  const curve = (s: number) => ({
    mean: positions.map((p) => s / p),
    lo: positions.map((p) => s / p / 2),
    hi: positions.map((p) => (2 * s) / p),
  });
  return {
    version: 1,
    config: defaultConfig('linear_regression', 'mamba', 'small'),
    history: [
      { step: 1, loss: 20.5 },
      { step: 2, loss: 19.25 },
    ],
    icl: { positions, curves: { model: curve(1), zero: curve(2), least_squares: curve(0.5) } },
    metrics: { final_error: 0.1 },
    stepsPerSecond: 123.4,
    adapter: 'NVIDIA H200',
    evalStep: 2,
  };
}

function errorOf(r: { ok: boolean; error?: string }): string {
  expect(r.ok).toBe(false);
  return r.error ?? '';
}

describe('parseRunConfig', () => {
  it('accepts every default config unchanged', () => {
    for (const task of TASK_IDS)
      for (const model of MODEL_IDS)
        for (const size of SIZE_IDS) {
          const cfg = defaultConfig(task, model, size);
          expect(parseRunConfig(cfg)).toEqual({ ok: true, value: cfg });
        }
  });

  it('fills missing fields from the defaults of the given task/model/size', () => {
    const r = parseRunConfig({ task: 'decision_tree', size: 'paper', seed: 7 });
    expect(r).toEqual({ ok: true, value: { ...defaultConfig('decision_tree', 'transformer', 'paper'), seed: 7 } });
    expect(parseRunConfig({})).toEqual({ ok: true, value: defaultConfig() });
  });

  it('drops unknown fields and is not fooled by __proto__ keys', () => {
    const input = JSON.parse('{"task":"sparse_parity","extra":1,"__proto__":{"steps":5,"polluted":true}}');
    const r = parseRunConfig(input);
    expect(r).toEqual({ ok: true, value: defaultConfig('sparse_parity') });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    [{ seed: -1 }, '"seed" must be an integer from 0 to 2147483647 (it is -1)'],
    [{ seed: 2 ** 31 }, '"seed" must be an integer from 0 to 2147483647'],
    [{ seed: 1.5 }, '"seed" must be an integer'],
    [{ steps: 0 }, '"steps" must be an integer from 1 to 1000000'],
    [{ steps: 1e6 + 1 }, '"steps"'],
    [{ lr: 0 }, '"lr" must be a number greater than 0 and at most 1 (it is 0)'],
    [{ lr: 1.5 }, '"lr" must be a number greater than 0 and at most 1'],
    [{ lr: 'fast' }, '"lr" must be a number greater than 0 and at most 1 (it is "fast")'],
    [{ batch: 1025 }, '"batch" must be an integer from 1 to 1024'],
    [{ clip: 0 }, '"clip" must be a number greater than 0'],
    [{ evalEvery: 0 }, '"evalEvery"'],
    [{ evalPrompts: 4097 }, '"evalPrompts"'],
    [{ nDims: 65 }, '"nDims" must be an integer from 1 to 64'],
    [{ nPoints: 0 }, '"nPoints" must be an integer from 1 to 1024'],
    [{ curriculum: 1 }, '"curriculum" must be true or false (it is 1)'],
    [{ parityPerPrompt: 'no' }, '"parityPerPrompt" must be true or false (it is "no")'],
    [{ warmup: -1 }, '"warmup" must be an integer from 0 to 1000000 (it is -1)'],
    [{ warmup: 2.5 }, '"warmup" must be an integer'],
    [{ lrSchedule: 'linear' }, '"lrSchedule" must be one of constant, cosine (it is "linear")'],
    [
      { task: 'cot_io', nDims: 7 },
      '"nDims" must be at least 8 for cot_io, whose hidden layer is padded into a token (it is 7)',
    ],
    [{ task: 'regression' }, '"task" must be one of linear_regression'],
    [
      { model: '<img src=x onerror=alert(1)>' },
      '"model" must be one of transformer, mamba, mambaformer, standard_hybrid (it is a piece of text)',
    ],
    [{ size: null }, '"size" must be one of tiny, small, paper (it is null)'],
    [{ steps: Infinity }, '"steps"'],
    [{ steps: NaN }, '"steps"'],
  ])('rejects %j with a sentence naming the field', (input, expected) => {
    const error = errorOf(parseRunConfig(input));
    expect(error).toContain(expected);
    expect(error).toMatch(/^In the config, .*\.$/);
  });

  it('rejects things that are not objects', () => {
    for (const bad of [null, 3, 'x', [], undefined]) {
      const what =
        bad === null
          ? ' (it is null)'
          : bad === 3
            ? ' (it is 3)'
            : bad === 'x'
              ? ' (it is "x")'
              : Array.isArray(bad)
                ? ' (it is a list)'
                : '';
      expect(errorOf(parseRunConfig(bad))).toBe(`The config must be an object${what}.`);
    }
  });

  it('accepts the bounds themselves', () => {
    const r = parseRunConfig({
      seed: 2 ** 31 - 1,
      steps: 1e6,
      lr: 1,
      batch: 1024,
      evalEvery: 1,
      evalPrompts: 4096,
      nDims: 64,
      nPoints: 1024,
      warmup: 1e6,
    });
    expect(r.ok).toBe(true);
    expect(parseRunConfig({ nDims: 1, nPoints: 1, warmup: 0 }).ok).toBe(true);
    expect(parseRunConfig({ task: 'cot_io', nDims: 8 }).ok).toBe(true);
  });

  it('reads a config written before warm-up and schedules existed as the constant rate it trained with', () => {
    const {
      warmup: _w,
      lrSchedule: _s,
      ...before
    } = { ...defaultConfig('sparse_parity', 'mamba', 'small'), nDims: 6, parityPerPrompt: false };
    const r = parseRunConfig(before);
    expect(r).toEqual({ ok: true, value: { ...before, warmup: 0, lrSchedule: 'constant' } });
  });

  it('keeps the researcher fields (d, n, parity indices, warm-up, schedule) exactly', () => {
    const cfg = {
      ...defaultConfig('sparse_parity'),
      nDims: 5,
      nPoints: 33,
      parityPerPrompt: false,
      warmup: 250,
      lrSchedule: 'cosine' as const,
    };
    expect(parseRunConfig(JSON.parse(JSON.stringify(cfg)))).toEqual({ ok: true, value: cfg });
  });
});

describe('parseRunFile', () => {
  it('accepts a run file and its JSON round trip', () => {
    const run = sampleRun();
    expect(parseRunFile(run)).toEqual({ ok: true, value: run });
    expect(parseRunFile(JSON.parse(stringifyRunFile(run)))).toEqual({ ok: true, value: run });
  });

  it('turns null (JSON for NaN) back into NaN in curves and losses', () => {
    const run = sampleRun();
    run.history[1].loss = NaN;
    run.icl!.curves.model.mean[3] = NaN;
    const r = parseRunFile(JSON.parse(stringifyRunFile(run)));
    expect(r.ok && r.value.history[1].loss).toBeNaN();
    expect(r.ok && r.value.icl!.curves.model.mean[3]).toBeNaN();
  });

  it('fills a partial config with defaults', () => {
    const run: Record<string, unknown> = { ...sampleRun(), config: { task: 'vector_mqar' } };
    const r = parseRunFile(run);
    expect(r.ok && r.value.config).toEqual(defaultConfig('vector_mqar'));
  });

  it('accepts icl: null and no evalStep', () => {
    const { evalStep: _, ...run } = { ...sampleRun(), icl: null };
    expect(parseRunFile(run).ok).toBe(true);
  });

  it('rejects curves whose length differs from positions', () => {
    const run = sampleRun();
    run.icl!.curves.zero.lo.pop();
    expect(errorOf(parseRunFile(run))).toBe(
      'In the run file, "icl" must be one value per position in every curve (zero.lo has 10, positions has 11).',
    );
  });

  it('names the nested field that is wrong', () => {
    const run = sampleRun() as unknown as { icl: { curves: { model: { hi: unknown[] } } }; history: unknown[] };
    run.icl.curves.model.hi[4] = 'big';
    expect(errorOf(parseRunFile(run))).toBe(
      'In the run file, "icl.curves.model.hi[4]" must be a finite number or null (it is "big").',
    );
    const run2 = sampleRun() as unknown as { history: unknown[] };
    run2.history[1] = { step: -3, loss: 1 };
    expect(errorOf(parseRunFile(run2))).toBe(
      'In the run file, "history[1].step" must be an integer from 0 to 1000000 (it is -3).',
    );
  });

  it('reports a missing field', () => {
    const { metrics: _, ...run } = sampleRun();
    expect(errorOf(parseRunFile(run))).toBe('The run file has no "metrics" field.');
  });

  it('does not echo odd keys or text', () => {
    const run = sampleRun() as unknown as { metrics: Record<string, unknown> };
    run.metrics['<b>x</b>'] = 1;
    const error = errorOf(parseRunFile(run));
    expect(error).toBe(
      'In the run file, "metrics.(a key)" must be a name made of letters, digits and _ (it is a piece of text).',
    );
  });

  it('rejects Infinity (JSON 1e999) in curves', () => {
    const json = stringifyRunFile(sampleRun()).replace('"mean":[1,', '"mean":[1e999,');
    expect(errorOf(parseRunFile(JSON.parse(json)))).toContain(
      '"icl.curves.model.mean[0]" must be a finite number or null (it is Infinity)',
    );
  });

  it('says when a file comes from a newer lab', () => {
    expect(errorOf(parseRunFile({ ...sampleRun(), version: 2 }))).toBe(
      'This run file was made by a newer version of ICL Lab (format 2); this lab reads format 1. Reload the ' +
        'page to get the latest lab.',
    );
    expect(errorOf(parseRunFile({ ...sampleRun(), version: 0 }))).toBe(
      'In the run file, "version" must be 1 (it is 0).',
    );
  });

  it('caps the number of curves and positions', () => {
    const run = sampleRun();
    const c = run.icl!.curves.model;
    for (let i = 0; i < 40; i++) run.icl!.curves[`b${i}`] = c;
    expect(errorOf(parseRunFile(run))).toContain('"icl.curves" must be an object of at most 32 curves');
    const long = sampleRun();
    long.icl = { positions: Array.from({ length: 5000 }, (_, i) => i + 1), curves: {} };
    expect(errorOf(parseRunFile(long))).toContain('"icl.positions" must be a list of at most 4096 positions');
  });
});

describe('configOfFile', () => {
  it("gives a run file's config, or a bare config object itself", () => {
    const run = sampleRun();
    expect(configOfFile({ ...run })).toEqual({ ok: true, value: run.config });
    const bare = { task: 'sparse_parity', steps: 5 };
    expect(configOfFile(bare)).toEqual({ ok: true, value: bare });
  });

  it("checks a run file's version and that its config is an object", () => {
    const run = { ...sampleRun() } as Record<string, unknown>;
    const newer = (format: string) =>
      `This run file was made by a newer version of ICL Lab (format ${format}); this lab reads format 1.`;
    expect(errorOf(configOfFile({ ...run, version: 2 }))).toBe(newer('2'));
    expect(errorOf(configOfFile({ ...run, version: 1.5 }))).toBe(newer('?'));
    expect(errorOf(configOfFile({ ...run, version: 'banana' }))).toBe(
      'In the run file, "version" must be 1 (it is "banana").',
    );
    expect(errorOf(configOfFile({ ...run, version: undefined }))).toBe('The run file has no "version" field.');
    expect(errorOf(configOfFile({ ...run, config: null }))).toBe(
      'In the run file, "config" must be an object (it is null).',
    );
    expect(errorOf(configOfFile({ ...run, config: [1] }))).toBe(
      'In the run file, "config" must be an object (it is a list).',
    );
  });
});
