// `npm run grid`: the paper's grid, task × model × seed, trained headless on the same engine
// as `train` (src/train/gridPlan.ts has the cells, the grouping rule and the sharding;
// gridRun.ts the training; src/train/gridFile.ts and gridReport.ts grid.json and grid.md).
//   grid [--tasks …] [--models …] [--seeds 1,2,3] [--preset ID] [config flags] --out DIR
//        [--budget-minutes M] [--shard i/n | --shards N] [--plan]
//   grid --report DIR            grid.json and grid.md of DIR's grid as its files are now
//   grid --merge DIR… --out DIR  shards' outputs joined into one grid.json and grid.md
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_IDS, TASK_IDS, type ModelId, type RunConfig, type TaskId } from '../spec/config';
import { nodeGpu } from '../gpu/node';
import type { CellState, GridSpec, GridState } from '../train/gridFile';
import {
  describeShard,
  gridCells,
  gridFingerprint,
  groupCells,
  claimOrder,
  groupCost,
  shardGroups,
  WHOLE_GRID,
  type GridGroup,
} from '../train/gridPlan';
import { gridMarkdown } from '../train/gridReport';
import { PRESET_IDS, type PresetId } from '../train/presets';
import { numberFlag, parseFlags, UsageError } from './args';
import { CONFIG_FLAGS, configFromFlags, flagHelp } from './configFlags';
import { envDawnFlags } from './dawnFlags';
import { describeFsError } from './files';
import { gridFilesIn, mergeGridFiles, peekCellState, readGridFile, writeGridReport } from './gridFiles';
import { readCellState } from './gridCells';
import { Budget, trainCells, type ShardEnd } from './gridRun';
import { ClaimBoard } from './gridClaims';
import { chooseShard } from './gridShard';
import { StopSignals } from './signals';

/** The config flags every cell shares; task, model and seed come from --tasks, --models, --seeds. */
const CELL_FLAGS = CONFIG_FLAGS.filter((f) => !['task', 'model', 'seed'].includes(f.flag));

export const GRID_HELP = `npm run grid -- [flags]
${flagHelp([
  { name: '--tasks A,B', help: `tasks (default all nine: ${TASK_IDS.join(', ')})` },
  { name: '--models A,B', help: `model families (default all four: ${MODEL_IDS.join(', ')})` },
  { name: '--seeds 1,2,3', help: 'seeds, each cell once per seed (default 1,2,3)' },
  { name: '--preset ID', help: `${PRESET_IDS.join(' | ')} (default teaching): each cell's config` },
  ...CELL_FLAGS.map((f) => ({ name: `--${f.flag}${f.arg ? ` ${f.arg}` : ''}`, help: f.help })),
  { name: '--out DIR', help: 'cells/ (run files, checkpoints) and grid.json, grid.md go here' },
  { name: '--budget-minutes M', help: 'stop before M minutes, checkpoints written (run again to go on)' },
  {
    name: '--shard i/n',
    help:
      'train shard i of n (0-based), split along the stacking groups;\nwithout it: Slurm array ' +
      'variables, or JOB_COMPLETION_INDEX with --shards',
  },
  { name: '--shards N', help: "the number of shards for a Kubernetes Indexed Job's JOB_COMPLETION_INDEX" },
  {
    name: '--claim',
    help:
      'share the cells with the other --claim processes on this --out: each takes the next\nfree cell ' +
      '(first seed first, longest first) until none is left; instead of --shard',
  },
  { name: '--plan', help: 'print the cells, stacking groups and shards, and exit' },
  { name: '--report DIR', help: "write DIR's grid.json and grid.md from its files as they are now" },
  { name: '--merge DIR…', help: 'join shard outputs (directories or grid files) into --out DIR' },
  { name: '--quiet', help: 'print only the summary' },
  { name: '--help', help: 'this text' },
])}
Run the same command again to continue: finished cells are skipped, started ones resume
exactly from their checkpoints. SIGINT or SIGTERM: the step in progress finishes, the cell's
checkpoint and the report are written, and the command exits 130 / 143.`;

const OPTIONS = {
  ...Object.fromEntries(CELL_FLAGS.map((f) => [f.flag, { type: f.arg ? 'string' : 'boolean' } as const])),
  preset: { type: 'string' },
  tasks: { type: 'string' },
  models: { type: 'string' },
  seeds: { type: 'string' },
  out: { type: 'string' },
  'budget-minutes': { type: 'string' },
  shard: { type: 'string' },
  shards: { type: 'string' },
  claim: { type: 'boolean' },
  plan: { type: 'boolean' },
  report: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

type Flags = Record<string, string | boolean | undefined>;

/** A comma-separated list of ids, each known and given once. */
function idList<T extends string>(text: string | undefined, ids: readonly T[], flag: string): T[] {
  if (text === undefined) return [...ids];
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!ids.includes(item as T)) throw new UsageError(`--${flag}: "${item}" is not one of ${ids.join(', ')}.`);
  }
  if (new Set(items).size !== items.length) throw new UsageError(`--${flag} names an entry twice: "${text}".`);
  return items as T[];
}

function seedList(text = '1,2,3'): number[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => !/^[0-9]{1,9}$/.test(s))) {
    throw new UsageError(`--seeds must be whole numbers separated by commas, such as 1,2,3; got "${text}".`);
  }
  const seeds = items.map(Number);
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds names a seed twice: "${text}".`);
  return seeds;
}

/** What the flags ask for, and each cell's config (the train command's flag rules, per cell). */
function gridSpec(flags: Flags): { spec: GridSpec; configOf: (t: TaskId, m: ModelId, s: number) => RunConfig } {
  const preset = (flags.preset ?? 'teaching') as PresetId;
  if (!PRESET_IDS.includes(preset)) {
    throw new UsageError(`--preset must be one of ${PRESET_IDS.join(', ')}; got "${String(flags.preset)}".`);
  }
  const overrides: Record<string, string | boolean> = {};
  for (const f of CELL_FLAGS) {
    const given = flags[f.flag];
    if (given !== undefined && given !== false) overrides[f.flag] = given;
  }
  const spec: GridSpec = {
    tasks: idList(flags.tasks as string | undefined, TASK_IDS, 'tasks'),
    models: idList(flags.models as string | undefined, MODEL_IDS, 'models'),
    seeds: seedList(flags.seeds as string | undefined),
    preset,
    overrides,
  };
  const configOf = (task: TaskId, model: ModelId, seed: number) => {
    try {
      return configFromFlags({ ...overrides, preset, task, model, seed: String(seed) });
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${task} × ${model}: ${e.message}`);
      throw e;
    }
  };
  return { spec, configOf };
}

/** --merge DIR… takes the words after it up to the next flag. */
function splitMerge(args: string[]): { rest: string[]; merge: string[] | null } {
  const at = args.indexOf('--merge');
  if (at < 0) return { rest: args, merge: null };
  let end = at + 1;
  while (end < args.length && !args[end].startsWith('--')) end++;
  const merge = args.slice(at + 1, end);
  if (!merge.length) throw new UsageError('--merge needs the shard outputs to join: --merge DIR… --out DIR.');
  return { rest: [...args.slice(0, at), ...args.slice(end)], merge };
}

function timing(adapter: string | null): GridState['timing'] {
  return { written: new Date().toISOString(), wallSeconds: performance.now() / 1000, adapter };
}

/** The table of verdicts beside the paper, from the report (for the terminal). */
function verdictTable(state: GridState): string {
  const md = gridMarkdown(state);
  return md.slice(md.indexOf('| task'), md.indexOf('## Cells')).trim();
}

function makeDir(dir: string): void {
  try {
    mkdirSync(join(dir, 'cells'), { recursive: true });
  } catch (e) {
    throw new UsageError(`--out: cannot create ${join(dir, 'cells')}: ${describeFsError(e)}.`);
  }
}

export async function gridCommand(args: string[]): Promise<number> {
  const { rest, merge } = splitMerge(args);
  const flags: Flags = parseFlags(rest, OPTIONS);
  if (flags.help) {
    console.log(GRID_HELP);
    return 0;
  }
  if (merge) return mergeCommand(merge, flags);
  if (typeof flags.report === 'string') return reportCommand(flags.report, flags);
  return runCommand(flags);
}

/** --plan: the groups, and with --shards N (or --shard i/N) the shard each group goes to. */
function printPlan(gridId: string, groups: GridGroup[], flags: Flags): void {
  const count =
    typeof flags.shards === 'string'
      ? Number(flags.shards)
      : chooseShard(flags.shard as string | undefined, undefined, {}).shard.count;
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new UsageError(`--shards must be a whole number of at least 1; got "${String(flags.shards)}".`);
  }
  const owner = new Map<number, number>();
  for (let index = 0; index < count; index++) {
    for (const g of shardGroups(groups, { index, count })) owner.set(g.index, index);
  }
  const cells = groups.reduce((n, g) => n + g.cells.length, 0);
  console.log(`grid ${gridId}: ${cells} cells in ${plural(groups.length, 'stacking group')}`);
  for (const g of groups) {
    const where = count > 1 ? ` (shard ${owner.get(g.index)}/${count})` : '';
    console.log(`group ${g.index}${where}: ${g.key}; cost ${groupCost(g)}\n  ${g.cells.map((c) => c.id).join(', ')}`);
  }
  const array = `--array=0-${groups.length - 1}`;
  console.log(`a job array needs at most ${groups.length} tasks (one group or more each): ${array}`);
}

function onlyFlags(flags: Flags, allowed: string[], what: string): void {
  const extra = Object.keys(flags).filter((k) => flags[k] !== undefined && !allowed.includes(k));
  if (extra.length) throw new UsageError(`${what} takes no ${extra.map((k) => `--${k}`).join(', ')}.`);
}

function mergeCommand(paths: string[], flags: Flags): number {
  onlyFlags(flags, ['out', 'quiet'], '--merge');
  if (typeof flags.out !== 'string')
    throw new UsageError('--merge needs --out DIR for the merged grid.json and grid.md.');
  const files = paths.flatMap(gridFilesIn);
  if (!files.length)
    throw new UsageError(`--merge: no grid files (grid.json, grid.shard-*.json) in ${paths.join(', ')}.`);
  const merged = mergeGridFiles(files.map(readGridFile), files);
  makeDir(flags.out);
  const written = writeGridReport(flags.out, merged);
  console.log(`${verdictTable(merged)}\n\nmerged ${files.length} grid files; wrote ${written.join(', ')}`);
  return 0;
}

function reportCommand(dir: string, flags: Flags): number {
  onlyFlags(flags, ['report', 'quiet'], '--report');
  const files = gridFilesIn(dir);
  if (!files.length)
    throw new UsageError(`--report: ${dir} holds no grid.json or grid.shard-*.json (no grid ran there).`);
  const states = files.map(readGridFile);
  const now: GridState = {
    ...states[0],
    shard: null,
    cells: states[0].cells.map((c) => peekCellState(dir, c.cell)),
    timing: timing(null),
  };
  const merged = { ...mergeGridFiles([now, ...states], [`${dir}/cells`, ...files]), shard: null };
  const written = writeGridReport(dir, merged);
  console.log(`${verdictTable(merged)}\n\nwrote ${written.join(', ')}`);
  return 0;
}

async function runCommand(flags: Flags): Promise<number> {
  const { spec, configOf } = gridSpec(flags);
  const cells = gridCells(spec.tasks, spec.models, spec.seeds, configOf);
  const groups = groupCells(cells);
  const gridId = gridFingerprint(cells);
  if (flags.plan) {
    printPlan(gridId, groups, flags);
    return 0;
  }
  const claiming = flags.claim === true;
  if (claiming && (flags.shard !== undefined || flags.shards !== undefined)) {
    throw new UsageError('--claim shares the whole grid among processes: give it without --shard or --shards.');
  }
  const { shard, source } = claiming
    ? { shard: WHOLE_GRID, source: '--claim' }
    : chooseShard(flags.shard as string | undefined, flags.shards as string | undefined, process.env);
  const mine = shardGroups(groups, shard);
  const budgetMinutes = numberFlag(flags['budget-minutes'] as string | undefined, 'budget-minutes');
  if (budgetMinutes !== undefined && !(budgetMinutes > 0)) {
    throw new UsageError(`--budget-minutes must be more than 0; got "${String(flags['budget-minutes'])}".`);
  }
  const log = flags.quiet ? () => {} : (s: string) => console.log(s);
  if (typeof flags.out !== 'string')
    throw new UsageError('--out DIR is needed: the cells and the report are written there.');
  const outDir = flags.out;
  makeDir(outDir);
  for (const path of gridFilesIn(outDir)) {
    const other = gridFingerprint(readGridFile(path).cells.map((c) => c.cell));
    if (other !== gridId) {
      throw new UsageError(
        `${outDir} holds grid ${other} (${path}), and these flags make grid ${gridId} ` +
          '(other tasks, models, seeds or run configs): give another --out, or the flags of that grid.',
      );
    }
  }
  const myCells = claiming ? claimOrder(cells, spec.seeds) : mine.flatMap((g) => g.cells);
  const mineIds = new Set(myCells.map((c) => c.id));
  // this shard's cells checked strictly (a file of another config stops the command); the rest as a report sees them
  const states = new Map<string, CellState>(
    cells.map((c) => {
      if (!mineIds.has(c.id)) return [c.id, peekCellState(outDir, c)];
      const { pair: _pair, ...state } = readCellState(outDir, c);
      return [c.id, state];
    }),
  );
  const reportShard = shard.count > 1 ? shard : null;
  let adapter: string | null = null;
  const stateNow = (): GridState => ({
    spec,
    shard: reportShard,
    cells: cells.map((c) => states.get(c.id)!),
    timing: timing(adapter),
  });
  const reportPaths = writeGridReport(outDir, stateNow());
  const part = claiming ? 'cells claimed one at a time (--claim)' : `${source}: shard ${describeShard(shard)}`;
  log(`grid ${gridId}: ${cells.length} cells in ${plural(groups.length, 'stacking group')}; ${part}`);
  const trains = `${plural(mine.length, 'group')}, ${plural(myCells.length, 'cell')}`;
  log(`this process trains ${trains}; the report: ${reportPaths.join(', ')}`);

  const signals = new StopSignals((signal) => {
    console.error(
      `\n${signal}: finishing the step in progress, then saving the cell's checkpoint and the report; ` +
        `a second ${signal} exits at once.`,
    );
  });
  let end: ShardEnd = 'done';
  try {
    const gpu = await nodeGpu({
      dawnFlags: envDawnFlags(),
      onLost: (i) => console.error(`GPU device lost: ${i.message}`),
    });
    adapter = gpu.info.adapterName;
    log(`adapter: ${adapter}`);
    try {
      end = await trainCells(myCells, {
        gpu,
        outDir,
        gridId,
        budget: Budget.minutes(budgetMinutes),
        claims: claiming ? new ClaimBoard(outDir) : undefined,
        stopSignal: () => signals.received !== null,
        log,
        onCell: (state) => {
          states.set(state.cell.id, state);
          writeGridReport(outDir, stateNow());
        },
      });
    } finally {
      gpu.destroy();
    }
  } finally {
    signals.dispose();
  }
  // other processes trained cells meanwhile: the report says what their files say now
  if (claiming) for (const c of cells) states.set(c.id, peekCellState(outDir, c));
  const final = stateNow();
  writeGridReport(outDir, final);
  const left = myCells.filter((c) => states.get(c.id)!.status !== 'done').length;
  console.log(`${verdictTable(final)}\n`);
  if (end === 'done' && claiming) {
    const done = cells.length - left;
    const rest = left ? `; the other ${left} are held by other processes` : '';
    console.log(`--claim: no free cell left; ${done} of ${cells.length} cells done${rest}`);
    return 0;
  }
  if (end === 'done') {
    console.log(`shard ${describeShard(shard)}: all ${myCells.length} cells done; wrote ${reportPaths.join(', ')}`);
    return 0;
  }
  const why = end === 'budget' ? `--budget-minutes ${budgetMinutes} reached` : `${signals.received} received`;
  console.log(
    `${why}: ${left} of this shard's ${myCells.length} cells not finished, checkpoints written; wrote ` +
      `${reportPaths.join(', ')}. Run the same command again to continue.`,
  );
  return end === 'budget' ? 0 : signals.exitCode;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
