// Gradient accumulation: t.grad += dg, as a new tensor (gradients are never updated in place).
// The sum is a plain dispatch of the elementwise add kernel, not a recorded op: gradients are
// never differentiated, and so every op's backward can use it without depending on the
// differentiable ops (or autograd) in turn.
import { grid1d } from '../../gpu/kernel';
import type { Tensor } from '../tensor';
import { binaryKernel, pack, WG } from './elementwiseKernels';

export function accumulateGrad(t: Tensor, dg: Tensor): void {
  if (!t.requiresGrad) return;
  t.grad = t.grad ? sumOf(t.grad, dg) : dg;
}

/** a + b of one shape, untaped. */
function sumOf(a: Tensor, b: Tensor): Tensor {
  if (a.size !== b.size)
    throw new Error(`gradient of ${a.label}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  const g = a.graph;
  const out = g.tensor(a.shape, false, `add(${a.label}, ${b.label})`);
  const k = binaryKernel('add');
  g.dispatch(k, pack(a.size, b.size), k.bind({ ba: a, bb: b, bout: out }), grid1d(a.size, WG));
  return out;
}
