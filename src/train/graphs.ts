// The graphs a model runs, in one place for the trainer, `forward`, the bench and the tests:
// the loss graph of a batch layout (the model on the batch's tokens, the task's masked loss
// against its targets), and the evaluation forward over a chunk of prompts.
// Legend: B batch, T tokens, d token width, O read-out width.
import type { GpuContext } from '../gpu/context';
import { Graph } from '../engine/graph';
import { invCountOf, maskedLogistic, maskedMse } from '../engine/ops/losses';
import type { Tensor } from '../engine/tensor';
import type { IclModel } from '../nn/models';
import { tokensFor, type PromptBatch, type Stage } from '../tasks';
import type { RunConfig, TaskId } from '../spec/config';

/** Prompts per evaluation dispatch list (the eval set is run in chunks of this many). */
export const EVAL_CHUNK = 64;

/**
 * What the loss graph reads; the keys are the graph's input names, so a LossBatch of values is
 * what a compiled step's run() takes (a type, not an interface: it is a Record of its values).
 */
export type LossBatch<T = Float32Array> = {
  inputs: T; // (B, T, d) token vectors
  targets: T; // (B, T, O) what the read-out at each token should predict
  mask: T; // (B, T, O) loss weights
  invCount: T; // (1) 1 / Σ mask, written with the batch (the scored count varies)
};

/** The shape of a batch and the loss that scores it: what a loss graph is built for. */
export interface LossLayout {
  batch: number; // B
  tokens: number; // T
  dim: number; // d
  outDim: number; // O
  loss: 'mse' | 'logistic';
}

/** The read-out width O of a task's model: d for the tasks whose targets are vectors, else 1. */
export function outDimOf(task: TaskId, nDims: number): number {
  return task === 'cot_io' || task === 'vector_mqar' ? nDims : 1;
}

/** The loss a task trains with: logistic on sparse parity's ±1 labels, squared error elsewhere. */
export function lossKindOf(task: TaskId): LossLayout['loss'] {
  return task === 'sparse_parity' ? 'logistic' : 'mse';
}

/** The layout of a training batch at a curriculum stage, from the config alone (nothing sampled). */
export function stageLayout(config: RunConfig, stage: Stage): LossLayout {
  return {
    batch: config.batch,
    tokens: tokensFor(config.task, stage.nPoints),
    dim: config.nDims,
    outDim: outDimOf(config.task, config.nDims),
    loss: lossKindOf(config.task),
  };
}

/** The layout of a sampled batch. */
export function layoutOf(batch: PromptBatch): LossLayout {
  return { batch: batch.batch, tokens: batch.tokens, dim: batch.dim, outDim: batch.outDim, loss: batch.loss };
}

/** A sampled batch's values as the loss graph reads them. */
export function lossBatch(batch: PromptBatch): LossBatch {
  return { inputs: batch.inputs, targets: batch.targets, mask: batch.mask, invCount: invCountOf(batch.mask) };
}

/**
 * Declares the batch inputs of `layout` in g and builds the model's read-out and the masked
 * loss over them. With `values` (an eager graph), each input is written as it is declared,
 * before anything reads it; a traced graph is given its values by each run instead.
 */
export function lossGraph(
  g: Graph,
  model: IclModel,
  layout: LossLayout,
  values?: LossBatch,
): { pred: Tensor; loss: Tensor } {
  const { batch: B, tokens: T, dim: d, outDim: O } = layout;
  const input = (name: keyof LossBatch, shape: number[]): Tensor => {
    const t = g.input(name, shape);
    if (values) g.write(name, values[name]);
    return t;
  };
  const pred = model.forward(g, input('inputs', [B, T, d])); // (B, T, O)
  const lossOf = layout.loss === 'logistic' ? maskedLogistic : maskedMse;
  const loss = lossOf(pred, input('targets', [B, T, O]), input('mask', [B, T, O]), input('invCount', [1])); // (1)
  return { pred, loss };
}

/** The step's loss for a stage: lossGraph at the stage's layout, as TrainingStep builds it. */
export function trainingLoss(model: IclModel, config: RunConfig, stage: Stage): (g: Graph) => Tensor {
  const layout = stageLayout(config, stage);
  return (g) => lossGraph(g, model, layout).loss;
}

/** The model's read-out (prompts, T, O) for the input "inputs" (prompts, T, d) of a LossBatch,
 *  traced without gradients: nothing is kept for a backward pass (the scan saves no states). */
export function evalForward(
  gpu: GpuContext,
  model: IclModel,
  prompts: number,
  T: number,
  d: number,
): { graph: Graph; pred: Tensor } {
  const graph = new Graph(gpu, 'trace', model.arena);
  graph.gradEnabled = false;
  const inputs: keyof LossBatch = 'inputs';
  return { graph, pred: model.forward(graph, graph.input(inputs, [prompts, T, d])) };
}
