// How `npm run train` arrives at its RunConfig: one table of flags, each named after the config
// field it sets, drives the flag parser, --help and the checks; `--config FILE` starts from a
// run file's config (or a bare config object) and the flags beside it override its fields.
// Every value goes through the run-config schema, so the CLI accepts exactly what a run file
// or a share link may hold.
import * as v from 'valibot';
import { defaultConfig, LR_SCHEDULES, MODEL_IDS, SIZE_IDS, TASK_IDS, type RunConfig } from '../spec/config';
import { PRESET_IDS, presetConfig, type PresetId } from '../train/presets';
import {
  type Bound,
  CONFIG_BOUNDS,
  configOfFile,
  describeBound,
  parseRunConfig,
  RunConfigFields,
} from '../train/schema';
import { integerFlag, numberFlag, UsageError } from './args';
import { readJsonFile } from './files';

interface ConfigFlag {
  /** The flag without its dashes. */
  flag: string;
  field: keyof RunConfig;
  /** What follows the flag in --help ("N", "X", "ID"); a switch has none. */
  arg?: string;
  /** The value a switch sets. */
  sets?: boolean;
  /** One line for --help; "\n" starts an indented continuation line. */
  help: string;
}

/** "a | b | c", broken into lines of at most `width` characters. */
function choices(ids: readonly string[], width = 64): string {
  const lines = [''];
  for (const id of ids) {
    const last = lines.length - 1;
    if (lines[last] && lines[last].length + id.length + 3 > width) lines.push(id);
    else lines[last] += lines[last] ? ` | ${id}` : id;
  }
  return lines.join(' |\n');
}

/** The config flags, in --help order. A field's default is its task's (SPEC.md) unless --config gives it. */
export const CONFIG_FLAGS: readonly ConfigFlag[] = [
  { flag: 'task', field: 'task', arg: 'ID', help: `${choices(TASK_IDS)} (default linear_regression)` },
  { flag: 'model', field: 'model', arg: 'ID', help: `${MODEL_IDS.join(' | ')} (default transformer)` },
  { flag: 'size', field: 'size', arg: 'ID', help: `${SIZE_IDS.join(' | ')} (default tiny)` },
  {
    flag: 'steps',
    field: 'steps',
    arg: 'N',
    help: 'training steps (default 2000 at tiny, 5000 at small, 20000 at paper)',
  },
  { flag: 'seed', field: 'seed', arg: 'N', help: 'seed for initialisation and data (default 1)' },
  {
    flag: 'lr',
    field: 'lr',
    arg: 'X',
    help: "Adam learning rate, the peak when warm-up or cosine is on\n(default: the task's, SPEC.md)",
  },
  { flag: 'warmup', field: 'warmup', arg: 'N', help: 'steps of linear warm-up from 0 to --lr (default 0)' },
  {
    flag: 'lr-schedule',
    field: 'lrSchedule',
    arg: 'NAME',
    help:
      `${LR_SCHEDULES.join(' | ')}: after warm-up, keep --lr (default, the paper's)\nor decay it along a ` +
      `cosine to 0 at the last step`,
  },
  { flag: 'batch', field: 'batch', arg: 'N', help: 'prompts per step (default 64)' },
  { flag: 'clip', field: 'clip', arg: 'X', help: "gradient-norm clip (default: the task's, 10; 100 for vector_mqar)" },
  { flag: 'eval-every', field: 'evalEvery', arg: 'N', help: 'evaluate the ICL curve every N steps (default 100)' },
  { flag: 'eval-prompts', field: 'evalPrompts', arg: 'N', help: 'prompts in the evaluation set (default 256)' },
  {
    flag: 'n-dims',
    field: 'nDims',
    arg: 'N',
    help:
      "input dimension d (default: the task's, 20; 10 for sparse_parity and\ncot_io); the curriculum grows the " +
      'active dims from min(5, d) to d',
  },
  {
    flag: 'n-points',
    field: 'nPoints',
    arg: 'N',
    help:
      "prompt length n in examples, key/value pairs m for vector_mqar\n(default: the task's); the curriculum " +
      'grows it to n from its start\n(SPEC.md), or from n itself when n is shorter',
  },
  {
    flag: 'curriculum',
    field: 'curriculum',
    sets: true,
    help: 'grow active dims and prompt length during training\n(the default for the regression tasks)',
  },
  { flag: 'no-curriculum', field: 'curriculum', sets: false, help: 'train at full size from the start' },
  {
    flag: 'parity-per-prompt',
    field: 'parityPerPrompt',
    sets: true,
    help: "sparse_parity: draw the k indices per prompt (the lab's default)",
  },
  {
    flag: 'no-parity-per-prompt',
    field: 'parityPerPrompt',
    sets: false,
    help: 'sparse_parity: share the k indices across each batch, redrawn\nevery step (the official code)',
  },
];

/** The parseArgs options of the config flags and of --config. */
export const CONFIG_OPTIONS: Record<string, { type: 'string' | 'boolean' }> = {
  ...Object.fromEntries(CONFIG_FLAGS.map((f) => [f.flag, { type: f.arg ? 'string' : 'boolean' }])),
  config: { type: 'string' },
  preset: { type: 'string' },
};

/** --help lines: the flag and its argument in one column, the text in the next. */
export function flagHelp(rows: readonly { name: string; help: string }[], width = 25): string {
  return rows
    .map(({ name, help }) => {
      const [first, ...more] = help.split('\n');
      const head = `  ${name} `;
      const lines = [head.length > width ? `${head}\n${' '.repeat(width)}${first}` : `${head.padEnd(width)}${first}`];
      for (const m of more) lines.push(`${' '.repeat(width)}${m}`);
      return lines.join('\n');
    })
    .join('\n');
}

export const CONFIG_HELP = flagHelp([
  {
    name: '--preset ID',
    help:
      `${PRESET_IDS.join(' | ')}: start from this preset for the task and model\n(teaching: reduced d or n and ` +
      `a fast schedule, SPEC.md Presets);\n--config and the flags below override its fields`,
  },
  {
    name: '--config FILE',
    help: "start from this run file's config (or a bare config object);\nthe flags below override its fields",
  },
  ...CONFIG_FLAGS.map((f) => ({ name: `--${f.flag}${f.arg ? ` ${f.arg}` : ''}`, help: f.help })),
]);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The config fields a file gives (checked by the schema), from a run file or a bare config object. */
export function readConfigFile(path: string): Record<string, unknown> {
  // a regular file of at most INPUT_LIMITS.json bytes (not /dev/zero), holding JSON
  const json = readJsonFile(path, 'config file');
  if (!isRecord(json)) {
    const what = json === null ? 'null' : Array.isArray(json) ? 'a list' : `a ${typeof json}`;
    throw new UsageError(`--config: ${path} holds neither a run file nor a config object (it holds ${what}).`);
  }
  const source = configOfFile(json);
  if (!source.ok) throw new UsageError(`--config: ${path}: ${source.error}`);
  const fields = source.value;
  // A typo ("nDim") or a file that is no config at all would otherwise train on defaults.
  const known = new Set<string>(Object.keys(defaultConfig()));
  const unknown = Object.keys(fields).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new UsageError(
      `--config: ${path} has ${unknown.length === 1 ? 'a field' : 'fields'} a run config does not ` +
        `(${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}); its fields are ` +
        `${[...known].join(', ')}.`,
    );
  }
  const parsed = parseRunConfig(fields);
  if (!parsed.ok) throw new UsageError(`--config: ${path}: ${parsed.error}`);
  return fields;
}

/** One flag's value, checked against its field's schema: "--n-dims must be an integer from 1 to 64; got "0"." */
function flagValue(f: ConfigFlag, text: string): unknown {
  const schema = RunConfigFields.entries[f.field] as v.GenericSchema;
  // The string fields are the picklists (task, model, size, lrSchedule); the rest are numbers,
  // integers in plain digits where the field is an integer.
  const bound = (CONFIG_BOUNDS as Partial<Record<keyof RunConfig, Bound>>)[f.field];
  const value =
    schema.type === 'picklist'
      ? text
      : bound?.integer
        ? integerFlag(text, f.flag, describeBound(bound))
        : numberFlag(text, f.flag);
  const r = v.safeParse(schema, value, { abortEarly: true });
  if (!r.success) throw new UsageError(`--${f.flag} must be ${r.issues[0].message}; got "${text}".`);
  return r.output;
}

/** The preset's config for the task and model that the flags or the file name (their defaults otherwise). */
function presetFields(flags: Record<string, string | boolean | undefined>, file: Record<string, unknown>): RunConfig {
  const preset = flags.preset as PresetId;
  if (!PRESET_IDS.includes(preset))
    throw new UsageError(`--preset must be one of ${PRESET_IDS.join(', ')}; got "${String(flags.preset)}".`);
  const pick = <T extends string>(ids: readonly T[], x: unknown, fallback: T): T =>
    ids.find((id) => id === x) ?? fallback;
  const task = pick(TASK_IDS, flags.task ?? file.task, 'linear_regression');
  const model = pick(MODEL_IDS, flags.model ?? file.model, 'transformer');
  return presetConfig(preset, task, model);
}

/** The run config from --preset and --config (if given) and the config flags; flags win over the file. */
export function configFromFlags(flags: Record<string, string | boolean | undefined>): RunConfig {
  const fields: Record<string, unknown> = typeof flags.config === 'string' ? { ...readConfigFile(flags.config) } : {};
  if (flags.preset !== undefined) Object.assign(fields, { ...presetFields(flags, fields), ...fields });
  const setBy = new Map<keyof RunConfig, string>();
  for (const f of CONFIG_FLAGS) {
    const given = flags[f.flag];
    if (given === undefined || given === false) continue;
    const other = setBy.get(f.field);
    if (other !== undefined)
      throw new UsageError(`--${other} and --${f.flag} contradict each other; give one of them.`);
    setBy.set(f.field, f.flag);
    fields[f.field] = typeof given === 'string' ? flagValue(f, given) : f.sets;
  }
  const parsed = parseRunConfig(fields);
  if (!parsed.ok) throw new UsageError(parsed.error);
  return parsed.value;
}
