// `time-to-icl`: how long until a model learns in context. Trains each recipe of a JSON list
// (a run config's fields, any missing one takes its task's default), evaluates every
// `evalEvery` steps, and stops at the first evaluation where SPEC.md's rule says "learns"
// (or when the recipe's step or time budget runs out). Prints one JSON line per recipe:
// the steps and training seconds (evaluations excluded) to "learns", the verdict, and every
// evaluation's score; writes each run file to --out DIR when given.
//
//   time-to-icl --recipes recipes.json [--out DIR] [--shard i/n] [--max-seconds S] [--deadline S]
// --max-seconds caps each recipe's training time; --deadline the whole process's (a recipe cut
// short reports what it reached).
//
// recipes.json: [{ "name": "paper", "task": "linear_regression", "model": "transformer",
//   "size": "tiny", "steps": 20000, "evalEvery": 250, … }, …]; a recipe may name a "preset"
// (src/train/presets.ts) that its other fields override, and "full": true to train all its
// steps (a preset's outcome) instead of stopping at "learns"; "shape": { "layers", "dim",
// "heads" } replaces the size's model shape (the smallest configurations for the CI tests).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nodeGpu } from '../gpu/node';
import { envDawnFlags } from './dawnFlags';
import type { SizeSpec } from '../nn/models';
import type { RunConfig } from '../spec/config';
import { PRESET_IDS, presetConfig, type PresetId } from '../train/presets';
import { parseRunConfig, stringifyRunFile } from '../train/schema';
import { Trainer } from '../train/trainer';
import { judge, type Verdict } from '../spec/verdict';
import { numberFlag, parseFlags, UsageError } from './args';
import { readJsonFile, writeFileAtomic } from './files';
import { cliBatches } from './batchWorker';

export const TIME_TO_ICL_HELP =
  'time-to-icl --recipes FILE.json [--out DIR] [--shard i/n] [--max-seconds S] [--deadline S]\n' +
  `  trains each recipe (a run config's fields plus "name") until SPEC's rule says "learns",
  and prints one JSON line per recipe: steps and training seconds to "learns", the verdict`;

export interface TimeToIclResult {
  name: string;
  config: RunConfig;
  /** First evaluation step at which the run "learns"; null if it never did. */
  stepsToLearn: number | null;
  /** Training seconds (evaluations excluded) up to that step. */
  secondsToLearn: number | null;
  stepsRun: number;
  trainSeconds: number;
  evalSeconds: number;
  stepsPerSecond: number;
  verdict: Verdict;
  evaluations: { step: number; model: number; verdict: string }[];
  adapter: string;
}

export async function timeToIclCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, {
    recipes: { type: 'string' },
    out: { type: 'string' },
    shard: { type: 'string' },
    'max-seconds': { type: 'string' },
    deadline: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (flags.help || !flags.recipes) {
    console.log(TIME_TO_ICL_HELP);
    return flags.help ? 0 : 2;
  }
  const list = readJsonFile(flags.recipes, 'recipes file') as ({
    name?: string;
    preset?: PresetId;
    full?: boolean;
    shape?: SizeSpec;
  } & Partial<RunConfig>)[];
  if (!Array.isArray(list)) throw new UsageError('--recipes must hold a JSON list of run configs.');
  const [shard, shards] = /^\d+\/\d+$/.test(flags.shard ?? '0/1')
    ? (flags.shard ?? '0/1').split('/').map(Number)
    : [-1, 0];
  if (!(shards >= 1 && shard >= 0 && shard < shards))
    throw new UsageError(`--shard must be i/n with 0 ≤ i < n; got "${flags.shard}".`);
  const maxSeconds = numberFlag(flags['max-seconds'], 'max-seconds') ?? Infinity;
  const deadline = performance.now() + 1000 * (numberFlag(flags.deadline, 'deadline') ?? Infinity);
  if (flags.out) {
    try {
      mkdirSync(flags.out, { recursive: true });
    } catch (e) {
      throw new UsageError(
        `--out: cannot create the directory ${flags.out} (` +
          `${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
      );
    }
  }
  const gpu = await nodeGpu({ dawnFlags: envDawnFlags() });
  try {
    for (let i = shard; i < list.length; i += shards) {
      const { name = `recipe${i}`, preset, full = false, shape, ...fields } = list[i];
      if (preset !== undefined && !PRESET_IDS.includes(preset))
        throw new UsageError(`recipe "${name}": "preset" must be one of ${PRESET_IDS.join(', ')}.`);
      const base = preset
        ? presetConfig(preset, fields.task ?? 'linear_regression', fields.model ?? 'transformer', fields.seed)
        : {};
      const parsed = parseRunConfig({ ...base, ...fields });
      if (!parsed.ok) throw new UsageError(`recipe "${name}": ${parsed.error}`);
      if (performance.now() >= deadline) break;
      const result = await timeToIcl(gpu, name, parsed.value, { maxSeconds, deadline, full, shape }, flags.out);
      console.log(JSON.stringify(result));
    }
  } finally {
    gpu.destroy();
  }
  return 0;
}

async function timeToIcl(
  gpu: Awaited<ReturnType<typeof nodeGpu>>,
  name: string,
  config: RunConfig,
  limits: { maxSeconds: number; deadline: number; full: boolean; shape?: SizeSpec },
  outDir?: string,
): Promise<TimeToIclResult> {
  const { maxSeconds, deadline, full, shape } = limits;
  const trainer = new Trainer(gpu, config, { size: shape && { ...shape, name: config.size }, batches: cliBatches() });
  const pairs = config.nPoints;
  const evaluations: TimeToIclResult['evaluations'] = [];
  let trainMs = 0;
  let evalMs = 0;
  let stepsToLearn: number | null = null;
  let secondsToLearn: number | null = null;
  let verdict: Verdict = judge(config.task, [], config.evalPrompts, pairs);
  try {
    while (!trainer.done && trainMs / 1000 < maxSeconds && performance.now() < deadline) {
      const t0 = performance.now();
      await trainer.train(Math.min(config.evalEvery, config.steps - trainer.step));
      await trainer.flush();
      const t1 = performance.now();
      await trainer.evaluate();
      evalMs += performance.now() - t1;
      trainMs += t1 - t0;
      verdict = judge(config.task, trainer.evaluations, config.evalPrompts, pairs);
      evaluations.push({
        step: trainer.step,
        model: trainer.evaluations[trainer.evaluations.length - 1].model,
        verdict: verdict.symbol,
      });
      if (verdict.learns && stepsToLearn === null) {
        stepsToLearn = trainer.step;
        secondsToLearn = trainMs / 1000;
        if (!full) break;
      }
    }
    if (outDir) {
      writeFileAtomic(join(outDir, `${name}.json`), stringifyRunFile(trainer.runFile()));
    }
    return {
      name,
      config,
      stepsToLearn,
      secondsToLearn,
      stepsRun: trainer.step,
      trainSeconds: trainMs / 1000,
      evalSeconds: evalMs / 1000,
      stepsPerSecond: trainer.step / (trainMs / 1000),
      verdict,
      evaluations,
      adapter: gpu.info.adapterName,
    };
  } finally {
    trainer.destroy();
  }
}
