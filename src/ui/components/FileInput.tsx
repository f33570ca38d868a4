// A labelled file picker that hands the chosen file on and clears itself, so choosing the
// same file twice works.
import { useId } from 'react';

interface Props {
  label: string;
  accept: string;
  disabled?: boolean;
  onFile(f: File): void;
}

export function FileInput({ label, accept, disabled, onFile }: Props) {
  const id = useId();
  return (
    <div className="field file-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept={accept}
        disabled={disabled}
        onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (f) onFile(f);
        }}
      />
    </div>
  );
}
