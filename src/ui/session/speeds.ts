// Keeps the measured training speeds: reads them from localStorage at start, records the live
// run's steps/s whenever it reports progress, and writes them back (every few seconds at most,
// and when the run stops). Storage that cannot be read or written changes nothing else: the
// preset notes then say that this adapter's speed is not measured.
import { parseSpeeds, recordSpeed, SPEEDS_KEY, stringifySpeeds } from '../speeds';
import { useLab } from '../store/lab';
import { useSpeeds } from '../store/speeds';

/** Before this many steps a run's average rate still holds its first step's kernel compilation. */
const MIN_STEPS = 50;
const WRITE_EVERY_MS = 3000;

function localStore(): Storage | null {
  try {
    return window.localStorage; // throws where storage is disabled
  } catch {
    return null;
  }
}

/** Loads the table and starts recording; returns a stop function (which writes what is pending). */
export function startSpeedLog(): () => void {
  const storage = localStore();
  let text: string | null = null;
  try {
    text = storage?.getItem(SPEEDS_KEY) ?? null;
  } catch {
    text = null;
  }
  useSpeeds.getState().setTable(parseSpeeds(text));

  let dirty = false;
  let lastWrite = 0;
  const write = () => {
    if (!dirty) return;
    dirty = false;
    lastWrite = Date.now();
    try {
      storage?.setItem(SPEEDS_KEY, stringifySpeeds(useSpeeds.getState().table));
    } catch {
      // full or refused: the speeds stay for this page only
    }
  };

  const stop = useLab.subscribe((s, prev) => {
    const live = s.live;
    if (
      live &&
      live !== prev.live &&
      live.adapter &&
      live.stepsPerSecond > 0 &&
      live.stepsPerSecond !== prev.live?.stepsPerSecond &&
      live.step >= Math.min(MIN_STEPS, live.total)
    ) {
      const { model, size, task, nPoints, batch } = live.config;
      const speed = { stepsPerSecond: live.stepsPerSecond, task, nPoints, batch };
      useSpeeds.getState().setTable(recordSpeed(useSpeeds.getState().table, live.adapter, model, size, speed));
      dirty = true;
    }
    if (dirty && (s.trainerState !== 'training' || Date.now() - lastWrite >= WRITE_EVERY_MS)) write();
  });
  window.addEventListener('pagehide', write);
  return () => {
    stop();
    window.removeEventListener('pagehide', write);
    write();
  };
}
