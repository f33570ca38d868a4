// "Training loss": loss against step on a logarithmic axis, for the shown run.
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber } from '../format';
import { shownRun, useLab } from '../store/lab';
import { logDomain, lossPoints } from './lossData';
import { PlotRegion } from './PlotRegion';

export function LossPlot() {
  const history = useLab((s) => shownRun(s)?.history);
  const pts = lossPoints(history ?? []);
  const last = pts[pts.length - 1];
  const summary = last
    ? `Loss ${formatNumber(last.loss)} at step ${last.step}.`
    : 'No training yet: press Train or Step.';
  return (
    <PlotRegion label="Training loss" fileName="loss" summary={summary}>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={pts} margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
          <CartesianGrid stroke="#e3e3e3" />
          <XAxis
            dataKey="step"
            type="number"
            domain={['dataMin', 'dataMax']}
            allowDecimals={false}
            label={{ value: 'step', position: 'insideBottom', offset: -12 }}
          />
          <YAxis
            scale="log"
            type="number"
            domain={logDomain(pts)}
            allowDataOverflow
            tickFormatter={(v: number) => formatNumber(v, 2)}
            width={56}
            label={{ value: 'loss', angle: -90, position: 'insideLeft' }}
          />
          <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(l) => `step ${l}`} />
          <Line dataKey="loss" name="loss" stroke="#0072B2" strokeWidth={1.5} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </PlotRegion>
  );
}
