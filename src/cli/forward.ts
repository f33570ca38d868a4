// `npm run forward`: one forward and backward pass of a model on given weights and batch;
// writes predictions, loss and every parameter's gradient (grad.<name>) as .safetensors.
// This is the tool to compare the engine with a PyTorch implementation of the same model.
// Every input is checked before the GPU starts: a bad file costs a sentence, not a device.
// Legend: B batch, T tokens, d token width, O read-out width.
import { nodeGpu } from '../gpu/node';
import { envDawnFlags } from './dawnFlags';
import { backward } from '../engine/autograd';
import { Graph } from '../engine/graph';
import { invCountOf } from '../engine/ops/losses';
import { Rng } from '../engine/rng';
import { writeSafetensors } from '../engine/safetensors';
import { loadCheckpoint } from '../nn/checkpoint';
import { buildModel } from '../nn/models';
import { maxTokens, nPositions } from '../tasks';
import type { RunConfig } from '../spec/config';
import { lossGraph, lossKindOf, outDimOf, type LossBatch, type LossLayout } from '../train/graphs';
import { parseRunConfig } from '../train/schema';
import { parseFlags, UsageError } from './args';
import { readConfigFile } from './configFlags';
import { checkOutputPath, INPUT_LIMITS, readInputFile, readSafetensorsFile, writeFileAtomic } from './files';

export const FORWARD_HELP = `npm run forward -- --config cfg.json --weights w.safetensors --inputs in.safetensors \\
                     --out out.safetensors
  cfg.json         a run config (or a run file; its "config" is used)
  w.safetensors    the model's weights, official names
  in.safetensors   "inputs" (B, T, d), "targets" (B, T, O), optional "mask" (B, T, O; default all ones)
  out.safetensors  receives "predictions" (B, T, O), "loss" (1) and "grad.<name>" for every parameter`;

const OPTIONS = {
  config: { type: 'string' },
  weights: { type: 'string' },
  inputs: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** The tensors of the inputs file that forward reads. */
const BATCH_TENSORS = ['inputs', 'targets', 'mask'];

interface InputBatch {
  layout: LossLayout;
  values: LossBatch;
  /** What was converted from another dtype or ignored, one sentence each. */
  notices: string[];
}

/** The batch of the inputs file, checked against the config. */
function readBatch(path: string, config: RunConfig): InputBatch {
  const file = readSafetensorsFile(path, 'batch file');
  const bad = (why: string) => new UsageError(`batch file ${path}${why}`);
  const inputs = file.tensors.get('inputs');
  const targets = file.tensors.get('targets');
  if (!inputs || inputs.shape.length !== 3) throw bad(' needs a tensor "inputs" of shape (B, T, d).');
  if (!targets || targets.shape.length !== 3) throw bad(' needs a tensor "targets" of shape (B, T, O).');
  const [B, T, d] = inputs.shape;
  if (B === 0 || T === 0) {
    throw bad(`: "inputs" has shape [${inputs.shape}]; forward needs B ≥ 1 prompts of T ≥ 1 tokens.`);
  }
  if (d !== config.nDims) throw bad(`: "inputs" has d = ${d}, but the config says nDims = ${config.nDims}.`);
  const O = outDimOf(config.task, config.nDims);
  const want = [B, T, O];
  if (targets.shape.join() !== want.join()) {
    throw bad(`: "targets" has shape [${targets.shape}]; a ${config.task} batch of this "inputs" needs [${want}].`);
  }
  const mask = file.tensors.get('mask');
  if (mask && mask.shape.join() !== want.join()) {
    throw bad(`: "mask" has shape [${mask.shape}]; it needs [${want}], as "targets".`);
  }

  const notices = file.converted
    .filter(({ name }) => BATCH_TENSORS.includes(name))
    .map(({ name, dtype }) => `"${name}" is stored as ${dtype}; converted to f32.`);
  const ignored = [...file.tensors.keys()].filter((name) => !BATCH_TENSORS.includes(name));
  if (ignored.length) {
    const names = `${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? ', …' : ''}`;
    notices.push(`ignored ${ignored.length} tensor(s) forward does not read: ${names}.`);
  }
  const maskData = mask?.data ?? new Float32Array(B * T * O).fill(1); // (B, T, O)
  return {
    layout: { batch: B, tokens: T, dim: d, outDim: O, loss: lossKindOf(config.task) },
    values: { inputs: inputs.data, targets: targets.data, mask: maskData, invCount: invCountOf(maskData) },
    notices,
  };
}

export async function forwardCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, OPTIONS);
  if (flags.help) {
    console.log(FORWARD_HELP);
    return 0;
  }
  for (const name of ['config', 'weights', 'inputs', 'out'] as const) {
    if (!flags[name]) throw new UsageError(`--${name} is required.\n${FORWARD_HELP}`);
  }
  checkOutputPath(flags.out!, 'output');
  const parsed = parseRunConfig(readConfigFile(flags.config!)); // readConfigFile has checked it: this cannot fail
  if (!parsed.ok) throw new UsageError(`--config: ${flags.config}: ${parsed.error}`);
  const config = parsed.value;
  const { layout, values, notices } = readBatch(flags.inputs!, config);
  notices.forEach((n) => console.error(`inputs: ${n}`));
  const weights = readInputFile(flags.weights!, 'weights file', INPUT_LIMITS.safetensors);

  const gpu = await nodeGpu({ dawnFlags: envDawnFlags() });
  const { batch: B, tokens: T, dim: d, outDim: O } = layout;
  const shape = { inDim: d, outDim: O, maxTokens: Math.max(T, maxTokens(config)), nPositions: nPositions(config) };
  const model = buildModel(config.model, config.size, shape);
  model.arena.allocate(gpu, new Rng(config.seed));
  try {
    loadCheckpoint(model, gpu, weights).notices.forEach((n) => console.error(`weights: ${n}`));
  } catch (e) {
    // a malformed file, or a tensor missing or misshapen for this config: the user's to fix
    gpu.destroy();
    throw new UsageError(`weights file ${flags.weights}: ${(e as Error).message}`);
  }

  const g = new Graph(gpu, 'eager', model.arena);
  const { pred, loss } = lossGraph(g, model, layout, values);
  backward(loss);
  const out = [
    { name: 'predictions', shape: [B, T, O], data: await pred.read() },
    { name: 'loss', shape: [1], data: await loss.read() },
  ];
  for (const ref of model.arena.params) {
    const p = g.params.get(ref.name);
    const data = p?.grad ? await p.grad.read() : new Float32Array(ref.size);
    out.push({ name: `grad.${ref.name}`, shape: [...ref.shape], data: data.subarray(0, ref.size) });
  }
  writeFileAtomic(flags.out!, writeSafetensors(out, { loss: String(out[1].data[0]) }));
  const gradients = model.arena.params.length;
  console.log(`loss ${out[1].data[0]}; wrote predictions and ${gradients} gradients to ${flags.out}`);
  g.destroy();
  gpu.destroy();
  return 0;
}
