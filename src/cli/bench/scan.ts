// Selective-scan benchmark: forward + backward milliseconds and effective GB/s (bytes of
// inputs read + outputs written, once each) at the paper's Mamba shapes (B 64, E 512, N 16,
// L 82 and 1024): the production kernels (register states), and the chunked parallel-in-time
// kernels and the sequential baseline of bench/kernels/selective_scan/ (each checked against
// selectiveScanRef first), same run. ICL_SCAN_CONFIGS='[{"eb":32,"g":4,"k":4,"fwdEb":64}, …]'
// times those configurations of the production kernels instead (a sweep).
//   B batch, L length, E channels, N state.
import type { GpuContext } from '../../gpu/context';
import { CompiledGraph } from '../../engine/compile';
import { Graph } from '../../engine/graph';
import { chooseScanConfig, scanConfigName, type ScanConfig } from '../../engine/ops/scanConfig';
import { selectiveScan, selectiveScanRef } from '../../engine/ops/selectiveScan';
import { concatLast } from '../../engine/ops/split';
import { Rng } from '../../engine/rng';
import type { Tensor } from '../../engine/tensor';
import {
  CHUNKED_CONFIGS,
  chunkedName,
  chunkedScan,
  SEQUENTIAL,
  type ChunkedScanConfig,
} from '../../../bench/kernels/selective_scan/chunked';
import { timeGpu, type BenchOptions, type BenchResult } from './harness';

/** A scan to time: the production op at a configuration, or a bench/kernels variant. */
type Scan = (u: Tensor, delta: Tensor, aLog: Tensor, Bm: Tensor, Cm: Tensor, D: Tensor, z: Tensor) => Tensor;
const production =
  (config: ScanConfig): Scan =>
  (u, delta, aLog, Bm, Cm, D, z) =>
    selectiveScan(u, delta, aLog, Bm, Cm, D, z, { config });
const chunked =
  (cfg: ChunkedScanConfig): Scan =>
  (u, delta, aLog, Bm, Cm, D, z) =>
    chunkedScan(u, delta, aLog, concatLast(Bm, Cm, 'scan_B|C'), D, z, cfg);

export interface ScanShape {
  B: number;
  L: number;
  E: number;
  N: number;
}

function shapes(quick: boolean): ScanShape[] {
  if (quick)
    return [
      { B: 2, L: 82, E: 64, N: 16 },
      { B: 1, L: 130, E: 32, N: 16 },
    ];
  return [82, 1024].map((L) => ({ B: 64, L, E: 512, N: 16 }));
}

/** Bytes that must move at least once: forward reads u, Δ, z, B, C, A_log, D and writes
 *  out; backward reads those and dout, and writes du, dΔ, dz, dB, dC, dA_log, dD. */
function bytes({ B, L, E, N }: ScanShape): number {
  const ble = B * L * E;
  const bln = B * L * N;
  const params = E * N + E;
  const fwd = 3 * ble + 2 * bln + params + ble;
  const bwd = 4 * ble + 2 * bln + params + 3 * ble + 2 * bln + params;
  return 4 * (fwd + bwd);
}

/** One timed case: the scan with a given workgroup configuration (also for tuning sweeps). */
export async function benchScanConfig(
  gpu: GpuContext,
  s: ScanShape,
  name: string,
  config: string,
  scan: Scan,
  quick: boolean,
  rng = new Rng(1),
): Promise<BenchResult> {
  const { B, L, E, N } = s;
  // several independent calls per submit at small shapes, so submit overhead does not dominate
  const copies = Math.min(16, Math.max(1, Math.round((quick ? 1e5 : 2e9) / bytes(s))));
  const g = new Graph(gpu, 'trace');
  const input = (name: string, shape: number[]) => g.input(name, shape, true);
  const u = input('u', [B, L, E]); // (B, L, E)
  const delta = input('delta', [B, L, E]); // (B, L, E)
  const z = input('z', [B, L, E]); // (B, L, E)
  const aLog = input('A_log', [E, N]); // (E, N)
  const Bm = input('B', [B, L, N]); // (B, L, N)
  const Cm = input('C', [B, L, N]); // (B, L, N)
  const D = input('D', [E]); // (E)
  const dout = g.input('dout', [B, L, E]); // (B, L, E)
  for (let i = 0; i < copies; i++) {
    const y = scan(u, delta, aLog, Bm, Cm, D, z);
    // run only this op's backward rule with a given dout (no loss, no accumulation kernels)
    g.gradEnabled = false;
    g.tape.find((e) => e.out === y)!.backward(dout);
    g.gradEnabled = true;
    for (const t of [u, delta, z, aLog, Bm, Cm, D]) t.grad = undefined;
  }
  const normal = (n: number, std = 1, mean = 0) => rng.fillNormal(new Float32Array(n), std, mean) as Float32Array;
  for (const name of ['u', 'z', 'dout']) g.write(name, normal(B * L * E));
  g.write(
    'delta',
    normal(B * L * E).map((x) => Math.log1p(Math.exp(0.5 * x - 2))),
  );
  g.write(
    'A_log',
    Float32Array.from({ length: E * N }, (_, i) => Math.log(1 + (i % N))),
  );
  g.write('B', normal(B * L * N));
  g.write('C', normal(B * L * N));
  g.write('D', normal(E, 0, 1));
  const cg = new CompiledGraph(g);
  try {
    const t = await timeGpu(
      gpu,
      () => cg.run(),
      quick ? { warmup: 1, reps: 2, batches: 3 } : { warmup: 3, reps: 10, batches: 7, warmupMs: 300 },
    );
    const ms = t.median_ms / copies;
    // each kernel timed alone (timestamp queries), per call: where the time goes
    const kernels: Record<string, number> = {};
    if (gpu.info.hasTimestamps) {
      for (const { name, ms } of await cg.profile()) kernels[name] = (kernels[name] ?? 0) + ms / copies;
      for (const k in kernels) kernels[k] = Number(kernels[k].toPrecision(3));
    }
    return {
      name,
      shape: { B, L, E, N },
      median: ms,
      spread: [t.min_ms / copies, t.max_ms / copies],
      unit: 'ms',
      adapter: gpu.info.adapterName,
      extra: {
        gbs: Number((bytes(s) / (ms * 1e-3) / 1e9).toPrecision(3)),
        config,
        perSubmit: copies,
        kernels: Object.entries(kernels)
          .map(([k, v]) => `${k}:${v}`)
          .join(' '),
      },
    };
  } finally {
    cg.destroy();
  }
}

/** A variant's forward against the reference, on a small gated scan: a variant that is wrong
 *  is not timed. */
async function checkScan(gpu: GpuContext, name: string, scan: Scan, rng: Rng): Promise<void> {
  const [B, L, E, N] = [2, 21, 8, 16];
  const g = new Graph(gpu, 'eager');
  const data = (shape: number[], f: (x: number) => number = (x) => x) => ({
    data: (rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b)), 1) as Float32Array).map(f),
    shape,
  });
  const host = {
    u: data([B, L, E]),
    delta: data([B, L, E], (x) => Math.log1p(Math.exp(0.5 * x - 1))),
    aLog: data([E, N], (x) => 0.3 * x),
    Bm: data([B, L, N]),
    Cm: data([B, L, N]),
    D: data([E]),
    z: data([B, L, E]),
  };
  const t = Object.fromEntries(
    Object.entries(host).map(([k, v]) => {
      const x = g.input(k, v.shape);
      g.write(k, v.data);
      return [k, x];
    }),
  ) as Record<keyof typeof host, Tensor>;
  try {
    const out = await scan(t.u, t.delta, t.aLog, t.Bm, t.Cm, t.D, t.z).read();
    const ref = selectiveScanRef(host.u, host.delta, host.aLog, host.Bm, host.Cm, host.D, host.z);
    const worst = ref.reduce((m, r, i) => Math.max(m, Math.abs(out[i] - r) / (1e-3 + Math.abs(r))), 0);
    if (!(worst < 1e-2))
      throw new Error(
        `scan bench: ${name} differs from selectiveScanRef (worst relative error ${worst.toExponential(2)}), ` +
          `so it was not timed.`,
      );
  } finally {
    g.destroy();
  }
}

/** The production kernels, the chunked kernels and the sequential baseline at each shape,
 *  forward + backward. */
export async function benchScan(gpu: GpuContext, opts: BenchOptions): Promise<BenchResult[]> {
  const rng = new Rng(1);
  const results: BenchResult[] = [];
  const sweep = JSON.parse(process.env.ICL_SCAN_CONFIGS ?? '[]') as ScanConfig[];
  const variants = [
    { name: 'scan_fwd_bwd_chunked', config: CHUNKED_CONFIGS[0] },
    { name: 'scan_fwd_bwd_sequential', config: SEQUENTIAL },
  ];
  if (!sweep.length) for (const v of variants) await checkScan(gpu, v.name, chunked(v.config), rng);
  for (const s of shapes(opts.quick)) {
    for (const c of sweep)
      results.push(
        await benchScanConfig(gpu, s, 'scan_fwd_bwd_sweep', scanConfigName(c), production(c), opts.quick, rng),
      );
    if (sweep.length) continue;
    const best = chooseScanConfig(gpu.limits.maxComputeWorkgroupStorageSize, s.N);
    results.push(
      await benchScanConfig(gpu, s, 'scan_fwd_bwd_register', scanConfigName(best), production(best), opts.quick, rng),
    );
    for (const v of variants)
      results.push(await benchScanConfig(gpu, s, v.name, chunkedName(v.config), chunked(v.config), opts.quick, rng));
  }
  return results;
}
