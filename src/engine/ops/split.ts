// split: a tensor cut into parts along its last dimension (in_proj → x, z; x_proj → δ, B, C),
// with its backward and CPU reference. Kernels in shaders/split.wgsl.
// Legend: R rows (product of the leading dims), W = Σ sizes, w one part's width.
import source from '../../../shaders/split.wgsl?raw';
import { grid1d, uniformStruct, type KernelDef } from '../../gpu/kernel';
import type { Tensor } from '../tensor';

export const SplitParams = uniformStruct('Params', { rows: 'u32', width: 'u32', off: 'u32', part: 'u32' });
const WG = 256;
const gatherKernel: KernelDef = { name: 'split_gather', source, entryPoint: 'split_gather', bindings: ['uniform', 'read', 'rw'], constants: { WG } };
const scatterKernel = (hasBase: boolean): KernelDef => ({
  name: hasBase ? 'split_scatter_add' : 'split_scatter',
  source,
  entryPoint: 'split_scatter',
  bindings: ['uniform', 'read', 'read', 'rw'],
  constants: { WG, HAS_BASE: hasBase ? 1 : 0 },
});

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
    g.dispatch(gatherKernel, params, [x, part], grid1d(rows * w, WG));
    g.record(part, (dpart) => {
      if (!x.requiresGrad) return;
      // dx = grad so far + this part's gradient in its columns: one pass, no separate add
      const base = x.grad;
      const dx = g.tensor(x.shape, false, `d${x.label}`);
      g.dispatch(scatterKernel(!!base), params, [dpart, base ?? dpart, dx], grid1d(x.size, WG));
      x.grad = dx;
    });
    return part;
  });
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
export function splitBackwardRef(dparts: (ArrayLike<number> | undefined)[], sizes: readonly number[], rows: number): Float64Array {
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
