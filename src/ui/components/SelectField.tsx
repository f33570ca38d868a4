// A labelled <select> over a fixed list of ids with human labels.
import { useId } from 'react';

interface Props<T extends string> {
  label: string;
  value: T;
  options: readonly T[];
  optionLabel(v: T): string;
  disabled?: boolean;
  onChange(v: T): void;
}

export function SelectField<T extends string>({ label, value, options, optionLabel, disabled, onChange }: Props<T>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => {
          const v = options.find((o) => o === e.target.value);
          if (v) onChange(v);
        }}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {optionLabel(o)}
          </option>
        ))}
      </select>
    </div>
  );
}
