// Training settings beyond the four main choices: learning rate and its schedule, batch, steps,
// evaluation, clipping, the prompt's size (d, n), curriculum and the parity indices. Each edits
// one RunConfig field, within the schema's bounds. Hidden in teaching mode.
import { useId } from 'react';
import { LR_SCHEDULES, type LrSchedule } from '../../spec/config';
import { CONFIG_BOUNDS, minDims } from '../../train/schema';
import { useLab } from '../store/lab';
import { NumberField } from './NumberField';
import { SelectField } from './SelectField';

/** One example before the query at least: a prompt of one example has nothing to learn in context from. */
const MIN_PROMPT_LENGTH = Math.max(2, CONFIG_BOUNDS.nPoints.min);

const SCHEDULE_LABELS: Record<LrSchedule, string> = {
  constant: 'Constant',
  cosine: 'Cosine to 0',
};

export function AdvancedSettings() {
  const config = useLab((s) => s.config);
  const set = useLab.getState().setConfig;
  const curriculumId = useId();
  const parityId = useId();
  const b = CONFIG_BOUNDS;
  const parity = config.task === 'sparse_parity';
  return (
    <details className="advanced" open>
      <summary>Training settings</summary>
      <div className="grid-fields">
        <NumberField
          label="Learning rate"
          value={config.lr}
          min={b.lr.min}
          max={b.lr.max}
          integer={false}
          minExclusive={b.lr.minExclusive}
          hint="Adam; constant as in the paper, or the peak of warm-up and cosine decay."
          onCommit={(lr) => set({ lr })}
        />
        <SelectField
          label="Schedule"
          value={config.lrSchedule}
          options={LR_SCHEDULES}
          optionLabel={(s) => SCHEDULE_LABELS[s]}
          onChange={(lrSchedule) => set({ lrSchedule })}
        />
        <NumberField
          label="Warm-up steps"
          value={config.warmup}
          min={b.warmup.min}
          max={b.warmup.max}
          hint="Linear from 0 to the learning rate; 0 for none."
          onCommit={(warmup) => set({ warmup })}
        />
        <NumberField
          label="Gradient clip"
          value={config.clip}
          min={b.clip.min}
          max={b.clip.max}
          integer={false}
          minExclusive={b.clip.minExclusive}
          onCommit={(clip) => set({ clip })}
        />
        <NumberField
          label="Batch"
          value={config.batch}
          min={b.batch.min}
          max={b.batch.max}
          onCommit={(batch) => set({ batch })}
        />
        <NumberField
          label="Steps"
          value={config.steps}
          min={b.steps.min}
          max={b.steps.max}
          hint="The paper trains 500,000."
          onCommit={(steps) => set({ steps })}
        />
        <NumberField
          label="Evaluation interval"
          value={config.evalEvery}
          min={b.evalEvery.min}
          max={b.evalEvery.max}
          hint="ICL curve every this many steps."
          onCommit={(evalEvery) => set({ evalEvery })}
        />
        <NumberField
          label="Evaluation prompts"
          value={config.evalPrompts}
          min={b.evalPrompts.min}
          max={b.evalPrompts.max}
          onCommit={(evalPrompts) => set({ evalPrompts })}
        />
        <NumberField
          label="Input dimension"
          value={config.nDims}
          min={minDims(config.task)}
          max={b.nDims.max}
          hint="d: coordinates of each x (of keys and values for MQAR)."
          onCommit={(nDims) => set({ nDims })}
        />
        <NumberField
          label="Prompt length"
          value={config.nPoints}
          min={MIN_PROMPT_LENGTH}
          max={b.nPoints.max}
          hint="n: examples per prompt (pairs for MQAR)."
          onCommit={(nPoints) => set({ nPoints })}
        />
      </div>
      <div className="checkbox">
        <input
          id={curriculumId}
          type="checkbox"
          checked={config.curriculum}
          onChange={(e) => set({ curriculum: e.target.checked })}
        />
        <label htmlFor={curriculumId}>Curriculum (grow dimensions and prompt length during training)</label>
      </div>
      <div className="checkbox">
        <input
          id={parityId}
          type="checkbox"
          checked={config.parityPerPrompt}
          disabled={!parity}
          aria-describedby={`${parityId}-hint`}
          onChange={(e) => set({ parityPerPrompt: e.target.checked })}
        />
        <label htmlFor={parityId}>Parity indices drawn per prompt</label>
      </div>
      <p id={`${parityId}-hint`} className="hint">
        Sparse parity only{parity ? '' : ' (not the task chosen)'}. Off: the k indices are shared by a whole batch and
        redrawn every step, as in the official code.
      </p>
    </details>
  );
}
