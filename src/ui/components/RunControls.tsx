// The four choices that define a run: Task, Model, Size and Seed.
import { MODEL_IDS, SIZE_IDS, TASK_IDS } from '../../spec/config';
import { CONFIG_BOUNDS } from '../../train/schema';
import { applyPreset, withTask } from '../presets';
import { MODEL_LABEL, SIZE_LABEL, TASK_TEXT } from '../labels';
import { useLab } from '../store/lab';
import { NumberField } from './NumberField';
import { SelectField } from './SelectField';

export function RunControls() {
  const config = useLab((s) => s.config);
  const { setConfig, replaceConfig } = useLab.getState();
  return (
    <div className="run-controls">
      <SelectField
        label="Task"
        value={config.task}
        options={TASK_IDS}
        optionLabel={(t) => TASK_TEXT[t].label}
        onChange={(t) => replaceConfig(withTask(config, t))}
      />
      <SelectField
        label="Model"
        value={config.model}
        options={MODEL_IDS}
        optionLabel={(m) => MODEL_LABEL[m]}
        onChange={(model) => setConfig({ model })}
      />
      <SelectField
        label="Size"
        value={config.size}
        options={SIZE_IDS}
        optionLabel={(s) => SIZE_LABEL[s]}
        onChange={(size) => replaceConfig(applyPreset(size, config))}
      />
      <NumberField
        label="Seed"
        value={config.seed}
        min={CONFIG_BOUNDS.seed.min}
        max={CONFIG_BOUNDS.seed.max}
        onCommit={(seed) => setConfig({ seed })}
      />
    </div>
  );
}
