// Share links: put the shown run in the URL hash (and the "Share link" field, and the
// clipboard); open a link on arrival, or the settings a settings URL holds (one format for both,
// src/train/urlFormat.ts). A bad link leaves the default lab untouched and says why.
import { decodeLabHash, encodeShareLink } from '../../train/shareLink';
import { parseRunFile } from '../../train/schema';
import { emptyView, runFileFromView, viewFromRunFile } from '../runView';
import { shownRun, useLab } from '../store/lab';
import { useAlerts } from '../store/alerts';
import { isSettingsHash } from './urlSettings';

/** `teaching`: the link hides advanced controls for whoever opens it. */
export async function shareShownRun(teaching: boolean): Promise<void> {
  const lab = useLab.getState();
  const view = shownRun(lab) ?? emptyView(lab.config);
  const run = runFileFromView(view);
  // The link format only takes runs the schema accepts; say so instead of making a dead link.
  const checked = parseRunFile(JSON.parse(JSON.stringify(run)));
  if (!checked.ok) {
    useAlerts.getState().push('internal', `This run cannot be shared: ${checked.error}`);
    return;
  }
  const hash = encodeShareLink(run, { teaching });
  const url = `${location.origin}${location.pathname}${hash}`;
  // replaceState: sharing should not add a Back-button entry or re-trigger hashchange.
  history.replaceState(null, '', hash);
  lab.setShareLink(url);
  try {
    await navigator.clipboard.writeText(url);
    lab.setNotice('Share link copied to the clipboard.');
  } catch {
    lab.setNotice('Copy the share link from the field below.');
  }
}

/** Opens the run in the URL hash, if any, or applies the settings a settings hash holds.
 *  Returns true when a run was shown. */
export function openFromHash(hash: string): boolean {
  if (!hash || hash === '#') return false;
  const lab = useLab.getState();
  const decoded = decodeLabHash(hash);
  if (!decoded.ok) {
    const kept = isSettingsHash(hash)
      ? 'The lab kept its default settings.'
      : 'Nothing from the link was used; the lab is as it was.';
    useAlerts.getState().push('bad_link', `${decoded.error} ${kept}`);
    history.replaceState(null, '', location.pathname + location.search);
    return false;
  }
  useAlerts.getState().clearKind('bad_link');
  if (decoded.teaching) lab.setTeaching(true);
  if (!decoded.run) {
    lab.replaceConfig(decoded.config); // a settings URL: the controls take its settings
    return false;
  }
  lab.setTeaching(decoded.teaching);
  // viewed first: the settings writer (urlSettings.ts) leaves a link's hash alone
  lab.setViewed({ view: viewFromRunFile(decoded.run), source: 'link' });
  lab.replaceConfig(decoded.run.config);
  lab.setShareLink(`${location.origin}${location.pathname}${hash}`);
  return true;
}
