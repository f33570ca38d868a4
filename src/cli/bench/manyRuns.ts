// Many runs on one device (issue 20): run-steps per second of 1, 2, 4, 8 and 16 runs of one
// family (seeds 1…R) trained together through a RunSet, at tiny and small, and of the four
// families interleaved. A RunSet interleaves (each run its own step, one after another on the
// one device), so this measures what interleaving buys over one run; a stacked RunSet (one step
// for runs of one shape) will be measured by the same case.
import type { GpuContext } from '../../gpu/context';
import { MODEL_IDS, defaultConfig, type ModelId, type RunConfig, type SizeId } from '../../spec/config';
import { familyConfigs, RunSet } from '../../train/runSet';
import { median, type BenchOptions, type BenchResult } from './harness';

/** ms per set step (every run one step) over `steps` steps after `warmup`; `batches` samples. */
async function timeSet(set: RunSet, warmup: number, steps: number, batches: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await set.trainStep();
  await set.flush();
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await set.trainStep();
    await set.flush();
    samples.push((performance.now() - t0) / steps);
  }
  return samples;
}

async function measure(gpu: GpuContext, name: string, configs: RunConfig[], quick: boolean): Promise<BenchResult> {
  const set = RunSet.create(gpu, configs);
  try {
    const samples = await timeSet(set, quick ? 2 : 20, quick ? 3 : 50, quick ? 2 : 3);
    const ms = median(samples);
    const runs = configs.length;
    return {
      name,
      shape: { runs, batch: configs[0].batch, tokens: 2 * configs[0].nPoints, d: configs[0].nDims },
      median: ms,
      spread: [Math.min(...samples), Math.max(...samples)],
      unit: 'ms',
      adapter: gpu.info.adapterName,
      extra: { run_steps_per_s: Number(((1000 * runs) / ms).toFixed(1)) },
    };
  } finally {
    set.destroy();
  }
}

export async function benchManyRuns(gpu: GpuContext, opts: BenchOptions): Promise<BenchResult[]> {
  const sizes: SizeId[] = opts.quick ? ['tiny'] : ['tiny', 'small'];
  const counts = opts.quick ? [1, 2] : [1, 2, 4, 8, 16];
  const models: readonly ModelId[] = opts.quick ? ['transformer'] : MODEL_IDS;
  const base = (model: ModelId, size: SizeId): RunConfig => ({
    ...defaultConfig('linear_regression', model, size),
    batch: opts.quick ? 4 : 64,
    curriculum: false,
    steps: 1_000_000, // never reached
  });
  const results: BenchResult[] = [];
  for (const size of sizes) {
    for (const model of models) {
      for (const runs of counts) {
        const configs = Array.from({ length: runs }, (_, i) => ({ ...base(model, size), seed: i + 1 }));
        results.push(await measure(gpu, `many_runs/${model}/${size}/${runs}`, configs, opts.quick));
      }
    }
    results.push(
      await measure(gpu, `many_runs/families/${size}/4`, familyConfigs(base('transformer', size)), opts.quick),
    );
  }
  return results;
}
