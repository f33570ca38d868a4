// A grid cell's verdict over its seeds, by SPEC.md's rule (src/spec/verdict.ts, never
// re-implemented here): "the verdict of the seeds' mean curve, with each seed's verdict listed
// beside it". The mean curve is the seeds' last ICL curves averaged position by position (each
// curve's mean, lo and hi; accuracies too); the earlier evaluations, which the rule reads only
// for the model's score, are the seeds' scores averaged evaluation by evaluation (a tail mean of
// a mean curve is the mean of the tail means). The evaluation-set size the rule checks is one
// seed's, so a verdict needs each seed's own set to be large enough.
import type { ModelId, TaskId } from '../spec/config';
import type { Curve, IclResult } from '../spec/icl';
import { judge, summarize, type EvalSummary, type Verdict } from '../spec/verdict';
import type { RunFile } from './protocol';

export interface SeedVerdict {
  seed: number;
  verdict: Verdict;
}

export interface CellVerdict {
  task: TaskId;
  model: ModelId;
  /** The verdict of the finished seeds' mean curve; null when no seed has finished. */
  verdict: Verdict | null;
  /** Each finished seed's own verdict, in seed order. */
  seeds: SeedVerdict[];
  /** Seeds of the cell not finished (yet). */
  unfinished: number[];
  /** Seeds whose training failed (diverged), with the sentence saying where; left out of the mean. */
  failed: { seed: number; failure: string }[];
  /** The finished seeds' verdict values (gap, or accuracy / recall): mean, sample SD, min, max (NaN if none). */
  spread: { mean: number; sd: number; min: number; max: number; n: number };
}

function average(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Position by position mean of equally long lists (NaN stays NaN, as a diverged seed should). */
function averageLists(lists: readonly (readonly number[])[]): number[] {
  return lists[0].map((_, i) => average(lists.map((l) => l[i])));
}

/** The seeds' ICL results averaged: curves and accuracies present in every seed, over the first's positions. */
export function meanIcl(results: readonly IclResult[]): IclResult {
  const [first] = results;
  const n = first.positions.length;
  if (results.some((r) => r.positions.length !== n)) throw new Error('The seeds have ICL curves of different lengths.');
  const curves: Record<string, Curve> = {};
  for (const name of Object.keys(first.curves)) {
    if (!results.every((r) => r.curves[name])) continue;
    const part = (p: keyof Curve) => averageLists(results.map((r) => r.curves[name][p]));
    curves[name] = { mean: part('mean'), lo: part('lo'), hi: part('hi') };
  }
  const mean: IclResult = { positions: [...first.positions], curves };
  if (first.accuracy) {
    const accuracy: Record<string, number[]> = {};
    for (const name of Object.keys(first.accuracy)) {
      if (results.every((r) => r.accuracy?.[name]))
        accuracy[name] = averageLists(results.map((r) => r.accuracy![name]));
    }
    mean.accuracy = accuracy;
  }
  return mean;
}

/** The evaluations the rule reads for the seeds' mean: earlier ones averaged, the last from the mean curve. */
export function meanEvaluations(runs: readonly RunFile[]): EvalSummary[] {
  const { task } = runs[0].config;
  const lists = runs.map((r) => r.evaluations ?? []);
  const count = Math.min(...lists.map((l) => l.length));
  const icls = runs.map((r) => r.icl);
  if (count === 0 || icls.some((i) => i === null)) return [];
  const earlier = Array.from({ length: count - 1 }, (_, i) => ({ model: average(lists.map((l) => l[i].model)) }));
  return [...earlier, summarize(task, meanIcl(icls as IclResult[]))];
}

/** The verdict of one finished run, as the train command and the page give it. */
export function runVerdict(run: RunFile): Verdict {
  const { task, evalPrompts, nPoints } = run.config;
  const evaluations = run.evaluations?.length ? run.evaluations : run.icl ? [summarize(task, run.icl)] : [];
  return judge(task, evaluations, evalPrompts, nPoints);
}

/**
 * A (task, model) cell's verdict from its seeds' runs (null: not finished). The seeds' runs
 * share a config but for the seed, so the mean is judged with the first's task, set size and pairs.
 */
export function cellVerdict(
  task: TaskId,
  model: ModelId,
  runs: readonly { seed: number; run: RunFile | null; failure?: string }[],
): CellVerdict {
  const done = runs.filter((r): r is { seed: number; run: RunFile } => r.run !== null);
  const seeds = done.map(({ seed, run }) => ({ seed, verdict: runVerdict(run) }));
  const failed = runs.flatMap((r) => (!r.run && r.failure !== undefined ? [{ seed: r.seed, failure: r.failure }] : []));
  const unfinished = runs.filter((r) => r.run === null && r.failure === undefined).map((r) => r.seed);
  const values = seeds.map((s) => s.verdict.value).filter(Number.isFinite);
  const mean = values.length ? average(values) : NaN;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / (values.length - 1)) : 0;
  const spread = {
    mean,
    sd: values.length ? sd : NaN,
    min: values.length ? Math.min(...values) : NaN,
    max: values.length ? Math.max(...values) : NaN,
    n: values.length,
  };
  if (!done.length) return { task, model, verdict: null, seeds, unfinished, failed, spread };
  const { config } = done[0].run;
  const verdict = judge(task, meanEvaluations(done.map((d) => d.run)), config.evalPrompts, config.nPoints);
  return { task, model, verdict, seeds, unfinished, failed, spread };
}
