// Runs waiting to train, one after another (the compare queue and the paper grid both use it).
import { create } from 'zustand';
import type { RunConfig } from '../../spec/config';

export interface QueuedRun {
  id: string;
  config: RunConfig;
  gridId: string | null;
}

interface QueueState {
  items: QueuedRun[];
  push(config: RunConfig, gridId?: string | null): void;
  shift(): QueuedRun | undefined;
  remove(id: string): void;
  clear(): void;
}

export const useQueue = create<QueueState>()((set, get) => ({
  items: [],
  push: (config, gridId = null) => set((s) => ({ items: [...s.items, { id: crypto.randomUUID(), config, gridId }] })),
  shift: () => {
    const [first, ...rest] = get().items;
    if (first) set({ items: rest });
    return first;
  },
  remove: (id) => set((s) => ({ items: s.items.filter((q) => q.id !== id) })),
  clear: () => set({ items: [] }),
}));
