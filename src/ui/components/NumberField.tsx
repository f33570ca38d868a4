// A labelled number input that edits as text and commits only valid, in-bounds numbers
// (so typing "0." on the way to "0.001" is not fought by the store). Text that is not an allowed
// value stays as typed, marked invalid with a sentence saying what is allowed, and holds back its
// form's start button (store/invalidFields) until it is fixed.
import { useEffect, useId, useState } from 'react';
import { useInvalidFields, type FieldForm } from '../store/invalidFields';

interface Props {
  label: string;
  value: number;
  min: number;
  max: number;
  integer?: boolean;
  /** The minimum itself is not allowed (learning rate > 0). */
  minExclusive?: boolean;
  /** Step of the arrow keys; "any" for real numbers. */
  step?: number | 'any';
  hint?: string;
  disabled?: boolean;
  /** Whose start button an invalid value holds back; the Lab's by default. */
  form?: FieldForm;
  onCommit(v: number): void;
}

function plain(x: number): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: 20 });
}

/** "Steps must be a whole number from 1 to 1,000,000", "Learning rate must be a number above 0 and at most 1". */
export function allowedSentence(label: string, min: number, max: number, integer: boolean, minExclusive = false) {
  const what = integer ? 'a whole number' : 'a number';
  const range = minExclusive ? `above ${plain(min)} and at most ${plain(max)}` : `from ${plain(min)} to ${plain(max)}`;
  return `${label} must be ${what} ${range}.`;
}

function allowed(text: string, min: number, max: number, integer: boolean, minExclusive: boolean): boolean {
  const v = Number(text);
  return (
    text.trim() !== '' &&
    Number.isFinite(v) &&
    (minExclusive ? v > min : v >= min) &&
    v <= max &&
    (!integer || Number.isInteger(v))
  );
}

export function NumberField(props: Props) {
  const { label, value, min, max, integer = true, minExclusive = false, step, hint, disabled, onCommit } = props;
  const form = props.form ?? 'lab';
  const id = useId();
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const valid = disabled || allowed(text, min, max, integer, minExclusive);
  const message = valid ? null : allowedSentence(label, min, max, integer, minExclusive);
  const mark = useInvalidFields((s) => s.mark);
  useEffect(() => mark(id, message === null ? null : { form, label, message }), [mark, id, form, label, message]);
  useEffect(() => () => mark(id, null), [mark, id]);
  const describedBy = [hint ? `${id}-hint` : '', message ? `${id}-error` : ''].filter(Boolean).join(' ');
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
        aria-describedby={describedBy || undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (allowed(e.target.value, min, max, integer, minExclusive)) onCommit(Number(e.target.value));
        }}
      />
      {hint ? (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      ) : null}
      {message ? (
        <span id={`${id}-error`} className="field-error">
          {message}
        </span>
      ) : null}
    </div>
  );
}
