// The two graphs a run compiles, in one place for the trainer and for the check that every
// task × family fits WebGPU's default limits (tests/gpu/planLimits.test.ts): the training
// loss of a batch at a curriculum stage, and the evaluation forward over a chunk of prompts.
// Legend: B batch, T tokens, d token width, O read-out width.
import type { GpuContext } from '../gpu/context';
import { Graph } from '../engine/graph';
import { maskedLogistic, maskedMse } from '../engine/ops/losses';
import { Rng } from '../engine/rng';
import type { Tensor } from '../engine/tensor';
import type { IclModel } from '../nn/models';
import { sampleBatch, type Stage } from '../tasks';
import type { RunConfig } from './config';

/** Prompts per evaluation dispatch list (the eval set is run in chunks of this many). */
export const EVAL_CHUNK = 64;

/** The step's loss for a stage: the model on a (B, T, d) batch, the task's masked loss
 *  against (B, T, O) targets (inputs "inputs", "targets", "mask", "invCount"). */
export function trainingLoss(model: IclModel, config: RunConfig, stage: Stage): (g: Graph) => Tensor {
  const probe = sampleBatch(config.task, new Rng(0), { batch: 1, nDims: config.nDims, activeDims: stage.activeDims, nPoints: stage.nPoints });
  const { tokens: T, outDim: O } = probe;
  const { batch: B, nDims: d } = config;
  const lossOf = probe.loss === 'logistic' ? maskedLogistic : maskedMse;
  return (g) => {
    const pred = model.forward(g, g.input('inputs', [B, T, d])); // (B, T, O)
    return lossOf(pred, g.input('targets', [B, T, O]), g.input('mask', [B, T, O]), g.input('invCount', [1]));
  };
}

/** The model's read-out (prompts, T, O) for input "inputs" (prompts, T, d), traced without
 *  gradients: nothing is kept for a backward pass (the scan saves no states). */
export function evalForward(gpu: GpuContext, model: IclModel, prompts: number, T: number, d: number): { graph: Graph; pred: Tensor } {
  const graph = new Graph(gpu, 'trace', model.arena);
  graph.gradEnabled = false;
  return { graph, pred: model.forward(graph, graph.input('inputs', [prompts, T, d])) };
}
