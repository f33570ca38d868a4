// The table of a grid opened from a file (the Reproduction, a grid.json, a grid link): per cell
// the verdict of the seeds' mean curve by SPEC's rule (gridVerdicts, as the CLI's grid.md), the
// numbers behind it (gap or accuracy, the seeds' spread, each seed's verdict) and what the paper
// reports. A cell is a button that opens its ICL curves below the table.
import type { ModelId, TaskId } from '../../spec/config';
import { isAccuracyTask } from '../../spec/verdict';
import type { GridState as GridFile } from '../../train/gridFile';
import type { CellVerdict } from '../../train/gridVerdicts';
import { formatNumber } from '../format';
import { MODEL_LABEL, TASK_TEXT } from '../labels';
import { PAPER_SYMBOL_WORDS } from '../explain/paper';
import { useGrid } from '../store/grid';
import { GridTableHead } from './GridTable';

/** What a verdict's value is for a task. */
function valueName(task: TaskId): string {
  return task === 'vector_mqar' ? 'recall' : isAccuracyTask(task) ? 'accuracy' : 'gap';
}

/** "Gap over 3 seeds: mean 0.05, SD 0.01, from 0.04 to 0.06." */
export function spreadText(task: TaskId, s: CellVerdict['spread']): string {
  const name = valueName(task);
  const what = `${name[0].toUpperCase()}${name.slice(1)}`;
  if (s.n === 1) return `${what} of its one seed: ${formatNumber(s.mean, 2)}.`;
  return (
    `${what} over ${s.n} seeds: mean ${formatNumber(s.mean, 2)}, SD ${formatNumber(s.sd, 2)}, ` +
    `from ${formatNumber(s.min, 2)} to ${formatNumber(s.max, 2)}.`
  );
}

/** The short numbers under a cell's verdict: "gap 0.05 ± 0.01". */
function shortNumbers(task: TaskId, s: CellVerdict['spread']): string {
  if (s.n === 0) return '';
  // an SD under 0.001 reads as such, not as 4.11e-4 beside a two-digit mean
  const sd = s.sd > 0 && s.sd < 1e-3 ? '< 0.001' : formatNumber(s.sd, 1);
  return `${valueName(task)} ${formatNumber(s.mean, 2)}${s.n > 1 ? ` ± ${sd}` : ''}`;
}

/** A table row's cell: the verdicts over the seeds and the paper's mark (gridVerdicts' rows). */
export type GridRow = CellVerdict & { paper: string | null };

function Cell({ row, open }: { row: GridRow; open: boolean }) {
  const { task, model, verdict, seeds, failed, unfinished } = row;
  const title = `${TASK_TEXT[task].label} with ${MODEL_LABEL[model]}`;
  const paperLabel = row.paper
    ? `The paper: ${row.paper} ${PAPER_SYMBOL_WORDS[row.paper as '✓' | '▲' | '✗']}`
    : 'The paper has no entry';
  const seedMarks = [
    ...seeds.map((s) => ({ seed: s.seed, mark: s.verdict.symbol, why: s.verdict.reason })),
    ...failed.map((f) => ({ seed: f.seed, mark: '!', why: `failed: ${f.failure}` })),
    ...unfinished.map((seed) => ({ seed, mark: '…', why: 'not finished' })),
  ].sort((a, b) => a.seed - b.seed);
  const toggle = () => useGrid.getState().set({ openCell: open ? null : { task, model } });
  return (
    <td className={open ? 'open' : undefined}>
      <button
        type="button"
        className="cell"
        data-cell={`${task}.${model}`}
        aria-expanded={open}
        title={verdict?.reason ?? 'No seed has finished.'}
        onClick={toggle}
      >
        <span aria-hidden="true">{verdict?.symbol ?? '—'}</span>
        <span className="visually-hidden">
          {`Curves of ${title}: ${verdict ? `${verdict.symbol} ${verdict.reason}` : 'no seed has finished'}`}
        </span>
      </button>
      <span className="cell-numbers">{shortNumbers(task, row.spread)}</span>
      <span className="cell-seeds">
        {seedMarks.map((s) => (
          <span key={s.seed} title={`Seed ${s.seed}: ${s.why}`}>
            {s.mark}
          </span>
        ))}
        <span className="visually-hidden">
          {seedMarks.map((s) => `Seed ${s.seed}: ${s.mark === '!' ? 'failed' : s.mark}.`).join(' ')}
        </span>
      </span>
      <span className="paper-mark" title={paperLabel}>
        <span aria-hidden="true">{row.paper ? `paper ${row.paper}` : 'paper: no entry'}</span>
        <span className="visually-hidden">{paperLabel}</span>
      </span>
    </td>
  );
}

interface Props {
  grid: GridFile;
  rows: readonly GridRow[];
  openCell: { task: TaskId; model: ModelId } | null;
}

export function FileGridTable({ grid, rows, openCell }: Props) {
  const { tasks, models } = grid.spec;
  const seeds = grid.spec.seeds.length;
  return (
    // scrolls sideways on a narrow screen rather than squeezing the cells
    <div className="grid-scroll" tabIndex={0} role="region" aria-label="Grid table">
      <table className="grid-table file-grid">
        <caption>
          Each cell: the verdict of the {seeds === 1 ? "seed's curve" : `${seeds} seeds' mean curve`} (it opens the
          curves), the {seeds === 1 ? 'gap or accuracy' : 'mean gap or accuracy ± its SD over the seeds'}, each
          seed&apos;s verdict, and what the paper reports (✓ on par with the best baseline, ▲ learns with a gap, ✗
          fails; trained 500,000 steps at full size).
        </caption>
        <GridTableHead models={models} />
        <tbody>
          {tasks.map((t) => (
            <tr key={t}>
              <th scope="row">{TASK_TEXT[t].label}</th>
              {models.map((m) => {
                const row = rows.find((r) => r.task === t && r.model === m)!;
                return <Cell key={m} row={row} open={openCell?.task === t && openCell.model === m} />;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
