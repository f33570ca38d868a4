// Train, Pause, Step, Reset. "Train" reads "Train again" when a shared run is shown:
// it retrains that run's settings with the same seed. Train and Step wait for valid settings,
// saying which field holds them back.
import { isBusy, isRunning, useLab } from '../store/lab';
import { blockedReason, invalidLabels, useInvalidFields } from '../store/invalidFields';
import { pause, reset, stepOnce, train } from '../session/trainer';

const BLOCKED_ID = 'train-blocked';

export function TrainButtons() {
  const state = useLab((s) => s.trainerState);
  const fromLink = useLab((s) => s.viewed?.source === 'link');
  const hasRun = useLab((s) => s.live !== null || s.viewed !== null);
  const invalid = useInvalidFields((s) => s.byId);
  const blocked = blockedReason(invalidLabels(invalid, 'lab'), 'train');
  const busy = isBusy(state);
  const gate = blocked ? { 'aria-describedby': BLOCKED_ID, title: blocked } : {};
  return (
    <>
      <div className="button-row train-buttons">
        <button
          type="button"
          className="primary"
          disabled={busy || blocked !== null}
          onClick={() => void train()}
          {...gate}
        >
          {fromLink ? 'Train again' : 'Train'}
        </button>
        <button type="button" disabled={!isRunning(state)} onClick={() => void pause()}>
          Pause
        </button>
        <button type="button" disabled={busy || blocked !== null} onClick={() => void stepOnce()} {...gate}>
          Step
        </button>
        <button type="button" disabled={!hasRun} onClick={() => void reset()}>
          Reset
        </button>
      </div>
      {blocked ? (
        <p id={BLOCKED_ID} className="field-error">
          {blocked}
        </p>
      ) : null}
    </>
  );
}
