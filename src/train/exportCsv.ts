// CSV export of a run's results, for spreadsheets and plotting scripts: the ICL curves (one row
// per prompt position) and the training-loss history (one row per logged step).
import type { IclResult } from '../spec/icl';
import type { RunFile } from './protocol';

/** RFC 4180 field: quoted when it holds a comma, quote or newline; a leading =+-@ is defused
 * so a spreadsheet never runs a name as a formula. */
function field(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Numbers in full precision; NaN, ±Infinity and missing values become empty cells. */
function num(x: number | undefined): string {
  return x !== undefined && Number.isFinite(x) ? String(x) : '';
}

function toCsv(header: string[], rows: string[][]): string {
  return [header.map(field), ...rows].map((r) => r.join(',')).join('\n') + '\n';
}

/** Columns: position, then <name>_mean,<name>_lo,<name>_hi per curve ("model" first), then
 * <name>_accuracy for each per-position accuracy list (parity). */
export function curvesToCsv(icl: IclResult): string {
  const names = Object.keys(icl.curves).sort((a, b) => Number(b === 'model') - Number(a === 'model'));
  const accuracy = Object.entries(icl.accuracy ?? {}).filter(([, a]) => a.length === icl.positions.length);
  const header = [
    'position',
    ...names.flatMap((n) => [`${n}_mean`, `${n}_lo`, `${n}_hi`]),
    ...accuracy.map(([n]) => `${n}_accuracy`),
  ];
  const rows = icl.positions.map((p, i) => [
    num(p),
    ...names.flatMap((n) => [num(icl.curves[n].mean[i]), num(icl.curves[n].lo[i]), num(icl.curves[n].hi[i])]),
    ...accuracy.map(([, a]) => num(a[i])),
  ]);
  return toCsv(header, rows);
}

/** Columns: step, loss. */
export function historyToCsv(history: RunFile['history']): string {
  return toCsv(
    ['step', 'loss'],
    history.map((h) => [num(h.step), num(h.loss)]),
  );
}
