// Compares two grid.json files as tests/cli/grid.test.ts does: equal bit for bit apart from
// what may differ between two trainings of the same grid (timings, steps per second). On a
// difference it names the first part that differs (the grid's id, its stacking groups, a cell).
// Usage: node tests/slurm/same-grid.mjs EXPECTED.json ACTUAL.json  (exit 0 when the same, 1 if not)
import { readFileSync } from 'node:fs';

/** The grid without its timings: what two trainings of the same grid must agree on. */
function results(path) {
  const grid = JSON.parse(readFileSync(path, 'utf8'));
  delete grid.timing;
  for (const c of grid.cells) if (c.run) c.run.stepsPerSecond = null;
  return grid;
}

const [expectedPath, actualPath] = process.argv.slice(2);
if (!expectedPath || !actualPath) {
  console.error('usage: node tests/slurm/same-grid.mjs EXPECTED.json ACTUAL.json');
  process.exit(2);
}
const expected = results(expectedPath);
const actual = results(actualPath);
if (JSON.stringify(expected) === JSON.stringify(actual)) {
  const groups = expected.groups.length;
  console.log(`same grid: ${expected.cells.length} cells in ${groups} stacking groups, equal apart from timings`);
  process.exit(0);
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let where = 'outside the cells and groups (the grid id, its flags, the table or the verdicts)';
if (!same(expected.groups, actual.groups)) where = 'in the stacking groups';
else if (expected.cells.length !== actual.cells.length) {
  where = `in the number of cells (${expected.cells.length} and ${actual.cells.length})`;
} else {
  const cell = expected.cells.findIndex((c, i) => !same(c, actual.cells[i]));
  if (cell >= 0) where = `in cell ${expected.cells[cell].id ?? cell}`;
}
console.error(`${actualPath} differs from ${expectedPath} ${where}.`);
process.exit(1);
