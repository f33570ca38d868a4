// `npm run forward`: one forward and backward pass of a model on given weights and batch;
// writes predictions, loss and every parameter's gradient (grad.<name>) as .safetensors.
// This is the tool to compare the engine with a PyTorch implementation of the same model.
import { readFileSync, writeFileSync } from 'node:fs';
import { nodeGpu } from '../gpu/node';
import { backward } from '../engine/autograd';
import { Graph } from '../engine/graph';
import { invCountOf, maskedLogistic, maskedMse } from '../engine/ops/losses';
import { Rng } from '../engine/rng';
import { readSafetensors, writeSafetensors } from '../engine/safetensors';
import { loadCheckpoint } from '../nn/checkpoint';
import { buildModel } from '../nn/models';
import { maxTokens, nPositions } from '../tasks';
import { parseRunConfig } from '../train/schema';
import { parseFlags, UsageError } from './args';

export const FORWARD_HELP = `npm run forward -- --config cfg.json --weights w.safetensors --inputs in.safetensors --out out.safetensors
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

export async function forwardCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, OPTIONS);
  if (flags.help) {
    console.log(FORWARD_HELP);
    return 0;
  }
  for (const name of ['config', 'weights', 'inputs', 'out'] as const) if (!flags[name]) throw new UsageError(`--${name} is required.\n${FORWARD_HELP}`);
  const raw = JSON.parse(readFileSync(flags.config!, 'utf8'));
  const parsed = parseRunConfig(raw.config ?? raw);
  if (!parsed.ok) throw new UsageError(`${flags.config}: ${parsed.error}`);
  const config = parsed.value;
  const batch = readSafetensors(readFileSync(flags.inputs!)).tensors;
  const inputs = batch.get('inputs');
  const targets = batch.get('targets');
  if (!inputs || inputs.shape.length !== 3) throw new UsageError(`${flags.inputs} needs a tensor "inputs" of shape (B, T, d).`);
  if (!targets || targets.shape.length !== 3) throw new UsageError(`${flags.inputs} needs a tensor "targets" of shape (B, T, O).`);
  const [B, T, d] = inputs.shape;
  const O = targets.shape[2];
  if (d !== config.nDims) throw new UsageError(`inputs have d = ${d} but the config says nDims = ${config.nDims}.`);
  const mask = batch.get('mask')?.data ?? new Float32Array(B * T * O).fill(1);

  const gpu = await nodeGpu();
  const model = buildModel(config.model, config.size, { inDim: d, outDim: O, maxTokens: Math.max(T, maxTokens(config)), nPositions: nPositions(config) });
  model.arena.allocate(gpu, new Rng(config.seed));
  const { notices } = loadCheckpoint(model, gpu, readFileSync(flags.weights!));
  notices.forEach((n) => console.error(`weights: ${n}`));

  const g = new Graph(gpu, 'eager', model.arena);
  const input = (name: string, shape: number[], data: Float32Array) => {
    const t = g.input(name, shape);
    g.write(name, data);
    return t;
  };
  const pred = model.forward(g, input('inputs', [B, T, d], inputs.data));
  const lossOf = config.task === 'sparse_parity' ? maskedLogistic : maskedMse;
  const loss = lossOf(pred, input('targets', [B, T, O], targets.data), input('mask', [B, T, O], mask), input('invCount', [1], invCountOf(mask)));
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
  writeFileSync(flags.out!, writeSafetensors(out, { loss: String(out[1].data[0]) }));
  console.log(`loss ${out[1].data[0]}; wrote predictions and ${model.arena.params.length} gradients to ${flags.out}`);
  g.destroy();
  gpu.destroy();
  return 0;
}
