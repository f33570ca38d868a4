// The learning rate at each step: linear warm-up from 0 over `warmup` steps, then either the
// paper's constant rate or a cosine decay that reaches 0 at the run's last step.
import type { RunConfig } from '../spec/config';

/** Learning rate for step t (1-based: the t-th update of the run). */
export function learningRate(config: Pick<RunConfig, 'lr' | 'warmup' | 'lrSchedule' | 'steps'>, t: number): number {
  const { lr, warmup, lrSchedule, steps } = config;
  if (warmup > 0 && t <= warmup) return (lr * t) / warmup;
  if (lrSchedule === 'constant') return lr;
  const span = Math.max(1, steps - warmup);
  const progress = Math.min(1, Math.max(0, (t - warmup) / span));
  return 0.5 * lr * (1 + Math.cos(Math.PI * progress));
}
