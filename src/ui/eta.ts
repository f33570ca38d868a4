// The status line's time left: the steps to go at the measured rate plus the evaluations to
// come, each as long as the last one took (an evaluation on a CPU adapter can outlast many
// steps, so leaving them out made the estimate read "0 s left" for minutes). While one runs,
// its own progress (prompts read so far) says how much of it is left.

/** The evaluation under way: prompts the model has read, of `total`, in `seconds` since it began
 *  reading them (after any compiling, so the rate is the model's own), as of its last report;
 *  `waiting`: seconds since that report (the next chunk is being read). */
export interface PromptsRead {
  done: number;
  total: number;
  seconds: number;
  waiting?: number;
}

export interface EtaInput {
  step: number;
  total: number;
  stepsPerSecond: number;
  evalEvery: number;
  /** Seconds the last evaluation took, or null before the first. */
  evalSeconds: number | null;
  /** Seconds the evaluation under way has run, or null when none is. */
  evaluatingFor: number | null;
  /** How far the evaluation under way has read its prompts, when it has said (omitted: not known). */
  promptsRead?: PromptsRead | null;
}

/** Evaluations still to run after `step`: one every `evalEvery` steps and one at the end. */
export function evaluationsLeft(step: number, total: number, evalEvery: number): number {
  if (step >= total || evalEvery <= 0) return 0;
  const periodic = Math.floor(total / evalEvery) - Math.floor(step / evalEvery);
  return periodic + (total % evalEvery === 0 ? 0 : 1);
}

/** Seconds the model needs to read the whole evaluation set at the rate seen so far, or null
 *  before a first chunk was read. */
function projectedSeconds(p: PromptsRead | null | undefined): number | null {
  if (!p || p.done <= 0 || p.total <= 0 || p.seconds <= 0) return null;
  return (p.seconds * p.total) / p.done;
}

/** Seconds left, or NaN when the rate is not known yet. `evalsKnown` is false while no
 *  evaluation has been timed or measured (the estimate then counts steps only, and says so). */
export function timeLeft(e: EtaInput): { seconds: number; evalsKnown: boolean } {
  const steps = e.stepsPerSecond > 0 ? (e.total - e.step) / e.stepsPerSecond : NaN;
  const projected = e.evaluatingFor === null ? null : projectedSeconds(e.promptsRead);
  let current = 0;
  if (e.evaluatingFor !== null) {
    // the prompts' own rate once a chunk is read (the rate as of the last report, so the estimate
    // counts down between reports instead of growing); the last evaluation's length before that
    const read = e.promptsRead;
    current =
      projected !== null && read
        ? Math.max(0, projected - read.seconds - (read.waiting ?? 0))
        : Math.max(0, (e.evalSeconds ?? 0) - e.evaluatingFor);
  }
  // a first evaluation (which also compiles and computes the baselines) gives the ones to come
  // the length of its prompts' part: what a later one does
  const each = e.evalSeconds ?? projected;
  if (each === null) return { seconds: steps + current, evalsKnown: false };
  // the evaluation under way is not one of those left (its step is done)
  const evals = evaluationsLeft(e.step, e.total, e.evalEvery) * each;
  return { seconds: steps + evals + current, evalsKnown: true };
}
