// `npm run train`: trains one run headless on the same engine as the page, prints progress
// (step, loss, steps/s, ETA), evaluates the ICL curve every --eval-every steps, and writes
// the run file (and optionally a .safetensors checkpoint).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { nodeGpu } from '../gpu/node';
import { loadCheckpoint, loadOptimizerState, saveCheckpoint, saveOptimizerState } from '../nn/checkpoint';
import { Curriculum } from '../tasks';
import type { RunConfig } from '../train/config';
import { Trainer } from '../train/trainer';
import { judge } from '../train/verdict';
import { stringifyRunFile } from '../train/schema';
import { parseFlags } from './args';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags, flagHelp } from './configFlags';

export const TRAIN_HELP = `npm run train -- [flags]
${CONFIG_HELP}
${flagHelp([
  { name: '--out FILE', help: 'write the run file (JSON) here' },
  { name: '--checkpoint FILE', help: "write the trained weights (.safetensors, official names) here,\nand Adam's moments beside them (FILE with .adam.safetensors)" },
  { name: '--resume FILE', help: "continue from these weights: step count, data stream and (when\nthe .adam.safetensors file is beside it) Adam's moments carry on" },
  { name: '--print-config', help: 'print the run config these flags give (JSON) and exit, without training' },
  { name: '--quiet', help: 'print only the summary' },
  { name: '--help', help: 'this text' },
])}`;

const OPTIONS = {
  ...CONFIG_OPTIONS,
  out: { type: 'string' },
  checkpoint: { type: 'string' },
  resume: { type: 'string' },
  'print-config': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export async function trainCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, OPTIONS);
  if (flags.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const config = configFromFlags(flags);
  if (flags['print-config']) {
    console.log(JSON.stringify(config, null, 2));
    return 0;
  }
  const log = flags.quiet ? () => {} : (s: string) => console.log(s);
  const gpu = await nodeGpu({ onLost: (i) => console.error(`The GPU device was lost (${i.reason}): ${i.message}`) });
  const trainer = new Trainer(gpu, config);
  log(`adapter: ${gpu.info.adapterName}`);
  log(`${config.model} (${config.size}, ${trainer.model.parameterCount.toLocaleString('en-US')} parameters) on ${describeRun(config)}`);
  if (config.warmup > config.steps) log(`note: the warm-up (${config.warmup} steps) is longer than the run, so the learning rate never reaches ${config.lr}.`);
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
  const verdict = judge(config.task, trainer.evaluations, config.evalPrompts, config.nPoints);
  console.log(`verdict (SPEC.md): ${verdict.symbol} ${verdict.kind}${verdict.learns ? ', learns' : ''}. ${verdict.reason}`);
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

/** "linear_regression (d 20, n 41, full size from step 1200), 2000 steps, batch 64, lr 0.0001 (constant), clip 10, seed 1" */
export function describeRun(c: RunConfig): string {
  const prompt = [`d ${c.nDims}`, `n ${c.nPoints}`];
  // A task without a ramp, or a d and n already at the ramps' start, has nothing to grow.
  const fullAt = new Curriculum(c).fullSizeStep();
  if (fullAt > 0) prompt.push(`full size from step ${fullAt}`);
  if (c.task === 'sparse_parity') prompt.push(c.parityPerPrompt ? 'indices per prompt' : 'indices shared per batch');
  const schedule = [c.warmup > 0 ? `${c.warmup} warm-up step${c.warmup === 1 ? '' : 's'}` : '', c.lrSchedule].filter(Boolean).join(', then ');
  return `${c.task} (${prompt.join(', ')}), ${c.steps} steps, batch ${c.batch}, lr ${c.lr} (${schedule}), clip ${c.clip}, seed ${c.seed}`;
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
