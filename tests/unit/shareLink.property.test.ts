// Share links: round trips keep the config exactly and the curves within rounding; a typical
// run fits in a short link; and thousands of random, damaged and hostile links each decode to
// a valid run or a plain sentence, never a throw.
import fc from 'fast-check';
import { deflateSync, gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { defaultConfig, LR_SCHEDULES, MODEL_IDS, SIZE_IDS, TASK_IDS } from '../../src/spec/config';
import type { IclResult } from '../../src/spec/icl';
import type { RunFile } from '../../src/train/protocol';
import { minDims, parseRunFile } from '../../src/train/schema';
import {
  decodeShareLink,
  encodeShareLink,
  fromBase64Url,
  SHARE_LINK_LIMITS,
  toBase64Url,
  type DecodedShareLink,
} from '../../src/train/shareLink';
import { Rng } from '../../src/engine/rng';

const BASELINES = ['zero', 'least_squares', 'knn_3', 'averaging', 'lasso', 'nn_gd', 'greedy_tree'];
const ENUMS = new Set<string>([...TASK_IDS, ...MODEL_IDS, ...SIZE_IDS, ...LR_SCHEDULES]);
const NAME = /^[A-Za-z0-9][A-Za-z0-9_]{0,39}$/;

/** A run as the trainer would write it: noisy losses every step, 41-position curves at full precision. */
function typicalRun(nPositions = 41, steps = 2000, seed = 1): RunFile {
  const rng = new Rng(seed);
  const positions = Array.from({ length: nPositions }, (_, i) => i + 1);
  const curve = (scale: number) => {
    const mean = positions.map((p) => scale * Math.exp(-p / 10) + 0.01 * rng.uniform());
    return {
      mean,
      lo: mean.map((m) => m * (0.5 + 0.1 * rng.uniform())),
      hi: mean.map((m) => m * (1.5 + 0.5 * rng.uniform())),
    };
  };
  const curves: IclResult['curves'] = { model: curve(1) };
  for (const b of BASELINES) curves[b] = curve(0.5 + rng.uniform());
  return {
    version: 1,
    config: { ...defaultConfig('linear_regression', 'mambaformer', 'tiny'), steps, seed: 12345, lr: 0.00012345678 },
    history: Array.from({ length: steps }, (_, i) => ({ step: i + 1, loss: 20 * Math.exp(-i / 500) + rng.uniform() })),
    icl: { positions, curves },
    metrics: { final_error: rng.uniform() },
    stepsPerSecond: 123.456789,
    adapter: 'NVIDIA <b>H200</b>',
    evalStep: steps,
  };
}

const linkOf = (value: unknown) => `#v1.${toBase64Url(deflateSync(new TextEncoder().encode(JSON.stringify(value))))}`;
const linkOfText = (text: string) => `#v1.${toBase64Url(deflateSync(new TextEncoder().encode(text)))}`;

/** Every string a decoded run holds is an enum value or a plain identifier (no free text). */
function stringsOf(x: unknown, out: string[] = []): string[] {
  if (typeof x === 'string') out.push(x);
  else if (Array.isArray(x)) for (const y of x) stringsOf(y, out);
  else if (typeof x === 'object' && x !== null)
    for (const [k, y] of Object.entries(x)) {
      out.push(k);
      stringsOf(y, out);
    }
  return out;
}

/** The contract of decodeShareLink for any input. */
function expectWellFormed(r: DecodedShareLink): void {
  if (r.ok) {
    expect(typeof r.teaching).toBe('boolean');
    expect(parseRunFile(r.run).ok).toBe(true);
    expect(r.run.adapter).toBe('');
    for (const s of stringsOf(r.run)) if (s !== '') expect(ENUMS.has(s) || NAME.test(s)).toBe(true);
  } else {
    expect(typeof r.error).toBe('string');
    expect(r.error).toMatch(/^[A-Z][^<>]{9,400}\.$/);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

function decodeSafely(link: string): DecodedShareLink {
  const r = decodeShareLink(link); // a throw here fails the property
  expectWellFormed(r);
  return r;
}

describe('base64url', () => {
  it('round-trips any bytes and rejects foreign characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
    expect(fromBase64Url('ab+c')).toBeNull();
    expect(fromBase64Url('abcde')).toBeNull();
    expect(fromBase64Url('ab\u00e9c')).toBeNull();
  });
});

describe('share link round trip', () => {
  const curveValue = fc.oneof(
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.double({ min: 1e-30, max: 1e-3, noNaN: true }),
    fc.constant(NaN),
  );
  const runArb = fc
    .record({
      task: fc.constantFrom(...TASK_IDS),
      model: fc.constantFrom(...MODEL_IDS),
      size: fc.constantFrom(...SIZE_IDS),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      lr: fc.double({ min: 1e-7, max: 1, noNaN: true }),
      batch: fc.integer({ min: 1, max: 1024 }),
      curriculum: fc.boolean(),
      nDims: fc.integer({ min: 1, max: 64 }),
      nPoints: fc.integer({ min: 1, max: 1024 }),
      parityPerPrompt: fc.boolean(),
      warmup: fc.integer({ min: 0, max: 1_000_000 }),
      lrSchedule: fc.constantFrom(...LR_SCHEDULES),
      n: fc.integer({ min: 1, max: 60 }),
      names: fc.uniqueArray(fc.constantFrom('model', ...BASELINES), { minLength: 0, maxLength: 8 }),
      historyLength: fc.integer({ min: 0, max: 1500 }),
      loss: curveValue,
      values: fc.array(curveValue, { minLength: 1, maxLength: 50 }),
      teaching: fc.boolean(),
      withIcl: fc.boolean(),
      withAccuracy: fc.boolean(),
    })
    .map((a) => {
      const at = (i: number) => a.values[i % a.values.length] * (1 + (i % 7));
      const positions = Array.from({ length: a.n }, (_, i) => i + 1);
      const icl: IclResult = {
        positions,
        curves: Object.fromEntries(
          a.names.map((name, j) => [
            name,
            {
              mean: positions.map((p) => at(p + j)),
              lo: positions.map((p) => at(p * 2 + j)),
              hi: positions.map((p) => at(p * 3 + j)),
            },
          ]),
        ),
      };
      if (a.withAccuracy) icl.accuracy = { model: positions.map((p) => at(p) / 1e6) };
      const run: RunFile = {
        version: 1,
        config: {
          ...defaultConfig(a.task, a.model, a.size),
          seed: a.seed,
          lr: a.lr,
          batch: a.batch,
          curriculum: a.curriculum,
          nDims: Math.max(minDims(a.task), a.nDims),
          nPoints: a.nPoints,
          parityPerPrompt: a.parityPerPrompt,
          warmup: a.warmup,
          lrSchedule: a.lrSchedule,
        },
        history: Array.from({ length: a.historyLength }, (_, i) => ({
          step: 3 * i,
          loss: i % 11 === 0 ? a.loss : at(i),
        })),
        icl: a.withIcl ? icl : null,
        metrics: { final_error: at(5) },
        stepsPerSecond: Math.abs(at(1)),
        adapter: 'Some GPU',
        evalStep: 7,
      };
      return { run, teaching: a.teaching };
    });

  function expectClose(got: number, want: number): void {
    if (Number.isNaN(want)) expect(got).toBeNaN();
    // 4 significant digits: relative error at most 5e-4 (plus float noise).
    else expect(Math.abs(got - want)).toBeLessThanOrEqual(5.0001e-4 * Math.abs(want));
  }

  it('keeps the config exactly and the results within rounding', () => {
    fc.assert(
      fc.property(runArb, ({ run, teaching }) => {
        const link = encodeShareLink(run, { teaching });
        expect(link).toMatch(/^#v=2&task=[a-z0-9_]+&model=[a-z0-9_]+&size=[a-z]+&seed=\d+&.*results=[A-Za-z0-9_-]+$/);
        const r = decodeSafely(link);
        if (!r.ok) throw new Error(r.error);
        expect(r.teaching).toBe(teaching);
        expect(r.run.config).toEqual(run.config);
        expect(r.run.evalStep).toBe(run.evalStep);
        expect(r.run.icl === null).toBe(run.icl === null);
        if (run.icl && r.run.icl) {
          expect(r.run.icl.positions).toEqual(run.icl.positions);
          expect(Object.keys(r.run.icl.curves)).toEqual(Object.keys(run.icl.curves));
          for (const [name, c] of Object.entries(run.icl.curves))
            for (const part of ['mean', 'lo', 'hi'] as const)
              c[part].forEach((x, i) => expectClose(r.run.icl!.curves[name][part][i], x));
          run.icl.accuracy?.model.forEach((x, i) => expectClose(r.run.icl!.accuracy!.model[i], x));
        }
        expectClose(r.run.metrics.final_error, run.metrics.final_error);
        expectClose(r.run.stepsPerSecond, run.stepsPerSecond);
        // History: at most 200 points, first and last kept, each one of the originals.
        const h = r.run.history;
        expect(h.length).toBe(Math.min(run.history.length, SHARE_LINK_LIMITS.historyPoints));
        if (h.length > 0) {
          expect(h[0].step).toBe(run.history[0].step);
          expect(h[h.length - 1].step).toBe(run.history[run.history.length - 1].step);
        }
        const byStep = new Map(run.history.map((o) => [o.step, o]));
        for (const p of h) {
          const orig = byStep.get(p.step);
          expect(orig).toBeDefined();
          expectClose(p.loss, orig!.loss);
        }
        // Rounding is idempotent: sharing a shared run gives the same link.
        expect(encodeShareLink(r.run, { teaching })).toBe(link);
      }),
      { numRuns: 300 },
    );
  });

  it('opens a link made before warm-up and schedules existed at the constant rate it trained with', () => {
    // A link in the form the lab made before 878de5d (no warmup or lrSchedule in its config); format v1 still reads it.
    const before =
      '#v1.bVFNb8IwDP0vPlsoZS2Mnrc7EkeEplDMiJY0VZIisar_fS-l3S47JLL9_PH8PFDoW6oHukuIxsMsmBrfXs1njiYdv6im2OkQ' +
      '5QO_SQ9icv4iFnGn3VnDj-Zb4CbTZjSKXKjewkjSRaorpZhsoFqtlFIl01mn5kb1BmZjTYeZSJC7tu9g8cju7O-Dd11Ci3W1QW4f' +
      'gml62zuqr9pGYWrfjAMMsN170-bUiunJcy_hWT9nj0w3E5PPE47DRG7a1vqIMrXa7EZewk_KM1CsxxOTabDxQJ2PJkEoIMeC1_zC' +
      'JVeAQe4uCA6LODBEQ8-jWlWM7niveLv8coH1E1bCz_h2wQHdzATlkhzeccHFaQR_3WCMbrDA75j_2-dkJwlyTZT-6jIKbLoMBDoI' +
      'bo1jlVhXX3SXBGci3DCrf1ikGMcf';
    const r = decodeSafely(before);
    if (!r.ok) throw new Error(r.error);
    expect(r.run.config).toEqual({
      ...defaultConfig('sparse_parity', 'mamba', 'tiny'),
      seed: 7,
      steps: 500,
      nDims: 6,
      nPoints: 5,
      parityPerPrompt: false,
      warmup: 0,
      lrSchedule: 'constant',
    });
    expect(r.run.icl!.accuracy!.model).toEqual([0.5, 0.6, 0.8, 0.9, 0.95]);
  });

  it('drops the adapter name (free text) from links', () => {
    const r = decodeShareLink(encodeShareLink(typicalRun()));
    expect(r.ok && r.run.adapter).toBe('');
  });

  it.each([9, 41])('fits a typical run with %i positions and 7 baselines in under 8 KB', (n) => {
    const link = encodeShareLink(typicalRun(n, 5000), { teaching: true });
    console.log(`typical run, ${n} positions: link of ${link.length} characters`);
    expect(link.length).toBeLessThan(8 * 1024);
    const r = decodeShareLink(link);
    expect(r.ok && Object.keys(r.run.icl!.curves).length).toBe(8);
  });
});

describe('hostile share links', () => {
  const valid = encodeShareLink(typicalRun(41, 300));
  const validBytes = fromBase64Url(/results=([A-Za-z0-9_-]+)$/.exec(valid)![1])!;
  const validSettings = valid.slice(0, valid.indexOf('results=') + 'results='.length);
  const b64char = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

  it('gives a sentence for random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => void decodeSafely(s)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => void decodeSafely(`#${s}`)),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: b64char, maxLength: 2000 }), (s) => {
        expect(decodeSafely(`#v1.${s}`).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives a sentence for damaged links: substituted characters, truncation, insertions', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('sub'), at: fc.nat(), c: b64char }),
      fc.record({ kind: fc.constant('cut'), at: fc.nat(), c: b64char }),
      fc.record({ kind: fc.constant('ins'), at: fc.nat(), c: fc.string({ maxLength: 3 }) }),
      fc.record({ kind: fc.constant('del'), at: fc.nat(), c: fc.constant('') }),
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        let link = valid;
        for (const m of ms) {
          const i = 4 + (m.at % (link.length - 3));
          if (m.kind === 'sub') link = link.slice(0, i) + m.c + link.slice(i + 1);
          else if (m.kind === 'cut') link = link.slice(0, i);
          else if (m.kind === 'ins') link = link.slice(0, i) + m.c + link.slice(i);
          else link = link.slice(0, i) + link.slice(i + 1);
        }
        decodeSafely(link);
      }),
      { numRuns: 1500 },
    );
  });

  it('gives a valid run or a sentence for bit flips in the compressed data', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: validBytes.length * 8 - 1 }), { minLength: 1, maxLength: 3 }), (bits) => {
        const bytes = validBytes.slice();
        for (const b of bits) bytes[b >> 3] ^= 1 << (b & 7);
        decodeSafely(`#v1.${toBase64Url(bytes)}`);
        decodeSafely(validSettings + toBase64Url(bytes));
      }),
      { numRuns: 1500 },
    );
  });

  it('rejects well-compressed JSON of any shape unless it is a valid run', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (j) => void decodeSafely(linkOf(j))),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (j) => void decodeSafely(linkOf({ run: j, teaching: j }))),
      { numRuns: 300 },
    );
  });

  it('rejects a valid run with any one field replaced by a hostile value', () => {
    const base = JSON.parse(JSON.stringify({ run: typicalRun(9, 50) }));
    const hostile = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constant('<script>alert(1)</script>'),
      fc.constant(JSON.parse('{"__proto__":{"polluted":true}}')),
      fc.constant(Array.from({ length: 5000 }, () => 1)),
      fc.constant(-1),
      fc.constant(1e308),
    );
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), hostile, (path, value) => {
        const doc = structuredClone(base);
        // Walk a random path into the document and replace what is there.
        let node: Record<string, unknown> = doc;
        for (let d = 0; d < path.length; d++) {
          const keys = Object.keys(node);
          if (keys.length === 0) break;
          const key = keys[path[d] % keys.length];
          const child = node[key];
          if (d === path.length - 1 || typeof child !== 'object' || child === null) {
            node[key] = value;
            break;
          }
          node = child as Record<string, unknown>;
        }
        decodeSafely(linkOf(doc));
      }),
      { numRuns: 1000 },
    );
  });

  it('handles __proto__ keys, NaN text, Infinity, deep nesting and wrong containers', () => {
    const run = JSON.stringify(typicalRun(9, 20));
    const cases: [string, string][] = [
      [linkOfText(`{"__proto__":{"polluted":true},"run":${run}}`), 'ok'],
      [linkOfText(`{"run":${run.replace('"config":{', '"config":{"__proto__":{"polluted":true},')}}`), 'ok'],
      [linkOfText(`{"run":${run.replace('"curves":{', '"curves":{"__proto__":{"mean":[],"lo":[],"hi":[]},')}}`), 'ok'],
      [linkOfText(`{"run":${run.replace('"mean":[', '"mean":[NaN,')}}`), 'damaged'],
      [linkOfText(`{"run":${run.replace('"mean":[', '"mean":[1e999,')}}`), 'cannot use'],
      [linkOfText(`{"run":${run},"teaching":"yes"}`), 'damaged'],
      [linkOfText('['.repeat(100_000) + ']'.repeat(100_000)), ''],
      [linkOfText(`{"run":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`), 'cannot use'],
      [linkOfText('null'), 'damaged'],
      [linkOfText('"just text"'), 'damaged'],
      [`#v1.${toBase64Url(gzipSync(new TextEncoder().encode(`{"run":${run}}`)))}`, 'damaged'],
      [`#v1.${toBase64Url(new Uint8Array([0xff, 0xfe, 0x00]))}`, 'damaged'],
      [linkOfText('\ud800'), ''],
    ];
    for (const [link, expected] of cases) {
      const r = decodeSafely(link);
      if (expected === 'ok') expect(r.ok).toBe(true);
      else if (expected) expect(!r.ok && r.error).toContain(expected);
      else expect(r.ok).toBe(false);
    }
  });

  it('refuses decompression bombs and huge arrays without unpacking them', () => {
    const zeros = linkOfText(' '.repeat(64 << 20)); // 64 MB of spaces, a few dozen KB compressed
    expect(zeros.length).toBeLessThan(SHARE_LINK_LIMITS.hashChars);
    const t0 = performance.now();
    expect(decodeSafely(zeros)).toEqual({
      ok: false,
      error: 'This share link unpacks to far more data than a run holds; the lab did not open it.',
    });
    expect(performance.now() - t0).toBeLessThan(2000);
    const history = `{"run":{"history":[${'{"step":1,"loss":1},'.repeat(1_000_000)}{"step":1,"loss":1}]}}`;
    expect(decodeSafely(linkOfText(history)).ok).toBe(false);
  });

  it('caps the link length before decoding', () => {
    expect(decodeSafely(`#v1.${'A'.repeat(SHARE_LINK_LIMITS.hashChars)}`)).toEqual({
      ok: false,
      error: 'This share link is too long to be one the lab made.',
    });
  });

  it('says which links come from a newer lab', () => {
    const newer =
      'This link was made by a newer version of ICL Lab (link format v3); this page reads v2. Reload the ' +
      'page to get the latest lab.';
    expect(decodeSafely('#v3.abc')).toEqual({ ok: false, error: newer });
    expect(decodeSafely('#v=3&task=cot_io&results=abc')).toEqual({ ok: false, error: newer });
    // format 2 is the key=value one: a packed "v2." link was never made
    expect(decodeSafely('#v2.abc')).toEqual({
      ok: false,
      error: 'This link uses a link format (v2) that ICL Lab never made.',
    });
    expect(decodeSafely('#v0.abc').ok).toBe(false);
    expect(decodeSafely('').ok).toBe(false);
    expect(decodeSafely(null as unknown as string)).toEqual({ ok: false, error: 'This is not an ICL Lab share link.' });
  });

  it('carries a run file from a newer lab as a clear error', () => {
    const r = decodeSafely(linkOf({ run: { ...typicalRun(9, 10), version: 3 } }));
    expect(!r.ok && r.error).toContain('newer version of ICL Lab');
  });
});
