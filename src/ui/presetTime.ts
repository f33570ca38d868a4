// How long a preset's run takes here, in words, before Train is pressed: its steps at the speed
// measured on this adapter for that family and size (speeds.ts), or a plain "not measured yet"
// and the one reference we have, never a guess for this adapter. And whether an adapter is a
// CPU (software) one, where training is slow. Pure functions over plain values.
import type { ModelId, SizeId, TaskId } from '../spec/config';
import { formatDuration, formatRate } from './format';
import { MODEL_LABEL, taskLabel } from './labels';
import type { MeasuredSpeed } from './speeds';

/**
 * About this many steps/s: the trainer in Node (the CLI) on an H100 with the tiny models, from the
 * time-to-ICL runs of issue 18 (bench/icl/table.mjs prints each run's steps/s). Only ever shown as
 * the H100's figure, never as this adapter's.
 */
export const H100_TINY_STEPS_PER_SECOND = 200;

/** The adapter the page's notes speak of. */
export interface AdapterSeen {
  name: string | null;
  /** Named by this page's training worker; false: the adapter this browser measured last. */
  current: boolean;
}

export interface PresetRun {
  steps: number;
  model: ModelId;
  size: SizeId;
  task: TaskId;
  nPoints: number;
  batch: number;
}

const count = (n: number) => n.toLocaleString('en-US');

/** "6,000 steps ≈ 32 s at this GPU's measured 190 steps/s (Mamba, tiny)." or why there is no estimate. */
export function presetTimeText(run: PresetRun, adapter: AdapterSeen, speed: MeasuredSpeed | null): string {
  const steps = `${count(run.steps)} steps`;
  const family = `${MODEL_LABEL[run.model]}, ${run.size}`;
  const thisOne = isSoftwareAdapter(adapter.name) ? 'this adapter' : 'this GPU';
  if (speed && adapter.name) {
    const rate = formatRate(speed.stepsPerSecond);
    const where = adapter.current
      ? `${thisOne}'s measured ${rate}`
      : `the ${rate} measured in this browser on ${adapter.name}`;
    const time = formatDuration(run.steps / speed.stepsPerSecond);
    return `${steps} ≈ ${time} at ${where} (${family}${otherRun(run, speed)}).`;
  }
  const unmeasured = adapter.name
    ? `${steps}; not measured yet on ${adapter.current ? thisOne : adapter.name} for ${family}: its first run ` +
      `measures it`
    : `${steps}; this adapter's speed is measured in the first run`;
  if (run.size !== 'tiny') return `${unmeasured}.`;
  const there = formatDuration(run.steps / H100_TINY_STEPS_PER_SECOND);
  return `${unmeasured} (on an H100 in Node ≈ ${there}, at ≈ ${H100_TINY_STEPS_PER_SECOND} steps/s).`;
}

/** Where the measuring run did other work per step than this one:
 *  "; measured on Linear regression, n = 15, batch 64". */
function otherRun(run: PresetRun, speed: MeasuredSpeed): string {
  if (speed.task === run.task && speed.nPoints === run.nPoints && speed.batch === run.batch) return '';
  return `; measured on ${taskLabel(speed.task)}, n = ${speed.nPoints}, batch ${speed.batch}`;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|\bcpu\b|fallback|basic render/i;

/** Does the adapter's name say that it runs on the CPU (SwiftShader, llvmpipe, WARP, …)? */
export function isSoftwareAdapter(name: string | null): boolean {
  return name !== null && SOFTWARE.test(name);
}
