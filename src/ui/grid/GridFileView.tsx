// A grid opened from a file, shown in the paper grid view: the shipped Reproduction or a grid
// the reader opened (grid.json, a grid link). What it is (preset, steps, seeds, where it was
// trained), SPEC's rule, the table, the open cell's curves, and its share link.
import { useEffect, useId, useMemo } from 'react';
import { gridVerdicts, type GridState as GridFile } from '../../train/gridFile';
import { formatDuration } from '../format';
import { loadReproduction, shareShownGrid } from '../session/grid';
import { useGrid } from '../store/grid';
import { CellCurves } from './CellCurves';
import { FileGridTable } from './FileGridTable';
import { verdictRuleSentences } from './rule';

/** "Teaching preset (steps 20, eval-every 10), 3 seeds (1, 2, 3), 108 runs; trained on …". */
function aboutText(grid: GridFile): string {
  const { spec, cells, timing } = grid;
  const overrides = Object.entries(spec.overrides).map(([k, v]) => (v === true ? k : `${k} ${v}`));
  const done = cells.filter((c) => c.status === 'done').length;
  const where = [
    timing.adapter ? `trained on ${timing.adapter}` : null,
    timing.wallSeconds ? `in ${formatDuration(timing.wallSeconds)}` : null,
  ].filter(Boolean);
  return (
    `${spec.preset[0].toUpperCase()}${spec.preset.slice(1)} preset` +
    (overrides.length ? ` (${overrides.join(', ')})` : '') +
    `, ${spec.seeds.length} seed${spec.seeds.length === 1 ? '' : 's'} (${spec.seeds.join(', ')}): ` +
    `${done} of ${cells.length} runs finished` +
    (where.length ? `, ${where.join(' ')}` : '') +
    '.'
  );
}

function ShareGrid() {
  const link = useGrid((s) => s.gridLink);
  const id = useId();
  return (
    <div className="grid-share">
      <button type="button" onClick={() => void shareShownGrid()}>
        Share this grid
      </button>
      {link ? (
        <span className="field">
          <label htmlFor={id}>Grid link</label>
          <input id={id} type="text" readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
        </span>
      ) : null}
    </div>
  );
}

function ShownGrid({ grid, name }: { grid: GridFile; name: string }) {
  const openCell = useGrid((s) => s.openCell);
  // every verdict from the runs, once per grid (parseGridFile trusts none written in the file)
  const rows = useMemo(() => gridVerdicts(grid), [grid]);
  const row = openCell && rows.find((r) => r.task === openCell.task && r.model === openCell.model);
  return (
    <>
      <p className="grid-about">{aboutText(grid)}</p>
      <div className="verdict-rule">
        <h3>How the lab judges a run</h3>
        {verdictRuleSentences().map((s) => (
          <p key={s.slice(0, 12)}>{s}</p>
        ))}
        <p>
          A cell with several seeds is judged on the seeds&apos; mean curve, with each seed&apos;s verdict beside it.
        </p>
      </div>
      <FileGridTable grid={grid} rows={rows} openCell={openCell} />
      <ShareGrid />
      {row ? <CellCurves grid={grid} gridName={name} row={row} /> : null}
    </>
  );
}

export function ReproductionView() {
  const reproduction = useGrid((s) => s.reproduction);
  useEffect(() => void loadReproduction(), []);
  if (reproduction.status === 'ready') return <ShownGrid grid={reproduction.grid} name="the Reproduction" />;
  if (reproduction.status === 'missing' || reproduction.status === 'error')
    return <p className="grid-about">{reproduction.message}</p>;
  return <p className="grid-about">Loading the Reproduction grid…</p>;
}

export function OpenedGridView() {
  const opened = useGrid((s) => s.opened);
  if (!opened) return <p className="grid-about">No grid is open: choose a grid file above.</p>;
  return (
    <>
      <p className="grid-about">The grid from {opened.name}.</p>
      <ShownGrid grid={opened.grid} name={opened.name} />
    </>
  );
}
