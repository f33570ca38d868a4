// "Train all families" (the four families on the lab's task and settings, at once) and
// "Seeds: N" (N runs of the lab's settings with seeds s, s + 1, …, at once). Both wait, as Train
// does, for valid settings and for the worker to be free; the lab's Pause pauses them.
import { isBusy, useLab } from '../store/lab';
import { blockedReason, invalidLabels, useInvalidFields } from '../store/invalidFields';
import { MAX_SEEDS } from '../../train/runSet';
import { trainAllFamilies, trainSeeds } from '../session/runSet';
import { useRunSet } from '../session/runSetStore';
import { NumberField } from './NumberField';

export function FamiliesRaceControls() {
  const state = useLab((s) => s.trainerState);
  const seeds = useRunSet((s) => s.seeds);
  const seed = useLab((s) => s.config.seed);
  const invalid = useInvalidFields((s) => s.byId);
  const blocked = blockedReason(invalidLabels(invalid, 'lab'), 'train');
  const disabled = (isBusy(state) && state !== 'starting') || blocked !== null;
  return (
    <fieldset className="run-set-controls">
      <legend>Several runs at once</legend>
      <div className="button-row">
        <button type="button" disabled={disabled} title={blocked ?? undefined} onClick={() => void trainAllFamilies()}>
          Train all families
        </button>
      </div>
      <NumberField
        label="Seeds"
        value={seeds}
        min={1}
        max={MAX_SEEDS}
        integer
        hint={seeds > 1 ? `These settings with seeds ${seed} to ${seed + seeds - 1}` : `These settings, seed ${seed}`}
        onCommit={(n) => useRunSet.getState().setSeeds(n)}
      />
      <div className="button-row">
        <button type="button" disabled={disabled} title={blocked ?? undefined} onClick={() => void trainSeeds()}>
          Run {seeds} seed{seeds === 1 ? '' : 's'}
        </button>
      </div>
      <p className="hint">
        The runs train together in this page&apos;s worker on its one GPU device, one step of each in turn (they are not
        yet stacked into one step), so each trains at about 1/N of its speed alone.
      </p>
    </fieldset>
  );
}
