// The one versioned schema for run configs and run files: bounds, enums, defaults and
// validation for everything that enters the lab from outside (imported run files, share
// links, CLI config files). Parse here, then trust the types everywhere else.
import * as v from 'valibot';
import {
  LR_SCHEDULES,
  MODEL_IDS,
  SIZE_IDS,
  TASK_IDS,
  defaultConfig,
  type ModelId,
  type RunConfig,
  type SizeId,
  type TaskId,
} from '../spec/config';
import type { IclResult } from '../spec/icl';
import type { RunFile } from './protocol';
import { COT_HIDDEN } from '../tasks/cot';

/** The run-file format this lab writes and reads. Bump it when a field changes meaning. */
export const RUN_FILE_VERSION = 1;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Bound {
  min: number;
  max: number;
  integer: boolean;
  /** The minimum itself is not allowed (lr > 0, clip > 0). */
  minExclusive?: boolean;
}

/** Bounds of every numeric config field (the UI and CLI can read these for their inputs). */
export const CONFIG_BOUNDS = {
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  steps: { min: 1, max: 1_000_000, integer: true },
  lr: { min: 0, max: 1, integer: false, minExclusive: true },
  batch: { min: 1, max: 1024, integer: true },
  clip: { min: 0, max: 1e6, integer: false, minExclusive: true },
  evalEvery: { min: 1, max: 1_000_000, integer: true },
  evalPrompts: { min: 1, max: 4096, integer: true },
  nDims: { min: 1, max: 64, integer: true },
  nPoints: { min: 1, max: 1024, integer: true },
  warmup: { min: 0, max: 1_000_000, integer: true },
} as const satisfies Partial<Record<keyof RunConfig, Bound>>;

/** Size caps for run files: large enough for any real run, small enough to parse quickly. */
export const RUN_FILE_LIMITS = {
  /** One entry per step at most. */
  history: CONFIG_BOUNDS.steps.max,
  positions: 4096,
  curves: 32,
  metrics: 64,
  adapterChars: 256,
} as const;

/** Curve, metric and accuracy names: plain identifiers ("model", "least_squares", "knn_3"). */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_]{0,39}$/;

const CONFIG_KEYS: (keyof RunConfig)[] = Object.keys(defaultConfig()) as (keyof RunConfig)[];

// Messages are predicates; formatIssue() turns them into "<field> must be <message>".
/** "an integer from 1 to 64", "a number greater than 0 and at most 1": what a bound allows. */
export function describeBound(b: Bound): string {
  const what = b.integer ? 'an integer' : 'a number';
  const lower = b.minExclusive ? `greater than ${b.min}` : b.integer ? `from ${b.min}` : `at least ${b.min}`;
  return b.integer && !b.minExclusive ? `${what} ${lower} to ${b.max}` : `${what} ${lower} and at most ${b.max}`;
}

function bounded(b: Bound) {
  const msg = describeBound(b);
  return v.pipe(
    v.number(msg),
    v.finite(msg),
    v.check((x) => (b.integer ? Number.isInteger(x) : true), msg),
    v.check((x) => (b.minExclusive ? x > b.min : x >= b.min) && x <= b.max, msg),
  );
}

const flag = v.boolean('true or false');

/** Tasks that need more than CONFIG_BOUNDS.nDims.min input dimensions. */
export const MIN_DIMS: Partial<Record<TaskId, number>> = {
  // the hidden layer s = ReLU(Wx), h = 8 wide, is padded into a d-wide token
  cot_io: COT_HIDDEN,
};

/** The smallest input dimension d a task accepts. */
export function minDims(task: TaskId): number {
  return MIN_DIMS[task] ?? CONFIG_BOUNDS.nDims.min;
}

/** Each field of a RunConfig, present and in bounds (the CLI checks a flag against its field's entry). */
export const RunConfigFields = v.object(
  {
    task: v.picklist(TASK_IDS, `one of ${TASK_IDS.join(', ')}`),
    model: v.picklist(MODEL_IDS, `one of ${MODEL_IDS.join(', ')}`),
    size: v.picklist(SIZE_IDS, `one of ${SIZE_IDS.join(', ')}`),
    seed: bounded(CONFIG_BOUNDS.seed),
    steps: bounded(CONFIG_BOUNDS.steps),
    lr: bounded(CONFIG_BOUNDS.lr),
    batch: bounded(CONFIG_BOUNDS.batch),
    clip: bounded(CONFIG_BOUNDS.clip),
    evalEvery: bounded(CONFIG_BOUNDS.evalEvery),
    evalPrompts: bounded(CONFIG_BOUNDS.evalPrompts),
    curriculum: flag,
    nDims: bounded(CONFIG_BOUNDS.nDims),
    nPoints: bounded(CONFIG_BOUNDS.nPoints),
    parityPerPrompt: flag,
    warmup: bounded(CONFIG_BOUNDS.warmup),
    lrSchedule: v.picklist(LR_SCHEDULES, `one of ${LR_SCHEDULES.join(', ')}`),
  },
  'an object',
);

/** A RunConfig with every field present and in bounds, and the fields consistent with each other. */
export const RunConfigSchema = v.pipe(
  RunConfigFields,
  v.forward(
    v.check(
      (c) => c.nDims >= minDims(c.task),
      (issue) => {
        const c = issue.input as RunConfig;
        return (
          `at least ${minDims(c.task)} for ${c.task}, whose hidden layer is padded into a token ` + `(it is ${c.nDims})`
        );
      },
    ),
    ['nDims'],
  ),
);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function pick<T extends string>(ids: readonly T[], x: unknown): T | undefined {
  return ids.find((id) => id === x);
}

/** Missing fields take the defaults of their task/model/size; present ones are kept as they are, to be checked. */
function withDefaults(o: Record<string, unknown>): Record<string, unknown> {
  const task: TaskId = pick(TASK_IDS, o.task) ?? 'linear_regression';
  const model: ModelId = pick(MODEL_IDS, o.model) ?? 'transformer';
  const size: SizeId = pick(SIZE_IDS, o.size) ?? 'tiny';
  const out: Record<string, unknown> = { ...defaultConfig(task, model, size) };
  for (const k of CONFIG_KEYS) if (Object.hasOwn(o, k) && o[k] !== undefined) out[k] = o[k];
  return out;
}

/** A config as found in a file or link: any field may be missing and takes its default. */
export const RunConfigInputSchema = v.pipe(
  v.custom<Record<string, unknown>>(isRecord, 'an object'),
  v.transform(withDefaults),
  RunConfigSchema,
);

// JSON has no NaN: JSON.stringify writes NaN and ±Infinity as null. A diverged loss or an
// undefined error therefore arrives as null and becomes NaN again here.
const value = v.pipe(
  v.custom<number | null>(
    (x) => x === null || (typeof x === 'number' && (Number.isFinite(x) || Number.isNaN(x))),
    'a finite number or null',
  ),
  v.transform((x) => (x === null ? NaN : x)),
);

const values = v.pipe(
  v.array(value, 'a list of numbers'),
  v.maxLength(RUN_FILE_LIMITS.positions, `a list of at most ${RUN_FILE_LIMITS.positions} numbers`),
);

function namedRecord<T extends v.GenericSchema>(item: T, max: number, what: string) {
  return v.pipe(
    v.record(
      v.pipe(v.string(), v.regex(NAME_PATTERN, 'a name made of letters, digits and _')),
      item,
      `an object of ${what}`,
    ),
    v.check((r) => Object.keys(r).length <= max, `an object of at most ${max} ${what}`),
  );
}

const CurveSchema = v.object({ mean: values, lo: values, hi: values }, 'an object with mean, lo and hi');

/** The first curve array whose length differs from positions, or null. */
function lengthMismatch(icl: IclResult): string | null {
  const n = icl.positions.length;
  for (const [name, c] of Object.entries(icl.curves)) {
    for (const part of ['mean', 'lo', 'hi'] as const) {
      if (c[part].length !== n) return `${name}.${part} has ${c[part].length}`;
    }
  }
  return null;
}

export const IclResultSchema = v.pipe(
  v.object(
    {
      positions: v.pipe(
        v.array(bounded({ min: 1, max: 1_000_000, integer: true }), 'a list of positions'),
        v.minLength(1, 'a list of at least one position'),
        v.maxLength(RUN_FILE_LIMITS.positions, `a list of at most ${RUN_FILE_LIMITS.positions} positions`),
      ),
      curves: namedRecord(CurveSchema, RUN_FILE_LIMITS.curves, 'curves'),
      accuracy: v.optional(namedRecord(values, RUN_FILE_LIMITS.curves, 'accuracy lists')),
    },
    'an object or null',
  ),
  v.check(
    (icl) => lengthMismatch(icl) === null,
    (issue) =>
      `one value per position in every curve (${lengthMismatch(issue.input as IclResult)}, positions has ` +
      `${(issue.input as IclResult).positions.length})`,
  ),
);

export const HistorySchema = v.pipe(
  v.array(
    v.object(
      { step: bounded({ min: 0, max: CONFIG_BOUNDS.steps.max, integer: true }), loss: value },
      'an object with step and loss',
    ),
    'a list of { step, loss }',
  ),
  v.maxLength(RUN_FILE_LIMITS.history, `a list of at most ${RUN_FILE_LIMITS.history} entries`),
);

const EvaluationsSchema = v.pipe(
  v.array(
    v.object(
      {
        step: bounded({ min: 0, max: CONFIG_BOUNDS.steps.max, integer: true }),
        model: value,
        zero: v.optional(value),
        best: v.optional(value),
        bestName: v.optional(v.pipe(v.string(), v.regex(NAME_PATTERN, 'a name made of letters, digits and _'))),
      },
      'an object with step and model',
    ),
    'a list of evaluations',
  ),
  v.maxLength(RUN_FILE_LIMITS.history, `a list of at most ${RUN_FILE_LIMITS.history} evaluations`),
);

export const RunFileSchema = v.object(
  {
    version: v.literal(RUN_FILE_VERSION, `${RUN_FILE_VERSION}`),
    config: RunConfigInputSchema,
    history: HistorySchema,
    icl: v.nullable(IclResultSchema),
    metrics: namedRecord(value, RUN_FILE_LIMITS.metrics, 'numbers'),
    stepsPerSecond: v.pipe(
      value,
      v.check((x) => Number.isNaN(x) || x >= 0, 'a number of at least 0'),
    ),
    adapter: v.pipe(
      v.string('a piece of text'),
      v.maxLength(RUN_FILE_LIMITS.adapterChars, `text of at most ${RUN_FILE_LIMITS.adapterChars} characters`),
    ),
    evalStep: v.optional(bounded({ min: 0, max: CONFIG_BOUNDS.steps.max, integer: true })),
    evaluations: v.optional(EvaluationsSchema),
  },
  'an object',
);

// The schema's output must be exactly the protocol's types (a compile-time check).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const configTypeMatches: Same<v.InferOutput<typeof RunConfigSchema>, RunConfig> = true;
const runFileTypeMatches: Same<v.InferOutput<typeof RunFileSchema>, RunFile> = true;
(void configTypeMatches, runFileTypeMatches);

/** "config.curves.model.lo[3]"; names that are not plain identifiers are not echoed. */
function pathOf(issue: v.BaseIssue<unknown>, root: string): string {
  let out = root;
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && NAME_PATTERN.test(key)) out += out ? `.${key}` : key;
    else out += out ? '.(a key)' : '(a key)';
  }
  return out;
}

/** The offending value, only when it is a number, boolean, null, a plain name or a list. */
function shown(x: unknown): string {
  if (typeof x === 'number' || typeof x === 'boolean' || x === null) return ` (it is ${x})`;
  if (typeof x === 'string') return NAME_PATTERN.test(x) ? ` (it is "${x}")` : ' (it is a piece of text)';
  return Array.isArray(x) ? ' (it is a list)' : '';
}

function formatIssue(issue: v.BaseIssue<unknown>, root: string, what: string): string {
  const where = pathOf(issue, root);
  if (!where) return `The ${what} must be ${issue.message}${shown(issue.input)}.`;
  if (issue.input === undefined) return `The ${what} has no "${where}" field.`;
  return `In the ${what}, "${where}" must be ${issue.message}${shown(issue.input)}.`;
}

function run<T>(schema: v.GenericSchema<unknown, T>, input: unknown, root: string, what: string): Parsed<T> {
  try {
    const r = v.safeParse(schema, input, { abortEarly: true });
    return r.success ? { ok: true, value: r.output } : { ok: false, error: formatIssue(r.issues[0], root, what) };
  } catch {
    // Valibot does not throw on bad input; this only guards against exotic objects (throwing getters).
    return { ok: false, error: `The ${what} could not be read.` };
  }
}

/** A RunConfig from untrusted input; missing fields take the defaults of its task/model/size. */
export function parseRunConfig(input: unknown): Parsed<RunConfig> {
  return run(RunConfigInputSchema, input, '', 'config');
}

/** The sentence for a run file of a format newer than this lab's, or null. */
function newerFormat(version: unknown): string | null {
  if (typeof version !== 'number' || !(version > RUN_FILE_VERSION)) return null;
  const format = Number.isInteger(version) ? version : '?';
  const made = `This run file was made by a newer version of ICL Lab (format ${format})`;
  return `${made}; this lab reads format ${RUN_FILE_VERSION}.`;
}

/** A RunFile from untrusted input (a parsed JSON file or link). */
export function parseRunFile(input: unknown): Parsed<RunFile> {
  const newer = isRecord(input) ? newerFormat(input.version) : null;
  if (newer) return { ok: false, error: `${newer} Reload the page to get the latest lab.` };
  return run(RunFileSchema, input, '', 'run file');
}

const RunFileVersion = v.object({ version: RunFileSchema.entries.version }, 'an object');

/**
 * The config fields of a config file's object: a run file's "config" (any object with a
 * "config" field is a run file, and its "version" must be this lab's), or the object itself,
 * a bare config. The fields are for parseRunConfig to check.
 */
export function configOfFile(file: Record<string, unknown>): Parsed<Record<string, unknown>> {
  if (!Object.hasOwn(file, 'config')) return { ok: true, value: file };
  const newer = newerFormat(file.version);
  if (newer) return { ok: false, error: newer };
  const version = run(RunFileVersion, file, '', 'run file');
  if (!version.ok) return version;
  if (!isRecord(file.config)) {
    return { ok: false, error: `In the run file, "config" must be an object${shown(file.config)}.` };
  }
  return { ok: true, value: file.config };
}

/** The run file as JSON text, as the lab exports it (NaN becomes null and reads back as NaN). */
export function stringifyRunFile(runFile: RunFile): string {
  return JSON.stringify(runFile);
}
