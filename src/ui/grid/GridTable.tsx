// The paper grid table: one row per task, one column per model, ✓ / ▲ / ✗ from each run's
// own curve; a cell opens its run.
import { useGrid } from '../store/grid';
import { useQueue } from '../store/queue';
import { useRuns } from '../store/runs';
import { useLab } from '../store/lab';
import { MODEL_LABEL, TASK_TEXT } from '../labels';
import { openSavedRun } from '../session/open';
import { judgeRun } from './classify';

export function GridTable() {
  const { tasks, models, gridId } = useGrid();
  const runs = useRuns((s) => s.runs);
  const queued = useQueue((s) => s.items);
  const live = useLab((s) => (s.liveGridId === gridId && s.live ? s.live.config : null));
  const trainerState = useLab((s) => s.trainerState);
  return (
    <table className="grid-table">
      <caption>
        ✓ matches the best baseline (ICL gap ≤ 0.1, or accuracy ≥ 95%) · ▲ in between · ✗ fails (gap ≥ 0.9, or near
        chance) · – inconclusive (fewer than 256 prompts or 3 evaluations, or still learning). The gap is (model − best
        baseline) ÷ (zero − best baseline) over the last quarter of the prompt, at the run's last evaluation.
      </caption>
      <thead>
        <tr>
          <th scope="col">Task</th>
          {models.map((m) => (
            <th key={m} scope="col">
              {MODEL_LABEL[m]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t}>
            <th scope="row">{TASK_TEXT[t].label}</th>
            {models.map((m) => {
              const run = gridId
                ? [...runs]
                    .reverse()
                    .find((r) => r.gridId === gridId && r.run.config.task === t && r.run.config.model === m)
                : undefined;
              if (run) {
                const j = judgeRun(run.run);
                return (
                  <td key={m}>
                    <button type="button" className="cell" title={j?.reason} onClick={() => openSavedRun(run)}>
                      <span aria-hidden="true">{j?.symbol ?? '?'}</span>
                      <span className="visually-hidden">
                        Open {TASK_TEXT[t].label} with {MODEL_LABEL[m]}:{' '}
                        {j ? `${j.symbol} ${j.reason}` : 'no ICL curve'}
                      </span>
                    </button>
                  </td>
                );
              }
              const training = live && live.task === t && live.model === m && trainerState !== 'done';
              const waiting = queued.some((q) => q.gridId === gridId && q.config.task === t && q.config.model === m);
              return <td key={m}>{training ? 'training…' : waiting ? 'queued' : '—'}</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
