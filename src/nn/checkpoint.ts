// Checkpoints: the model's arena as a .safetensors file under the official PyTorch names
// (DESIGN.md, Checkpoints), and back. Loading tolerates what the official code carries and
// the lab does not use (GPT-2's token embedding wte, attention masks, …) and a positional
// table with more rows than the lab keeps, or fewer that still cover the run's prompts (a lab
// checkpoint from before the tables had the official sizes), each with a notice; a missing or
// misshapen tensor is an error naming it. Tensors stored in another dtype than f32 are
// converted, each named in a notice.
import type { GpuContext } from '../gpu/context';
import { readSafetensors, writeSafetensors, type SafetensorsFile } from '../engine/safetensors';
import type { IclModel } from './models';

export async function saveCheckpoint(
  model: IclModel,
  gpu: GpuContext,
  metadata: Record<string, string> = {},
): Promise<Uint8Array> {
  const values = await model.arena.readParams(gpu);
  const tensors = model.arena.params.map((r) => ({ name: r.name, shape: [...r.shape], data: values.get(r.name)! }));
  return writeSafetensors(tensors, { format: 'pt', ...metadata });
}

export interface LoadResult {
  notices: string[];
  metadata: Record<string, string>;
}

/** A file's bytes, or the file already parsed (the CLI reads a checkpoint's metadata first). */
export type CheckpointSource = Uint8Array | SafetensorsFile;

function parsed(source: CheckpointSource): SafetensorsFile {
  return source instanceof Uint8Array ? readSafetensors(source) : source;
}

/** "Converted 2 tensors to f32: a (F16), b (I32)." for every tensor the model takes that was not stored as f32. */
export function conversionNotice(file: SafetensorsFile, names: readonly string[]): string | null {
  const converted = names.flatMap((name) => {
    const dtype = file.tensors.get(name)?.dtype;
    return dtype && dtype !== 'F32' ? [`${name} (${dtype})`] : [];
  });
  if (converted.length === 0) return null;
  return `Converted ${converted.length} tensor${converted.length === 1 ? '' : 's'} to f32: ${converted.join(', ')}.`;
}

export function loadCheckpoint(model: IclModel, gpu: GpuContext, source: CheckpointSource): LoadResult {
  const file = parsed(source);
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
    } else if (
      /wpe\.weight$/.test(ref.name) &&
      t.shape.length === 2 &&
      t.shape[1] === ref.shape[1] &&
      t.shape[0] >= ref.shape[0]
    ) {
      // positional table for longer prompts than this run uses: keep the first rows
      pending.push({ ref, data: t.data.subarray(0, ref.size) });
      notices.push(`${ref.name}: using the first ${ref.shape[0]} of ${t.shape[0]} positions.`);
    } else if (
      /wpe\.weight$/.test(ref.name) &&
      t.shape.length === 2 &&
      t.shape[1] === ref.shape[1] &&
      t.shape[0] >= model.shape.maxTokens
    ) {
      // a shorter table that holds every position this run uses: the rows past it stay 0 (never read, never trained)
      const data = new Float32Array(ref.size);
      data.set(t.data);
      pending.push({ ref, data });
      notices.push(
        `${ref.name}: the checkpoint has ${t.shape[0]} of ${ref.shape[0]} positions (enough for this run's ` +
          `${model.shape.maxTokens}); the others are set to 0.`,
      );
    } else {
      throw new Error(
        `Checkpoint tensor ${ref.name} has shape [${got}], but this model needs [${want}]. Was it trained ` +
          `with another size, task or d?`,
      );
    }
  }
  if (missing.length) {
    throw new Error(
      `The checkpoint lacks ${missing.length} tensor(s) this ${model.kind} needs, e.g. ` +
        `${missing.slice(0, 3).join(', ')}. Is it a checkpoint of another model family or size?`,
    );
  }
  for (const { ref, data } of pending) model.arena.writeParam(gpu, ref, data);
  const unused = [...file.tensors.keys()].filter((name) => !model.arena.get(name));
  if (unused.length)
    notices.push(
      `Ignored ${unused.length} tensor(s) the lab does not use: ${unused.slice(0, 5).join(', ')}` +
        `${unused.length > 5 ? ', …' : ''}.`,
    );
  const converted = conversionNotice(
    file,
    pending.map((p) => p.ref.name),
  );
  if (converted) notices.push(converted);
  model.arena.resetOptimizer(gpu);
  return { notices, metadata: file.metadata };
}

// ---- optimizer state ----------------------------------------------------------------------
// Adam's moments go to a file of their own (m.<name>, v.<name>; the step count in the
// metadata), so the weights file stays a plain state_dict that PyTorch loads strictly.

/** The Adam moments and step count, for an exact resume (`metadata`: what pairs it with its weights). */
export async function saveOptimizerState(
  model: IclModel,
  gpu: GpuContext,
  adamStep: number,
  metadata: Record<string, string> = {},
): Promise<Uint8Array> {
  const m = await model.arena.readParams(gpu, 'm');
  const v = await model.arena.readParams(gpu, 'v');
  const tensors = model.arena.params.flatMap((r) => [
    { name: `m.${r.name}`, shape: [...r.shape], data: m.get(r.name)! },
    { name: `v.${r.name}`, shape: [...r.shape], data: v.get(r.name)! },
  ]);
  return writeSafetensors(tensors, { ...metadata, format: 'icl-lab-adam', adam_step: String(adamStep) });
}

/** Loads Adam moments saved by saveOptimizerState (after loadCheckpoint, which resets them);
 *  returns Adam's step count. Every tensor must be there with its shape. */
export function loadOptimizerState(model: IclModel, gpu: GpuContext, source: CheckpointSource): number {
  const file = parsed(source);
  const adamStep = Number(file.metadata.adam_step);
  if (file.metadata.format !== 'icl-lab-adam' || !Number.isInteger(adamStep) || adamStep < 0) {
    throw new Error('This is not an optimizer-state file of the lab (format icl-lab-adam with an adam_step).');
  }
  const pending: [(typeof model.arena.params)[number], Float32Array, 'm' | 'v'][] = [];
  for (const ref of model.arena.params) {
    for (const which of ['m', 'v'] as const) {
      const t = file.tensors.get(`${which}.${ref.name}`);
      if (!t || t.shape.join('×') !== ref.shape.join('×')) {
        throw new Error(
          `The optimizer state lacks ${which}.${ref.name} with shape [${ref.shape.join(', ')}]: is it from ` +
            `another model?`,
        );
      }
      pending.push([ref, t.data, which]);
    }
  }
  for (const [ref, data, which] of pending) model.arena.writeParam(gpu, ref, data, which);
  return adamStep;
}
