// The whole training loop, as `npm run train` runs it: drawing each batch, packing and
// uploading it, the step, and the loss readbacks — against `step`, which times the GPU work
// alone on one fixed batch. Per family and size on linear regression (d 20, 41 points, no
// curriculum, no evaluations), at batch 64, 256 and 1,024, with the batches drawn on the
// training thread and in the CLI's worker thread (src/cli/batchWorker.ts).
import type { GpuContext } from '../../gpu/context';
import { MODEL_IDS, defaultConfig, type ModelId, type SizeId } from '../../spec/config';
import { Trainer } from '../../train/trainer';
import { WorkerBatches } from '../batchWorker';
import { median, type BenchOptions, type BenchResult } from './harness';

const SOURCES = ['thread', 'worker'] as const;

/** ms per step of trainer.train over `steps` steps, after `warmup`; `batches` timed runs. */
async function timeLoop(trainer: Trainer, warmup: number, steps: number, batches: number): Promise<number[]> {
  await trainer.train(warmup);
  await trainer.flush();
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await trainer.train(1); // one at a time, as the CLI's loop
    await trainer.flush();
    samples.push((performance.now() - t0) / steps);
  }
  return samples;
}

export async function benchTrainLoop(gpu: GpuContext, opts: BenchOptions): Promise<BenchResult[]> {
  const sizes: SizeId[] = opts.quick ? ['tiny'] : ['tiny', 'small'];
  const batchSizes = opts.quick ? [8] : [64, 256, 1024];
  const steps = opts.quick ? 5 : 100;
  const results: BenchResult[] = [];
  for (const model of MODEL_IDS as readonly ModelId[]) {
    for (const size of sizes) {
      for (const batch of batchSizes) {
        for (const source of SOURCES) {
          const config = {
            ...defaultConfig('linear_regression', model, size),
            batch,
            curriculum: false,
            steps: 1_000_000, // never reached: the cosine/constant lr is irrelevant to the time
          };
          const trainer = new Trainer(gpu, config, {
            batches: source === 'worker' ? (plan) => new WorkerBatches(plan) : undefined,
          });
          const samples = await timeLoop(trainer, opts.quick ? 2 : 20, steps, opts.quick ? 2 : 3);
          trainer.destroy();
          const ms = median(samples);
          results.push({
            name: `train_loop/${model}/${size}/${source}`,
            shape: { batch, tokens: 2 * config.nPoints, d: config.nDims },
            median: ms,
            spread: [Math.min(...samples), Math.max(...samples)],
            unit: 'ms',
            adapter: gpu.info.adapterName,
            extra: {
              steps_per_s: Number((1000 / ms).toFixed(1)),
              us_per_prompt: Number(((1000 * ms) / batch).toFixed(1)),
            },
          });
        }
      }
    }
  }
  return results;
}
