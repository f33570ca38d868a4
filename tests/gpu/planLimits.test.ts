// Every task × family at sizes tiny and small fits WebGPU's default limits (128 MiB per
// storage binding, 256 MiB per buffer, 16 KiB of workgroup memory; 10 storage buffers per
// stage, as browsers offer) at batch 64, in the training step and in the evaluation forward
// of 64 prompts, each at the task's full prompt length. The graphs are planned and bound on a
// device that has exactly those limits, and nothing runs: WebGPU checks each bind group, the
// engine each binding and grid first (src/engine/limits.ts). Then one run that needs the
// split: many-outlier regression (1024 tokens) × Mamba at tiny, whose scan's saved states
// pass 128 MiB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledGraph } from '../../src/engine/compile';
import type { Graph } from '../../src/engine/graph';
import { ADAM_DEFAULTS } from '../../src/engine/ops/adam';
import { Rng } from '../../src/engine/rng';
import type { Tensor } from '../../src/engine/tensor';
import { TrainingStep, traceStep } from '../../src/engine/trainingStep';
import type { GpuContext } from '../../src/gpu/context';
import { nodeGpu } from '../../src/gpu/node';
import { maxTokens, sampleBatch } from '../../src/tasks';
import { defaultConfig, MODEL_IDS, TASK_IDS, type RunConfig, type SizeId } from '../../src/spec/config';
import { EVAL_CHUNK, evalForward, trainingLoss } from '../../src/train/graphs';
import { lossBatch } from '../../src/train/graphs';
import { Trainer } from '../../src/train/trainer';

const MiB = 2 ** 20;
/** WebGPU's defaults, but the 10 storage buffers per stage that browsers offer (README). */
const BROWSER_LIMITS = { maxStorageBuffersPerShaderStage: 10 };

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await nodeGpu({ requiredLimits: BROWSER_LIMITS, onUncapturedError: (m) => console.error(`[webgpu] ${m}`) });
  expect(gpu.limits.maxStorageBufferBindingSize).toBe(128 * MiB);
  expect(gpu.limits.maxBufferSize).toBe(256 * MiB);
  expect(gpu.limits.maxComputeWorkgroupStorageSize).toBe(16384);
});
afterAll(() => gpu?.destroy());

/** Plans and binds a traced graph (no pipelines, no run); the problem as a sentence, or null. */
async function planProblem(g: Graph, keep: Tensor[]): Promise<string | null> {
  try {
    (await gpu.checked(() => new CompiledGraph(g, { keep, pipelinesLater: true }))).destroy();
    return null;
  } catch (e) {
    g.destroy();
    return (e as Error).message;
  }
}

/** A model of this config (built as the trainer builds it) and the config at its full size. */
function trainerFor(config: RunConfig): Trainer {
  return new Trainer(gpu, { ...config, evalPrompts: 1 }); // its own eval set is not used here
}

const fullStage = (config: RunConfig) => ({ activeDims: config.nDims, nPoints: config.nPoints });

describe('every task × family fits the default limits at batch 64', () => {
  for (const size of ['tiny', 'small'] as SizeId[]) {
    for (const task of TASK_IDS) {
      it(`${task}, ${size}: the training step and the evaluation of ${EVAL_CHUNK} prompts`, async () => {
        const problems: string[] = [];
        for (const model of MODEL_IDS) {
          const config = defaultConfig(task, model, size);
          expect(config.batch).toBe(64);
          const trainer = trainerFor(config);
          try {
            const step = traceStep(
              gpu,
              trainer.model.arena,
              trainingLoss(trainer.model, config, fullStage(config)),
              ADAM_DEFAULTS,
            );
            const stepProblem = await planProblem(step.graph, [step.loss, step.gradNorm]);
            if (stepProblem) problems.push(`${model} training step: ${stepProblem}`);
            const evaluation = evalForward(gpu, trainer.model, EVAL_CHUNK, maxTokens(config), config.nDims);
            const evalProblem = await planProblem(evaluation.graph, [evaluation.pred]);
            if (evalProblem) problems.push(`${model} evaluation: ${evalProblem}`);
          } finally {
            trainer.destroy();
          }
        }
        expect(problems).toEqual([]);
      });
    }
  }

  it('the check can fail: a binding past the limit is named with its kernel and size', async () => {
    const config = defaultConfig('many_outlier_regression', 'mamba', 'paper');
    const trainer = trainerFor(config);
    try {
      const evaluation = evalForward(gpu, trainer.model, EVAL_CHUNK, maxTokens(config), config.nDims);
      // in_proj's output (64, 1024, 1024) is 256 MiB
      expect(await planProblem(evaluation.graph, [evaluation.pred])).toMatch(
        new RegExp(
          String.raw`^The kernel ".+" binds 256\.0 MiB of ".*" \(binding \d\); ` +
            String.raw`this GPU binds at most 128\.0 MiB per storage buffer\.$`,
        ),
      );
    } finally {
      trainer.destroy();
    }
  });
});

describe('many-outlier regression × Mamba at tiny on the default limits', () => {
  // batch 32, not 64, for time (lavapipe on 2 shared cores: 45–120 s, where 64 took 200 s):
  // its saved states need 144 MiB, so the scan splits as it does at 64 (two chunks, not three)
  it('a step at 1024 tokens runs its scan over batch chunks, and its loss is the evaluation forward’s', async () => {
    const config: RunConfig = {
      ...defaultConfig('many_outlier_regression', 'mamba', 'tiny'),
      curriculum: false,
      batch: 32,
    };
    const trainer = trainerFor(config);
    const step = await TrainingStep.create(
      gpu,
      trainer.model.arena,
      trainingLoss(trainer.model, config, fullStage(config)),
      ADAM_DEFAULTS,
    );
    const evaluation = evalForward(gpu, trainer.model, config.batch, maxTokens(config), config.nDims);
    const evalGraph = new CompiledGraph(evaluation.graph, { keep: [evaluation.pred] });
    await evalGraph.validate();
    try {
      // 6 layers, each scan's forward and backward in 2 chunks: at 16 KiB of workgroup memory
      // the scan saves a state every 2 steps, 4.5 MiB per prompt, 28 prompts per 128 MiB
      const scans = step.graph.dispatches.filter((d) => /^scan_(fwd|bwd)_/.test(d.kernel.name));
      expect(scans.map((d) => d.workgroups[1])).toEqual(Array(2 * 6 * 2).fill(16));
      const batch = sampleBatch(config.task, new Rng(5), {
        batch: config.batch,
        nDims: config.nDims,
        activeDims: config.nDims,
        nPoints: config.nPoints,
      });
      // the forward without gradients (one dispatch per scan, no states saved) on the same weights
      evalGraph.run({ inputs: batch.inputs });
      const pred = await evaluation.pred.read();
      await step.run(lossBatch(batch), 0); // lr 0: the loss is read before the update anyway
      const [{ loss }] = await step.flush();
      let sum = 0;
      let count = 0;
      for (let i = 0; i < pred.length; i++) {
        sum += batch.mask[i] * (pred[i] - batch.targets[i]) ** 2;
        count += batch.mask[i];
      }
      expect(loss).toBeGreaterThan(0);
      expect(Math.abs(loss / (sum / count) - 1)).toBeLessThan(1e-4); // f32 sums over 32,768 tokens
    } finally {
      step.destroy();
      evalGraph.destroy();
      trainer.destroy();
    }
  }, 600_000);
});
