// The paper grid: queue one run per (task × model) at the chosen size and length, all
// tagged with one grid id so the table can find them.
import { defaultConfig } from '../../spec/config';
import { useGrid } from '../store/grid';
import { useQueue } from '../store/queue';
import { startQueue } from './trainer';

export async function runGrid(): Promise<void> {
  const g = useGrid.getState();
  const gridId = crypto.randomUUID();
  for (const task of g.tasks) {
    for (const model of g.models) {
      const c = defaultConfig(task, model, g.size);
      c.steps = g.steps;
      c.seed = g.seed;
      // At least a few evaluations per run, whatever its length.
      c.evalEvery = Math.max(1, Math.min(c.evalEvery, Math.floor(g.steps / 4)));
      useQueue.getState().push(c, gridId);
    }
  }
  g.set({ gridId });
  await startQueue();
}
