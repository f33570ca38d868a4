// Benchmark harness: wall-clock timing of GPU work (submit, then wait for the queue to
// drain), medians over repeated batches after a warm-up, and one result type that every
// case reports and that prints as a JSON line or a table row.
import type { GpuContext } from '../../gpu/context';

export interface TimeOptions {
  /** Calls before timing starts (pipeline warm-up, clocks ramping up). */
  warmup: number;
  /** Calls per timed batch; the batch time divided by reps is one sample. */
  reps: number;
  /** Timed batches: the statistics are taken over these samples. */
  batches?: number;
  /** Before timing, keep the GPU busy with fn for this long (clocks ramp up; see warmUp). */
  warmupMs?: number;
}

export interface Timing {
  median_ms: number;
  min_ms: number;
  max_ms: number;
}

/** Keeps the GPU busy with fn for `ms` so that its clocks have ramped up before timing:
 *  work of a fraction of a millisecond, timed right after an idle spell, ran 2–3× slow on
 *  the H200 (matmul bench, 2026-11-29). */
export async function warmUp(gpu: GpuContext, fn: () => void, ms: number): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 10; i++) fn();
    await gpu.idle();
  }
}

/** Times fn (which submits GPU work and returns at once): per-call milliseconds. */
export async function timeGpu(
  gpu: GpuContext,
  fn: () => void,
  { warmup, reps, batches = 5, warmupMs = 0 }: TimeOptions,
): Promise<Timing> {
  await warmUp(gpu, fn, warmupMs);
  for (let i = 0; i < warmup; i++) fn();
  await gpu.idle();
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    await gpu.idle(); // onSubmittedWorkDone: the batch's work has finished on the GPU
    samples.push((performance.now() - t0) / reps);
  }
  return { median_ms: median(samples), min_ms: Math.min(...samples), max_ms: Math.max(...samples) };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** One measured case: median and [min, max] of the samples, in `unit`. */
export interface BenchResult {
  name: string;
  shape: Record<string, number>;
  median: number;
  spread: [number, number];
  unit: string;
  adapter: string;
  extra?: Record<string, string | number | boolean>;
}

export interface BenchOptions {
  /** Small shapes only (CPU adapters such as lavapipe and SwiftShader). */
  quick: boolean;
}

/** A benchmark other parts can register (matmul, scan, attention, step, …). */
export interface BenchCase {
  name: string;
  run(gpu: GpuContext, opts: BenchOptions): Promise<BenchResult[]>;
}

/** A rate (work / time) from a timing: the fastest sample gives the top of the spread. */
export function rate(
  work: number,
  t: Timing,
  unit: string,
  scale: number,
): Pick<BenchResult, 'median' | 'spread' | 'unit'> {
  const per = (ms: number) => work / (ms * 1e-3) / scale;
  return { median: per(t.median_ms), spread: [per(t.max_ms), per(t.min_ms)], unit };
}

const fmtNum = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(3));

export function formatJson(r: BenchResult): string {
  return JSON.stringify(r);
}

/** A readable table row: fixed columns for name, shape, median and spread. */
export function formatRow(r: BenchResult): string {
  const shape = Object.entries(r.shape)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const extra = r.extra
    ? '  ' +
      Object.entries(r.extra)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
    : '';
  return (
    `${r.name.padEnd(18)} ${shape.padEnd(26)} ${fmtNum(r.median).padStart(9)} ${r.unit.padEnd(8)} ` +
    `[${fmtNum(r.spread[0])}, ${fmtNum(r.spread[1])}]${extra}`
  );
}

export function formatHeader(): string {
  return `${'case'.padEnd(18)} ${'shape'.padEnd(26)} ${'median'.padStart(9)} ${'unit'.padEnd(8)} [min, max]`;
}
