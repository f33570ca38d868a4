// What the lab's buttons do to the training worker: start, pause, step, reset, resume, and
// the queue that trains runs one after another. Plain functions over the stores (no React);
// the worker does the training itself, this file only asks and listens.
import type { RunConfig, SizeId } from '../../spec/config';
import { SIZE_IDS } from '../../spec/config';
import type { ResumeReport, TrainerEvent } from '../../train/protocol';
import { NoWebGPUError } from '../../gpu/browser';
import { createTrainer, type TrainerClient } from '../trainerClient';
import { configKey, viewFromRunFile } from '../runView';
import { isBusy, isRunning, useLab } from '../store/lab';
import { useAlerts, type AlertAction } from '../store/alerts';
import { useQueue } from '../store/queue';
import { useRuns } from '../store/runs';
import { exportStoredRecord } from './persist';
import { forgetUnfinished, markEnded, rememberUnfinished, type UnfinishedRun } from './unfinished';

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : 'Something went wrong in the training worker.';
}

function reportError(kind: Extract<TrainerEvent, { type: 'error' }>['kind'], message: string): void {
  const alerts = useAlerts.getState();
  const lab = useLab.getState();
  switch (kind) {
    case 'no_webgpu': {
      // Say which browsers and flags work, whatever the worker's own sentence was.
      const help = new NoWebGPUError().message;
      alerts.push(
        'no_webgpu',
        message === help || /Chrome|Safari|Firefox/.test(message)
          ? message
          : `${message} ${help.replace(/^[^.]*\.\s*/, '')}`,
      );
      break;
    }
    case 'device_lost':
      alerts.push(
        'device_lost',
        `${message} "Resume" starts a fresh GPU device and continues from the last evaluation's checkpoint ` +
          `(kept in this browser).`,
        'resume',
      );
      break;
    case 'diverged':
      // The worker's sentence says what happened and what to try; this one, what the page does now.
      alerts.push(
        'diverged',
        `${message} The run stays on screen, stopped; Train starts it again from step 0 (with the same ` +
          `settings it diverges at the same step: the seed fixes its data and first weights).`,
        'lower_lr',
      );
      break;
    case 'too_big':
      alerts.push(
        'too_big',
        `${message} Try a smaller size${lab.config.size === 'tiny' ? ' or a shorter prompt' : ''}.`,
        lab.config.size === 'tiny' ? undefined : 'smaller_size',
      );
      break;
    default:
      alerts.push('internal', message);
  }
}

/** The worker's events, applied to the stores (exported for the tests of what the page does). */
export function onTrainerEvent(e: TrainerEvent): void {
  const lab = useLab.getState();
  switch (e.type) {
    case 'ready':
      lab.setAdapter(e.adapter);
      break;
    case 'progress':
      lab.applyProgress(e);
      break;
    case 'eval':
      lab.applyEval(e.step, e.icl, e.metrics, e.seconds);
      break;
    case 'state': {
      const was = lab.trainerState;
      // "pausing…" stays until the worker has stopped (paused, done or failed)
      if (was === 'pausing' && (e.state === 'training' || e.state === 'evaluating')) break;
      lab.setTrainerState(e.state);
      if (e.state === 'done' && was !== 'done') void finishRun();
      break;
    }
    case 'compiling':
      lab.setCompiling(e.pipelines);
      break;
    case 'evalProgress':
      lab.setEvalProgress(e);
      break;
    case 'checkpoint':
      // a reload can resume the run from here (a grid's runs are the grid's to restart)
      if (e.stored && lab.live && lab.liveRunId && !lab.liveGridId)
        rememberUnfinished({ runId: lab.liveRunId, config: lab.live.config, step: e.step });
      // the newest word on the run's checkpoint replaces the older one
      if (e.problem) {
        useAlerts.getState().clearKind('checkpoint');
        useAlerts.getState().push('checkpoint', e.problem);
      }
      break;
    case 'error':
      lab.setCompiling(0);
      // A failure while the GPU device is being created means no usable WebGPU here.
      reportError(lab.trainerState === 'starting' && e.kind === 'internal' ? 'no_webgpu' : e.kind, e.message);
      // a diverged run is over: a reload must not offer it for Resume (it would diverge again)
      if (e.kind === 'diverged' && lab.liveRunId) markEnded(lab.liveRunId, 'diverged');
      // its weights are not finite any more: Train and Step must not continue them
      if (e.kind === 'diverged') lab.markDiverged();
      if (e.kind === 'device_lost' || e.kind === 'no_webgpu') lab.setTrainerState('off');
      // A diverged grid run is still a result (✗): record it and go on with the queue.
      else if (e.kind === 'diverged' && lab.liveGridId) void finishRun();
      break;
  }
}

/** The worker, started and initialised on first use (the page starts it on load, to name the
 *  adapter at once); null (with an alert) when there is no WebGPU. */
export async function ensureTrainer(): Promise<TrainerClient | null> {
  const lab = useLab.getState();
  if (lab.client) return lab.client;
  // a start under way (the one on load): wait for it rather than start a second worker
  if (lab.trainerState === 'starting')
    return new Promise((resolve) => {
      const stop = useLab.subscribe((s) => {
        if (s.trainerState === 'starting') return;
        stop();
        resolve(s.client);
      });
    });
  if (!('gpu' in navigator)) {
    reportError('no_webgpu', new NoWebGPUError().message);
    return null;
  }
  lab.setTrainerState('starting');
  const client = createTrainer(onTrainerEvent, (msg) => {
    reportError('internal', `The training worker stopped: ${msg}`);
    useLab.getState().setClient(null);
  });
  try {
    const adapter = await client.api.init();
    lab.setAdapter(adapter);
    lab.setClient(client);
    lab.setTrainerState('idle');
    useAlerts.getState().clearKind('no_webgpu');
    return client;
  } catch (err) {
    client.terminate();
    useLab.getState().setClient(null);
    reportError('no_webgpu', errorText(err));
    return null;
  }
}

/** Builds the model for `config` in the worker and makes it the live run (at step 0). */
async function loadRun(config: RunConfig, gridId: string | null): Promise<TrainerClient | null> {
  const client = await ensureTrainer();
  if (!client) return null;
  const lab = useLab.getState();
  const runId = crypto.randomUUID();
  lab.beginLive(config, configKey(config), gridId, runId);
  lab.setTrainerState('loading');
  try {
    await client.api.load(config, runId);
  } catch (err) {
    const msg = errorText(err);
    // The worker usually reported it already as an error event (with its kind).
    if (!useAlerts.getState().alerts.some((a) => a.message.includes(msg))) reportError('internal', msg);
    useLab.getState().clearLive();
    useLab.getState().setTrainerState('idle');
    return null;
  }
  useLab.getState().setTrainerState('idle');
  return client;
}

async function startRun(config: RunConfig, gridId: string | null): Promise<void> {
  const client = await loadRun(config, gridId);
  if (client) await client.api.start();
}

/** A finished run: keep it in the runs list, then train the next queued run. */
async function finishRun(): Promise<void> {
  const lab = useLab.getState();
  const client = lab.client;
  if (!client) return;
  if (lab.liveRunId) markEnded(lab.liveRunId, 'finished');
  try {
    const run = await client.api.runFile();
    useRuns.getState().add(run, lab.liveGridId);
    useLab.getState().replaceLive(viewFromRunFile(run));
  } catch (err) {
    reportError('internal', `The finished run could not be read from the worker: ${errorText(err)}`);
  }
  const next = useQueue.getState().shift();
  if (next) await startRun(next.config, next.gridId);
}

export async function train(): Promise<void> {
  const lab = useLab.getState();
  lab.setViewed(null);
  if (lab.client && lab.trainerState === 'paused' && lab.loadedKey === configKey(lab.config) && !lab.liveDiverged) {
    await lab.client.api.start();
    return;
  }
  await startRun(lab.config, null);
}

export async function pause(): Promise<void> {
  const lab = useLab.getState();
  if (!lab.client || !isRunning(lab.trainerState)) return;
  lab.setTrainerState('pausing');
  await lab.client.api.pause();
}

/** The worker with a model of the current settings loaded (loading it when needed). */
export async function ensureLoaded(): Promise<TrainerClient | null> {
  const lab = useLab.getState();
  lab.setViewed(null);
  const same = lab.loadedKey === configKey(lab.config);
  if (lab.client && same && lab.trainerState !== 'done' && lab.live && !lab.liveDiverged) return lab.client;
  return loadRun(lab.config, null);
}

/** One training step; loads the current settings first if the worker has not. */
export async function stepOnce(): Promise<void> {
  const client = await ensureLoaded();
  if (!client) return;
  try {
    await client.api.step();
  } catch (err) {
    reportError('internal', errorText(err));
  }
}

/** Stops and forgets the live run; the next Train starts from step 0. */
export async function reset(): Promise<void> {
  const lab = useLab.getState();
  if (lab.liveRunId) forgetUnfinished(lab.liveRunId);
  if (lab.client && isBusy(lab.trainerState)) await lab.client.api.pause();
  lab.clearLive();
  lab.setViewed(null);
  lab.setShareLink(null);
  if (lab.client) lab.setTrainerState('idle');
}

/** Trains the queued runs (when nothing is training now). */
export async function startQueue(): Promise<void> {
  const lab = useLab.getState();
  if (isBusy(lab.trainerState)) return;
  const next = useQueue.getState().shift();
  if (next) await startRun(next.config, next.gridId);
}

/**
 * After a lost device: a new worker and device, and the run continued from the checkpoint
 * the worker kept in IndexedDB at its last evaluation (from step 0 when there is none). Says
 * how it resumed: a notice when exactly, an alert when Adam's moments or more were lost.
 */
async function resume(): Promise<void> {
  const lab = useLab.getState();
  lab.client?.terminate();
  lab.setClient(null);
  const config = lab.live?.config ?? lab.config;
  await continueRun(config, lab.liveGridId, lab.liveRunId ?? crypto.randomUUID(), (r) => r.message);
}

/** After a reload: the unfinished run continued from its last kept checkpoint (weights, Adam's
 *  moments, step, history, evaluations; the data stream follows from the step), in the controls too. */
export async function resumeUnfinished(run: UnfinishedRun): Promise<void> {
  useLab.getState().replaceConfig(run.config);
  await continueRun(run.config, null, run.runId, (r) =>
    r.exact && r.step > 0
      ? `Resumed from the checkpoint at step ${r.step}: weights, Adam's moments and the loss history were ` +
        `restored, so the run continues exactly as if the page had not been reloaded.`
      : r.message,
  );
}

/** Loads `config` under `runId` in the worker, restores its kept checkpoint and trains on. Says
 *  how: a notice when exactly, an alert when Adam's moments or more were lost. */
async function continueRun(
  config: RunConfig,
  gridId: string | null,
  runId: string,
  words: (r: ResumeReport) => string,
): Promise<void> {
  const client = await ensureTrainer();
  if (!client) return;
  useLab.getState().beginLive(config, configKey(config), gridId, runId);
  useLab.getState().setTrainerState('loading');
  try {
    const report = await client.api.resume(config, runId);
    if (report.exact) useLab.getState().setNotice(words(report));
    else useAlerts.getState().push('checkpoint', report.message);
  } catch (err) {
    reportError('internal', errorText(err));
    useLab.getState().setTrainerState('idle');
    return;
  }
  useLab.getState().setTrainerState('idle');
  await client.api.start();
}

function smallerSize(s: SizeId): SizeId {
  return SIZE_IDS[Math.max(0, SIZE_IDS.indexOf(s) - 1)];
}

/** Carries out the button of an alert, then removes the alert (an export leaves it: the record stays unreadable). */
export async function runAlertAction(id: number, action: AlertAction): Promise<void> {
  if (action === 'export_record') {
    const key = useAlerts.getState().alerts.find((a) => a.id === id)?.recordKey;
    if (key !== undefined) await exportStoredRecord(key).catch((err) => reportError('internal', errorText(err)));
    return;
  }
  useAlerts.getState().dismiss(id);
  const lab = useLab.getState();
  if (action === 'resume') await resume();
  else if (action === 'lower_lr') lab.setConfig({ lr: lab.config.lr / 2 });
  else if (action === 'smaller_size') lab.setConfig({ size: smallerSize(lab.config.size) });
}
