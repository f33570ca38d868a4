// A diverged run (issue 23): the page says so in an alert that offers a lower learning rate, the
// status line says "diverged", and Train or Step start the run again from step 0 instead of
// continuing its non-finite weights (which diverged again at the next step).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../src/spec/config';
import type { TrainerClient } from '../../src/ui/trainerClient';
import { configKey } from '../../src/ui/runView';
import { useAlerts } from '../../src/ui/store/alerts';
import { useLab } from '../../src/ui/store/lab';
import { onTrainerEvent, stepOnce, train } from '../../src/ui/session/trainer';

/** A worker stand-in that records the calls the page makes. */
function fakeClient() {
  const calls: string[] = [];
  const api = {
    load: vi.fn(async () => void calls.push('load')),
    start: vi.fn(async () => void calls.push('start')),
    step: vi.fn(async () => void calls.push('step')),
  };
  return { client: { api, terminate() {} } as unknown as TrainerClient, calls };
}

/** The live run of the current settings, paused, in a worker that has it loaded. */
function pausedRun(calls: string[], client: TrainerClient): void {
  const config = defaultConfig('linear_regression', 'transformer', 'tiny');
  useLab.setState({ client, config, trainerState: 'idle' });
  useLab.getState().beginLive(config, configKey(config), null, 'run-1');
  useLab.getState().setTrainerState('paused');
  calls.length = 0;
}

const diverge = () => {
  onTrainerEvent({ type: 'error', kind: 'diverged', message: 'Training diverged at step 41: the loss became NaN.' });
  onTrainerEvent({ type: 'state', state: 'paused' });
};

describe('a diverged run', () => {
  beforeEach(() => useAlerts.setState({ alerts: [] }));

  it('is paused with an alert that offers a lower learning rate and says what Train does', () => {
    const { client, calls } = fakeClient();
    pausedRun(calls, client);
    diverge();
    const [alert] = useAlerts.getState().alerts;
    expect(alert.kind).toBe('diverged');
    expect(alert.action).toBe('lower_lr');
    expect(alert.message).toMatch(/^Training diverged at step 41: .*Train starts it again from step 0/);
    expect(useLab.getState()).toMatchObject({ trainerState: 'paused', liveDiverged: true });
  });

  it('is started again from step 0 by Train, not continued', async () => {
    const { client, calls } = fakeClient();
    pausedRun(calls, client);
    await train(); // a paused run that did not diverge goes on where it stopped
    expect(calls).toEqual(['start']);

    pausedRun(calls, client);
    diverge();
    await train();
    expect(calls).toEqual(['load', 'start']);
    expect(useLab.getState().liveDiverged).toBe(false); // the new run is a fresh one
  });

  it('is started again by Step too', async () => {
    const { client, calls } = fakeClient();
    pausedRun(calls, client);
    diverge();
    await stepOnce();
    expect(calls).toEqual(['load', 'step']);
  });
});
