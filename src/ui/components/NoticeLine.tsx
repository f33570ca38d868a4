// Polite notes that are not problems ("link copied", tensors a checkpoint did not use).
import { useLab } from '../store/lab';

export function NoticeLine() {
  const notice = useLab((s) => s.notice);
  return (
    <p className="notice" aria-live="polite">
      {notice}
      {notice ? (
        <button type="button" className="link-button" onClick={() => useLab.getState().setNotice(null)}>
          Hide note
        </button>
      ) : null}
    </p>
  );
}
