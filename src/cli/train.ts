// `npm run train`: trains one run headless on the same engine as the page, prints progress
// (step, loss, steps/s, ETA), evaluates the ICL curve every --eval-every steps, and writes
// the run file (and optionally a .safetensors checkpoint).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { nodeGpu } from '../gpu/node';
import { loadCheckpoint, loadOptimizerState, saveCheckpoint, saveOptimizerState } from '../nn/checkpoint';
import { defaultConfig, MODEL_IDS, SIZE_IDS, TASK_IDS, type ModelId, type RunConfig, type SizeId, type TaskId } from '../train/config';
import { parseRunConfig, stringifyRunFile } from '../train/schema';
import { Trainer } from '../train/trainer';
import { numberFlag, parseFlags, UsageError } from './args';

export const TRAIN_HELP = `npm run train -- [flags]
  --task ID          ${TASK_IDS.join(' | ')} (default linear_regression)
  --model ID         ${MODEL_IDS.join(' | ')} (default transformer)
  --size ID          ${SIZE_IDS.join(' | ')} (default tiny)
  --steps N          training steps
  --seed N           seed for initialisation and data (default 1)
  --lr X             Adam learning rate (default: the task's, SPEC.md)
  --batch N          prompts per step (default 64)
  --eval-every N     evaluate the ICL curve every N steps (default 100)
  --eval-prompts N   prompts in the evaluation set (default 256)
  --no-curriculum    train at full size from the start
  --out FILE         write the run file (JSON) here
  --checkpoint FILE  write the trained weights (.safetensors, official names) here, and
                     Adam's moments beside them (FILE with .adam.safetensors)
  --resume FILE      continue from these weights: step count, data stream and (when the
                     .adam.safetensors file is beside it) Adam's moments carry on
  --quiet            print only the summary
  --help             this text`;

const OPTIONS = {
  task: { type: 'string' },
  model: { type: 'string' },
  size: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  lr: { type: 'string' },
  batch: { type: 'string' },
  'eval-every': { type: 'string' },
  'eval-prompts': { type: 'string' },
  'no-curriculum': { type: 'boolean' },
  out: { type: 'string' },
  checkpoint: { type: 'string' },
  resume: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export function configFromFlags(flags: ReturnType<typeof parseFlags<typeof OPTIONS>>): RunConfig {
  const task = (flags.task ?? 'linear_regression') as TaskId;
  const model = (flags.model ?? 'transformer') as ModelId;
  const size = (flags.size ?? 'tiny') as SizeId;
  if (!TASK_IDS.includes(task)) throw new UsageError(`--task must be one of ${TASK_IDS.join(', ')}; got "${task}".`);
  if (!MODEL_IDS.includes(model)) throw new UsageError(`--model must be one of ${MODEL_IDS.join(', ')}; got "${model}".`);
  if (!SIZE_IDS.includes(size)) throw new UsageError(`--size must be one of ${SIZE_IDS.join(', ')}; got "${size}".`);
  const base = defaultConfig(task, model, size);
  const overrides: Partial<RunConfig> = {
    steps: numberFlag(flags.steps, 'steps'),
    seed: numberFlag(flags.seed, 'seed'),
    lr: numberFlag(flags.lr, 'lr'),
    batch: numberFlag(flags.batch, 'batch'),
    evalEvery: numberFlag(flags['eval-every'], 'eval-every'),
    evalPrompts: numberFlag(flags['eval-prompts'], 'eval-prompts'),
    curriculum: flags['no-curriculum'] ? false : undefined,
  };
  const merged = { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const parsed = parseRunConfig(merged);
  if (!parsed.ok) throw new UsageError(parsed.error);
  return parsed.value;
}

export async function trainCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, OPTIONS);
  if (flags.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const config = configFromFlags(flags);
  const log = flags.quiet ? () => {} : (s: string) => console.log(s);
  const gpu = await nodeGpu({ onLost: (i) => console.error(`The GPU device was lost (${i.reason}): ${i.message}`) });
  const trainer = new Trainer(gpu, config);
  log(`adapter: ${gpu.info.adapterName}`);
  log(`${config.model} (${config.size}, ${trainer.model.parameterCount.toLocaleString('en-US')} parameters) on ${config.task}, ${config.steps} steps, batch ${config.batch}, lr ${config.lr}, seed ${config.seed}`);
  if (flags.resume) {
    const { notices, metadata } = loadCheckpoint(trainer.model, gpu, readFileSync(flags.resume));
    notices.forEach((n) => log(`resume: ${n}`));
    const step = Number(metadata.step ?? 0);
    const resumeAt = Number.isInteger(step) && step > 0 && step < config.steps ? step : 0;
    const adamFile = optimizerPath(flags.resume);
    const adamSteps = existsSync(adamFile) ? loadOptimizerState(trainer.model, gpu, readFileSync(adamFile)) : 0;
    trainer.restore(resumeAt, [], adamSteps);
    log(`resumed from ${flags.resume} at step ${trainer.step} (${adamSteps ? `Adam moments from ${adamFile}` : `Adam moments start fresh: no ${adamFile}`})`);
  }
  const t0 = performance.now();
  let lastPrint = 0;
  const chunk = Math.max(1, Math.min(config.evalEvery, 50));
  let nextEval = Math.min(config.steps, (Math.floor(trainer.step / config.evalEvery) + 1) * config.evalEvery);
  while (!trainer.done) {
    await trainer.train(Math.min(chunk, nextEval - trainer.step));
    if (trainer.step >= nextEval) {
      const { metrics } = await trainer.evaluate();
      log(`  eval @ ${trainer.step}: ${Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
      nextEval = Math.min(config.steps, nextEval + config.evalEvery);
    }
    const now = performance.now();
    if (now - lastPrint > 1000 || trainer.done) {
      await trainer.flush();
      lastPrint = now;
      const last = trainer.history[trainer.history.length - 1];
      const sps = trainer.stepsPerSecond;
      const eta = sps > 0 ? (config.steps - trainer.step) / sps : 0;
      log(`step ${trainer.step} / ${config.steps}  loss ${last ? last.loss.toFixed(4) : '…'}  ${sps.toFixed(1)} steps/s  ETA ${formatDuration(eta)}`);
    }
  }
  await trainer.flush();
  if (!trainer.lastEval || trainer.lastEval.step !== trainer.step) await trainer.evaluate();
  const run = trainer.runFile();
  const icl = run.icl!;
  const last = icl.positions.length - 1;
  const summary = Object.entries(icl.curves).map(([name, c]) => `${name} ${c.mean[last].toFixed(3)}`).join(', ');
  console.log(`done in ${formatDuration((performance.now() - t0) / 1000)}; error at position ${icl.positions[last]}: ${summary}`);
  if (flags.out) {
    writeFileSync(flags.out, stringifyRunFile(run));
    log(`wrote ${flags.out}`);
  }
  if (flags.checkpoint) {
    writeFileSync(flags.checkpoint, await saveCheckpoint(trainer.model, gpu, { step: String(trainer.step), config: JSON.stringify(config) }));
    writeFileSync(optimizerPath(flags.checkpoint), await saveOptimizerState(trainer.model, gpu, trainer.adamSteps));
    log(`wrote ${flags.checkpoint} and ${optimizerPath(flags.checkpoint)}`);
  }
  trainer.destroy();
  return 0;
}

/** Where Adam's moments live beside a checkpoint: model.safetensors → model.adam.safetensors. */
export function optimizerPath(checkpoint: string): string {
  return `${checkpoint.replace(/\.safetensors$/, '')}.adam.safetensors`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
