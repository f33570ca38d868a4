// Draws a grid cell's ICL plot (cellPlot.ts) with the Lab's axes and styles: lines, the mean's
// band, the legend. One labelled image for assistive technology; the numbers are in the
// sentences beside it. (The Lab's IclPlot reads the Lab's store; this one is handed its plot.)
import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber } from '../format';
import { axisTicks, errorAxisTop, type IclPlot } from '../plots/iclData';
import { Legend } from '../plots/Legend';

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
          <ComposedChart
            accessibilityLayer={false}
            data={plot.rows}
            margin={{ top: 8, right: 16, bottom: 20, left: 8 }}
          >
            <CartesianGrid stroke="#e3e3e3" />
            <XAxis
              dataKey="pos"
              type="number"
              domain={['dataMin', 'dataMax']}
              allowDecimals={false}
              label={{ value: plot.xLabel, position: 'insideBottom', offset: -12 }}
            />
            <YAxis
              type="number"
              domain={[0, top]}
              ticks={accuracy ? [0, 0.25, 0.5, 0.75, 1] : axisTicks(top)}
              allowDataOverflow
              tickFormatter={(v: number) => formatNumber(v, 2)}
              width={56}
              label={{ value: plot.yLabel, angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
            />
            <Tooltip
              formatter={(v) =>
                Array.isArray(v) ? v.map((x) => formatNumber(Number(x))).join(' – ') : formatNumber(Number(v))
              }
              labelFormatter={(l) => plot.xName(Number(l))}
              wrapperStyle={{ maxWidth: TOOLTIP_MAX_WIDTH, zIndex: 5 }}
              contentStyle={{ whiteSpace: 'normal', fontSize: '0.85rem', padding: '0.3rem 0.5rem' }}
            />
            {plot.series.map((s) =>
              s.bandKey ? (
                <Area
                  key={s.bandKey}
                  dataKey={s.bandKey}
                  name={`${s.label}, lowest to highest seed`}
                  legendType="none"
                  stroke="none"
                  fill={s.colour}
                  fillOpacity={0.15}
                  isAnimationActive={false}
                  connectNulls={false}
                />
              ) : null,
            )}
            {plot.series.map((s) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stroke={s.colour}
                strokeWidth={s.width}
                strokeDasharray={s.dash}
                dot={s.dots ? { r: 3, fill: s.colour } : false}
                isAnimationActive={false}
                connectNulls={!!s.dots}
              />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <Legend series={legend} />
    </>
  );
}
