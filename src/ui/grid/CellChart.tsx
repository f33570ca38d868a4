// Draws a grid cell's ICL plot (cellPlot.ts) with the Lab's axes and styles: lines, the mean's
// band, the legend. One labelled image for assistive technology; the numbers are in the
// sentences beside it. (The Lab's IclPlot reads the Lab's store; this one is handed its plot.)
import { ComposedChart, ResponsiveContainer, Tooltip } from 'recharts';
import { errorAxisTop, type IclPlot } from '../plots/iclData';
import { Legend } from '../plots/Legend';
import { formatTooltipValue, iclAxes, iclSeries, ICL_MARGIN } from '../plots/chartFrame';

/** The tooltip's widest (px), as in the Lab's plot. */
const TOOLTIP_MAX_WIDTH = 260;

export function CellChart({ plot, label }: { plot: IclPlot; label: string }) {
  const accuracy = plot.metric !== 'error';
  const top = accuracy ? 1 : errorAxisTop(plot);
  // the band is the seeds' range here, not the prompts' 90%: said in the legend's words
  const legend = plot.series.map((s) =>
    s.bandKey ? { ...s, bandKey: undefined, label: `${s.label}, shaded from the lowest to the highest seed` } : s,
  );
  return (
    <>
      <div role="img" aria-label={label} className="cell-chart">
        <ResponsiveContainer width="100%" height={300}>
          <ComposedChart accessibilityLayer={false} data={plot.rows} margin={ICL_MARGIN}>
            {iclAxes({ xKey: 'pos', xLabel: plot.xLabel, yLabel: plot.yLabel, top, accuracy })}
            <Tooltip
              formatter={formatTooltipValue}
              labelFormatter={(l) => plot.xName(Number(l))}
              wrapperStyle={{ maxWidth: TOOLTIP_MAX_WIDTH, zIndex: 5 }}
              contentStyle={{ whiteSpace: 'normal', fontSize: '0.85rem', padding: '0.3rem 0.5rem' }}
            />
            {iclSeries(plot.series, (s) => `${s.label}, lowest to highest seed`)}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <Legend series={legend} />
    </>
  );
}
