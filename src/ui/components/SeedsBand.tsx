// "Seeds: N": the seeds' ICL curve as their mean (a line) and a band from the lowest to the highest
// seed at each position (min–max over seeds, SeedsBandData.ts), updated at each evaluation.
import { Area, ComposedChart, Line, ResponsiveContainer, Tooltip } from 'recharts';
import { useRunSet } from '../session/runSetStore';
import { seedsBand } from './SeedsBandData';
import { formatTooltipValue, iclAxes, ICL_MARGIN } from '../plots/chartFrame';

/** Dark grey: apart from every seed's colour in the loss plot beside it. */
const MEAN_COLOUR = '#444444';

export function SeedsBandPlot() {
  const members = useRunSet((s) => s.members);
  const band = seedsBand(members);
  const accuracy = band.metric !== 'error';
  const max = Math.max(0, ...band.rows.map((r) => r.band[1]));
  const top = accuracy ? 1 : Math.min(3, Math.max(1.1, Math.ceil(max * 5) / 5));
  const what = band.metric === 'recall' ? 'recall at each evaluation' : `${band.yLabel} against ${band.xLabel}`;
  const words =
    band.step === null
      ? 'The band appears once every seed has been evaluated.'
      : `Mean ${what} of ${band.runs} seeds, at step ${band.step}; the band spans the lowest to the highest seed ` +
        `(min–max, not a standard deviation).`;
  return (
    <div className="run-set-icl">
      <div role="img" aria-label={`ICL curve of the seeds. ${words}`}>
        <ResponsiveContainer width="100%" height={240}>
          <ComposedChart accessibilityLayer={false} data={band.rows} margin={ICL_MARGIN}>
            {iclAxes({ xKey: 'x', xLabel: band.xLabel, yLabel: band.yLabel, top, accuracy })}
            <Tooltip formatter={formatTooltipValue} />
            <Area
              dataKey="band"
              name="lowest – highest seed"
              stroke="none"
              fill={MEAN_COLOUR}
              fillOpacity={0.2}
              isAnimationActive={false}
            />
            <Line
              dataKey="mean"
              name={`mean of ${band.runs} seeds`}
              stroke={MEAN_COLOUR}
              strokeWidth={2.5}
              dot={band.metric === 'recall' ? { r: 3, fill: MEAN_COLOUR } : false}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <p className="plot-summary">{words}</p>
    </div>
  );
}
