// The status line (role "status"): "step 120 / 2000 · 15 steps/s · 2 min 3 s left"; while the
// worker compiles GPU pipelines (a first step: a second or more), "compiling 38 GPU kernels".
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
  const compiling = useLab((s) => s.compiling);
  const stateWords =
    compiling > 0 && !viewed ? `compiling ${compiling} GPU kernel${compiling === 1 ? '' : 's'}` : STATE_WORDS[state];
  let text: string;
  if (!run) {
    text = `step 0 / ${total} · ${stateWords}`;
  } else if (viewed) {
    const what = viewed === 'link' ? 'shared run' : 'saved run';
    text =
      `step ${run.step} / ${run.total} · ${what}, not trained here` +
      `${run.stepsPerSecond > 0 ? ` (it trained at ${formatRate(run.stepsPerSecond)})` : ''}`;
  } else {
    const left = run.stepsPerSecond > 0 ? (run.total - run.step) / run.stepsPerSecond : NaN;
    const parts = [`step ${run.step} / ${run.total}`];
    if (!(compiling > 0 && run.step === 0)) parts.push(formatRate(run.stepsPerSecond)); // no rate before a first step
    if (compiling > 0) parts.push(stateWords);
    else if (state === 'training') parts.push(`${formatDuration(left)} left`);
    else parts.push(stateWords);
    text = parts.join(' · ');
  }
  return (
    <p role="status" className="status-line">
      {text}
      {adapter ? <span className="adapter"> · GPU: {adapter}</span> : null}
    </p>
  );
}
