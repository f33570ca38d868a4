// The plots' shared frames, drawn alike wherever they appear: the ICL plots' grid and axes and
// their series' bands and lines (the Lab's ICL curve, the race of families, the seeds' band, a
// grid cell's curves), and the loss plots' grid and log axis. Returned as arrays of recharts
// elements (not components), since a chart reads its direct children.
import { Area, CartesianGrid, Line, XAxis, YAxis } from 'recharts';
import { formatNumber } from '../format';
import { axisTicks, type Series } from './iclData';
import { logDomain } from './lossData';

export interface IclAxesSpec {
  /** The rows' key of the number of examples. */
  xKey: string;
  xLabel: string;
  yLabel: string;
  /** The y axis's top: 1 for accuracy, else errorAxisTop's. */
  top: number;
  accuracy: boolean;
}

export const ICL_MARGIN = { top: 8, right: 16, bottom: 20, left: 8 };

export function iclAxes(s: IclAxesSpec) {
  return [
    <CartesianGrid key="grid" stroke="#e3e3e3" />,
    <XAxis
      key="x"
      dataKey={s.xKey}
      type="number"
      domain={['dataMin', 'dataMax']}
      allowDecimals={false}
      label={{ value: s.xLabel, position: 'insideBottom', offset: -12 }}
    />,
    <YAxis
      key="y"
      type="number"
      domain={[0, s.top]}
      ticks={s.accuracy ? [0, 0.25, 0.5, 0.75, 1] : axisTicks(s.top)}
      allowDataOverflow
      tickFormatter={(v: number) => formatNumber(v, 2)}
      width={56}
      label={{ value: s.yLabel, angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
    />,
  ];
}

/** A tooltip value: a number, or a band's [low, high] as "low – high". */
export function formatTooltipValue(v: unknown): string {
  return Array.isArray(v) ? v.map((x) => formatNumber(Number(x))).join(' – ') : formatNumber(Number(v));
}

/** Each series' band (when it has one; `bandName` names it in the tooltip), then every line over them. */
export function iclSeries(series: readonly Series[], bandName: (s: Series) => string) {
  const bands = series.flatMap((s) =>
    s.bandKey
      ? [
          <Area
            key={s.bandKey}
            dataKey={s.bandKey}
            name={bandName(s)}
            legendType="none"
            stroke="none"
            fill={s.colour}
            fillOpacity={0.15}
            isAnimationActive={false}
            connectNulls={false}
          />,
        ]
      : [],
  );
  const lines = series.map((s) => (
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
  ));
  return [...bands, ...lines];
}

/** The loss plots' frame: grid, step axis and log-scale loss axis over the points `losses`. */
export function lossAxes(losses: readonly { loss: number }[]) {
  return [
    <CartesianGrid key="grid" stroke="#e3e3e3" />,
    <XAxis
      key="x"
      dataKey="step"
      type="number"
      domain={['dataMin', 'dataMax']}
      allowDecimals={false}
      label={{ value: 'step', position: 'insideBottom', offset: -12 }}
    />,
    <YAxis
      key="y"
      scale="log"
      type="number"
      domain={logDomain(losses)}
      allowDataOverflow
      tickFormatter={(v: number) => formatNumber(v, 2)}
      width={56}
      label={{ value: 'loss', angle: -90, position: 'insideLeft' }}
    />,
  ];
}
