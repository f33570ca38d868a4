// `npm run train`: trains one run headless on the same engine as the page, prints progress
// (step, loss, steps/s, ETA), evaluates the ICL curve every --eval-every steps, and writes the
// run file and a checkpoint pair (weights + Adam moments) atomically, every --checkpoint-every
// steps and at the end. SIGINT/SIGTERM stop after the step in progress and save. `--resume`
// continues a checkpoint's run exactly; `--stop-after` and `--extend-to` end it early or late.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { SafetensorsFile } from '../engine/safetensors';
import { nodeGpu } from '../gpu/node';
import { envDawnFlags } from './dawnFlags';
import { loadCheckpoint } from '../nn/checkpoint';
import { Curriculum } from '../tasks';
import type { RunConfig } from '../spec/config';
import { stringifyRunFile } from '../train/schema';
import { Trainer } from '../train/trainer';
import { judge } from '../spec/verdict';
import { parseFlags, UsageError } from './args';
import {
  encodeCheckpoint,
  hasRunState,
  optimizerPath,
  readCheckpointPair,
  restoreRun,
  type CheckpointPair,
} from './checkpoints';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags, flagHelp } from './configFlags';
import { checkOutputPath, readSafetensorsFile, writeFilesAtomic } from './files';
import { countFlag, resumedConfig, stopStep } from './resume';
import { StopSignals } from './signals';
import { formatDuration, runTrainingLoop } from './trainLoop';
import { cliBatches } from './batchWorker';

export const TRAIN_HELP = `npm run train -- [flags]
${CONFIG_HELP}
${flagHelp([
  { name: '--out FILE', help: 'write the run file (JSON) here' },
  {
    name: '--checkpoint FILE',
    help:
      "write the weights (.safetensors, official names) here, and Adam's\n" +
      'moments beside them (FILE with .adam.safetensors), one pair',
  },
  {
    name: '--checkpoint-every N',
    help:
      'save the checkpoint pair and the run file every N steps\n' +
      '(default: at every evaluation, when --checkpoint or --out is given)',
  },
  {
    name: '--resume FILE',
    help:
      "continue this checkpoint's run exactly to its own --steps: its config,\nstep, history and Adam moments; " +
      'new checkpoints go back to FILE\nunless --checkpoint names another',
  },
  { name: '--stop-after K', help: 'stop at step K with the checkpoint written (continue with --resume)' },
  {
    name: '--extend-to M',
    help:
      'with --resume: continue the run to M steps (the curriculum keeps\n' +
      'its pace, so the added steps train at full size)',
  },
  {
    name: '--weights-only-resume',
    help:
      "with --resume: when Adam's moments are missing or not the weights'\n" +
      'pair, continue from the weights with fresh moments (not exact); from\n' +
      'weights without a run (a PyTorch state_dict), start a new run',
  },
  { name: '--print-config', help: 'print the run config these flags give (JSON) and exit, without training' },
  { name: '--quiet', help: 'print only the summary' },
  { name: '--help', help: 'this text' },
])}
SIGINT (Ctrl-C) or SIGTERM: the step in progress finishes, the checkpoint and run file are
written, and the command exits 130 / 143; a second signal exits at once.`;

const OPTIONS = {
  ...CONFIG_OPTIONS,
  out: { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  resume: { type: 'string' },
  'stop-after': { type: 'string' },
  'extend-to': { type: 'string' },
  'weights-only-resume': { type: 'boolean' },
  'print-config': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

type Flags = Record<string, string | boolean | undefined>;

/** What a run trains and where it continues from, decided from flags and files before any GPU work. */
interface RunPlan {
  config: RunConfig;
  curriculumSteps: number;
  runId: string;
  resume: { path: string; pair: CheckpointPair } | null;
  /** Weights without a run (a PyTorch state_dict) that a new run starts from (--weights-only-resume). */
  startFrom: { path: string; weights: SafetensorsFile } | null;
  notes: string[];
}

function planRun(flags: Flags): RunPlan {
  if (typeof flags.resume !== 'string') {
    for (const f of ['extend-to', 'weights-only-resume']) {
      if (flags[f] !== undefined) throw new UsageError(`--${f} continues a checkpoint: give --resume FILE with it.`);
    }
    const config = configFromFlags(flags);
    return { config, curriculumSteps: config.steps, runId: randomUUID(), resume: null, startFrom: null, notes: [] };
  }
  const path = flags.resume;
  const weightsOnly = flags['weights-only-resume'] === true;
  const weights = readSafetensorsFile(path, 'checkpoint');
  if (weightsOnly && !hasRunState(weights.metadata)) {
    const config = configFromFlags(flags);
    const note =
      `${path} holds no run of the train command: a new run starts from its weights at step 0, ` +
      "with fresh Adam moments and the flags' config.";
    const startFrom = { path, weights };
    return { config, curriculumSteps: config.steps, runId: randomUUID(), resume: null, startFrom, notes: [note] };
  }
  const pair = readCheckpointPair(path, weightsOnly, weights);
  const { config, notes } = resumedConfig(pair.state, path, flags);
  const { curriculumSteps, runId } = pair.state;
  return { config, curriculumSteps, runId, resume: { path, pair }, startFrom: null, notes };
}

interface Outputs {
  out?: string;
  checkpoint?: string;
}

/** Every output path checked before the first step: a run must not train for hours and then fail to save. */
function checkOutputs(flags: Flags, startsFresh: boolean): Outputs {
  const out = typeof flags.out === 'string' ? flags.out : undefined;
  // a resumed run saves back to its checkpoint; a new run from foreign weights never overwrites them
  const resumed = typeof flags.resume === 'string' && !startsFresh ? flags.resume : undefined;
  const checkpoint = typeof flags.checkpoint === 'string' ? flags.checkpoint : resumed;
  if (out) checkOutputPath(out, 'run file');
  if (checkpoint) {
    checkOutputPath(checkpoint, 'checkpoint');
    checkOutputPath(optimizerPath(checkpoint), "Adam moments' file");
    if (out && [checkpoint, optimizerPath(checkpoint)].some((p) => resolve(p) === resolve(out))) {
      throw new UsageError(`--out ${out} would overwrite the checkpoint pair; give the run file another name.`);
    }
  }
  if (flags['stop-after'] !== undefined && !checkpoint) {
    throw new UsageError('--stop-after needs --checkpoint FILE: a stopped run continues only from its checkpoint.');
  }
  return { out, checkpoint };
}

function describeOutputs({ out, checkpoint }: Outputs): string[] {
  return [...(checkpoint ? [checkpoint, optimizerPath(checkpoint)] : []), ...(out ? [out] : [])];
}

/** Writes the checkpoint pair (moments first, weights last) and the run file, each atomically. */
async function saveRun(trainer: Trainer, runId: string, { out, checkpoint }: Outputs): Promise<void> {
  const files: { path: string; data: Uint8Array | string }[] = [];
  if (checkpoint) {
    const pair = await encodeCheckpoint(trainer, runId);
    files.push({ path: optimizerPath(checkpoint), data: pair.adam }, { path: checkpoint, data: pair.weights });
  }
  if (out) {
    await trainer.flush();
    files.push({ path: out, data: stringifyRunFile(trainer.runFile()) });
  }
  writeFilesAtomic(files);
}

export async function trainCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, OPTIONS);
  if (flags.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const plan = planRun(flags);
  const { config, runId } = plan;
  if (flags['print-config']) {
    console.log(JSON.stringify(config, null, 2));
    return 0;
  }
  const outputs = checkOutputs(flags, plan.startFrom !== null);
  const saved = describeOutputs(outputs);
  const fromStep = plan.resume?.pair.state.step ?? 0;
  const stopAt = stopStep(flags, config, fromStep);
  const every = countFlag(flags, 'checkpoint-every');
  if (every !== undefined && saved.length === 0) {
    throw new UsageError('--checkpoint-every needs --checkpoint FILE or --out FILE to save to.');
  }
  const checkpointEvery = saved.length > 0 ? (every ?? config.evalEvery) : null;

  const log = flags.quiet ? () => {} : (s: string) => console.log(s);
  let trainer: Trainer | null = null;
  const signals = new StopSignals((signal) => {
    // the handler may run between steps or inside one: the step count printed at the end says which
    const next = trainer ? 'the step in progress' : 'the start-up';
    const then =
      saved.length > 0
        ? `then saving to ${saved.join(', ')}`
        : 'then stopping (nothing can be saved: no --checkpoint or --out was given)';
    console.error(`\n${signal}: finishing ${next}, ${then}; a second ${signal} exits at once.`);
  });
  const gpu = await nodeGpu({
    dawnFlags: envDawnFlags(),
    onLost: (i) => console.error(`The GPU device was lost (${i.reason}): ${i.message}`),
  });
  try {
    trainer = new Trainer(gpu, config, { curriculumSteps: plan.curriculumSteps, batches: cliBatches() });
    const t = trainer;
    log(`adapter: ${gpu.info.adapterName}`);
    const parameters = t.model.parameterCount.toLocaleString('en-US');
    log(`${config.model} (${config.size}, ${parameters} parameters) on ${describeRun(config, plan.curriculumSteps)}`);
    if (config.warmup > config.steps) {
      const never = `so the learning rate never reaches ${config.lr}`;
      log(`note: the warm-up (${config.warmup} steps) is longer than the run, ${never}.`);
    }
    plan.notes.forEach((n) => log(n));
    if (plan.startFrom) {
      loadCheckpoint(t.model, gpu, plan.startFrom.weights).notices.forEach((n) => log(`weights: ${n}`));
    }
    if (plan.resume) {
      const { path, pair } = plan.resume;
      restoreRun(t, pair).forEach((n) => log(`resume: ${n}`));
      const moments = pair.adam ? `Adam moments from ${optimizerPath(path)}` : 'Adam moments start fresh';
      log(`resumed run ${runId.slice(0, 8)} from ${path} at step ${t.step} of ${config.steps} (${moments})`);
    }
    if (checkpointEvery !== null) log(`saving every ${checkpointEvery} steps and at the end to ${saved.join(', ')}`);

    let lastSaved = fromStep;
    const t0 = performance.now();
    const end = await runTrainingLoop(t, {
      stopAt,
      checkpointEvery,
      log,
      stopRequested: () => signals.received !== null,
      save: async () => {
        try {
          await saveRun(t, runId, outputs);
          lastSaved = t.step;
        } catch (e) {
          // a full disk now may have room at the next save; the last good files are kept
          const next = t.step + checkpointEvery!;
          console.error(`warning: ${(e as Error).message} Training goes on and saves again at step ${next}.`);
        }
      },
    });
    const finalSave = async (what: string) => {
      try {
        await saveRun(t, runId, outputs);
      } catch (e) {
        const kept =
          lastSaved > fromStep
            ? `the files saved at step ${lastSaved} are kept`
            : plan.resume
              ? `${plan.resume.path} (step ${fromStep}) is kept`
              : 'nothing of this run was saved';
        throw new Error(`${(e as Error).message} ${what}; ${kept}.`);
      }
    };

    if (end !== 'done') {
      const why = end === 'signal' ? signals.received! : `--stop-after ${stopAt}`;
      if (t.step === fromStep) {
        console.error(`${why}: stopped before a step was trained; nothing new to save.`);
      } else if (saved.length === 0) {
        const nothing = 'nothing was saved, because neither --checkpoint nor --out was given';
        console.error(`${why}: stopped at step ${t.step} of ${config.steps}; ${nothing}.`);
      } else {
        if (lastSaved !== t.step) await finalSave(`The run stopped at step ${t.step}`); // not just saved by the loop
        const resume = outputs.checkpoint
          ? `; continue with: npm run train -- --resume ${outputs.checkpoint}`
          : '; without --checkpoint the run cannot be resumed';
        console.log(`${why}: stopped at step ${t.step} of ${config.steps}; saved ${saved.join(', ')}${resume}`);
      }
      return signals.exitCode;
    }

    await t.flush();
    if (!t.lastEval || t.lastEval.step !== t.step) await t.evaluate();
    const icl = t.lastEval!.icl;
    const last = icl.positions.length - 1;
    const summary = Object.entries(icl.curves)
      .map(([name, c]) => `${name} ${c.mean[last].toFixed(3)}`)
      .join(', ');
    const took = formatDuration((performance.now() - t0) / 1000);
    console.log(`done in ${took}; error at position ${icl.positions[last]}: ${summary}`);
    const verdict = judge(config.task, t.evaluations, config.evalPrompts, config.nPoints);
    const learns = verdict.learns ? ', learns' : '';
    console.log(`verdict (SPEC.md): ${verdict.symbol} ${verdict.kind}${learns}. ${verdict.reason}`);
    if (saved.length > 0) {
      await finalSave('The run finished');
      log(`wrote ${saved.join(', ')}`);
    }
    return signals.exitCode;
  } finally {
    signals.dispose();
    trainer?.destroy();
  }
}

/** "linear_regression (d 20, n 41, full size from step 1200), 2000 steps, batch 64, lr 0.0001 (constant),
 *  clip 10, seed 1" */
export function describeRun(c: RunConfig, curriculumSteps = c.steps): string {
  const prompt = [`d ${c.nDims}`, `n ${c.nPoints}`];
  // A task without a ramp, or a d and n already at the ramps' start, has nothing to grow.
  const fullAt = new Curriculum({ ...c, steps: curriculumSteps }).fullSizeStep();
  if (fullAt > 0) prompt.push(`full size from step ${fullAt}`);
  if (c.task === 'sparse_parity') prompt.push(c.parityPerPrompt ? 'indices per prompt' : 'indices shared per batch');
  const schedule = [c.warmup > 0 ? `${c.warmup} warm-up step${c.warmup === 1 ? '' : 's'}` : '', c.lrSchedule]
    .filter(Boolean)
    .join(', then ');
  return (
    `${c.task} (${prompt.join(', ')}), ${c.steps} steps, batch ${c.batch}, lr ${c.lr} (${schedule}), clip ` +
    `${c.clip}, seed ${c.seed}`
  );
}
