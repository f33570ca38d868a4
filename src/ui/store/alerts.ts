// Problems the page reports in its role="alert" element: no WebGPU, lost device, diverged
// run, bad link, model too big, a file that did not load, storage that refused a run or a
// checkpoint, a stored run the page cannot read. Each may offer one action.
import { create } from 'zustand';

export type AlertKind =
  | 'no_webgpu'
  | 'device_lost'
  | 'diverged'
  | 'too_big'
  | 'bad_link'
  | 'bad_file'
  | 'internal'
  /** Browser storage refused a run, or could not be read. */
  | 'storage'
  /** The live run's checkpoint (for a resume after a lost device) was not kept in full, or a
   *  resume could not restore all of it. */
  | 'checkpoint'
  /** A stored run record the page cannot read (kept, never deleted). */
  | 'unreadable_record';
/** What the alert's button does (the session layer carries it out). */
export type AlertAction = 'resume' | 'lower_lr' | 'smaller_size' | 'export_record';

export interface Alert {
  id: number;
  kind: AlertKind;
  message: string;
  action?: AlertAction;
  /** The IndexedDB key of the record an 'export_record' action downloads. */
  recordKey?: IDBValidKey;
}

interface AlertsState {
  alerts: Alert[];
  nextId: number;
  push(kind: AlertKind, message: string, action?: AlertAction, recordKey?: IDBValidKey): void;
  dismiss(id: number): void;
  clearKind(kind: AlertKind): void;
}

export const useAlerts = create<AlertsState>()((set) => ({
  alerts: [],
  nextId: 1,
  // The same problem twice (the worker's error event and the rejected call) shows once.
  push: (kind, message, action, recordKey) =>
    set((s) =>
      s.alerts.some((a) => a.message === message || (a.kind === kind && kind === 'no_webgpu'))
        ? {}
        : { alerts: [...s.alerts, { id: s.nextId, kind, message, action, recordKey }], nextId: s.nextId + 1 },
    ),
  dismiss: (id) => set((s) => ({ alerts: s.alerts.filter((a) => a.id !== id) })),
  clearKind: (kind) => set((s) => ({ alerts: s.alerts.filter((a) => a.kind !== kind) })),
}));
