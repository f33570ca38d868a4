// `--resume`, `--extend-to` and `--stop-after`: which config a continued run trains with, and
// the sentences that refuse what would not continue the same run. A resumed run takes its
// whole config from the checkpoint; a flag that asks for something else is named, never
// silently obeyed or ignored.
import type { RunConfig } from '../spec/config';
import { CONFIG_BOUNDS } from '../train/schema';
import { Curriculum } from '../tasks';
import { UsageError } from './args';
import type { RunState } from './checkpoints';
import { CONFIG_FLAGS, configFromFlags } from './configFlags';

type Flags = Record<string, string | boolean | undefined>;

/** A count flag (--stop-after, --extend-to, --checkpoint-every): decimal digits only ("0x10", "1e3" get a sentence). */
export function countFlag(flags: Flags, name: string, min = 1): number | undefined {
  const text = flags[name];
  if (text === undefined) return undefined;
  const n = typeof text === 'string' && /^[0-9]{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= CONFIG_BOUNDS.steps.max)) {
    const range = `from ${min} to ${CONFIG_BOUNDS.steps.max}`;
    throw new UsageError(`--${name} must be a whole number ${range}, written in digits; got "${String(text)}".`);
  }
  return n;
}

/** The config fields the flags set (every field when --config or --preset gives a whole config). */
function fieldsSetByFlags(flags: Flags): (keyof RunConfig)[] {
  if (flags.config !== undefined || flags.preset !== undefined) {
    return Object.keys(configFromFlags({})) as (keyof RunConfig)[];
  }
  return CONFIG_FLAGS.filter((f) => flags[f.flag] !== undefined && flags[f.flag] !== false).map((f) => f.field);
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The config a resumed (or extended) run trains with: the checkpoint's, with steps raised to
 * --extend-to when given. Refuses flags that differ from it, a finished run without
 * --extend-to, and an extension the schedule cannot honour. Returns notes to print.
 */
export function resumedConfig(state: RunState, path: string, flags: Flags): { config: RunConfig; notes: string[] } {
  const run = state.run.config;
  const extendTo = countFlag(flags, 'extend-to');
  const notes: string[] = [];
  let config = run;
  if (extendTo !== undefined) {
    if (extendTo <= run.steps) {
      throw new UsageError(
        `--extend-to ${extendTo} must be more than the run's ${run.steps} steps; ` +
          'to continue it to its own end, leave --extend-to out.',
      );
    }
    if (run.lrSchedule === 'cosine') {
      throw new UsageError(
        `--extend-to cannot extend this run: its learning rate follows a cosine that reaches 0 at step ${run.steps}, ` +
          'and stretching it would change the steps already trained. Start a longer run instead.',
      );
    }
    config = { ...run, steps: extendTo };
    const how = curriculumNote(run, state.curriculumSteps);
    notes.push(`extending the run from ${run.steps} to ${extendTo} steps: ${how}`);
  } else if (state.step >= run.steps) {
    const why =
      state.step === run.steps
        ? `the run in ${path} is finished (step ${state.step} of ${run.steps})`
        : `${path} is at step ${state.step}, past its run's ${run.steps} steps`;
    throw new UsageError(`${why}, so there is nothing to resume; continue it with --extend-to M (M > ${run.steps}).`);
  }
  const wanted = configFromFlags(flags);
  const differ = fieldsSetByFlags(flags).filter((k) => wanted[k] !== config[k]);
  if (differ.includes('steps')) {
    throw new UsageError(
      `--steps ${wanted.steps} differs from the resumed run's ${config.steps} steps; ` +
        `a resumed run keeps its length (use --extend-to ${wanted.steps} to continue it further).`,
    );
  }
  if (differ.length > 0) {
    const list = (c: RunConfig) => differ.map((k) => `${k} ${shown(c[k])}`).join(', ');
    throw new UsageError(
      `${path} is a run with ${list(config)}, but the flags ask for ${list(wanted)}; ` +
        'a resumed run keeps its own config, so leave those flags out (or start a new run without --resume).',
    );
  }
  return { config, notes };
}

/** How the curriculum treats the steps past a run's first length. */
function curriculumNote(run: RunConfig, curriculumSteps: number): string {
  const fullAt = new Curriculum({ ...run, steps: curriculumSteps }).fullSizeStep();
  const evals = `evaluations continue every ${run.evalEvery} steps.`;
  if (fullAt === 0) return `the task trains at full size throughout (no curriculum), as before; ${evals}`;
  return (
    `the curriculum keeps the pace of the first ${curriculumSteps} steps (full size from step ${fullAt}), ` +
    `so the added steps train at full size; ${evals}`
  );
}

/** --stop-after k: a step inside the run, after the one it resumes from. */
export function stopStep(flags: Flags, config: RunConfig, fromStep: number): number {
  const k = countFlag(flags, 'stop-after');
  if (k === undefined) return config.steps;
  if (k >= config.steps) {
    throw new UsageError(
      `--stop-after ${k} must be less than the run's ${config.steps} steps (without it the run stops at its end).`,
    );
  }
  if (k <= fromStep) throw new UsageError(`--stop-after ${k} must be after step ${fromStep}, where the run resumes.`);
  return k;
}
