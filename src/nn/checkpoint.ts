// Checkpoints: the model's arena as a .safetensors file under the official PyTorch names
// (DESIGN.md, Checkpoints), and back. Loading tolerates what the official code carries and
// the lab does not use (GPT-2's token embedding wte, attention masks, …) and a positional
// table with more rows than the lab needs, each with a notice; a missing or misshapen
// tensor is an error naming it.
import type { GpuContext } from '../gpu/context';
import { readSafetensors, writeSafetensors } from '../engine/safetensors';
import type { IclModel } from './models';

export async function saveCheckpoint(model: IclModel, gpu: GpuContext, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  const values = await model.arena.readParams(gpu);
  const tensors = model.arena.params.map((r) => ({ name: r.name, shape: [...r.shape], data: values.get(r.name)! }));
  return writeSafetensors(tensors, { format: 'pt', ...metadata });
}

export interface LoadResult {
  notices: string[];
  metadata: Record<string, string>;
}

export function loadCheckpoint(model: IclModel, gpu: GpuContext, bytes: Uint8Array): LoadResult {
  const file = readSafetensors(bytes);
  const notices: string[] = [];
  const missing: string[] = [];
  const pending: { ref: (typeof model.arena.params)[number]; data: Float32Array }[] = [];
  for (const ref of model.arena.params) {
    const t = file.tensors.get(ref.name);
    if (!t) {
      missing.push(ref.name);
      continue;
    }
    const want = ref.shape.join('×');
    const got = t.shape.join('×');
    if (want === got) {
      pending.push({ ref, data: t.data });
    } else if (/wpe\.weight$/.test(ref.name) && t.shape.length === 2 && t.shape[1] === ref.shape[1] && t.shape[0] >= ref.shape[0]) {
      // positional table for longer prompts than this run uses: keep the first rows
      pending.push({ ref, data: t.data.subarray(0, ref.size) });
      notices.push(`${ref.name}: using the first ${ref.shape[0]} of ${t.shape[0]} positions.`);
    } else {
      throw new Error(`Checkpoint tensor ${ref.name} has shape [${got}], but this model needs [${want}]. Was it trained with another size, task or d?`);
    }
  }
  if (missing.length) {
    throw new Error(`The checkpoint lacks ${missing.length} tensor(s) this ${model.kind} needs, e.g. ${missing.slice(0, 3).join(', ')}. Is it a checkpoint of another model family or size?`);
  }
  for (const { ref, data } of pending) model.arena.writeParam(gpu, ref, data);
  const unused = [...file.tensors.keys()].filter((name) => !model.arena.get(name));
  if (unused.length) notices.push(`Ignored ${unused.length} tensor(s) the lab does not use: ${unused.slice(0, 5).join(', ')}${unused.length > 5 ? ', …' : ''}.`);
  if (file.tensors.get(pending[0]?.ref.name ?? '')?.dtype !== 'F32' && pending.length) notices.push('Converted the checkpoint to f32.');
  model.arena.resetOptimizer(gpu);
  return { notices, metadata: file.metadata };
}
