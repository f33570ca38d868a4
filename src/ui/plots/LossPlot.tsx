// "Training loss": loss against step on a logarithmic axis, for the shown run, with the
// curriculum's stages marked (the loss jumps where the prompts grow).
import { useMemo } from 'react';
import { Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip } from 'recharts';
import { curriculumPlan } from '../explain/stages';
import { formatNumber } from '../format';
import { shownRun, useLab } from '../store/lab';
import { lossPoints } from './lossData';
import { PlotRegion } from './PlotRegion';
import { lossTable } from './tableData';
import { ICL_MARGIN, lossAxes } from './chartFrame';

/** Most curriculum marks drawn one by one. */
const MAX_MARKS = 40;

export function LossPlot() {
  const history = useLab((s) => shownRun(s)?.history);
  const config = useLab((s) => shownRun(s)?.config ?? s.config);
  const plan = useMemo(() => curriculumPlan(config), [config]);
  const pts = lossPoints(history ?? []);
  const last = pts[pts.length - 1];
  // stages reached so far; a long list (the paper's pace) would be a grey smear, so only its end is drawn
  const reached = plan.stages.filter((s) => s.step > 0 && last && s.step <= last.step);
  const marks = reached.length > MAX_MARKS ? reached.slice(-1) : reached;
  const full = plan.stages.length > 1 ? plan.stages[plan.stages.length - 1] : null;
  const stageText =
    reached.length === 0
      ? ''
      : ` Grey lines: ${reached.length} curriculum stage${reached.length === 1 ? '' : 's'} so far (the prompts ` +
        `grow, so the loss jumps)${full && reached.includes(full) ? `; full size from step ${full.step}` : ''}.`;
  const summary = last
    ? `Loss ${formatNumber(last.loss)} at step ${last.step}.${stageText}`
    : 'No training yet: press Train or Step.';
  return (
    <PlotRegion label="Training loss" fileName="loss" summary={summary} table={lossTable(pts)}>
      {/* one labelled image for assistive technology (the numbers: the data table) */}
      <div role="img" aria-label={`Training loss. Loss (log scale) against the training step. ${summary}`}>
        <ResponsiveContainer width="100%" height={260}>
          <LineChart accessibilityLayer={false} data={pts} margin={ICL_MARGIN}>
            {lossAxes(pts)}
            {marks.map((m) => (
              <ReferenceLine
                key={m.step}
                x={m.step}
                stroke="#9a9a9a"
                strokeDasharray={m === full ? undefined : '3 3'}
                label={
                  m === full
                    ? { value: 'full size', position: 'insideTopRight', fontSize: 11, fill: '#555' }
                    : undefined
                }
              />
            ))}
            <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(l) => `step ${l}`} />
            <Line dataKey="loss" name="loss" stroke="#0072B2" strokeWidth={1.5} dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </PlotRegion>
  );
}
