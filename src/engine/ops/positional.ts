// Learned positional embedding (GPT-2's wpe): x + wpe[:T], with the backward that returns
// the gradient of the whole table. Forward, backward rule and CPU reference side by side;
// kernels in shaders/positional.wgsl. B = batch, T = time, C = channels, maxT = table rows.
import source from '../../../shaders/positional.wgsl?raw';
import { entryPoint, grid1d, kernel, uniformStruct } from '../../gpu/kernel';
import { accumulateGrad } from './grad';
import type { Tensor } from '../tensor';

export const PositionalParams = uniformStruct('Params', { n: 'u32', tc: 'u32', batch: 'u32', nwpe: 'u32' });
const WG = 256;

const FORWARD = entryPoint(source, 'add_positional', { p: 'uniform', x: 'read', wpe: 'read', out: 'rw' });
const BACKWARD = entryPoint(source, 'add_positional_backward', { p: 'uniform', dout: 'read', dwpe: 'rw' });
export const ENTRY_POINTS = [FORWARD, BACKWARD];
const forwardKernel = kernel(FORWARD, 'add_positional', { constants: { WG } });
const backwardKernel = kernel(BACKWARD, 'add_positional_backward', { constants: { WG } });

/** x (B, T, C) + wpe[:T] where wpe is (maxT, C), maxT ≥ T. dwpe has wpe's full shape (zero past T). */
export function addPositional(x: Tensor, wpe: Tensor): Tensor {
  if (x.shape.length !== 3) throw new Error(`addPositional: x must be (B, T, C), got ${x}`);
  const [B, T, C] = x.shape;
  if (wpe.shape.length !== 2 || wpe.shape[1] !== C || wpe.shape[0] < T) {
    throw new Error(`addPositional: the table must be (maxT ≥ ${T}, ${C}), got ${wpe}`);
  }
  const g = x.graph;
  const params = PositionalParams.pack({ n: B * T * C, tc: T * C, batch: B, nwpe: wpe.size });
  const out = g.tensor(x.shape, x.requiresGrad || wpe.requiresGrad, `${x.label}+wpe`); // (B, T, C)
  g.dispatch(forwardKernel, params, forwardKernel.bind({ x, wpe, out }), grid1d(x.size, WG));
  g.record(out, (dout) => {
    accumulateGrad(x, dout);
    if (wpe.requiresGrad) {
      const dwpe = g.tensor(wpe.shape, false, `d${wpe.label}`); // (maxT, C)
      g.dispatch(backwardKernel, params, backwardKernel.bind({ dout, dwpe }), grid1d(wpe.size, WG));
      accumulateGrad(wpe, dwpe);
    }
  });
  return out;
}

// ---- CPU reference ----------------------------------------------------------------------

type Arr = ArrayLike<number>;

export function addPositionalRef(x: Arr, wpe: Arr, B: number, T: number, C: number): Float64Array {
  return Float64Array.from({ length: B * T * C }, (_, i) => x[i] + wpe[i % (T * C)]);
}

/** dwpe (maxT, C): Σ over the batch for rows < T, zero after. */
export function addPositionalBackwardRef(dout: Arr, B: number, T: number, C: number, maxT: number): Float64Array {
  const dwpe = new Float64Array(maxT * C);
  for (let b = 0; b < B; b++) for (let i = 0; i < T * C; i++) dwpe[i] += dout[b * T * C + i];
  return dwpe;
}
