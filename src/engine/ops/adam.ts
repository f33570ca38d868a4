// Global gradient-norm clipping and Adam over the whole parameter arena: three dispatches
// (partial sums of squares, final norm, update) however many parameters the model has.
// Kernels in shaders/adam.wgsl; CPU reference below (PyTorch's clip_grad_norm_ + Adam).
import source from '../../../shaders/adam.wgsl?raw';
import { entryPoint, grid1d, kernel, uniformStruct } from '../../gpu/kernel';
import type { ParamArena } from '../arena';
import type { Graph } from '../graph';
import type { Tensor } from '../tensor';

export const AdamParams = uniformStruct('Params', {
  n: 'u32',
  n_partials: 'u32',
  beta1: 'f32',
  beta2: 'f32',
  eps: 'f32',
  clip: 'f32',
  _pad0: 'u32',
  _pad1: 'u32',
});

const WG = 256;
const PER_THREAD = 16;
const SUMSQ = entryPoint(source, 'sumsq_partial', { p: 'uniform', sq_grad: 'read', sq_partials: 'rw' });
const NORM = entryPoint(source, 'norm_final', { p: 'uniform', nf_partials: 'read', nf_norm: 'rw' });
const ADAM = entryPoint(source, 'adam', {
  p: 'uniform',
  state: 'read',
  norm: 'read',
  grad: 'read',
  param: 'rw',
  m: 'rw',
  v: 'rw',
});
export const ENTRY_POINTS = [SUMSQ, NORM, ADAM];
const constants = { WG, PER_THREAD };
const sumsqKernel = kernel(SUMSQ, 'adam_sumsq_partial', { constants });
const normKernel = kernel(NORM, 'adam_norm_final', { constants });
const adamKernel = kernel(ADAM, 'adam_adam', { constants });

export interface AdamConfig {
  beta1: number;
  beta2: number;
  eps: number;
  /** Max global gradient norm; 0 disables clipping. */
  clip: number;
}

export const ADAM_DEFAULTS: AdamConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, clip: 10 };

/**
 * Appends clipping + Adam to g. `state` is a (4) input [lr, 1−β1^t, 1−β2^t, 0] the host
 * writes each step (see adamState). Returns the gradient norm (before clipping), (1).
 */
export function adamUpdate(g: Graph, arena: ParamArena, state: Tensor, cfg: AdamConfig): Tensor {
  const n = arena.floats;
  const nPartials = Math.ceil(n / (WG * PER_THREAD));
  const params = AdamParams.pack({
    n,
    n_partials: nPartials,
    beta1: cfg.beta1,
    beta2: cfg.beta2,
    eps: cfg.eps,
    clip: cfg.clip,
    _pad0: 0,
    _pad1: 0,
  });
  const whole = (which: 'param' | 'grad' | 'm' | 'v') => g.fixed([n], arena.whole(which), false, `arena:${which}`);
  const grad = whole('grad');
  const partials = g.tensor([nPartials], false, 'gradnorm_partials');
  const norm = g.tensor([1], false, 'gradnorm');
  g.dispatch(sumsqKernel, params, sumsqKernel.bind({ sq_grad: grad, sq_partials: partials }), grid1d(nPartials, 1));
  g.dispatch(normKernel, params, normKernel.bind({ nf_partials: partials, nf_norm: norm }), [1, 1, 1]);
  const update = { state, norm, grad, param: whole('param'), m: whole('m'), v: whole('v') };
  g.dispatch(adamKernel, params, adamKernel.bind(update), grid1d(n, WG));
  return norm;
}

/** The per-step optimizer state the adam kernel reads: [lr, 1−β1^t, 1−β2^t, 0], t ≥ 1. */
export function adamState(lr: number, t: number, cfg: AdamConfig): Float32Array {
  return Float32Array.of(lr, 1 - cfg.beta1 ** t, 1 - cfg.beta2 ** t, 0);
}

// ---- CPU reference ----------------------------------------------------------------------

/** One clipped Adam step in place (f64 arrays); returns the gradient norm before clipping. */
export function adamRef(
  param: Float64Array,
  grad: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  lr: number,
  t: number,
  cfg: AdamConfig,
): number {
  let sq = 0;
  for (let i = 0; i < grad.length; i++) sq += grad[i] * grad[i];
  const norm = Math.sqrt(sq);
  const scale = cfg.clip > 0 ? Math.min(1, cfg.clip / (norm + 1e-6)) : 1;
  const bc1 = 1 - cfg.beta1 ** t;
  const bc2 = 1 - cfg.beta2 ** t;
  for (let i = 0; i < param.length; i++) {
    const gi = grad[i] * scale;
    m[i] = cfg.beta1 * m[i] + (1 - cfg.beta1) * gi;
    v[i] = cfg.beta2 * v[i] + (1 - cfg.beta2) * gi * gi;
    param[i] -= (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + cfg.eps);
  }
  return norm;
}
