// The paper grid's settings (which tasks and models, at what size and run length), the id of
// the grid whose runs fill the table, and the grids opened from files: the shipped Reproduction,
// a grid.json or a grid link, with the cell whose curves are open.
import { create } from 'zustand';
import { MODEL_IDS, TASK_IDS, type ModelId, type SizeId, type TaskId } from '../../spec/config';
import type { GridState as GridFile } from '../../train/gridFile';

/** Which table the view shows: runs made in this page, the shipped Reproduction, or an opened grid. */
export type GridSource = 'lab' | 'reproduction' | 'opened';

export interface OpenedGrid {
  /** Where it came from, in words ("grid.json", "a grid link"). */
  name: string;
  grid: GridFile;
}

/** The shipped Reproduction: not asked for yet, on its way, there, or why not. */
export type ReproductionState =
  | { status: 'idle' | 'loading' }
  | { status: 'ready'; grid: GridFile }
  | { status: 'missing' | 'error'; message: string };

export interface OpenCell {
  task: TaskId;
  model: ModelId;
}

interface GridState {
  tasks: TaskId[];
  models: ModelId[];
  size: SizeId;
  steps: number;
  seed: number;
  /** The grid shown in the table (the last one started), or null. */
  gridId: string | null;
  source: GridSource;
  reproduction: ReproductionState;
  opened: OpenedGrid | null;
  /** The cell whose ICL curves are shown under the Reproduction's or an opened grid's table. */
  openCell: OpenCell | null;
  /** The last grid link made by "Share this grid", shown in a field. */
  gridLink: string | null;
  toggleTask(t: TaskId): void;
  toggleModel(m: ModelId): void;
  set(
    patch: Partial<
      Pick<GridState, 'size' | 'steps' | 'seed' | 'gridId' | 'source' | 'reproduction' | 'openCell' | 'gridLink'>
    >,
  ): void;
  /** Shows an opened grid (its table, no cell open). */
  open(opened: OpenedGrid): void;
}

function toggle<T>(list: readonly T[], x: T, order: readonly T[]): T[] {
  const next = list.includes(x) ? list.filter((y) => y !== x) : [...list, x];
  return order.filter((y) => next.includes(y));
}

export const useGrid = create<GridState>()((set) => ({
  tasks: [...TASK_IDS],
  models: ['transformer', 'mamba', 'mambaformer'],
  size: 'tiny',
  steps: 2000,
  seed: 1,
  gridId: null,
  source: 'lab',
  reproduction: { status: 'idle' },
  opened: null,
  openCell: null,
  gridLink: null,
  toggleTask: (t) => set((s) => ({ tasks: toggle(s.tasks, t, TASK_IDS) })),
  toggleModel: (m) => set((s) => ({ models: toggle(s.models, m, MODEL_IDS) })),
  set: (patch) => set(patch),
  open: (opened) => set({ opened, source: 'opened', openCell: null, gridLink: null }),
}));
