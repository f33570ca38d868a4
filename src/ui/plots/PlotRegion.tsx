// A labelled region around one plot (role "region" with its name), with a heading, a text
// summary for people who cannot see the plot, and a button that saves it as PNG.
import { useRef, type ReactNode } from 'react';
import { exportPlotPng } from '../session/files';
import type { PngLegendItem } from '../svgPng';

interface Props {
  label: string;
  fileName: string;
  summary: string;
  /** Drawn under the plot in the PNG (the page shows its own HTML legend). */
  legend?: readonly PngLegendItem[];
  children: ReactNode;
}

export function PlotRegion({ label, fileName, summary, legend, children }: Props) {
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
    </section>
  );
}
