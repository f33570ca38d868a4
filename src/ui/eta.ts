// The status line's time left: the steps to go at the measured rate plus the evaluations to
// come, each as long as the last one took (an evaluation on a CPU adapter can outlast many
// steps, so leaving them out made the estimate read "0 s left" for minutes).

export interface EtaInput {
  step: number;
  total: number;
  stepsPerSecond: number;
  evalEvery: number;
  /** Seconds the last evaluation took, or null before the first. */
  evalSeconds: number | null;
  /** Seconds the evaluation under way has run, or null when none is. */
  evaluatingFor: number | null;
}

/** Evaluations still to run after `step`: one every `evalEvery` steps and one at the end. */
export function evaluationsLeft(step: number, total: number, evalEvery: number): number {
  if (step >= total || evalEvery <= 0) return 0;
  const periodic = Math.floor(total / evalEvery) - Math.floor(step / evalEvery);
  return periodic + (total % evalEvery === 0 ? 0 : 1);
}

/** Seconds left, or NaN when the rate is not known yet. `evalsKnown` is false before a first
 *  evaluation has been timed (the estimate then counts steps only, and says so). */
export function timeLeft(e: EtaInput): { seconds: number; evalsKnown: boolean } {
  const steps = e.stepsPerSecond > 0 ? (e.total - e.step) / e.stepsPerSecond : NaN;
  const current = e.evaluatingFor === null ? 0 : Math.max(0, (e.evalSeconds ?? 0) - e.evaluatingFor);
  if (e.evalSeconds === null) return { seconds: steps + current, evalsKnown: false };
  // the evaluation under way is not one of those left (its step is done)
  const evals = evaluationsLeft(e.step, e.total, e.evalEvery) * e.evalSeconds;
  return { seconds: steps + evals + current, evalsKnown: true };
}
