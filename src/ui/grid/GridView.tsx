// The paper grid view: choose tasks, models, size and run length; run them all one after
// another; read the ✓ / ▲ / ✗ table (SPEC.md "The paper's grid"). Or read a grid trained
// elsewhere: the shipped Reproduction, a grid.json or a grid link (GridFileView.tsx).
import { MODEL_IDS, SIZE_IDS, TASK_IDS } from '../../spec/config';
import { CONFIG_BOUNDS } from '../../train/schema';
import { MODEL_LABEL, SIZE_LABEL, TASK_TEXT } from '../labels';
import { useGrid, type GridSource } from '../store/grid';
import { blockedReason, invalidLabels, useInvalidFields } from '../store/invalidFields';
import { isBusy, useLab } from '../store/lab';
import { openGridFile, runGrid } from '../session/grid';
import { NumberField } from '../components/NumberField';
import { SelectField } from '../components/SelectField';
import { FileInput } from '../components/FileInput';
import { GridTable } from './GridTable';
import { OpenedGridView, ReproductionView } from './GridFileView';
import './grid.css';

/** Which table to show: runs made here, the shipped Reproduction, or a grid opened from a file or link. */
function SourcePicker() {
  const source = useGrid((s) => s.source);
  const opened = useGrid((s) => s.opened);
  const choices: { id: GridSource; label: string }[] = [
    { id: 'lab', label: 'Lab runs (made in this page)' },
    { id: 'reproduction', label: 'Reproduction (trained for this lab, ships with the page)' },
    ...(opened ? [{ id: 'opened' as const, label: `Opened grid: ${opened.name}` }] : []),
  ];
  return (
    <div className="grid-source">
      <fieldset>
        <legend>Show</legend>
        {choices.map((c) => (
          <label key={c.id} className="checkbox">
            <input
              type="radio"
              name="grid-source"
              checked={source === c.id}
              onChange={() => useGrid.getState().set({ source: c.id, openCell: null })}
            />{' '}
            {c.label}
          </label>
        ))}
      </fieldset>
      <FileInput label="Open a grid file" accept=".json,application/json" onFile={(f) => void openGridFile(f)} />
    </div>
  );
}

export function GridView() {
  const source = useGrid((s) => s.source);
  return (
    <section className="grid-view" aria-labelledby="grid-heading">
      <h2 id="grid-heading">The paper's grid</h2>
      <p>
        Park et al. summarise which model learns which task in context. This trains every chosen task with every chosen
        model, one run after another, and fills the table from the lab's own curves; or it shows a grid trained
        elsewhere with <code>npm run grid</code>, such as the Reproduction that ships with the page.
      </p>
      <SourcePicker />
      {source === 'reproduction' ? <ReproductionView /> : source === 'opened' ? <OpenedGridView /> : <LabGrid />}
    </section>
  );
}

/** The grid of runs made in this page: its settings, the Run button and the table. */
function LabGrid() {
  const g = useGrid();
  const state = useLab((s) => s.trainerState);
  const busy = isBusy(state);
  const n = g.tasks.length * g.models.length;
  const invalid = useInvalidFields((s) => s.byId);
  const blocked = blockedReason(invalidLabels(invalid, 'grid'), 'run the grid');
  return (
    <>
      <div className="grid-settings">
        <fieldset>
          <legend>Tasks</legend>
          {TASK_IDS.map((t) => (
            <label key={t} className="checkbox">
              <input type="checkbox" checked={g.tasks.includes(t)} onChange={() => g.toggleTask(t)} />{' '}
              {TASK_TEXT[t].label}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Models</legend>
          {MODEL_IDS.map((m) => (
            <label key={m} className="checkbox">
              <input type="checkbox" checked={g.models.includes(m)} onChange={() => g.toggleModel(m)} />{' '}
              {MODEL_LABEL[m]}
            </label>
          ))}
        </fieldset>
        <div>
          <SelectField
            label="Grid preset"
            value={g.size}
            options={SIZE_IDS}
            optionLabel={(s) => SIZE_LABEL[s]}
            onChange={(size) => g.set({ size })}
          />
          <NumberField
            label="Training steps per run"
            value={g.steps}
            min={CONFIG_BOUNDS.steps.min}
            max={CONFIG_BOUNDS.steps.max}
            form="grid"
            onCommit={(steps) => g.set({ steps })}
          />
          <NumberField
            label="Grid seed"
            value={g.seed}
            min={CONFIG_BOUNDS.seed.min}
            max={CONFIG_BOUNDS.seed.max}
            form="grid"
            onCommit={(seed) => g.set({ seed })}
          />
          <button
            type="button"
            className="primary"
            disabled={n === 0 || blocked !== null}
            title={blocked ?? undefined}
            onClick={() => void runGrid()}
          >
            Run the grid ({n} runs{busy ? ', after the current one' : ''})
          </button>
        </div>
      </div>
      <GridTable />
    </>
  );
}
