// What "Train all families" and "Seeds: N" do: the worker trains several runs interleaved, one
// step of each in turn, on its one GPU device (RunSetApi); this file asks and listens. The set
// takes the place of the live single run (left behind as Reset would); Pause, Continue and Stop
// act on every run of the set; each finished run joins the runs list as a normal run.
import * as Comlink from 'comlink';
import type { TrainerState } from '../store/lab';
import { isRunning, useLab } from '../store/lab';
import { useAlerts } from '../store/alerts';
import { useRuns } from '../store/runs';
import { modelLabel } from '../labels';
import type { RunConfig } from '../../spec/config';
import { familyConfigs, seedConfigs } from '../../train/runSet';
import type { RunSetApi, RunSetEvent, RunSetState } from '../../train/runSetProtocol';
import type { RunFile } from '../../train/protocol';
import type { TrainerClient } from '../trainerClient';
import { ensureTrainer } from './trainer';
import { forgetUnfinished } from './unfinished';
import { useRunSet, type RunSetKind } from './runSetStore';

/** The lab's state while the set is in this state (Train, Step and Pause read it); null: leave it. */
const LAB_STATE: Record<RunSetState, TrainerState | null> = {
  idle: 'idle',
  training: 'training',
  evaluating: 'evaluating',
  paused: 'paused',
  done: 'idle',
  ended: null, // a single run took the device and says its own state
};

/** The worker's run set. Comlink calls a nested object's methods by their path (api.runSet.load),
 *  though its Remote type reads a plain object property as a value to await. */
function remoteSet(client: TrainerClient): Comlink.Remote<RunSetApi> {
  return client.api.runSet as unknown as Comlink.Remote<RunSetApi>;
}

/** A run's name inside its set: its family, or its seed. */
export function memberLabel(kind: RunSetKind, c: RunConfig): string {
  return kind === 'families' ? modelLabel(c.model) : `seed ${c.seed}`;
}

function onRunSetEvent(e: RunSetEvent): void {
  const lab = useLab.getState();
  const store = useRunSet.getState();
  store.apply(e);
  switch (e.type) {
    case 'state': {
      const labState = LAB_STATE[e.state];
      // "pausing…" stays until the worker has stopped
      const stillPausing = lab.trainerState === 'pausing' && (e.state === 'training' || e.state === 'evaluating');
      if (labState && !stillPausing) lab.setTrainerState(labState);
      if (e.state === 'done') void keepRuns(() => true);
      break;
    }
    case 'compiling':
      lab.setCompiling(e.pipelines);
      break;
    case 'failed': {
      const m = store.members[e.index];
      const name = m && store.kind ? `${memberLabel(store.kind, m.config)}: ` : '';
      useAlerts.getState().push('diverged', `${name}${e.message} The other runs of the set train on.`);
      break;
    }
    case 'error':
      lab.setCompiling(0);
      useAlerts.getState().push(e.kind, e.message);
      break;
  }
}

async function startSet(kind: RunSetKind, configs: RunConfig[]): Promise<void> {
  const client = await ensureTrainer();
  if (!client) return;
  const lab = useLab.getState();
  // the single run is left behind, as Reset would leave it
  if (lab.liveRunId) forgetUnfinished(lab.liveRunId);
  lab.clearLive();
  lab.setViewed(null);
  lab.setShareLink(null);
  useRunSet.getState().begin(kind, configs);
  lab.setTrainerState('loading');
  try {
    await remoteSet(client).subscribe(Comlink.proxy(onRunSetEvent));
    await remoteSet(client).load(configs);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    useAlerts.getState().push('internal', message); // shown once if the worker's event said it already
    useRunSet.getState().setState('ended');
    useLab.getState().setTrainerState('idle');
    return;
  }
  await remoteSet(client).start();
}

/** The four families on the lab's task and settings, trained at once. */
export async function trainAllFamilies(): Promise<void> {
  await startSet('families', familyConfigs(useLab.getState().config));
}

/** N seeds of the lab's settings (seed s, s + 1, …), trained at once. */
export async function trainSeeds(): Promise<void> {
  let configs: RunConfig[];
  try {
    configs = seedConfigs(useLab.getState().config, useRunSet.getState().seeds);
  } catch (err) {
    useAlerts.getState().push('internal', (err as Error).message);
    return;
  }
  await startSet('seeds', configs);
}

export async function pauseSet(): Promise<void> {
  const client = useLab.getState().client;
  if (!client || !isRunning(useRunSet.getState().state as TrainerState)) return;
  useRunSet.getState().setState('pausing');
  useLab.getState().setTrainerState('pausing');
  await remoteSet(client).pause();
}

export async function continueSet(): Promise<void> {
  const client = useLab.getState().client;
  if (client && useRunSet.getState().state === 'paused') await remoteSet(client).start();
}

/** Resolves once the set has stopped (paused, finished or freed). */
function stopped(): Promise<void> {
  const busy = (s: string) => ['loading', 'training', 'evaluating', 'pausing'].includes(s);
  if (!busy(useRunSet.getState().state)) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = useRunSet.subscribe((s) => {
      if (busy(s.state)) return;
      stop();
      resolve();
    });
  });
}

/** Ends the set: every run stops, and those evaluated at least once join the runs list as they stand. */
export async function stopSet(): Promise<void> {
  const client = useLab.getState().client;
  if (!client) return;
  await remoteSet(client).pause();
  await stopped();
  if (useRunSet.getState().state === 'paused') await keepRuns((r) => r.evalStep !== undefined);
  useRunSet.getState().setState('done');
  useLab.getState().setTrainerState('idle');
}

/** Adds the set's runs that `keep` accepts (never a diverged one) to the runs list, then frees the set. */
async function keepRuns(keep: (r: RunFile) => boolean): Promise<void> {
  const client = useLab.getState().client;
  if (!client) return;
  try {
    const files = await remoteSet(client).runFiles();
    const members = useRunSet.getState().members;
    files.forEach((run, i) => {
      if (members[i]?.failure === null && keep(run)) useRuns.getState().add(run, null);
    });
    await remoteSet(client).end();
  } catch (err) {
    useAlerts
      .getState()
      .push('internal', `The set's runs could not be read from the worker: ${(err as Error).message}`);
  }
}
