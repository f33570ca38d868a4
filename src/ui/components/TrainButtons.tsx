// Train, Pause, Step, Reset. "Train" reads "Train again" when a shared run is shown:
// it retrains that run's settings with the same seed. Train and Step wait for valid settings,
// saying which field holds them back.
import { useEffect, useRef } from 'react';
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
  // the GPU starting on load holds nothing back: Train and Step wait for it (ensureTrainer)
  const busy = isBusy(state) && state !== 'starting';
  const gate = blocked ? { 'aria-describedby': BLOCKED_ID, title: blocked } : {};
  // Pause is disabled once the run stops (paused, finished): keep the keyboard focus on the page's
  // next step, Train, rather than let it fall to <body>
  const trainRef = useRef<HTMLButtonElement>(null);
  const pauseRef = useRef<HTMLButtonElement>(null);
  /** Pause held the focus and no other control took it since (a disabled button's blur has no target). */
  const pauseHadFocus = useRef(false);
  const running = isRunning(state);
  useEffect(() => {
    const lost = document.activeElement === document.body || document.activeElement === pauseRef.current;
    if (running || !pauseHadFocus.current || !lost || !trainRef.current || trainRef.current.disabled) return;
    trainRef.current.focus();
    pauseHadFocus.current = false;
  }, [running, busy, blocked]);
  return (
    <>
      <div className="button-row train-buttons">
        <button
          ref={trainRef}
          type="button"
          className="primary"
          disabled={busy || blocked !== null}
          onClick={() => void train()}
          {...gate}
        >
          {fromLink ? 'Train again' : 'Train'}
        </button>
        <button
          ref={pauseRef}
          type="button"
          disabled={!running}
          onClick={() => void pause()}
          onFocus={() => (pauseHadFocus.current = true)}
          onBlur={(e) => {
            if (e.relatedTarget !== null) pauseHadFocus.current = false;
          }}
        >
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
