// CSV downloads of the shown run: the ICL curves and the loss history.
// (Filled in once src/train/exportCsv.ts lands.)
export function CsvButtons() {
  return null;
}
