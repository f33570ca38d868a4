// A labelled number input that edits as text and commits only valid, in-bounds numbers
// (so typing "0." on the way to "0.001" is not fought by the store).
import { useEffect, useId, useState } from 'react';

interface Props {
  label: string;
  value: number;
  min: number;
  max: number;
  integer?: boolean;
  /** Step of the arrow keys; "any" for real numbers. */
  step?: number | 'any';
  hint?: string;
  disabled?: boolean;
  onCommit(v: number): void;
}

export function NumberField({ label, value, min, max, integer = true, step, hint, disabled, onCommit }: Props) {
  const id = useId();
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const parsed = Number(text);
  const valid =
    text.trim() !== '' &&
    Number.isFinite(parsed) &&
    parsed >= min &&
    parsed <= max &&
    (!integer || Number.isInteger(parsed));
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode={integer ? 'numeric' : 'decimal'}
        min={min}
        max={max}
        step={step ?? (integer ? 1 : 'any')}
        value={text}
        disabled={disabled}
        aria-invalid={!valid}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (
            e.target.value.trim() !== '' &&
            Number.isFinite(v) &&
            v >= min &&
            v <= max &&
            (!integer || Number.isInteger(v))
          )
            onCommit(v);
        }}
        onBlur={() => setText(String(value))}
      />
      {hint ? (
        <span id={`${id}-hint`} className="hint">
          {valid ? hint : `${hint} Allowed: ${min} to ${max}${integer ? ', whole numbers' : ''}.`}
        </span>
      ) : null}
    </div>
  );
}
