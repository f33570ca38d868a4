// A labelled region around one plot (role "region" with its name), with a heading, a text
// summary for people who cannot see the plot, its numbers in a "Data table", and a button that
// saves it as PNG.
import { useRef, type ReactNode } from 'react';
import { exportPlotPng } from '../session/files';
import type { PngLegendItem } from '../svgPng';
import { DataTable } from './DataTable';
import type { PlotTable } from './tableData';

interface Props {
  label: string;
  fileName: string;
  summary: string;
  /** Drawn under the plot in the PNG (the page shows its own HTML legend). */
  legend?: readonly PngLegendItem[];
  /** The plotted numbers (the chart's text alternative). */
  table: PlotTable;
  children: ReactNode;
}

export function PlotRegion({ label, fileName, summary, legend, table, children }: Props) {
  const ref = useRef<HTMLElement>(null);
  return (
    <section ref={ref} className="plot" aria-label={label}>
      <div className="plot-head">
        <h2>{label}</h2>
        <button type="button" onClick={() => void exportPlotPng(ref.current, fileName, label, legend)}>
          Save PNG
        </button>
      </div>
      <div className="plot-body">{children}</div>
      <p className="plot-summary">{summary}</p>
      <DataTable label={label} table={table} />
    </section>
  );
}
