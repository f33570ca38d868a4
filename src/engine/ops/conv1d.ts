// Depthwise causal conv1d over time (Mamba's short conv), with bias: forward, backward and
// CPU reference. Kernels in shaders/conv1d.wgsl.
// Legend: B batch, L length, E channels, K taps (4 in Mamba).
import source from '../../../shaders/conv1d.wgsl?raw';
import { entryPoint, grid1d, kernel, uniformStruct } from '../../gpu/kernel';
import { accumulateGrad } from './grad';
import { assertShape, type Tensor } from '../tensor';
import { sumRows } from './reduce';

export const Conv1dParams = uniformStruct('Params', { batch: 'u32', len: 'u32', chans: 'u32', nblk: 'u32' });
const WG = 256;
/** Row blocks of the backward: at most 64, so that one sum_rows pass adds their partials,
 *  and at least 16 rows each. */
const MAX_BLOCKS = 64;
const MIN_BLOCK_ROWS = 16;
/** conv_bwd's workgroup: 64 channels (CW in the WGSL). */
const BWD_CHANNELS = 64;
/** The kernel keeps the taps' sums in a fixed array of 8. */
const MAX_K = 8;

// the pre-activation binding is always there (an override-guarded use is still a use)
const FORWARD = entryPoint(source, 'conv_fwd', {
  p: 'uniform',
  fx: 'read',
  fw: 'read',
  fbias: 'read',
  fout: 'rw',
  fpre: 'rw',
});
const BACKWARD = entryPoint(source, 'conv_bwd', {
  p: 'uniform',
  bdout: 'read',
  bx: 'read',
  bw: 'read',
  bdx: 'rw',
  wpart: 'rw',
  bpart: 'rw',
  bpre: 'read',
});
export const ENTRY_POINTS = [FORWARD, BACKWARD];
const fwdKernel = (K: number, silu: boolean) =>
  kernel(FORWARD, `conv_fwd_k${K}${silu ? '_silu' : ''}`, { constants: { WG, K, SILU: silu ? 1 : 0 } });
const bwdKernel = (K: number, silu: boolean, writeDx: boolean) =>
  kernel(BACKWARD, `conv_bwd_k${K}${silu ? '_silu' : ''}${writeDx ? '' : '_nodx'}`, {
    constants: { K, SILU: silu ? 1 : 0, WRITE_DX: writeDx ? 1 : 0 },
  });

/**
 * Depthwise causal conv1d: x (B, L, E), weight (E, 1, K) (PyTorch Conv1d layout), bias (E)
 * → out (B, L, E), out[b, t, e] = bias[e] + Σ_k weight[e, 0, k] · x[b, t − (K−1) + k, e]
 * (K − 1 zeros of left padding, so position t sees only t and earlier); act 'silu' applies
 * SiLU in the same kernels (Mamba's conv → SiLU).
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor, act: 'none' | 'silu' = 'none'): Tensor {
  const g = x.graph;
  const [B, L, E] = x.shape;
  if (x.shape.length !== 3) throw new Error(`conv1d: x must be (B, L, E), got [${x.shape.join(', ')}]`);
  const K = weight.shape[2];
  assertShape(weight, [E, 1, K], 'conv1d weight');
  assertShape(bias, [E], 'conv1d bias');
  if (K > MAX_K) throw new Error(`conv1d: kernel size ${K} is larger than ${MAX_K}`);
  const nblk = Math.max(1, Math.min(MAX_BLOCKS, Math.floor((B * L) / MIN_BLOCK_ROWS)));
  const params = Conv1dParams.pack({ batch: B, len: L, chans: E, nblk });
  const silu = act === 'silu';
  const out = g.tensor(
    [B, L, E],
    x.requiresGrad || weight.requiresGrad || bias.requiresGrad,
    silu ? `silu(conv1d(${x.label}))` : `conv1d(${x.label})`,
  );
  // kept for SiLU's backward; without SiLU a placeholder the kernels never touch
  const pre = g.tensor(silu ? [B, L, E] : [1], false, silu ? `conv1d(${x.label})` : 'conv1d_no_pre');
  const fwd = fwdKernel(K, silu);
  g.dispatch(fwd, params, fwd.bind({ fx: x, fw: weight, fbias: bias, fout: out, fpre: pre }), grid1d(out.size, WG));
  g.record(out, (dout) => {
    // one pass: dx, and the weight and bias gradients' partial sums per block of rows
    const dx = g.tensor(x.requiresGrad ? x.shape : [1], false, `d${x.label}`);
    const wpart = g.tensor([nblk, E, 1, K], false, 'conv1d_dw_partials');
    const bpart = g.tensor([nblk, E], false, 'conv1d_db_partials');
    const bwd = bwdKernel(K, silu, x.requiresGrad);
    // without SiLU, bpre is never read: dout stands in
    const tensors = bwd.bind({ bdout: dout, bx: x, bw: weight, bdx: dx, wpart, bpart, bpre: silu ? pre : dout });
    g.dispatch(bwd, params, tensors, [Math.ceil(E / BWD_CHANNELS), nblk, 1]);
    if (x.requiresGrad) accumulateGrad(x, dx);
    if (weight.requiresGrad) accumulateGrad(weight, sumRows(wpart, nblk, weight.shape));
    if (bias.requiresGrad) accumulateGrad(bias, sumRows(bpart, nblk, bias.shape));
  });
  return out;
}

// ---- CPU reference ----------------------------------------------------------------------

type Arr = ArrayLike<number>;

/** Reference forward, same arguments as conv1d plus the sizes: x (B, L, E), weight (E, 1, K), bias (E). */
export function conv1dRef(x: Arr, weight: Arr, bias: Arr, B: number, L: number, E: number, K: number): Float64Array {
  const out = new Float64Array(B * L * E);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < L; t++)
      for (let e = 0; e < E; e++) {
        let acc = bias[e];
        for (let k = 0; k < K; k++) {
          const s = t - (K - 1) + k;
          if (s >= 0) acc += weight[e * K + k] * x[(b * L + s) * E + e];
        }
        out[(b * L + t) * E + e] = acc;
      }
  return out;
}

/** Reference backward: gradients of Σ out ⊙ dout. */
export function conv1dBackwardRef(
  dout: Arr,
  x: Arr,
  weight: Arr,
  B: number,
  L: number,
  E: number,
  K: number,
): { dx: Float64Array; dweight: Float64Array; dbias: Float64Array } {
  const dx = new Float64Array(B * L * E);
  const dweight = new Float64Array(E * K);
  const dbias = new Float64Array(E);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < L; t++)
      for (let e = 0; e < E; e++) {
        const d = dout[(b * L + t) * E + e];
        dbias[e] += d;
        for (let k = 0; k < K; k++) {
          const s = t - (K - 1) + k;
          if (s < 0) continue;
          dx[(b * L + s) * E + e] += weight[e * K + k] * d;
          dweight[e * K + k] += x[(b * L + s) * E + e] * d;
        }
      }
  return { dx, dweight, dbias };
}
