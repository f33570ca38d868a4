// Start-up: read saved runs and measured training speeds, open a share link if the URL has
// one, follow later hash changes, and warn at once when the browser has no WebGPU (the page
// stays usable).
import { NoWebGPUError } from '../../gpu/browser';
import { useAlerts } from '../store/alerts';
import { useLab } from '../store/lab';
import { openFromHash } from './share';
import { startPersistence } from './persist';
import { startSpeedLog } from './speeds';

export function boot(): () => void {
  if (!('gpu' in navigator)) useAlerts.getState().push('no_webgpu', new NoWebGPUError().message);
  openFromHash(location.hash);
  // A link pasted into the address bar of an open lab.
  const onHash = () => {
    const shared = useLab.getState().shareLink;
    if (shared && shared.endsWith(location.hash)) return; // our own Share
    openFromHash(location.hash);
  };
  window.addEventListener('hashchange', onHash);
  const stopSpeeds = startSpeedLog();
  let stopPersist: (() => void) | null = null;
  let stopped = false;
  void startPersistence((msg) => useLab.getState().setNotice(msg)).then((stop) => {
    if (stopped) stop();
    else stopPersist = stop;
  });
  return () => {
    stopped = true;
    window.removeEventListener('hashchange', onHash);
    stopSpeeds();
    stopPersist?.();
  };
}
