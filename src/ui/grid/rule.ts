// SPEC.md's verdict rule in words, built from its numbers (src/spec/verdict.ts VERDICT_RULE), so
// the page states the rule the lab's verdicts are computed by and cannot drift from it.
import { VERDICT_RULE as R } from '../../spec/verdict';

const pct = (x: number) => `${Math.round(100 * x)}%`;

export function verdictRuleSentences(): string[] {
  return [
    `Each run is judged at its last evaluation. For regression tasks, the ICL gap is (model − best baseline) ÷ ` +
      `(zero − best baseline), from the errors averaged over the last quarter of the prompt; sparse parity is ` +
      `judged by its accuracy over the last quarter, vector MQAR by its recall.`,
    `✓ matches the best baseline: gap ≤ ${R.matchGap}, or accuracy ≥ ${pct(R.matchAccuracy)}. ` +
      `✗ fails: gap ≥ ${R.failGap}, or accuracy within a tenth of the way from chance to 100%. ` +
      `▲ in between (it "learns" when the gap is ≤ ${R.learnsGap} or accuracy ≥ ${pct(R.learnsAccuracy)}).`,
    `– inconclusive: fewer than ${R.minPrompts} evaluation prompts or ${R.minEvaluations} evaluations, the ` +
      `score still moving by more than ${pct(R.settled)} of the zero-to-best span between the last two ` +
      `evaluations, or no baseline clearly better than zero (by less than ${R.minSpan}), where the gap is ` +
      `not defined. A short run is usually inconclusive, not a failure.`,
  ];
}
