// "Share": puts the shown run in the URL hash, shows the link in the "Share link" field and
// copies it. A teaching link opens with the advanced controls hidden.
import { useId, useState } from 'react';
import { useLab } from '../store/lab';
import { shareShownRun } from '../session/share';

export function SharePanel() {
  const link = useLab((s) => s.shareLink);
  const teachingMode = useLab((s) => s.teaching);
  const [teaching, setTeaching] = useState(teachingMode);
  const fieldId = useId();
  const teachId = useId();
  return (
    <div className="share">
      <div className="button-row">
        <button type="button" onClick={() => void shareShownRun(teaching)}>
          Share
        </button>
        <span className="checkbox">
          <input id={teachId} type="checkbox" checked={teaching} onChange={(e) => setTeaching(e.target.checked)} />
          <label htmlFor={teachId}>Teaching link (hides advanced controls)</label>
        </span>
      </div>
      {link ? (
        <div className="field share-field">
          <label htmlFor={fieldId}>Share link</label>
          <input id={fieldId} type="text" readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
        </div>
      ) : null}
    </div>
  );
}
