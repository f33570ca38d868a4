// Training-step benchmarks: a full compiled step (forward, backward, clipping, Adam) per
// model family and size on linear regression (batch 64, 41 points = 82 tokens, d 20), the
// shapes of DESIGN.md's comparison with PyTorch; and the time to the first step from a cold
// device (pipeline creation included).
import type { GpuContext } from '../../gpu/context';
import { nodeGpu } from '../../gpu/node';
import { envDawnFlags } from '../dawnFlags';
import { ADAM_DEFAULTS } from '../../engine/ops/adam';
import { Rng } from '../../engine/rng';
import type { Graph } from '../../engine/graph';
import { traceStep, TrainingStep } from '../../engine/trainingStep';
import { pipelineKey } from '../../gpu/context';
import { buildModel } from '../../nn/models';
import { sampleBatch } from '../../tasks';
import { MODEL_IDS, SIZE_IDS, type ModelId, type SizeId } from '../../spec/config';
import { layoutOf, lossBatch, lossGraph, type LossBatch } from '../../train/graphs';
import { median, type BenchOptions, type BenchResult } from './harness';

const D_IN = 20;

interface StepShape {
  batch: number;
  points: number;
}

function stepParts(model: ModelId, size: SizeId, s: StepShape) {
  const T = 2 * s.points;
  const m = buildModel(model, size, { inDim: D_IN, outDim: 1, maxTokens: T });
  const opts = { batch: s.batch, nDims: D_IN, activeDims: D_IN, nPoints: s.points };
  const batch = sampleBatch('linear_regression', new Rng(2), opts);
  const build = (g: Graph) => lossGraph(g, m, layoutOf(batch)).loss;
  return { m, build, inputs: lossBatch(batch) };
}

function buildStep(gpu: GpuContext, model: ModelId, size: SizeId, s: StepShape) {
  const { m, build, inputs } = stepParts(model, size, s);
  m.arena.allocate(gpu, new Rng(1));
  return { m, step: new TrainingStep(gpu, m.arena, build, ADAM_DEFAULTS), inputs };
}

/** ms per training step: median over batches of steps, after warm-up. */
async function timeSteps(
  gpu: GpuContext,
  step: TrainingStep,
  inputs: LossBatch,
  reps: number,
  batches = 5,
): Promise<number[]> {
  for (let i = 0; i < 3; i++) await step.run(inputs, 1e-4);
  await step.flush();
  await gpu.idle();
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await step.run(inputs, 1e-4);
    await gpu.idle();
    samples.push((performance.now() - t0) / reps);
    step.take();
  }
  return samples;
}

/** The families and sizes to run: all, or those listed in ICL_BENCH_MODELS / ICL_BENCH_SIZES
 *  (comma-separated; for quick experiments on the device machine). */
function only<T extends string>(all: readonly T[], env: string | undefined): T[] {
  const wanted = env?.split(',').map((s) => s.trim());
  return all.filter((x) => !wanted || wanted.includes(x));
}

export async function benchStep(gpu: GpuContext, opts: BenchOptions): Promise<BenchResult[]> {
  const shape: StepShape = opts.quick ? { batch: 8, points: 11 } : { batch: 64, points: 41 };
  const sizes = only<SizeId>(opts.quick ? ['tiny'] : SIZE_IDS, process.env.ICL_BENCH_SIZES);
  const results: BenchResult[] = [];
  for (const model of only(MODEL_IDS, process.env.ICL_BENCH_MODELS)) {
    for (const size of sizes) {
      const { m, step, inputs } = buildStep(gpu, model, size, shape);
      const samples = await timeSteps(
        gpu,
        step,
        inputs,
        opts.quick ? 3 : size === 'paper' ? 20 : 40,
        opts.quick ? 3 : 5,
      );
      const ms = median(samples);
      results.push({
        name: `step/${model}/${size}`,
        shape: { batch: shape.batch, tokens: 2 * shape.points, d: D_IN, params: m.parameterCount },
        median: ms,
        spread: [Math.min(...samples), Math.max(...samples)],
        unit: 'ms',
        adapter: gpu.info.adapterName,
        extra: {
          steps_per_s: Number((1000 / ms).toFixed(1)),
          dispatches: step.dispatchCount,
          buffers: step.stats.buffers,
        },
      });
      step.destroy();
      m.arena.destroy();
    }
  }
  return results;
}

/** Time from a new device to the first finished step (pipelines compiled from scratch), and
 *  its parts: device, setup, trace, pipelines (as TrainingStep.create makes them, with the
 *  initial values drawn and the graph's buffers and bind groups made meanwhile), run (the
 *  step itself). ICL_FIRST_STEP_SERIAL=1 creates the pipelines one at a time, then the values
 *  and the graph, and reports the slowest pipelines (each timed alone: shader translation
 *  plus the driver's compile). */
export async function benchFirstStep(_gpu: GpuContext, opts: BenchOptions): Promise<BenchResult[]> {
  const shape: StepShape = opts.quick ? { batch: 8, points: 11 } : { batch: 64, points: 41 };
  const size: SizeId = opts.quick ? 'tiny' : 'paper';
  const serial = process.env.ICL_FIRST_STEP_SERIAL === '1';
  const results: BenchResult[] = [];
  for (const model of only(MODEL_IDS, process.env.ICL_BENCH_MODELS)) {
    const t0 = performance.now();
    const cold = await nodeGpu({ dawnFlags: envDawnFlags() });
    const tDevice = performance.now();
    const { m, build, inputs } = stepParts(model, size, shape);
    m.arena.allocate(cold, new Rng(1), true); // as the trainer does: values drawn while compiling
    const tSetup = performance.now();
    const traced = traceStep(cold, m.arena, build, ADAM_DEFAULTS);
    const tTraced = performance.now();
    const kernels = traced.graph.dispatches.map((d) => d.kernel);
    const slowest: Record<string, string> = {};
    if (serial) {
      const times = new Map<string, number>();
      for (const k of kernels) {
        const key = pipelineKey(k);
        if (times.has(key)) continue;
        const t = performance.now();
        cold.pipeline(k);
        times.set(key, performance.now() - t);
      }
      for (const [key, ms] of [...times].sort((a, b) => b[1] - a[1]).slice(0, 12))
        slowest[key.slice(0, 80)] = `${ms.toFixed(0)} ms`;
      slowest.all_pipelines_ms = [...times.values()].reduce((a, b) => a + b, 0).toFixed(0);
      slowest.pipelines = String(times.size);
    }
    // serial: then the values and the graph; else as the trainer does (values and graph while compiling)
    const step = serial
      ? new TrainingStep(cold, m.arena, traced, ADAM_DEFAULTS)
      : await TrainingStep.create(cold, m.arena, traced, ADAM_DEFAULTS);
    const tPipelines = performance.now();
    await step.run(inputs, 1e-4);
    await step.flush();
    const tEnd = performance.now();
    const ms = tEnd - t0;
    const phases = {
      device_ms: Math.round(tDevice - t0),
      setup_ms: Math.round(tSetup - tDevice),
      trace_ms: Math.round(tTraced - tSetup),
      pipelines_ms: Math.round(tPipelines - tTraced),
      run_ms: Math.round(tEnd - tPipelines),
    };
    results.push({
      name: `first_step${serial ? '_serial' : ''}/${model}/${size}`,
      shape: { batch: shape.batch, tokens: 2 * shape.points },
      median: ms,
      spread: [ms, ms],
      unit: 'ms',
      adapter: cold.info.adapterName,
      extra: { ...phases, ...slowest },
    });
    cold.destroy();
  }
  return results;
}

/** Where a step's GPU time goes: each dispatch timed alone (timestamp queries), summed by
 *  kernel. Separate passes add a barrier per dispatch, so the total is an upper bound. */
export async function benchProfile(gpu: GpuContext, opts: BenchOptions): Promise<BenchResult[]> {
  if (!gpu.info.hasTimestamps) return [];
  const shape: StepShape = opts.quick ? { batch: 8, points: 11 } : { batch: 64, points: 41 };
  const sizes = only<SizeId>(opts.quick ? ['tiny'] : ['small', 'paper'], process.env.ICL_BENCH_SIZES);
  const results: BenchResult[] = [];
  for (const model of only(MODEL_IDS, process.env.ICL_BENCH_MODELS)) {
    for (const size of sizes) {
      const { step, inputs, m } = buildStep(gpu, model, size, shape);
      for (let i = 0; i < 3; i++) await step.run(inputs, 1e-4);
      await step.flush();
      const runs = [await step.profile(), await step.profile(), await step.profile()];
      const byKernel = new Map<string, { ms: number; count: number }>();
      for (const run of runs) {
        for (const { name, ms } of run) {
          const k = byKernel.get(name) ?? { ms: 0, count: 0 };
          k.ms += ms / runs.length;
          k.count += 1 / runs.length;
          byKernel.set(name, k);
        }
      }
      const total = [...byKernel.values()].reduce((a, k) => a + k.ms, 0);
      // the 12 costliest kernels, or ICL_PROFILE_TOP of them
      const top = [...byKernel.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, Number(process.env.ICL_PROFILE_TOP ?? 12));
      results.push({
        name: `profile/${model}/${size}`,
        shape: { batch: shape.batch, tokens: 2 * shape.points, dispatches: step.dispatchCount },
        median: total,
        spread: [total, total],
        unit: 'ms',
        adapter: gpu.info.adapterName,
        extra: Object.fromEntries(top.map(([name, k]) => [name, `${k.ms.toFixed(3)} ms ×${Math.round(k.count)}`])),
      });
      step.destroy();
      m.arena.destroy();
    }
  }
  return results;
}
