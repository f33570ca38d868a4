// Training settings beyond the four main choices: learning rate, batch, steps, evaluation,
// curriculum, clipping. Hidden in teaching mode.
import { useId } from 'react';
import { CONFIG_BOUNDS } from '../../train/schema';
import { useLab } from '../store/lab';
import { NumberField } from './NumberField';

export function AdvancedSettings() {
  const config = useLab((s) => s.config);
  const set = useLab.getState().setConfig;
  const curriculumId = useId();
  const b = CONFIG_BOUNDS;
  return (
    <details className="advanced" open>
      <summary>Training settings</summary>
      <div className="grid-fields">
        <NumberField label="Learning rate" value={config.lr} min={1e-7} max={b.lr.max} integer={false} hint="Adam, constant." onCommit={(lr) => set({ lr })} />
        <NumberField label="Batch" value={config.batch} min={b.batch.min} max={b.batch.max} onCommit={(batch) => set({ batch })} />
        <NumberField label="Steps" value={config.steps} min={b.steps.min} max={b.steps.max} hint="The paper trains 500,000." onCommit={(steps) => set({ steps })} />
        <NumberField label="Evaluation interval" value={config.evalEvery} min={b.evalEvery.min} max={b.evalEvery.max} hint="ICL curve every this many steps." onCommit={(evalEvery) => set({ evalEvery })} />
        <NumberField label="Evaluation prompts" value={config.evalPrompts} min={b.evalPrompts.min} max={b.evalPrompts.max} onCommit={(evalPrompts) => set({ evalPrompts })} />
        <NumberField label="Gradient clip" value={config.clip} min={1e-3} max={b.clip.max} integer={false} onCommit={(clip) => set({ clip })} />
        <NumberField label="Prompt length" value={config.nPoints} min={b.nPoints.min} max={b.nPoints.max} hint="Examples per prompt (pairs for MQAR)." onCommit={(nPoints) => set({ nPoints })} />
      </div>
      <div className="checkbox">
        <input id={curriculumId} type="checkbox" checked={config.curriculum} onChange={(e) => set({ curriculum: e.target.checked })} />
        <label htmlFor={curriculumId}>Curriculum (grow dimensions and prompt length during training)</label>
      </div>
    </details>
  );
}
