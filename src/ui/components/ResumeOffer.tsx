// After a reload mid-training: offers the unfinished run for Resume from its own checkpoint
// (kept in this browser at its last evaluation), or to set it aside. Hidden once another run is
// live or a shared run is shown.
import { useState } from 'react';
import { modelLabel, taskLabel } from '../labels';
import { runTitle } from '../runView';
import { forgetUnfinished, readUnfinished, type UnfinishedRun } from '../session/unfinished';
import { resumeUnfinished } from '../session/trainer';
import { useLab } from '../store/lab';

export function ResumeOffer() {
  const [offer, setOffer] = useState<UnfinishedRun | null>(() => readUnfinished());
  const hidden = useLab((s) => s.live !== null || s.viewed?.source === 'link');
  if (!offer || hidden) return null;
  const title = runTitle(offer.config, taskLabel, modelLabel);
  return (
    <div className="banner resume-offer">
      <p>
        An unfinished run was interrupted: <strong>{title}</strong>, at step {offer.step} of {offer.config.steps}. Its
        checkpoint is kept in this browser; Resume continues it from there, exactly as if it had not stopped.
      </p>
      <div className="button-row">
        <button
          type="button"
          className="primary"
          onClick={() => {
            setOffer(null);
            void resumeUnfinished(offer);
          }}
        >
          Resume
        </button>
        <button
          type="button"
          onClick={() => {
            forgetUnfinished(offer.runId);
            setOffer(null);
          }}
        >
          Set it aside
        </button>
      </div>
    </div>
  );
}
