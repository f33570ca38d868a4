// split: a tensor cut into parts along its last dimension (in_proj → x, z; x_proj → δ, B, C),
// and its inverse concatLast (the scan's B | C), with their backwards and CPU reference.
// Kernels in shaders/split.wgsl.
// Legend: R rows (product of the leading dims), W = Σ sizes, w one part's width.
import source from '../../../shaders/split.wgsl?raw';
import { entryPoint, grid1d, kernel, uniformStruct } from '../../gpu/kernel';
import { accumulateGrad } from './grad';
import type { Tensor } from '../tensor';

export const SplitParams = uniformStruct('Params', { rows: 'u32', width: 'u32', off: 'u32', part: 'u32' });
const WG = 256;
export const ConcatParams = uniformStruct('ConcatParams', { rows: 'u32', w1: 'u32', w2: 'u32', _pad: 'u32' });

const GATHER = entryPoint(source, 'split_gather', { p: 'uniform', gx: 'read', gpart: 'rw' });
const SCATTER = entryPoint(source, 'split_scatter', { p: 'uniform', sdpart: 'read', sbase: 'read', sdx: 'rw' });
const CONCAT = entryPoint(source, 'concat_last', { cp: 'uniform', ca: 'read', cb: 'read', cout: 'rw' });
export const ENTRY_POINTS = [GATHER, SCATTER, CONCAT];
const gatherKernel = kernel(GATHER, 'split_gather', { constants: { WG } });
const scatterKernel = (hasBase: boolean) =>
  kernel(SCATTER, hasBase ? 'split_scatter_add' : 'split_scatter', { constants: { WG, HAS_BASE: hasBase ? 1 : 0 } });
const concatKernel = kernel(CONCAT, 'concat_last');

/** x (..., W) → parts (..., sizes[i]), W = Σ sizes. The gradient of a part nobody uses is 0. */
export function split(x: Tensor, sizes: readonly number[]): Tensor[] {
  const g = x.graph;
  const W = x.shape[x.shape.length - 1];
  if (sizes.reduce((a, b) => a + b, 0) !== W || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
    throw new Error(`split: sizes [${sizes.join(', ')}] do not add up to the last dimension ${W} of ${x}`);
  }
  const rows = x.size / W;
  const lead = x.shape.slice(0, -1);
  let off = 0;
  return sizes.map((w, k) => {
    const params = SplitParams.pack({ rows, width: W, off, part: w });
    off += w;
    const part = g.tensor([...lead, w], x.requiresGrad, `${x.label}[${k}]`);
    g.dispatch(gatherKernel, params, gatherKernel.bind({ gx: x, gpart: part }), grid1d(rows * w, WG));
    g.record(part, (dpart) => {
      if (!x.requiresGrad) return;
      // dx = grad so far + this part's gradient in its columns: one pass, no separate add
      const base = x.grad;
      const dx = g.tensor(x.shape, false, `d${x.label}`);
      const scatter = scatterKernel(!!base);
      // without a base, sbase is never read (HAS_BASE off): dpart stands in
      g.dispatch(scatter, params, scatter.bind({ sdpart: dpart, sbase: base ?? dpart, sdx: dx }), grid1d(x.size, WG));
      x.grad = dx;
    });
    return part;
  });
}

/** (R, W1) | (R, W2) → (R, W1 + W2) side by side, row by row, in a tensor of `shape` (its last
 *  dimension W1 + W2), with no gradient: a kernel's packed operand (the scan's A_log | D),
 *  whose op differentiates the parts itself. */
export function packRows(a: Tensor, b: Tensor, shape: number[], label: string, requiresGrad = false): Tensor {
  const rows = (a.size + b.size) / shape[shape.length - 1];
  const w1 = a.size / rows;
  const w2 = b.size / rows;
  if (!Number.isInteger(w1) || !Number.isInteger(w2))
    throw new Error(`packRows: ${a} and ${b} are not ${rows} rows each`);
  const out = a.graph.tensor(shape, requiresGrad, label);
  const params = ConcatParams.pack({ rows, w1, w2, _pad: 0 });
  a.graph.dispatch(concatKernel, params, concatKernel.bind({ ca: a, cb: b, cout: out }), grid1d(rows * (w1 + w2), 256));
  return out;
}

/** a (..., W1) | b (..., W2) → (..., W1 + W2), differentiable (the backward splits). */
export function concatLast(a: Tensor, b: Tensor, label: string): Tensor {
  const g = a.graph;
  const w1 = a.shape[a.shape.length - 1];
  const w2 = b.shape[b.shape.length - 1];
  const rows = a.size / w1;
  if (b.size / w2 !== rows) throw new Error(`concatLast: ${a} and ${b} have different leading dimensions`);
  const out = packRows(a, b, [...a.shape.slice(0, -1), w1 + w2], label, a.requiresGrad || b.requiresGrad);
  g.record(out, (dout) => {
    const [da, db] = split(dout, [w1, w2]);
    if (a.requiresGrad) accumulateGrad(a, da);
    if (b.requiresGrad) accumulateGrad(b, db);
  });
  return out;
}

// ---- CPU reference ----------------------------------------------------------------------

/** Reference: x (R, W) → parts (R, sizes[i]). */
export function splitRef(x: ArrayLike<number>, sizes: readonly number[]): Float64Array[] {
  const W = sizes.reduce((a, b) => a + b, 0);
  const rows = x.length / W;
  let off = 0;
  return sizes.map((w) => {
    const out = new Float64Array(rows * w);
    for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) out[r * w + j] = x[r * W + off + j];
    off += w;
    return out;
  });
}

/** Reference backward: the parts' gradients (undefined = unused, zero) placed side by side. */
export function splitBackwardRef(
  dparts: (ArrayLike<number> | undefined)[],
  sizes: readonly number[],
  rows: number,
): Float64Array {
  const W = sizes.reduce((a, b) => a + b, 0);
  const dx = new Float64Array(rows * W);
  let off = 0;
  sizes.forEach((w, k) => {
    const d = dparts[k];
    if (d) for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) dx[r * W + off + j] = d[r * w + j];
    off += w;
  });
  return dx;
}
