// Reverse-mode autodiff over a Graph's tape (micrograd's loop): seed ∂loss/∂loss = 1, then
// visit the tape in reverse creation order, which is a reverse topological order.
import type { Tensor } from './tensor';
import { add, fill } from './ops/elementwise';

export function backward(loss: Tensor): void {
  const g = loss.graph;
  if (loss.size !== 1) throw new Error(`backward() needs a scalar loss, got ${loss}`);
  g.gradEnabled = false; // gradient computations are not themselves differentiated
  try {
    loss.grad = fill(g, loss.shape, 1);
    for (let i = g.tape.length - 1; i >= 0; i--) {
      const entry = g.tape[i];
      if (entry.out.grad) entry.backward(entry.out.grad);
    }
  } finally {
    g.gradEnabled = true;
  }
}
