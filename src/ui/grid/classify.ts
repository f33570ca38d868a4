// The page's verdict for one run: SPEC.md's rule (src/spec/verdict.ts), the same as the CLI's
// and the grid runner's, on the run's evaluations. A run file without them (written before
// runs kept every evaluation) is judged on its last ICL curve alone, which the rule calls
// inconclusive (fewer than 3 evaluations), saying so.
import { judge, summarize, type Verdict } from '../../spec/verdict';
import type { RunFile } from '../../train/protocol';

export function judgeRun(run: RunFile): Verdict | null {
  const { config, icl } = run;
  const evaluations = run.evaluations?.length ? run.evaluations : icl ? [summarize(config.task, icl)] : [];
  if (!evaluations.length) return null;
  return judge(config.task, evaluations, config.evalPrompts, config.nPoints);
}
