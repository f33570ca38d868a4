// The training speeds measured in this browser (speeds.ts), for the preset notes; filled and
// kept by session/speeds.ts.
import { create } from 'zustand';
import type { SpeedTable } from '../speeds';

interface SpeedsState {
  table: SpeedTable;
  setTable(table: SpeedTable): void;
}

export const useSpeeds = create<SpeedsState>()((set) => ({
  table: [],
  setTable: (table) => set({ table }),
}));
