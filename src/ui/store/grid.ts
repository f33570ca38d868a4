// The paper grid's settings (which tasks and models, at what size and run length) and the
// id of the grid whose runs fill the table.
import { create } from 'zustand';
import { MODEL_IDS, TASK_IDS, type ModelId, type SizeId, type TaskId } from '../../spec/config';

interface GridState {
  tasks: TaskId[];
  models: ModelId[];
  size: SizeId;
  steps: number;
  seed: number;
  /** The grid shown in the table (the last one started), or null. */
  gridId: string | null;
  toggleTask(t: TaskId): void;
  toggleModel(m: ModelId): void;
  set(patch: Partial<Pick<GridState, 'size' | 'steps' | 'seed' | 'gridId'>>): void;
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
  toggleTask: (t) => set((s) => ({ tasks: toggle(s.tasks, t, TASK_IDS) })),
  toggleModel: (m) => set((s) => ({ models: toggle(s.models, m, MODEL_IDS) })),
  set: (patch) => set(patch),
}));
