// Number fields whose text is not an allowed value, with the sentence that says what is. Train (or
// "Run the grid") waits until its form has none; the field keeps the text so nothing is replaced.
import { create } from 'zustand';

/** The Lab's settings, or the paper grid's: each gates its own start button. */
export type FieldForm = 'lab' | 'grid';

export interface InvalidField {
  form: FieldForm;
  label: string;
  message: string;
}

interface InvalidFieldsState {
  /** The invalid fields, by the input's id. */
  byId: Record<string, InvalidField>;
  /** Marks a field invalid with its message, or valid again (null); an unmounted field calls it with null. */
  mark(id: string, field: InvalidField | null): void;
}

export const useInvalidFields = create<InvalidFieldsState>((set) => ({
  byId: {},
  mark: (id, field) =>
    set((s) => {
      if (field === null) {
        if (!(id in s.byId)) return s;
        const { [id]: _gone, ...rest } = s.byId;
        return { byId: rest };
      }
      const old = s.byId[id];
      if (old && old.message === field.message && old.form === field.form) return s;
      return { byId: { ...s.byId, [id]: field } };
    }),
}));

/** The labels of a form's invalid fields, in the order they were marked. */
export function invalidLabels(byId: Record<string, InvalidField>, form: FieldForm): string[] {
  return Object.values(byId)
    .filter((f) => f.form === form)
    .map((f) => f.label);
}

/** "Fix Learning rate and Steps to train." style reason for a disabled start button, or null when none. */
export function blockedReason(labels: string[], action: string): string | null {
  if (labels.length === 0) return null;
  const list = labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
  return `Fix ${list} to ${action}.`;
}
