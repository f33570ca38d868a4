// Row/column sums of a (R, C) matrix; sum_rows is the backward of a broadcast over leading
// dims (bias and positional-embedding gradients); sumRowsAt sums a section of a buffer of
// partial sums (the selective scan's backward). Kernels in shaders/reduce.wgsl.
import source from '../../../shaders/reduce.wgsl?raw';
import { entryPoint, grid1d, kernel, uniformStruct } from '../../gpu/kernel';
import { accumulateGrad } from './grad';
import { numel, type Shape, type Tensor } from '../tensor';

export const ReduceParams = uniformStruct('Params', { rows: 'u32', cols: 'u32', alpha: 'f32', rows_per_wg: 'u32' });
/** Columns per sum_rows workgroup (COLS in reduce.wgsl) and rows each one sums. */
const SUM_ROWS_COLS = 64;
const ROWS_PER_WG = 64;
const WG = 256;
export const SumPartialsParams = uniformStruct('SumParams', { rows: 'u32', cols: 'u32', offset: 'u32', _pad: 'u32' });
/** sum_partials: columns per workgroup (× 4 row lanes). */
const PARTS_WG = 64;

const SUM_ROWS = entryPoint(source, 'sum_rows', { p: 'uniform', x: 'read', out: 'rw' });
const SUM_COLS = entryPoint(source, 'sum_cols', { p: 'uniform', x: 'read', out: 'rw' });
const EXPAND = entryPoint(source, 'expand', { p: 'uniform', v: 'read', expanded: 'rw' });
const SUM_PARTIALS = entryPoint(source, 'sum_partials', { sp: 'uniform', parts: 'read', total: 'rw' });
export const ENTRY_POINTS = [SUM_ROWS, SUM_COLS, EXPAND, SUM_PARTIALS];
const sumRowsKernel = kernel(SUM_ROWS, 'sum_rows', { constants: { WG } });
const sumColsKernel = kernel(SUM_COLS, 'sum_cols', { constants: { WG } });
const expandKernel = (alongRows: boolean) =>
  kernel(EXPAND, alongRows ? 'expand_rows' : 'expand_cols', { constants: { WG, ALONG_ROWS: alongRows ? 1 : 0 } });
const sumPartialsKernel = kernel(SUM_PARTIALS, 'sum_partials', { constants: { PARTS_WG } });

/** (R, C) tensor with alpha·v spread along rows (v: C values) or along columns (v: R values). */
function expand(v: Tensor, rows: number, cols: number, alongRows: boolean, shape: Shape, alpha: number): Tensor {
  const g = v.graph;
  const out = g.tensor(shape, false, `expand(${v.label})`);
  const k = expandKernel(alongRows);
  g.dispatch(
    k,
    ReduceParams.pack({ rows, cols, alpha, rows_per_wg: 0 }),
    k.bind({ v, expanded: out }),
    grid1d(rows * cols, WG),
  );
  return out;
}

function grid(n: number): [number, number, number] {
  return n <= 65535 ? [n, 1, 1] : [65535, Math.ceil(n / 65535), 1];
}

/** x viewed as (rows, C) → (C) sums over rows, returned with shape outShape (numel C). */
export function sumRows(x: Tensor, rows: number, outShape: Shape, alpha = 1): Tensor {
  const cols = numel(outShape);
  if (rows * cols !== x.size) throw new Error(`sumRows: ${x} is not ${rows} rows of ${cols}`);
  const g = x.graph;
  // partial sums over at most ROWS_PER_WG chunks of rows, then over the partials: two
  // dispatches at most (a third, tiny, pass costs a whole dispatch on a fast GPU)
  let partial: Tensor = x;
  let left = rows;
  do {
    const perWg = Math.max(ROWS_PER_WG, Math.ceil(left / ROWS_PER_WG));
    const chunks = Math.ceil(left / perWg);
    const last = chunks === 1;
    const next: Tensor = g.tensor(
      last ? outShape : [chunks, cols],
      x.requiresGrad && last,
      last ? `sum_rows(${x.label})` : 'sum_rows_partial',
    );
    const params = ReduceParams.pack({ rows: left, cols, alpha: last ? alpha : 1, rows_per_wg: perWg });
    g.dispatch(sumRowsKernel, params, sumRowsKernel.bind({ x: partial, out: next }), [
      Math.ceil(cols / SUM_ROWS_COLS),
      chunks,
      1,
    ]);
    partial = next;
    left = chunks;
  } while (left > 1);
  const out = partial;
  g.record(out, (dout) => accumulateGrad(x, expand(dout, rows, cols, true, x.shape, alpha)));
  return out;
}

/** x viewed as (R, cols) → (R) sums over the last dim. */
export function sumCols(x: Tensor, cols: number, alpha = 1): Tensor {
  const rows = x.size / cols;
  if (!Number.isInteger(rows)) throw new Error(`sumCols: ${x} is not rows of ${cols}`);
  const g = x.graph;
  const out = g.tensor([rows], x.requiresGrad, `sum_cols(${x.label})`);
  g.dispatch(
    sumColsKernel,
    ReduceParams.pack({ rows, cols, alpha, rows_per_wg: 0 }),
    sumColsKernel.bind({ x, out }),
    grid(rows),
  );
  g.record(out, (dout) => accumulateGrad(x, expand(dout, rows, cols, false, x.shape, alpha)));
  return out;
}

/** into (C) = Σ_r parts[offset + r·C + c] over `rows` rows: one section of a buffer of partial
 *  sums (no autograd; the op that wrote the partials records the gradient). */
export function sumRowsAt(parts: Tensor, offset: number, rows: number, into: Tensor): Tensor {
  const params = SumPartialsParams.pack({ rows, cols: into.size, offset, _pad: 0 });
  parts.graph.dispatch(
    sumPartialsKernel,
    params,
    sumPartialsKernel.bind({ parts, total: into }),
    grid1d(into.size, PARTS_WG),
  );
  return into;
}

// ---- CPU reference ----------------------------------------------------------------------

export function sumRowsRef(x: ArrayLike<number>, rows: number, cols: number, alpha = 1): Float64Array {
  const out = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c] += x[r * cols + c];
  return out.map((v) => v * alpha);
}

export function sumColsRef(x: ArrayLike<number>, rows: number, cols: number, alpha = 1): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r] += x[r * cols + c];
  return out.map((v) => v * alpha);
}
