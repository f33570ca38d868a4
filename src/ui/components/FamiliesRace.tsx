// The run set's plots, live: "Train all families" draws one loss line and one ICL line per family
// (one colour each, one legend); "Seeds: N" draws each seed's loss and the seeds' ICL curve as
// their mean with a min–max band (SeedsBand). The runs train interleaved in the page's worker, one
// step of each in turn on one GPU device; Continue and Stop act on every run (the lab's Pause too).
import { ComposedChart, Line, LineChart, ResponsiveContainer, Tooltip } from 'recharts';
import { formatDuration, formatNumber, formatRate } from '../format';
import { taskLabel } from '../labels';
import { Legend } from '../plots/Legend';
import { errorAxisTop } from '../plots/iclData';
import type { Series } from '../plots/iclData';
import { continueSet, memberLabel, stopSet } from '../session/runSet';
import { lossRows, memberColour, raceIclPlot } from '../session/runSetPlot';
import { useLab } from '../store/lab';
import { setIsLive, useRunSet, type RunSetViewState } from '../session/runSetStore';
import { SeedsBandPlot } from './SeedsBand';
import { iclAxes, iclSeries, ICL_MARGIN, lossAxes } from '../plots/chartFrame';

/** The loss and ICL plots side by side where there is room, one above the other on a phone. */
const PLOTS_GRID = { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(300px, 1fr))', gap: '0.75rem' };

/** A run set's state in words (the race panel and the page's status line). */
export const RUN_SET_STATE_WORDS: Record<RunSetViewState, string> = {
  loading: 'building the models',
  idle: 'ready',
  training: 'training',
  evaluating: 'evaluating',
  pausing: 'pausing…',
  paused: 'paused',
  done: 'finished',
  ended: 'ended',
};

/** The set's rate: one set step trains each run once. Below 0.1 steps/s (a CPU adapter), seconds per step. */
function rateWords(stepsPerSecond: number): string {
  const each = stepsPerSecond >= 0.1 ? formatRate(stepsPerSecond) : `${formatDuration(1 / stepsPerSecond)} per step`;
  return `${each} for each run`;
}

export function FamiliesRace() {
  const kind = useRunSet((s) => s.kind);
  const members = useRunSet((s) => s.members);
  const state = useRunSet((s) => s.state);
  const rate = useRunSet((s) => s.stepsPerSecond);
  // a single run trained since has taken the worker's device and the lab's plots
  const singleRun = useLab((s) => s.live !== null);
  if (!kind || members.length === 0 || singleRun) return null;
  const labels = members.map((m) => memberLabel(kind, m.config));
  const title = kind === 'families' ? 'All families' : `${members.length} seeds`;
  const step = Math.min(...members.map((m) => m.step));
  const total = members[0].total;
  const series: Series[] = labels.map((label, i) => ({ key: `r${i}`, label, colour: memberColour(i), width: 2 }));
  const evalSteps = members.map((m) => m.evals[m.evals.length - 1]?.step ?? 0);
  const failed = members.flatMap((m, i) => (m.failure ? [`${labels[i]} diverged and was set aside.`] : []));
  return (
    <section className="plot run-set" aria-label={title} data-eval-steps={evalSteps.join(',')}>
      <div className="plot-head">
        <h2>
          {title}: {taskLabel(members[0].config.task)}
        </h2>
        <div className="button-row">
          <button type="button" disabled={state !== 'paused'} onClick={() => void continueSet()}>
            Continue all
          </button>
          <button type="button" disabled={!setIsLive(state) || state === 'loading'} onClick={() => void stopSet()}>
            Stop all
          </button>
        </div>
      </div>
      <p className="run-set-status">
        {`step ${step} / ${total}${rate > 0 ? ` · ${rateWords(rate)}` : ''} · ${RUN_SET_STATE_WORDS[state]} · `}
        {`${members.length} runs interleaved, one step of each in turn on this page's one GPU device`}
      </p>
      {failed.length > 0 ? <p className="field-error">{failed.join(' ')}</p> : null}
      <div className="run-set-plots" style={PLOTS_GRID}>
        <LossChart series={series} />
        {kind === 'families' ? <RaceIclChart labels={labels} /> : <SeedsBandPlot />}
      </div>
      <Legend series={series} />
      <p className="plot-summary">
        {state === 'done'
          ? 'Each finished run is kept in the runs list below (open, overlay, export or share it there).'
          : 'Stop all keeps each run evaluated so far in the runs list, as it stands.'}
      </p>
    </section>
  );
}

function LossChart({ series }: { series: Series[] }) {
  const members = useRunSet((s) => s.members);
  const rows = lossRows(members);
  const all = rows.flatMap((r) => series.map((s) => ({ loss: r[s.key] ?? NaN }))).filter((p) => p.loss > 0);
  return (
    <div role="img" aria-label="Training loss of each run against the step" className="run-set-loss">
      <ResponsiveContainer width="100%" height={240}>
        <LineChart accessibilityLayer={false} data={rows} margin={ICL_MARGIN}>
          {lossAxes(all)}
          <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(l) => `step ${l}`} />
          {series.map((s) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stroke={s.colour}
              strokeWidth={1.5}
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

function RaceIclChart({ labels }: { labels: string[] }) {
  const members = useRunSet((s) => s.members);
  const plot = raceIclPlot(members, labels);
  const accuracy = plot.metric !== 'error';
  const top = accuracy ? 1 : errorAxisTop(plot);
  const steps = [...new Set(members.map((m) => m.evals[m.evals.length - 1]?.step).filter((s) => s !== undefined))];
  const words =
    steps.length === 0
      ? 'No evaluation yet.'
      : `Each family's ${plot.yLabel} against ${plot.xLabel}, at step ${steps.join(' and ')}.`;
  return (
    <div className="run-set-icl">
      <div role="img" aria-label={`ICL curve of each family. ${words}`}>
        <ResponsiveContainer width="100%" height={240}>
          <ComposedChart accessibilityLayer={false} data={plot.rows} margin={ICL_MARGIN}>
            {iclAxes({ xKey: 'pos', xLabel: plot.xLabel, yLabel: plot.yLabel, top, accuracy })}
            <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(l) => plot.xName(Number(l))} />
            {iclSeries(plot.series, (s) => s.label)}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <p className="plot-summary">{words}</p>
    </div>
  );
}
