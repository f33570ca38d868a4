// A run's checkpoint as a pair of files: the weights (a plain state_dict under the official
// names, which PyTorch loads) and Adam's moments beside it (FILE.adam.safetensors). Both carry
// the run's id and the step; the weights also carry the run so far (the run file: config,
// loss history, evaluations) and the curriculum's pace, so `--resume` continues that run
// exactly. A pair whose halves disagree (a kill between the two renames, or files of two
// runs) is refused, unless the user asks to resume from the weights alone.
import { existsSync } from 'node:fs';
import type { SafetensorsFile } from '../engine/safetensors';
import { loadCheckpoint, loadOptimizerState, saveCheckpoint, saveOptimizerState } from '../nn/checkpoint';
import type { RunFile } from '../train/protocol';
import { parseRunFile, stringifyRunFile } from '../train/schema';
import type { Trainer } from '../train/trainer';
import { UsageError } from './args';
import { INPUT_LIMITS, readInputFile, readSafetensorsFile } from './files';

/** Metadata keys: both files carry RUN_ID and STEP; the weights file the rest. */
export const META = {
  runId: 'run_id',
  step: 'step',
  curriculumSteps: 'curriculum_steps',
  run: 'icl_lab_run',
  config: 'config',
} as const;

/** A run as a checkpoint saved it. */
export interface RunState {
  runId: string;
  step: number;
  /** The run length the curriculum is paced for: config.steps, unless the run was extended. */
  curriculumSteps: number;
  /** The run file at that step (config, history, evaluations, last ICL curve). */
  run: RunFile;
}

export interface CheckpointPair {
  weights: SafetensorsFile;
  /** null when resuming from the weights alone (asked for by the user). */
  adam: SafetensorsFile | null;
  state: RunState;
  /** What the user should know (moments starting fresh, …). */
  notices: string[];
}

/** Where Adam's moments live beside a checkpoint: model.safetensors → model.adam.safetensors. */
export function optimizerPath(checkpoint: string): string {
  return `${checkpoint.replace(/\.safetensors$/, '')}.adam.safetensors`;
}

/** The two files of the trainer's current state, paired by run id and step. */
export async function encodeCheckpoint(
  trainer: Trainer,
  runId: string,
): Promise<{ weights: Uint8Array; adam: Uint8Array }> {
  await trainer.flush(); // every submitted step's loss in the history
  const pairing = { [META.runId]: runId, [META.step]: String(trainer.step) };
  const weights = await saveCheckpoint(trainer.model, trainer.gpu, {
    ...pairing,
    [META.curriculumSteps]: String(trainer.curriculumSteps),
    [META.config]: JSON.stringify(trainer.config),
    [META.run]: stringifyRunFile(trainer.runFile()),
  });
  const adam = await saveOptimizerState(trainer.model, trainer.gpu, trainer.adamSteps, pairing);
  return { weights, adam };
}

/** Whether a checkpoint's metadata holds a run of the train command (a PyTorch state_dict does not). */
export function hasRunState(metadata: Record<string, string>): boolean {
  return metadata[META.runId] !== undefined && metadata[META.run] !== undefined;
}

/** A whole number written in decimal digits, or null ("-1", "6.5", "0x10", "" are not). */
function count(text: string | undefined): number | null {
  return text !== undefined && /^[0-9]{1,9}$/.test(text) ? Number(text) : null;
}

/** The run a checkpoint's metadata holds, or a sentence saying why it cannot be resumed. */
export function runStateOf(path: string, metadata: Record<string, string>): RunState {
  const runId = metadata[META.runId];
  const runText = metadata[META.run];
  if (runId === undefined || runText === undefined) {
    throw new UsageError(
      `${path} holds weights but not the run they belong to (no run id or run state in its metadata), ` +
        'so it cannot be resumed; add --weights-only-resume to start a new run from these weights.',
    );
  }
  const step = count(metadata[META.step]);
  const refuse = (why: string) => new UsageError(`${path} ${why}, so it is not resumed.`);
  if (step === null) throw refuse(`gives its step as "${String(metadata[META.step]).slice(0, 20)}", not a step count`);
  const curriculumSteps = count(metadata[META.curriculumSteps]);
  if (curriculumSteps === null || curriculumSteps < 1) {
    throw refuse(`has no valid curriculum pace (${META.curriculumSteps})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(runText);
  } catch {
    throw refuse('holds a run state that is not valid JSON');
  }
  const run = parseRunFile(json);
  if (!run.ok) throw new UsageError(`${path}: the run state in its metadata is not a valid run file (${run.error})`);
  const last = run.value.history[run.value.history.length - 1];
  if (last && last.step > step) throw refuse(`is at step ${step} but its loss history reaches step ${last.step}`);
  return { runId, step, curriculumSteps, run: run.value };
}

/**
 * Reads a checkpoint and its Adam moments and checks that they are one pair (same run id,
 * same step). Without `weightsOnly`, a missing or mismatched moments file is refused; with
 * it, the run continues from the weights with fresh moments, and a notice says so.
 */
export function readCheckpointPair(
  path: string,
  weightsOnly: boolean,
  weights = readSafetensorsFile(path, 'checkpoint'),
): CheckpointPair {
  const state = runStateOf(path, weights.metadata);
  const adamPath = optimizerPath(path);
  const fresh =
    "Adam's moments start fresh (--weights-only-resume), so the run continues, " +
    'but not exactly as an uninterrupted run would.';
  const advice =
    'add --weights-only-resume to continue from the weights alone with fresh Adam moments (not an exact resume)';
  if (!existsSync(adamPath)) {
    if (weightsOnly) return { weights, adam: null, state, notices: [fresh] };
    throw new UsageError(
      `${path} has no Adam moments beside it (${adamPath}), so it cannot resume exactly; ${advice}.`,
    );
  }
  const adam = readSafetensorsFile(adamPath, 'optimizer state');
  const adamStep = adam.metadata[META.step];
  const adamRun = adam.metadata[META.runId];
  if (adam.metadata.format === 'icl-lab-adam' && adamRun === state.runId && count(adamStep) === state.step) {
    return { weights, adam, state, notices: [] };
  }
  if (weightsOnly) return { weights, adam: null, state, notices: [fresh] };
  const what = (step: string | undefined, run: string | undefined) =>
    `step ${step ?? '?'} of run ${run?.slice(0, 8) ?? '?'}`;
  const weightsAt = what(String(state.step), state.runId);
  throw new UsageError(
    `${path} (${weightsAt}) and ${adamPath} (${what(adamStep, adamRun)}) are not one pair ` +
      `(a write was interrupted, or they come from different runs), so nothing is resumed; ${advice}.`,
  );
}

/** Loads a pair into a trainer built for its run and continues the run at its step. Returns notices. */
export function restoreRun(trainer: Trainer, pair: CheckpointPair): string[] {
  const { state } = pair;
  const notices = loadCheckpoint(trainer.model, trainer.gpu, pair.weights).notices;
  const adamSteps = pair.adam ? loadOptimizerState(trainer.model, trainer.gpu, pair.adam) : 0;
  const { history, evaluations, icl, metrics, evalStep } = state.run;
  const lastEval = icl && evalStep !== undefined ? { step: evalStep, icl, metrics } : null;
  trainer.restore(state.step, history, adamSteps, { evaluations, lastEval });
  return [...notices, ...pair.notices];
}
