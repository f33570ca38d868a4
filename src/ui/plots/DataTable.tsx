// "Data table" under a chart: the plotted numbers in a real table (caption, column headers), folded
// in a <details> so it costs no room; its rows are only rendered while it is open, so a long loss
// history does not re-render a hidden table at every progress report.
import { useState } from 'react';
import type { PlotTable } from './tableData';
import './dataTable.css';

export function DataTable({ label, table }: { label: string; table: PlotTable }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="data-table" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Data table</summary>
      {open ? (
        table.rows.length === 0 ? (
          <p>No points are plotted yet.</p>
        ) : (
          // a scrolling box is a keyboard stop, so the keys can scroll it (axe: scrollable-region-focusable)
          <div className="data-table-scroll" role="region" aria-label={`${label}, data table`} tabIndex={0}>
            <table>
              <caption>
                {label}: the {table.rows.length} plotted point{table.rows.length === 1 ? '' : 's'}
              </caption>
              <thead>
                <tr>
                  {table.columns.map((c, i) => (
                    <th key={i} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((r, i) => (
                  <tr key={i}>
                    {r.map((c, j) =>
                      j === 0 ? (
                        <th key={j} scope="row">
                          {c}
                        </th>
                      ) : (
                        <td key={j}>{c}</td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </details>
  );
}
