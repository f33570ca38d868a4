// The ICL plot's legend as an HTML list (readable by screen readers, wraps on narrow screens):
// a sample of each line's colour and dash pattern, then its name as plain text.
import type { Series } from './iclData';

export function Legend({ series }: { series: readonly Series[] }) {
  if (series.length === 0) return null;
  return (
    <ul className="legend" aria-label="Lines in the plot">
      {series.map((s) => (
        <li key={s.key}>
          <svg width="30" height="12" aria-hidden="true" focusable="false">
            {s.bandKey ? <rect x="0" y="1" width="30" height="10" fill={s.colour} fillOpacity={0.15} /> : null}
            <line x1="0" y1="6" x2="30" y2="6" stroke={s.colour} strokeWidth={s.width} strokeDasharray={s.dash} />
          </svg>
          {s.label}
          {s.bandKey ? ' with its 90% band' : ''}
        </li>
      ))}
    </ul>
  );
}
