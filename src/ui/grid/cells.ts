// Which saved run fills a grid cell: the current grid's run for that task and model, else the
// newest run of that task and model made in the Lab view (so runs already made count).
import type { ModelId, TaskId } from '../../spec/config';
import type { SavedRun } from '../store/runs';

export interface CellRun {
  run: SavedRun;
  /** True when the run was made in the Lab view, not queued by this grid. */
  fromLab: boolean;
}

export function cellRun(
  runs: readonly SavedRun[],
  gridId: string | null,
  task: TaskId,
  model: ModelId,
): CellRun | null {
  let lab: SavedRun | null = null;
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i];
    if (r.run.config.task !== task || r.run.config.model !== model) continue;
    if (gridId && r.gridId === gridId) return { run: r, fromLab: false };
    if (!lab && r.gridId === null) lab = r;
  }
  return lab ? { run: lab, fromLab: true } : null;
}
