// Presets: Teaching, Tiny, Small and the paper's defaults, one click each, with what each sets
// for the current task. The notes sit outside the buttons so that a button's accessible name is
// just its label.
import { PRESETS, activePreset, applyPreset } from '../presets';
import { useLab } from '../store/lab';

export function PresetButtons() {
  const config = useLab((s) => s.config);
  const active = activePreset(config);
  return (
    <fieldset className="presets">
      <legend>Presets</legend>
      <div className="button-row">
        {PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            aria-pressed={active === p.id}
            aria-describedby={`preset-note-${p.id}`}
            onClick={() => useLab.getState().replaceConfig(applyPreset(p.id, config))}
          >
            {p.label}
          </button>
        ))}
      </div>
      <ul className="preset-notes">
        {PRESETS.map((p) => (
          <li key={p.id} id={`preset-note-${p.id}`}>
            <strong>{p.label}:</strong> {p.note(config.task)}
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
