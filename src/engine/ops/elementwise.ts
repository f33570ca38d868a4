// Elementwise ops: unary maps (GELU-tanh, SiLU, softplus, exp, scale, ReLU), binary ops with
// trailing broadcast (b repeats over a's leading dims: bias (C), positional (T, C)), and fill.
// Forward dispatch, backward rule and CPU reference side by side; kernels in shaders/elementwise.wgsl.
import { grid1d } from '../../gpu/kernel';
import type { Graph } from '../graph';
import type { Shape, Tensor } from '../tensor';
import {
  binaryKernel,
  fillKernel,
  pack,
  unaryBackwardKernel,
  unaryKernel,
  WG,
  type BinaryOp,
  type UnaryOp,
} from './elementwiseKernels';
import { accumulateGrad } from './grad';
import { sumRows } from './reduce';

// ---- unary ------------------------------------------------------------------------------

export function unary(op: UnaryOp, x: Tensor, alpha = 1): Tensor {
  const g = x.graph;
  const out = g.tensor(x.shape, x.requiresGrad, `${op}(${x.label})`);
  const fwd = unaryKernel(op);
  g.dispatch(fwd, pack(x.size, 1, alpha), fwd.bind({ ux: x, uout: out }), grid1d(x.size, WG));
  g.record(out, (dout) => {
    const dx = g.tensor(x.shape, false, `d${x.label}`);
    const bwd = unaryBackwardKernel(op);
    g.dispatch(bwd, pack(x.size, 1, alpha), bwd.bind({ bx: x, bdy: dout, bdx: dx }), grid1d(x.size, WG));
    accumulateGrad(x, dx);
  });
  return out;
}

export const gelu = (x: Tensor) => unary('gelu', x);
export const silu = (x: Tensor) => unary('silu', x);
export const softplus = (x: Tensor) => unary('softplus', x);
export const exp = (x: Tensor) => unary('exp', x);
export const relu = (x: Tensor) => unary('relu', x);
export const scale = (x: Tensor, alpha: number) => unary('scale', x, alpha);

// ---- binary -----------------------------------------------------------------------------

function checkBroadcast(a: Shape, b: Shape, what: string): void {
  const tail = a.slice(a.length - b.length);
  if (b.length > a.length || tail.some((d, i) => d !== b[i])) {
    throw new Error(`${what}: shape [${b.join(', ')}] does not broadcast onto [${a.join(', ')}]`);
  }
}

/** a OP b, where b's shape is a suffix of a's (b repeats over a's leading dims). */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  checkBroadcast(a.shape, b.shape, op);
  const g = a.graph;
  const out = g.tensor(a.shape, a.requiresGrad || b.requiresGrad, `${op}(${a.label}, ${b.label})`);
  const k = binaryKernel(op);
  g.dispatch(k, pack(a.size, b.size), k.bind({ ba: a, bb: b, bout: out }), grid1d(a.size, WG));
  g.record(out, (dout) => {
    const reduceToB = (t: Tensor) => (b.size === a.size ? t : sumRows(t, a.size / b.size, b.shape));
    if (op === 'add' || op === 'sub') {
      accumulateGrad(a, dout);
      if (b.requiresGrad) accumulateGrad(b, reduceToB(op === 'add' ? dout : unary('scale', dout, -1)));
    } else {
      if (a.requiresGrad) accumulateGrad(a, binary('mul', dout, b));
      if (b.requiresGrad) accumulateGrad(b, reduceToB(binary('mul', dout, a)));
    }
  });
  return out;
}

export const add = (a: Tensor, b: Tensor) => binary('add', a, b);
export const mul = (a: Tensor, b: Tensor) => binary('mul', a, b);
export const sub = (a: Tensor, b: Tensor) => binary('sub', a, b);

/** A new tensor filled with `value` (no gradient). */
export function fill(g: Graph, shape: Shape, value: number): Tensor {
  const out = g.tensor(shape, false, `fill(${value})`);
  g.dispatch(fillKernel, pack(out.size, 1, value), fillKernel.bind({ fout: out }), grid1d(out.size, WG));
  return out;
}

/** A copy of x (no gradient flow): used where a value must land in two places. */
export function copy(x: Tensor): Tensor {
  return unary('scale', x, 1);
}

// ---- CPU reference ----------------------------------------------------------------------

type Arr = ArrayLike<number>;

export function unaryRef(op: UnaryOp, x: Arr, alpha = 1): Float64Array {
  const f = unaryFnRef(op, alpha);
  return Float64Array.from(x, f);
}

export function unaryFnRef(op: UnaryOp, alpha = 1): (x: number) => number {
  switch (op) {
    case 'gelu':
      return (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    case 'silu':
      return (x) => x / (1 + Math.exp(-x));
    case 'softplus':
      return (x) => (x > 20 ? x : Math.log1p(Math.exp(x)));
    case 'exp':
      return Math.exp;
    case 'scale':
      return (x) => alpha * x;
    case 'relu':
      return (x) => Math.max(x, 0);
  }
}

export function binaryRef(op: BinaryOp, a: Arr, b: Arr): Float64Array {
  const f =
    op === 'add'
      ? (x: number, y: number) => x + y
      : op === 'mul'
        ? (x: number, y: number) => x * y
        : (x: number, y: number) => x - y;
  return Float64Array.from({ length: a.length }, (_, i) => f(a[i], b[i % b.length]));
}

/** Reference backward of a unary map: dx = dy · f'(x) (checked against finite differences). */
export function unaryBackwardRef(op: UnaryOp, x: Arr, dy: Arr, alpha = 1): Float64Array {
  const f = unaryFnRef(op, alpha);
  const h = 1e-6;
  // f' by the analytic forms where the GPU has them; central difference of the f64 map is
  // exact enough for the reference (the test checks this against its own finite differences)
  return Float64Array.from({ length: x.length }, (_, i) => dy[i] * ((f(x[i] + h) - f(x[i] - h)) / (2 * h)));
}
