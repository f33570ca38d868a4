// One cell of a grid opened from a file: its verdict (the seeds' mean, by SPEC's rule) with the
// numbers behind it, each seed's verdict, what the paper reports, the ICL curves (every seed's
// last curve, their mean and range, the task's baselines), and a button per seed that loads it
// into the Lab to train again.
import { useEffect, useRef } from 'react';
import type { ModelId, TaskId } from '../../spec/config';
import type { GridState as GridFile } from '../../train/gridFile';
import { MODEL_LABEL, TASK_TEXT } from '../labels';
import { PAPER_SYMBOL_WORDS } from '../explain/paper';
import { rerunInLab } from '../session/grid';
import { useGrid } from '../store/grid';
import { CellChart } from './CellChart';
import { cellPlot } from './cellPlot';
import { spreadText, type GridRow } from './FileGridTable';

interface Props {
  grid: GridFile;
  gridName: string;
  row: GridRow;
}

/** Closes the curves and gives the keyboard focus back to the cell that opened them. */
function closeCurves(task: TaskId, model: ModelId): void {
  useGrid.getState().set({ openCell: null });
  document.querySelector<HTMLButtonElement>(`button[data-cell="${task}.${model}"]`)?.focus();
}

export function CellCurves({ grid, gridName, row }: Props) {
  const { task, model, verdict } = row;
  const heading = useRef<HTMLHeadingElement>(null);
  // keyboard and screen-reader users land on what they opened
  useEffect(() => heading.current?.focus(), [task, model]);
  const seeds = grid.cells.filter((c) => c.cell.task === task && c.cell.model === model);
  const done = seeds.flatMap((c) => (c.run ? [{ seed: c.cell.seed, run: c.run }] : []));
  const { plot, note } = cellPlot(task, done);
  const title = `${TASK_TEXT[task].label} with ${MODEL_LABEL[model]}`;
  const paper = row.paper ? `${row.paper} ${PAPER_SYMBOL_WORDS[row.paper as '✓' | '▲' | '✗']}` : 'no entry';
  const chartLabel =
    `ICL curves of ${title}: ${plot.yLabel} against ${plot.xLabel}, ${plot.series.length} lines. ` +
    (verdict ? `Verdict of the seeds' mean ${verdict.symbol}: ${verdict.reason}` : 'No seed has finished.');
  return (
    <section className="cell-curves" aria-label="Cell ICL curves">
      <div className="cell-curves-head">
        <h3 ref={heading} tabIndex={-1}>
          {title}
        </h3>
        <button type="button" onClick={() => closeCurves(task, model)}>
          Close the curves
        </button>
      </div>
      <p className="cell-verdict">
        {verdict ? (
          <>
            <strong>The seeds&apos; mean: {verdict.symbol}</strong> {verdict.reason}
          </>
        ) : (
          'No seed of this cell has finished, so it has no verdict.'
        )}{' '}
        {row.spread.n > 0 ? spreadText(task, row.spread) : ''} The paper: {paper}.
      </p>
      <ul className="seed-verdicts" aria-label="Each seed's verdict">
        {row.seeds.map((s) => (
          <li key={s.seed}>
            Seed {s.seed}: {s.verdict.symbol} {s.verdict.reason}
          </li>
        ))}
        {row.failed.map((f) => (
          <li key={f.seed}>
            Seed {f.seed}: failed. {f.failure}
          </li>
        ))}
        {row.unfinished.map((seed) => (
          <li key={seed}>Seed {seed}: not finished.</li>
        ))}
      </ul>
      {note ? <p>{note}</p> : null}
      <CellChart plot={plot} label={chartLabel} />
      <div className="cell-rerun">
        <p>Train this cell again on your own GPU: its settings go into the Lab, with the seed&apos;s results shown.</p>
        {done.map(({ seed, run }) => (
          <button key={seed} type="button" onClick={() => rerunInLab(run, gridName)}>
            Train seed {seed} in the Lab
          </button>
        ))}
      </div>
    </section>
  );
}
