// The runs list: every finished or imported run in its colour; open one, overlay several on
// the ICL plot, delete. Control names are short ("Open run 2") so they never clash with the
// lab's own labels.
import { modelLabel, taskLabel } from '../labels';
import { runTitle } from '../runView';
import { useLab } from '../store/lab';
import { useRuns } from '../store/runs';
import { judgeRun } from '../grid/classify';
import { openSavedRun } from '../session/open';

export function RunsList() {
  const runs = useRuns((s) => s.runs);
  const compare = useRuns((s) => s.compare);
  const viewedId = useLab((s) => s.viewed?.runId);
  const { toggleCompare, remove } = useRuns.getState();
  return (
    <section className="runs" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Runs</h2>
      {runs.length === 0 ? (
        <p className="hint">Finished and imported runs appear here and are kept in this browser.</p>
      ) : null}
      <ol>
        {runs.map((r, i) => {
          const n = i + 1;
          const j = judgeRun(r.run);
          return (
            <li key={r.id} className={r.id === viewedId ? 'current' : undefined}>
              <span className="swatch" style={{ background: r.colour }} aria-hidden="true" />
              <span className="run-title" id={`run-title-${r.id}`}>
                {n}. {runTitle(r.run.config, taskLabel, modelLabel)}
                {j ? <span title={j.reason}> {j.symbol}</span> : null}
              </span>
              <span className="checkbox">
                <input
                  id={`cmp-${r.id}`}
                  type="checkbox"
                  checked={compare.includes(r.id)}
                  onChange={() => toggleCompare(r.id)}
                  aria-describedby={`run-title-${r.id}`}
                />
                <label htmlFor={`cmp-${r.id}`}>Overlay run {n}</label>
              </span>
              <button type="button" aria-describedby={`run-title-${r.id}`} onClick={() => openSavedRun(r)}>
                Open run {n}
              </button>
              <button type="button" aria-describedby={`run-title-${r.id}`} onClick={() => remove(r.id)}>
                Delete run {n}
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
