// The queue: runs that train one after another (e.g. the same task for several models).
import { modelLabel, taskLabel } from '../labels';
import { runTitle } from '../runView';
import { isBusy, useLab } from '../store/lab';
import { blockedReason, invalidLabels, useInvalidFields } from '../store/invalidFields';
import { useQueue } from '../store/queue';
import { startQueue } from '../session/trainer';

export function QueuePanel() {
  const items = useQueue((s) => s.items);
  const state = useLab((s) => s.trainerState);
  const busy = isBusy(state);
  const queue = useQueue.getState();
  // The queue takes the stored settings: while a field shows another value, adding would mislead.
  const invalid = useInvalidFields((s) => s.byId);
  const blocked = blockedReason(invalidLabels(invalid, 'lab'), 'add to the queue');
  return (
    <section className="queue" aria-labelledby="queue-heading">
      <h2 id="queue-heading">Queue</h2>
      <div className="button-row">
        <button
          type="button"
          disabled={blocked !== null}
          title={blocked ?? undefined}
          onClick={() => queue.push(useLab.getState().config)}
        >
          Add to queue
        </button>
        <button type="button" disabled={items.length === 0 || busy} onClick={() => void startQueue()}>
          Start queue
        </button>
        <button type="button" disabled={items.length === 0} onClick={() => queue.clear()}>
          Clear queue
        </button>
      </div>
      {items.length === 0 ? (
        <p className="hint">
          Add the current settings to train them after the run in progress; change the model and add again to compare.
        </p>
      ) : (
        <ol>
          {items.map((q, i) => (
            <li key={q.id}>
              {runTitle(q.config, taskLabel, modelLabel)}
              {q.gridId ? ' (grid)' : ''}{' '}
              <button type="button" onClick={() => queue.remove(q.id)}>
                Remove queued run {i + 1}
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
