// Train, Pause, Step, Reset. "Train" reads "Train again" when a shared run is shown:
// it retrains that run's settings with the same seed.
import { useLab } from '../store/lab';
import { pause, reset, stepOnce, train } from '../session/trainer';

export function TrainButtons() {
  const state = useLab((s) => s.trainerState);
  const fromLink = useLab((s) => s.viewed?.source === 'link');
  const hasRun = useLab((s) => s.live !== null || s.viewed !== null);
  const busy = state === 'training' || state === 'loading' || state === 'starting';
  return (
    <div className="button-row train-buttons">
      <button type="button" className="primary" disabled={busy} onClick={() => void train()}>
        {fromLink ? 'Train again' : 'Train'}
      </button>
      <button type="button" disabled={state !== 'training'} onClick={() => void pause()}>
        Pause
      </button>
      <button type="button" disabled={busy} onClick={() => void stepOnce()}>
        Step
      </button>
      <button type="button" disabled={!hasRun} onClick={() => void reset()}>
        Reset
      </button>
    </div>
  );
}
