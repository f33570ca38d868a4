// The page's one role="alert" element: every current problem, each with its own way out.
// Messages are plain text (React escapes them); nothing here is ever parsed as markup.
// Button names stay short and fixed so they never collide with the lab's own (Train, Step…).
import { useAlerts, type AlertAction } from '../store/alerts';
import { runAlertAction } from '../session/trainer';

const ACTION_LABEL: Record<AlertAction, string> = {
  resume: 'Resume',
  lower_lr: 'Halve the learning rate',
  smaller_size: 'Use a smaller model',
  export_record: 'Export record',
};

export function AlertBox() {
  const alerts = useAlerts((s) => s.alerts);
  if (alerts.length === 0) return null;
  return (
    <div role="alert" className="alert-box">
      <ul>
        {alerts.map((a) => (
          <li key={a.id} data-kind={a.kind}>
            <span>{a.message}</span>
            <span className="button-row">
              {a.action ? (
                <button type="button" onClick={() => void runAlertAction(a.id, a.action!)}>
                  {ACTION_LABEL[a.action]}
                </button>
              ) : null}
              <button type="button" onClick={() => useAlerts.getState().dismiss(a.id)}>
                Dismiss
              </button>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
