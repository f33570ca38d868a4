// Says what the plots show when it is not the live run (a shared link, a saved or imported
// run), and the way back; in teaching mode, the way to all controls.
import { modelLabel, taskLabel } from '../labels';
import { runTitle } from '../runView';
import { useLab } from '../store/lab';

export function ViewedBanner() {
  const viewed = useLab((s) => s.viewed);
  const teaching = useLab((s) => s.teaching);
  const hasLive = useLab((s) => s.live !== null);
  const lab = useLab.getState();
  return (
    <>
      {viewed ? (
        <div className="banner">
          <p>
            {viewed.source === 'link' ? 'Shared run' : 'Saved run'}:{' '}
            <strong>{runTitle(viewed.view.config, taskLabel, modelLabel)}</strong>.{' '}
            {viewed.source === 'link'
              ? 'These are the results in the link; nothing was trained on this computer. "Train again" trains ' +
                'the same settings with the same seed here.'
              : 'These are its stored results.'}
          </p>
          <button type="button" onClick={() => lab.setViewed(null)}>
            {hasLive ? 'Back to the live run' : 'Close this run'}
          </button>
        </div>
      ) : null}
      {teaching ? (
        <div className="banner teaching">
          <p>Teaching view: the advanced controls are hidden.</p>
          <button type="button" onClick={() => lab.setTeaching(false)}>
            Show all controls
          </button>
        </div>
      ) : null}
    </>
  );
}
