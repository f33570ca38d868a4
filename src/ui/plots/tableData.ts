// Each plot's numbers as a table: the text alternative under a chart for people who cannot see
// it (and anyone who wants the values). One row per plotted x, one column per drawn series; a
// series with a band gets a second column for it. Cells are text, formatted as the tooltip is.
import { formatNumber } from '../format';
import type { IclPlot } from './iclData';

export interface PlotTable {
  /** The header of each column, the x axis's first. */
  columns: string[];
  /** One row per plotted x value, as text ("" where a series has no point there). */
  rows: string[][];
}

const cell = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? formatNumber(v) : '');

/** The ICL plot's rows: x (examples, or the training step for MQAR), each series' value and band. */
export function iclTable(plot: IclPlot): PlotTable {
  const columns = [plot.xLabel];
  for (const s of plot.series) {
    columns.push(s.label);
    if (s.bandKey) columns.push(`${s.label}, 90% band`);
  }
  const rows = plot.rows.map((r) => {
    const out = [cell(r.pos)];
    for (const s of plot.series) {
      out.push(cell(r[s.key]));
      if (s.bandKey) {
        const band = r[s.bandKey];
        out.push(Array.isArray(band) ? `${cell(band[0])} – ${cell(band[1])}` : '');
      }
    }
    return out;
  });
  return { columns, rows };
}

/** The loss plot's points (thinned as drawn): step and loss. */
export function lossTable(points: readonly { step: number; loss: number }[]): PlotTable {
  return { columns: ['step', 'loss'], rows: points.map((p) => [String(p.step), cell(p.loss)]) };
}
