// CSV downloads of the shown run: the ICL curves (one row per prompt position) and the loss history.
import { curvesToCsv, historyToCsv } from '../../train/exportCsv';
import { saveBlob } from '../download';
import { fileStem } from '../format';
import { shownRun, useLab } from '../store/lab';

function saveCsv(name: string, text: string): void {
  saveBlob(`${fileStem(useLab.getState().config)}-${name}.csv`, new Blob([text], { type: 'text/csv' }));
}

export function CsvButtons() {
  const run = useLab((s) => shownRun(s));
  return (
    <>
      <button
        type="button"
        disabled={!run?.icl}
        onClick={() => run?.icl && saveCsv('icl-curves', curvesToCsv(run.icl))}
      >
        Curves CSV
      </button>
      <button
        type="button"
        disabled={!run || run.history.length === 0}
        onClick={() => run && saveCsv('loss', historyToCsv(run.history))}
      >
        Loss CSV
      </button>
    </>
  );
}
