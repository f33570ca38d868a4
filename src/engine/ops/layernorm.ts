// LayerNorm over the last dim with weight and bias (eps 1e-5, as PyTorch): forward, backward
// rule and CPU references side by side; kernels in shaders/layernorm.wgsl.
// R = rows (every leading dim flattened), C = channels (the last dim).
import source from '../../../shaders/layernorm.wgsl?raw';
import { entryPoint, grid1d, kernel, uniformStruct } from '../../gpu/kernel';
import { accumulateGrad } from './grad';
import { assertShape, type Tensor } from '../tensor';

export const LayerNormParams = uniformStruct('Params', { rows: 'u32', cols: 'u32', rows_per_chunk: 'u32', eps: 'f32' });
export const LayerNormFinishParams = uniformStruct('FinishParams', { cols: 'u32', chunks: 'u32' });

export const LAYERNORM_EPS = 1e-5;
const WG = 256;
/** Register capacity per thread in the kernel (MAXK there): C ≤ MAX_COLS_PER_THREAD·WG. */
const MAX_COLS_PER_THREAD = 8;
/** At most this many partial sums of dweight/dbias: enough workgroups to fill a big GPU,
 *  few enough that the final sum over them is cheap. (H200, whole paper steps: 1024 instead
 *  of 256 took the backward from 0.86 to 0.50 ms a step and the step 1% faster; subgroup
 *  row sums instead of the workgroup-memory trees changed nothing there.) */
const MAX_CHUNKS = 1024;

/** Threads per row: about 4 columns each, at least 32 (coalesced), at most the workgroup. */
function layout(C: number): { LANES: number; KPER: number } {
  let lanes = 32;
  while (lanes < WG && lanes * 4 < C) lanes *= 2;
  const kper = Math.ceil(C / lanes);
  if (kper > MAX_COLS_PER_THREAD)
    throw new Error(`layerNorm: ${C} channels is more than this kernel supports (${MAX_COLS_PER_THREAD * WG})`);
  return { LANES: lanes, KPER: kper };
}

const FORWARD = entryPoint(source, 'layernorm_forward', {
  p: 'uniform',
  fx: 'read',
  fweight: 'read',
  fbias: 'read',
  fout: 'rw',
  fmean: 'rw',
  frstd: 'rw',
});
const BACKWARD = entryPoint(source, 'layernorm_backward', {
  p: 'uniform',
  bdout: 'read',
  bx: 'read',
  bweight: 'read',
  bmean: 'read',
  brstd: 'read',
  bdx: 'rw',
  bpartial: 'rw',
  bbase: 'read',
});
const PARAM_GRADS = entryPoint(source, 'layernorm_param_grads', {
  fp: 'uniform',
  ppartial: 'read',
  pdweight: 'rw',
  pdbias: 'rw',
});
export const ENTRY_POINTS = [FORWARD, BACKWARD, PARAM_GRADS];
const forwardKernel = (C: number) => kernel(FORWARD, `layernorm_forward_c${C}`, { constants: { WG, ...layout(C) } });
const backwardKernel = (C: number, hasBase: boolean) =>
  kernel(BACKWARD, `layernorm_backward_c${C}${hasBase ? '_base' : ''}`, {
    constants: { WG, ...layout(C), HAS_BASE: hasBase ? 1 : 0 },
  });
const paramGradsKernel = kernel(PARAM_GRADS, 'layernorm_param_grads');

/**
 * LayerNorm of x (R, C) or (B, T, C) over its last dim: (x − mean) / √(var + eps) · weight + bias.
 * Saves mean and rstd (R) for the backward.
 */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = LAYERNORM_EPS): Tensor {
  const C = x.shape[x.shape.length - 1];
  const R = x.size / C;
  assertShape(weight, [C], 'layerNorm weight');
  assertShape(bias, [C], 'layerNorm bias');
  const g = x.graph;
  const { LANES } = layout(C);
  const rowsPerWg = WG / LANES;
  const needGrad = x.requiresGrad || weight.requiresGrad || bias.requiresGrad;
  const out = g.tensor(x.shape, needGrad, `layernorm(${x.label})`); // (R, C)
  const mean = g.tensor([R], false, `ln_mean(${x.label})`); // (R)
  const rstd = g.tensor([R], false, `ln_rstd(${x.label})`); // (R)
  const params = LayerNormParams.pack({ rows: R, cols: C, rows_per_chunk: 0, eps });
  const fwd = forwardKernel(C);
  g.dispatch(
    fwd,
    params,
    fwd.bind({ fx: x, fweight: weight, fbias: bias, fout: out, fmean: mean, frstd: rstd }),
    grid1d(R, rowsPerWg),
  );

  g.record(out, (dout) => {
    // chunks of rows, each a multiple of the rows one workgroup handles at once
    const rowsPerChunk = Math.max(rowsPerWg, Math.ceil(R / MAX_CHUNKS / rowsPerWg) * rowsPerWg);
    const chunks = Math.ceil(R / rowsPerChunk);
    // dx = x's gradient so far + this one, in the same pass (no separate add)
    const base = x.requiresGrad ? x.grad : undefined;
    const dx = g.tensor(x.shape, false, `d${x.label}`); // (R, C)
    const partial = g.tensor([chunks, 2, C], false, 'ln_partial'); // (chunks, 2, C)
    const bparams = LayerNormParams.pack({ rows: R, cols: C, rows_per_chunk: rowsPerChunk, eps });
    const bwd = backwardKernel(C, !!base);
    // without a base, bbase is never read (HAS_BASE off): dout stands in
    const tensors = {
      bdout: dout,
      bx: x,
      bweight: weight,
      bmean: mean,
      brstd: rstd,
      bdx: dx,
      bpartial: partial,
      bbase: base ?? dout,
    };
    g.dispatch(bwd, bparams, bwd.bind(tensors), grid1d(chunks, 1));
    if (x.requiresGrad) x.grad = dx;
    if (weight.requiresGrad || bias.requiresGrad) {
      const dweight = g.tensor([C], false, `d${weight.label}`); // (C)
      const dbias = g.tensor([C], false, `d${bias.label}`); // (C)
      const finish = LayerNormFinishParams.pack({ cols: C, chunks });
      const tensors = paramGradsKernel.bind({ ppartial: partial, pdweight: dweight, pdbias: dbias });
      g.dispatch(paramGradsKernel, finish, tensors, grid1d(C, 16)); // 16 columns (× 16 chunk lanes) per workgroup
      accumulateGrad(weight, dweight);
      accumulateGrad(bias, dbias);
    }
  });
  return out;
}

// ---- CPU reference ----------------------------------------------------------------------

type Arr = ArrayLike<number>;

export interface LayerNormRefResult {
  out: Float64Array; // (R, C)
  mean: Float64Array; // (R)
  rstd: Float64Array; // (R)
}

export function layerNormRef(
  x: Arr,
  weight: Arr,
  bias: Arr,
  R: number,
  C: number,
  eps = LAYERNORM_EPS,
): LayerNormRefResult {
  const out = new Float64Array(R * C);
  const mean = new Float64Array(R);
  const rstd = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += x[r * C + c];
    const m = s / C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (x[r * C + c] - m) ** 2;
    const rs = 1 / Math.sqrt(v / C + eps);
    for (let c = 0; c < C; c++) out[r * C + c] = (x[r * C + c] - m) * rs * weight[c] + bias[c];
    mean[r] = m;
    rstd[r] = rs;
  }
  return { out, mean, rstd };
}

/** Gradients of Σ out ⊙ dout with respect to x, weight and bias (llm.c's layernorm_backward). */
export function layerNormBackwardRef(
  dout: Arr,
  x: Arr,
  weight: Arr,
  R: number,
  C: number,
  eps = LAYERNORM_EPS,
): { dx: Float64Array; dweight: Float64Array; dbias: Float64Array } {
  const { mean, rstd } = layerNormRef(x, weight, new Float64Array(C), R, C, eps);
  const dx = new Float64Array(R * C);
  const dweight = new Float64Array(C);
  const dbias = new Float64Array(C);
  for (let r = 0; r < R; r++) {
    let mg = 0;
    let mgx = 0;
    for (let c = 0; c < C; c++) {
      const xhat = (x[r * C + c] - mean[r]) * rstd[r];
      const g = dout[r * C + c] * weight[c];
      mg += g;
      mgx += g * xhat;
      dweight[c] += dout[r * C + c] * xhat;
      dbias[c] += dout[r * C + c];
    }
    mg /= C;
    mgx /= C;
    for (let c = 0; c < C; c++) {
      const xhat = (x[r * C + c] - mean[r]) * rstd[r];
      dx[r * C + c] = rstd[r] * (dout[r * C + c] * weight[c] - mg - xhat * mgx);
    }
  }
  return { dx, dweight, dbias };
}
