// Start-up: read saved runs (kept in step with the lab's other tabs from then on) and measured
// training speeds, open a share link, grid link or settings if the URL has them (and keep the settings in
// the URL from then on), follow later hash changes, start the training worker's GPU device, and
// warn at once when the browser has no WebGPU (the page stays usable).
import { NoWebGPUError } from '../../gpu/browser';
import { useAlerts } from '../store/alerts';
import { useLab } from '../store/lab';
import { useRuns } from '../store/runs';
import { openFromHash } from './share';
import { isGridHash } from '../grid/gridLink';
import { openGridFromHash } from './grid';
import { browserPersistence, startPersistence, type StorageProblem } from './persist';
import { startSpeedLog } from './speeds';
import { ensureTrainer } from './trainer';
import { startSettingsUrl } from './urlSettings';

export function boot(): () => void {
  if (!('gpu' in navigator)) useAlerts.getState().push('no_webgpu', new NoWebGPUError().message);
  // the GPU device is made now, not at the first Train: the adapter is named (and a CPU one
  // flagged) on load, and a browser whose WebGPU has no adapter says so before Train is pressed
  else void ensureTrainer();
  const openHash = (hash: string) => (isGridHash(hash) ? openGridFromHash(hash) : openFromHash(hash));
  openHash(location.hash);
  const stopUrl = startSettingsUrl();
  // A link pasted into the address bar of an open lab.
  const onHash = () => {
    const shared = useLab.getState().shareLink;
    if (shared && shared.endsWith(location.hash)) return; // our own Share
    openHash(location.hash);
  };
  window.addEventListener('hashchange', onHash);
  const stopSpeeds = startSpeedLog();
  let stopPersist: (() => void) | null = null;
  let stopped = false;
  const onProblem = (p: StorageProblem) =>
    p.recordKey === undefined
      ? useAlerts.getState().push('storage', p.message)
      : useAlerts.getState().push('unreadable_record', p.message, 'export_record', p.recordKey);
  void startPersistence(browserPersistence(useRuns, onProblem)).then((stop) => {
    if (stopped) stop();
    else stopPersist = stop;
  });
  return () => {
    stopped = true;
    window.removeEventListener('hashchange', onHash);
    stopSpeeds();
    stopUrl();
    stopPersist?.();
  };
}
