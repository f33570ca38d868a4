// Which shard of the grid this process trains: `--shard i/n` (0-based) when given; otherwise
// from the scheduler that started it, so one script serves every task of an array:
// - Slurm job array: i = (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP
//   of n = SLURM_ARRAY_TASK_COUNT (indices need not start at 0; a step of 1 when unset);
// - Kubernetes Indexed Job: i = JOB_COMPLETION_INDEX, with n from `--shards N` (Kubernetes
//   sets no count variable);
// - neither: the whole grid. The environment is passed in, so tests can give any.
import { WHOLE_GRID, type Shard } from '../train/gridPlan';
import { UsageError } from './args';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface ShardChoice {
  shard: Shard;
  /** Where it came from, for the log: "--shard", "Slurm array task 7 (3-10)", … */
  source: string;
}

const DIGITS = /^[0-9]{1,9}$/;

function whole(text: string | undefined, what: string): number {
  if (text === undefined || !DIGITS.test(text)) {
    throw new UsageError(`${what} must be a whole number written in digits; got "${text ?? ''}".`);
  }
  return Number(text);
}

function checked(index: number, count: number, what: string): Shard {
  if (count < 1) throw new UsageError(`${what}: the number of shards must be at least 1; got ${count}.`);
  if (index >= count)
    throw new UsageError(`${what}: shard ${index} does not exist in ${count} shards (0 to ${count - 1}).`);
  return { index, count };
}

export function chooseShard(
  shardFlag: string | undefined,
  shardsFlag: string | undefined,
  env: Environment,
): ShardChoice {
  const shards = shardsFlag === undefined ? undefined : whole(shardsFlag, '--shards');
  if (shardFlag !== undefined) {
    const m = /^([0-9]{1,9})\/([0-9]{1,9})$/.exec(shardFlag);
    if (!m) throw new UsageError(`--shard must be i/n with 0 ≤ i < n (0-based), such as 0/4; got "${shardFlag}".`);
    const shard = checked(Number(m[1]), Number(m[2]), '--shard');
    if (shards !== undefined && shards !== shard.count) {
      throw new UsageError(`--shard ${shardFlag} and --shards ${shards} disagree on the number of shards; give one.`);
    }
    return { shard, source: '--shard' };
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = whole(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
    const min = whole(env.SLURM_ARRAY_TASK_MIN ?? '0', 'SLURM_ARRAY_TASK_MIN');
    const step = whole(env.SLURM_ARRAY_TASK_STEP ?? '1', 'SLURM_ARRAY_TASK_STEP');
    const count = whole(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT');
    const what = `Slurm array task ${id} (SLURM_ARRAY_TASK_MIN ${min}, step ${step}, count ${count})`;
    if (id < min || step < 1 || (id - min) % step !== 0) {
      throw new UsageError(`${what}: the array is not a range min-max[:step], so no shard follows from it.`);
    }
    const shard = checked((id - min) / step, count, `${what} (give the array as one range, such as --array=0-7)`);
    if (shards !== undefined && shards !== count) {
      throw new UsageError(`--shards ${shards} disagrees with the Slurm array's ${count} tasks; leave --shards out.`);
    }
    return { shard, source: `Slurm array task ${id} of ${min}-${min + step * (count - 1)}` };
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const index = whole(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX');
    if (shards === undefined) {
      throw new UsageError(
        `JOB_COMPLETION_INDEX is ${index} (a Kubernetes Indexed Job), but Kubernetes sets no count: ` +
          "give the number of shards with --shards N (the Job's completions).",
      );
    }
    return { shard: checked(index, shards, 'JOB_COMPLETION_INDEX'), source: `Kubernetes completion index ${index}` };
  }
  if (shards !== undefined && shards !== 1) {
    throw new UsageError(
      `--shards ${shards} needs an index: --shard i/${shards}, a Slurm array task ` +
        'or a Kubernetes JOB_COMPLETION_INDEX.',
    );
  }
  return { shard: WHOLE_GRID, source: 'the whole grid' };
}
