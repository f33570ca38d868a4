// The paper grid table: one row per task, one column per model. Each cell holds the lab's
// verdict (SPEC.md's rule, from the run's own evaluations; it opens the run) beside what Park et
// al. report. Runs already made in the Lab view fill cells the current grid has not.
import type { ModelId } from '../../spec/config';
import { useGrid } from '../store/grid';
import { useQueue } from '../store/queue';
import { useRuns } from '../store/runs';
import { useLab } from '../store/lab';
import { MODEL_LABEL, TASK_TEXT } from '../labels';
import { openSavedRun } from '../session/open';
import { PAPER_SYMBOL_WORDS, paperReport } from '../explain/paper';
import { cellRun } from './cells';
import { judgeRun } from './classify';
import { verdictRuleSentences } from './rule';

export function GridTable() {
  const { tasks, models, gridId } = useGrid();
  const runs = useRuns((s) => s.runs);
  const queued = useQueue((s) => s.items);
  const live = useLab((s) => (s.liveGridId === gridId && s.live ? s.live.config : null));
  const trainerState = useLab((s) => s.trainerState);
  const cells = tasks.flatMap((t) => models.map((m) => cellRun(runs, gridId, t, m)));
  const fromLab = cells.filter((c) => c?.fromLab).length;
  const labRuns = runs.filter((r) => r.gridId === null).length;
  return (
    <>
      <div className="verdict-rule">
        <h3>How the lab judges a run</h3>
        {verdictRuleSentences().map((s) => (
          <p key={s.slice(0, 12)}>{s}</p>
        ))}
      </div>
      <p className="lab-runs-count">
        {labRuns === 0
          ? 'No runs made in the Lab view yet; the cells fill as the grid trains.'
          : `${labRuns} run${labRuns === 1 ? '' : 's'} made in the Lab view; ` +
            `${fromLab} fill${fromLab === 1 ? 's' : ''} a cell below (marked “lab run”) ` +
            'where this grid has no run of its own.'}
      </p>
      <table className="grid-table">
        <caption>
          Each cell: the lab&apos;s verdict (it opens the run) · what the paper reports (✓ on par with the best
          baseline, ▲ learns with a gap, ✗ fails; trained 500,000 steps at full size).
        </caption>
        <GridTableHead models={models} />
        <tbody>
          {tasks.map((t) => (
            <tr key={t}>
              <th scope="row">{TASK_TEXT[t].label}</th>
              {models.map((m) => {
                const paper = paperReport(t, m);
                const paperText = paper ? `paper ${paper}` : 'paper: no entry';
                const paperLabel = paper
                  ? `The paper: ${paper} ${PAPER_SYMBOL_WORDS[paper]}`
                  : 'The paper has no entry';
                const found = cellRun(runs, gridId, t, m);
                let lab;
                if (found) {
                  const j = judgeRun(found.run.run);
                  lab = (
                    <button type="button" className="cell" title={j?.reason} onClick={() => openSavedRun(found.run)}>
                      <span aria-hidden="true">{j?.symbol ?? '?'}</span>
                      <span className="visually-hidden">
                        Open {TASK_TEXT[t].label} with {MODEL_LABEL[m]}
                        {found.fromLab ? ' (lab run)' : ''}: {j ? `${j.symbol} ${j.reason}` : 'no ICL curve'}
                      </span>
                    </button>
                  );
                } else {
                  const training = live && live.task === t && live.model === m && trainerState !== 'done';
                  const waiting = queued.some(
                    (q) => q.gridId === gridId && q.config.task === t && q.config.model === m,
                  );
                  lab = <span className="cell-state">{training ? 'training…' : waiting ? 'queued' : '—'}</span>;
                }
                return (
                  <td key={m}>
                    {lab}
                    {found?.fromLab ? <span className="cell-note">lab run</span> : null}
                    <span className="paper-mark" title={paperLabel}>
                      <span aria-hidden="true">{paperText}</span>
                      <span className="visually-hidden">{paperLabel}</span>
                    </span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The grid tables' header row: "Task", then one column per model. */
export function GridTableHead({ models }: { models: readonly ModelId[] }) {
  return (
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
  );
}
