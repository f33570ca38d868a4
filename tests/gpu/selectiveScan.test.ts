// Selective scan: GPU forward/backward vs the sequential reference over lengths that cross
// segment boundaries, several workgroup configurations (and the chunked kernels kept in
// bench/kernels/selective_scan/), and the reference backward vs finite differences.
// Legend: B batch, L length, E channels, N state.
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/engine/autograd';
import { CompiledGraph } from '../../src/engine/compile';
import type { Graph } from '../../src/engine/graph';
import { mul } from '../../src/engine/ops/elementwise';
import { sumCols } from '../../src/engine/ops/reduce';
import { concatLast } from '../../src/engine/ops/split';
import {
  CHUNKED_CONFIGS,
  chunkedScan,
  SEQUENTIAL,
  type ChunkedScanConfig,
} from '../../bench/kernels/selective_scan/chunked';
import { SCAN_DEFAULT, type ScanConfig } from '../../src/engine/ops/scanConfig';
import {
  scanLossRef,
  selectiveScan,
  selectiveScanBackwardRef,
  selectiveScanPacked,
  selectiveScanRef,
  type HostTensor,
} from '../../src/engine/ops/selectiveScan';
import { Rng } from '../../src/engine/rng';
import { constant, eagerGraph, leaf } from '../helpers/gpu';
import { expectClose, finiteDiff, randn } from '../helpers/numeric';

interface Case {
  B: number;
  L: number;
  E: number;
  N: number;
  gated: boolean;
}

function inputs(rng: Rng, { B, L, E, N, gated }: Case) {
  const h = (data: Float64Array, shape: number[]): HostTensor => ({ data, shape });
  // Δ in (0.05, 1.5) as after softplus; A_log = log(1..N) plus noise, as initialised
  const delta = randn(rng, B * L * E).map((x) => Math.log1p(Math.exp(0.7 * x - 1)));
  const aLog = Float64Array.from({ length: E * N }, (_, i) => Math.log(1 + (i % N)) + 0.3 * rng.normal());
  return {
    u: h(randn(rng, B * L * E), [B, L, E]),
    delta: h(delta, [B, L, E]),
    aLog: h(aLog, [E, N]),
    Bm: h(randn(rng, B * L * N), [B, L, N]),
    Cm: h(randn(rng, B * L * N), [B, L, N]),
    D: h(randn(rng, E), [E]),
    z: gated ? h(randn(rng, B * L * E), [B, L, E]) : undefined,
    r: randn(rng, B * L * E), // dout
  };
}

/** Runs the GPU op on one case and compares its output and every gradient to the reference. */
async function check(
  c: Case,
  config: ScanConfig | undefined,
  seed: number,
  maxBindingBytes?: number,
  chunked?: ChunkedScanConfig,
): Promise<Graph> {
  const x = inputs(new Rng(seed), c);
  const g = await eagerGraph();
  const t = (name: string, v: HostTensor) => leaf(g, name, [...v.shape], v.data);
  const [u, delta, aLog, Bm, Cm, D] = [
    t('u', x.u),
    t('delta', x.delta),
    t('A_log', x.aLog),
    t('B', x.Bm),
    t('C', x.Cm),
    t('D', x.D),
  ];
  const z = x.z ? t('z', x.z) : undefined;
  const out = chunked
    ? chunkedScan(u, delta, aLog, concatLast(Bm, Cm, 'B|C'), D, z, chunked)
    : selectiveScan(u, delta, aLog, Bm, Cm, D, z, { config, maxBindingBytes });
  const what =
    `B${c.B} L${c.L} E${c.E} N${c.N}${c.gated ? ' gated' : ''} ${JSON.stringify(chunked ?? config ?? 'default')}` +
    `${maxBindingBytes ? ` in bindings of ${maxBindingBytes} bytes` : ''}`;
  const ref = selectiveScanRef(x.u, x.delta, x.aLog, x.Bm, x.Cm, x.D, x.z);
  expectClose(await out.read(), ref, { atol: 1e-4, rtol: 1e-4 }, `forward ${what}`);

  backward(sumCols(mul(out, constant(g, 'r', [c.B, c.L, c.E], x.r)), out.size));
  const gr = selectiveScanBackwardRef({ data: x.r, shape: x.u.shape }, x.u, x.delta, x.aLog, x.Bm, x.Cm, x.D, x.z);
  // f32 sums over up to B·L·E terms (dA_log, dB, dC): tolerance grows with the reduced count
  const tol = { atol: 2e-4 * Math.sqrt(c.L), rtol: 2e-4 };
  expectClose(await u.grad!.read(), gr.du, tol, `du ${what}`);
  expectClose(await delta.grad!.read(), gr.ddelta, tol, `ddelta ${what}`);
  expectClose(await aLog.grad!.read(), gr.daLog, { atol: 2e-4 * Math.sqrt(c.B * c.L), rtol: 5e-4 }, `dA_log ${what}`);
  expectClose(await Bm.grad!.read(), gr.dBm, { atol: 2e-4 * Math.sqrt(c.E * c.L), rtol: 5e-4 }, `dB ${what}`);
  expectClose(await Cm.grad!.read(), gr.dCm, { atol: 2e-4 * Math.sqrt(c.E * c.L), rtol: 5e-4 }, `dC ${what}`);
  expectClose(await D.grad!.read(), gr.dD, { atol: 2e-4 * Math.sqrt(c.B * c.L), rtol: 5e-4 }, `dD ${what}`);
  if (z) expectClose(await z.grad!.read(), gr.dz!, tol, `dz ${what}`);
  g.destroy();
  return g;
}

describe('selective scan vs the sequential reference', () => {
  const cases: Case[] = [
    { B: 1, L: 1, E: 1, N: 1, gated: false },
    { B: 2, L: 2, E: 3, N: 2, gated: true },
    { B: 1, L: 3, E: 5, N: 4, gated: false },
    { B: 2, L: 17, E: 3, N: 16, gated: true },
    { B: 2, L: 82, E: 33, N: 4, gated: true },
    { B: 1, L: 129, E: 6, N: 3, gated: false },
    { B: 1, L: 1024, E: 2, N: 2, gated: true },
    { B: 1, L: 9, E: 5, N: 12, gated: false }, // 3 threads per channel in the backward
  ];
  for (const c of cases) {
    it(`B${c.B} L${c.L} E${c.E} N${c.N}${c.gated ? ' gated' : ''}: forward and gradients`, async () => {
      await check(c, undefined, 11 + c.L);
    });
  }

  // one gated case per configuration: lavapipe compiles each pipeline variant on first use
  // (seconds each), so the variants are kept few; L = 2·K + 3 and E = EB + 3 put a partial
  // segment and a partial channel block at the ends
  const configs: ScanConfig[] = [
    { ...SCAN_DEFAULT, k: 1 },
    { ...SCAN_DEFAULT, eb: 8, g: 1, k: 3 },
    { ...SCAN_DEFAULT, eb: 4, k: 8, fwdEb: 4 }, // a workgroup's B | C share is more than one float per thread
  ];
  for (const config of configs) {
    it(`configuration ${JSON.stringify(config)} across segment boundaries`, async () => {
      // N 6 is two vec4 groups of states, one padded, on 2 threads per channel where g > 1
      await check({ B: 2, L: 2 * config.k + 3, E: config.eb + 3, N: 6, gated: true }, config, 5);
    }, 300_000);
  }

  // the chunked kernels of bench/kernels/selective_scan/ (parallel in time, and the sequential
  // baseline) stay correct where the benchmark times them
  for (const chunked of [CHUNKED_CONFIGS[0], SEQUENTIAL]) {
    it(`bench/kernels: chunked ${JSON.stringify(chunked)} across chunk boundaries`, async () => {
      const ch = chunked.t * chunked.s;
      await check({ B: 2, L: 2 * ch + 3, E: chunked.eb + 3, N: 3, gated: true }, undefined, 5, undefined, chunked);
    }, 300_000);
  }

  // past the binding limit the scan runs over batch chunks (views of the (B, …) tensors, a
  // scratch buffer each): B 5 in chunks of 2, 2 and 1, whose rows start at aligned offsets
  // (L·E·4 = L·2N·4 = 1 KiB); one prompt's scratch takes 552 floats
  for (const gated of [true, false]) {
    it(`over batch chunks when one binding would pass the limit${gated ? ', gated' : ''}`, async () => {
      const g = await check({ B: 5, L: 32, E: 8, N: 4, gated }, undefined, 7, 2 * 552 * 4);
      const scans = g.dispatches.filter(
        (d) => d.kernel.name.startsWith('scan_fwd') || d.kernel.name.startsWith('scan_bwd'),
      );
      expect(scans.map((d) => d.workgroups[1])).toEqual([2, 2, 1, 2, 2, 1]);
    });
  }

  it('a prompt too big for one binding is refused with a sentence', async () => {
    const g = await eagerGraph();
    const u = g.input('u', [2, 32, 8], true);
    const bc = g.input('B|C', [2, 32, 8]);
    expect(() =>
      selectiveScanPacked(u, u, g.input('A_log', [8, 4]), bc, g.input('D', [8]), undefined, { maxBindingBytes: 1000 }),
    ).toThrow(/needs 2\.2 KiB in one binding for one prompt; this GPU binds at most 1000 B/);
    g.destroy();
  });

  /** Eager inputs for a scan the op must refuse: u (1, 4, 3), A_log `aShape`, B (1, 4, n), D (3). */
  async function refusalInputs(aShape: number[], n: number) {
    const g = await eagerGraph();
    return {
      g,
      u: g.input('u', [1, 4, 3]),
      a: g.input('A_log', aShape),
      bc: g.input('B', [1, 4, n]),
      d: g.input('D', [3]),
    };
  }

  it('more than 16 states per channel are refused with a sentence', async () => {
    const { g, u, a, bc, d } = await refusalInputs([3, 17], 17);
    expect(() => selectiveScan(u, u, a, bc, bc, d)).toThrow(/at most 16 states per channel; this model asks for 17/);
    g.destroy();
  });

  it('a configuration over the workgroup-memory limit is refused before any dispatch', async () => {
    const { g, u, a, bc, d } = await refusalInputs([3, 16], 16);
    const huge: ScanConfig = { eb: 1024, g: 1, k: 8 };
    expect(() => selectiveScan(u, u, a, bc, bc, d, undefined, { config: huge })).toThrow(/workgroup memory/);
    g.destroy();
  });

  it('a wrong A_log shape is rejected', async () => {
    const { g, u, a, bc, d } = await refusalInputs([4, 2], 2);
    expect(() => selectiveScan(u, u, a, bc, bc, d)).toThrow(/A_log/);
    g.destroy();
  });
});

describe('reference backward vs finite differences (f64)', () => {
  for (const gated of [false, true]) {
    it(`every input${gated ? ', gated' : ''}`, () => {
      const c: Case = { B: 2, L: 5, E: 3, N: 2, gated };
      const x = inputs(new Rng(3), c);
      const gr = selectiveScanBackwardRef({ data: x.r, shape: x.u.shape }, x.u, x.delta, x.aLog, x.Bm, x.Cm, x.D, x.z);
      const loss = (o: Partial<typeof x>) =>
        scanLossRef(
          x.r,
          o.u ?? x.u,
          o.delta ?? x.delta,
          o.aLog ?? x.aLog,
          o.Bm ?? x.Bm,
          o.Cm ?? x.Cm,
          o.D ?? x.D,
          o.z ?? x.z,
        );
      const fd = (key: 'u' | 'delta' | 'aLog' | 'Bm' | 'Cm' | 'D' | 'z') => {
        const v = x[key]!;
        return finiteDiff((d) => loss({ [key]: { data: d, shape: v.shape } }), Float64Array.from(v.data));
      };
      const tol = { atol: 1e-7, rtol: 1e-6 };
      expectClose(gr.du, fd('u'), tol, 'du');
      expectClose(gr.ddelta, fd('delta'), tol, 'ddelta');
      expectClose(gr.daLog, fd('aLog'), tol, 'dA_log');
      expectClose(gr.dBm, fd('Bm'), tol, 'dB');
      expectClose(gr.dCm, fd('Cm'), tol, 'dC');
      expectClose(gr.dD, fd('D'), tol, 'dD');
      if (gated) expectClose(gr.dz!, fd('z'), tol, 'dz');
    });
  }
});

describe('selective scan in a compiled graph', () => {
  const cases: [string, Case, number | undefined][] = [
    ['', { B: 2, L: 37, E: 19, N: 5, gated: true }, undefined],
    // one prompt per chunk: views into planned buffers, each chunk's scratch planned apart
    [', over batch chunks', { B: 3, L: 32, E: 8, N: 4, gated: true }, 552 * 4],
  ];
  for (const [title, c, maxBindingBytes] of cases)
    it(`planned buffers, replayed twice: the same values and gradients as the reference${title}`, async () => {
      const x = inputs(new Rng(21), c);
      const g = await eagerGraph(undefined, 'trace');
      const t = (name: string, v: HostTensor) => g.input(name, [...v.shape], true);
      const [u, delta, aLog, Bm, Cm, D, z] = [
        t('u', x.u),
        t('delta', x.delta),
        t('A_log', x.aLog),
        t('B', x.Bm),
        t('C', x.Cm),
        t('D', x.D),
        t('z', x.z!),
      ];
      const r = g.input('r', [c.B, c.L, c.E]);
      const out = selectiveScan(u, delta, aLog, Bm, Cm, D, z, { maxBindingBytes });
      backward(sumCols(mul(out, r), out.size));
      const leaves = [u, delta, aLog, Bm, Cm, D, z];
      const cg = new CompiledGraph(g, { keep: [out, ...leaves.map((l) => l.grad!)] });
      await cg.validate();
      const data = { u: x.u, delta: x.delta, A_log: x.aLog, B: x.Bm, C: x.Cm, D: x.D, z: x.z! };
      const feed = Object.fromEntries([
        ...Object.entries(data).map(([k, v]) => [k, Float32Array.from(v.data)]),
        ['r', Float32Array.from(x.r)],
      ]);
      const ref = selectiveScanRef(x.u, x.delta, x.aLog, x.Bm, x.Cm, x.D, x.z);
      const gr = selectiveScanBackwardRef({ data: x.r, shape: x.u.shape }, x.u, x.delta, x.aLog, x.Bm, x.Cm, x.D, x.z);
      const expected = [gr.du, gr.ddelta, gr.daLog, gr.dBm, gr.dCm, gr.dD, gr.dz!];
      for (let run = 0; run < 2; run++) {
        cg.run(feed);
        expectClose(await out.read(), ref, { atol: 1e-4, rtol: 1e-4 }, `forward, run ${run}`);
        for (let i = 0; i < leaves.length; i++) {
          expectClose(
            await leaves[i].grad!.read(),
            expected[i],
            { atol: 2e-3, rtol: 5e-4 },
            `d${leaves[i].label}, run ${run}`,
          );
        }
      }
      cg.destroy();
    });
});
