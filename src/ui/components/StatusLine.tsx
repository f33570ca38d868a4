// The status line (role "status"): "step 120 / 2000 · 15 steps/s · training · 2 min 3 s left ·
// GPU: …". States are distinct words: compiling N GPU kernels, training, evaluating (k / n prompts
// as the worker reads them, then the baselines; its time so far until it says), pausing…, paused,
// finished. Fixed layout: each part keeps its width and the line
// never wraps (the GPU name is cut with an ellipsis, whole in its title).
import { useEffect, useState } from 'react';
import { timeLeft, type PromptsRead } from '../eta';
import { formatDuration, formatRate } from '../format';
import { setIsLive, useRunSet } from '../session/runSetStore';
import { RUN_SET_STATE_WORDS } from './FamiliesRace';
import { shownRun, useLab, type TrainerState } from '../store/lab';

const STATE_WORDS: Record<TrainerState, string> = {
  off: 'ready',
  starting: 'starting the GPU',
  loading: 'building the model',
  idle: 'ready',
  training: 'training',
  evaluating: 'evaluating',
  pausing: 'pausing…',
  paused: 'paused',
  done: 'finished',
};

/** Seconds since `since` (performance.now()), refreshed every second while `since` is set. */
function useElapsed(since: number | null): number | null {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (since === null) return;
    setNow(performance.now());
    const id = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(id);
  }, [since]);
  return since === null ? null : Math.max(0, (now - since) / 1000);
}

export function StatusLine() {
  const run = useLab((s) => shownRun(s));
  const state = useLab((s) => s.trainerState);
  const viewed = useLab((s) => s.viewed?.source ?? null);
  const total = useLab((s) => s.config.steps);
  const adapter = useLab((s) => s.adapter);
  const compiling = useLab((s) => s.compiling);
  const evalSeconds = useLab((s) => s.evalSeconds);
  const evaluatingFor = useElapsed(useLab((s) => s.evalStartedAt));
  const progress = useLab((s) => s.evalProgress);
  const diverged = useLab((s) => s.liveDiverged && s.trainerState === 'paused');
  let stateWords =
    compiling > 0 && !viewed ? `compiling ${compiling} GPU kernel${compiling === 1 ? '' : 's'}` : STATE_WORDS[state];
  if (diverged) stateWords = 'diverged, stopped';
  let promptsRead: PromptsRead | null = null;
  if (state === 'evaluating' && compiling === 0 && evaluatingFor !== null) {
    if (progress?.phase === 'prompts') {
      stateWords += ` ${progress.done} / ${progress.total} prompts`;
      const seconds = (progress.at - progress.since) / 1000;
      promptsRead = { ...progress, seconds, waiting: (performance.now() - progress.at) / 1000 };
    } else if (progress?.phase === 'baselines') {
      stateWords += `: baselines on ${progress.total} prompts, ${formatDuration(evaluatingFor)}`;
    } else {
      const expected = evalSeconds === null ? '' : ` of ~${formatDuration(evalSeconds)}`;
      stateWords += ` ${formatDuration(evaluatingFor)}${expected}`;
    }
  }
  const set = useRunSet((s) => (s.kind !== null && setIsLive(s.state) ? s : null));
  let step: string;
  let rate = '';
  let words: string;
  if (set) {
    // several runs train at once (Train all families, Seeds: N): the set's own progress
    const done = Math.min(...set.members.map((m) => m.step));
    step = `step ${done} / ${set.members[0]?.total ?? total}`;
    if (set.stepsPerSecond > 0) rate = `${formatRate(set.stepsPerSecond)} each`;
    const what = set.kind === 'families' ? 'four families' : `${set.members.length} seeds`;
    words = `${what}: ${RUN_SET_STATE_WORDS[set.state]}`;
  } else if (!run) {
    step = `step 0 / ${total}`;
    words = stateWords;
  } else if (viewed) {
    const what = viewed === 'link' ? 'shared run' : 'saved run';
    step = `step ${run.step} / ${run.total}`;
    words =
      `${what}, not trained here` +
      `${run.stepsPerSecond > 0 ? ` (it trained at ${formatRate(run.stepsPerSecond)})` : ''}`;
  } else {
    step = `step ${run.step} / ${run.total}`;
    if (!(compiling > 0 && run.step === 0)) rate = formatRate(run.stepsPerSecond); // no rate before a first step
    words = stateWords;
    if (compiling === 0 && (state === 'training' || state === 'evaluating')) {
      const eta = timeLeft({
        step: run.step,
        total: run.total,
        stepsPerSecond: run.stepsPerSecond,
        evalEvery: run.config.evalEvery,
        evalSeconds,
        evaluatingFor: state === 'evaluating' ? evaluatingFor : null,
        promptsRead,
      });
      words += ` · ${formatDuration(eta.seconds)} left${eta.evalsKnown ? '' : ' + evaluations'}`;
    }
  }
  return (
    <p role="status" className="status-line" title={adapter ? `GPU: ${adapter}` : undefined}>
      <span className="st-step">{step}</span>
      <span className="st-rate">{rate ? ` · ${rate}` : ''}</span>
      <span className="st-state"> · {words}</span>
      {adapter ? <span className="adapter"> · GPU: {adapter}</span> : null}
    </p>
  );
}
