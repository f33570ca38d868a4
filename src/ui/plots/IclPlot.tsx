// "ICL curve": error (or accuracy) against the number of in-context examples — the shown
// run's model with its 90% band, each baseline, and the runs chosen for comparison; for vector
// MQAR, recall at each evaluation. The caption says what is drawn and gives the run's verdict
// (SPEC.md's rule) with the numbers it reads, so no figure beside it contradicts it.
import { ComposedChart, ResponsiveContainer, Tooltip } from 'recharts';
import { useShallow } from 'zustand/react/shallow';
import { formatNumber } from '../format';
import { modelLabel, taskLabel } from '../labels';
import { judgeRun } from '../grid/classify';
import { runTitle, type RunView } from '../runView';
import { shownRun, useLab } from '../store/lab';
import { useRuns } from '../store/runs';
import { buildIclPlot, errorAxisTop, type PlotRun } from './iclData';
import { Legend } from './Legend';
import { iclTable } from './tableData';
import { PlotRegion } from './PlotRegion';
import { formatTooltipValue, iclAxes, iclSeries, ICL_MARGIN } from './chartFrame';

/** The tooltip's widest (px): at most about half of a laptop-width plot, so it fits on either side. */
const TOOLTIP_MAX_WIDTH = 260;

/** The shown run's colour: its own when it is a saved run, else black (the live run). */
const LIVE_COLOUR = '#000000';

/** The run's own metrics, named for what they are (the verdict reads other numbers). */
const METRIC_WORDS: Record<string, string> = {
  final_error: 'error at the last position',
  final_accuracy: 'accuracy at the last position',
  recall: 'recall at the last evaluation',
};

function metricsText(metrics: Record<string, number>): string {
  const parts = Object.entries(metrics).map(
    ([k, v]) => `${METRIC_WORDS[k] ?? k.replace(/_/g, ' ')} ${formatNumber(v)}`,
  );
  const text = parts.join('; ');
  return text ? ` ${text[0].toUpperCase()}${text.slice(1)}.` : '';
}

/** What the plot draws, in words, for the shown run. */
function drawnText(run: RunView, metric: 'error' | 'accuracy' | 'recall'): string {
  const at = run.evalStep ?? run.step;
  if (metric === 'recall') {
    const n = run.evaluations?.length ?? 1;
    return `Recall at ${n === 1 ? 'its one evaluation' : `each of its ${n} evaluations`} (the last at step ${at}).`;
  }
  if (metric === 'accuracy')
    return (
      `Evaluated at step ${at}: the share of prompts answered right at each position ` +
      '(no band: each is right or wrong).'
    );
  return `Evaluated at step ${at}; the shaded band holds the middle 90% of prompts.`;
}

/** The axes and the lines, in words: "Squared error / d against examples in the prompt: 3 lines." */
function axesText(plot: { yLabel: string; xLabel: string; series: readonly unknown[] }): string {
  const n = plot.series.length;
  const lines = n === 0 ? 'nothing drawn yet' : `${n} line${n === 1 ? '' : 's'}`;
  return `${plot.yLabel[0].toUpperCase()}${plot.yLabel.slice(1)} against ${plot.xLabel}: ${lines}.`;
}

function verdictText(run: RunView): string {
  const j = judgeRun({ version: 1, ...run });
  return j ? ` Verdict ${j.symbol}: ${j.reason}` : '';
}

export function IclPlot() {
  const run = useLab((s) => shownRun(s));
  const viewedId = useLab((s) => s.viewed?.runId);
  const compared = useRuns(useShallow((s) => s.runs.filter((r) => s.compare.includes(r.id) && r.id !== viewedId)));
  const ownColour = useRuns((s) => s.runs.find((r) => r.id === viewedId)?.colour);
  const shown: PlotRun | null = run
    ? {
        title: runTitle(run.config, taskLabel, modelLabel),
        colour: ownColour ?? LIVE_COLOUR,
        task: run.config.task,
        icl: run.icl,
        evaluations: run.evaluations,
        pairs: run.config.nPoints,
        evalStep: run.evalStep,
      }
    : null;
  const others: PlotRun[] = compared.map((r) => ({
    title: runTitle(r.run.config, taskLabel, modelLabel),
    colour: r.colour,
    task: r.run.config.task,
    icl: r.run.icl,
    evaluations: r.run.evaluations,
    pairs: r.run.config.nPoints,
    evalStep: r.run.evalStep,
  }));
  const plot = buildIclPlot(shown, others);
  const hidden = others.filter((o) => o.task !== (shown?.task ?? others[0]?.task)).length;
  const summary =
    (run?.icl
      ? drawnText(run, plot.metric) + verdictText(run) + metricsText(run.metrics)
      : 'The ICL curve appears at the first evaluation.') +
    (hidden > 0 ? ` ${hidden} compared run(s) of other tasks are not drawn.` : '');
  const accuracy = plot.metric !== 'error';
  const top = accuracy ? 1 : errorAxisTop(plot);
  return (
    <PlotRegion
      label="ICL curve"
      fileName="icl-curve"
      summary={summary}
      legend={plot.series.map((s) => ({ ...s, band: !!s.bandKey }))}
      table={iclTable(plot)}
    >
      {/* one labelled image for assistive technology: its axes and the caption (the numbers: the data table) */}
      <div role="img" aria-label={`ICL curve. ${axesText(plot)} ${summary}`}>
        <ResponsiveContainer width="100%" height={300}>
          <ComposedChart accessibilityLayer={false} data={plot.rows} margin={ICL_MARGIN}>
            {iclAxes({ xKey: 'pos', xLabel: plot.xLabel, yLabel: plot.yLabel, top, accuracy })}
            <Tooltip
              formatter={formatTooltipValue}
              labelFormatter={(l) => plot.xName(Number(l))}
              // long run names wrap inside a bounded box, so the tooltip fits beside the cursor in the plot
              wrapperStyle={{ maxWidth: TOOLTIP_MAX_WIDTH, zIndex: 5 }}
              contentStyle={{ whiteSpace: 'normal', fontSize: '0.85rem', padding: '0.3rem 0.5rem' }}
            />
            {iclSeries(plot.series, (s) => `${s.label}, 90% band`)}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <Legend series={plot.series} />
    </PlotRegion>
  );
}
