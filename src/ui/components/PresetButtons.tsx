// Presets: Teaching, Tiny, Small and the paper's defaults, one click each, with what each sets
// for the current task and how long it takes at this adapter's measured speed. The notes sit
// outside the buttons so that a button's accessible name is just its label. A CPU adapter is
// the SoftwareNotice's to announce (one notice, with what helps), not a second line here.
import { PRESETS, activePreset, applyPreset } from '../presets';
import { presetTimeText, type AdapterSeen } from '../presetTime';
import { lastAdapter, speedFor } from '../speeds';
import { useLab } from '../store/lab';
import { useSpeeds } from '../store/speeds';

export function PresetButtons() {
  const config = useLab((s) => s.config);
  const current = useLab((s) => s.adapter);
  const table = useSpeeds((s) => s.table);
  const active = activePreset(config);
  const adapter: AdapterSeen = current
    ? { name: current, current: true }
    : { name: lastAdapter(table), current: false };
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
        {PRESETS.map((p) => {
          const c = applyPreset(p.id, config);
          return (
            <li key={p.id} id={`preset-note-${p.id}`}>
              <strong>{p.label}:</strong> {p.note(config.task)}{' '}
              <span className="preset-time">
                {presetTimeText(c, adapter, speedFor(table, adapter.name, c.model, c.size))}
              </span>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
