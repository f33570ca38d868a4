// The status line (role "status"): "step 120 / 2000 · 15 steps/s · 2 min 3 s left".
import { formatDuration, formatRate } from '../format';
import { shownRun, useLab, type TrainerState } from '../store/lab';

const STATE_WORDS: Record<TrainerState, string> = {
  off: 'ready',
  starting: 'starting the GPU',
  loading: 'building the model',
  idle: 'ready',
  training: 'training',
  paused: 'paused',
  done: 'finished',
};

export function StatusLine() {
  const run = useLab((s) => shownRun(s));
  const state = useLab((s) => s.trainerState);
  const viewed = useLab((s) => s.viewed?.source ?? null);
  const total = useLab((s) => s.config.steps);
  const adapter = useLab((s) => s.adapter);
  let text: string;
  if (!run) {
    text = `step 0 / ${total} · ${STATE_WORDS[state]}`;
  } else if (viewed) {
    const what = viewed === 'link' ? 'shared run' : 'saved run';
    text = `step ${run.step} / ${run.total} · ${what}, not trained here${run.stepsPerSecond > 0 ? ` (it trained at ${formatRate(run.stepsPerSecond)})` : ''}`;
  } else {
    const left = run.stepsPerSecond > 0 ? (run.total - run.step) / run.stepsPerSecond : NaN;
    const parts = [`step ${run.step} / ${run.total}`, formatRate(run.stepsPerSecond)];
    if (state === 'training') parts.push(`${formatDuration(left)} left`);
    else parts.push(STATE_WORDS[state]);
    text = parts.join(' · ');
  }
  return (
    <p role="status" className="status-line">
      {text}
      {adapter ? <span className="adapter"> · GPU: {adapter}</span> : null}
    </p>
  );
}
