// Learned positional embedding: GPU vs CPU reference for x + wpe[:T] and for dx, dwpe (whose
// rows past T must be written as zeros, checked over NaN-filled planned buffers).
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/engine/autograd';
import { CompiledGraph, sliceOf } from '../../src/engine/compile';
import { mul } from '../../src/engine/ops/elementwise';
import { addPositional, addPositionalBackwardRef, addPositionalRef } from '../../src/engine/ops/positional';
import { sumCols } from '../../src/engine/ops/reduce';
import { Rng } from '../../src/engine/rng';
import { constant, eagerGraph, leaf } from '../helpers/gpu';
import { dot, expectClose, finiteDiff, randn } from '../helpers/numeric';

describe('addPositional', () => {
  it('reference backward matches finite differences', () => {
    const rng = new Rng(1);
    const [B, T, C, maxT] = [2, 3, 4, 5];
    const x = randn(rng, B * T * C);
    const wpe = randn(rng, maxT * C);
    const r = randn(rng, B * T * C);
    const fd = finiteDiff((w) => dot(addPositionalRef(x, w, B, T, C), r), wpe);
    expectClose(addPositionalBackwardRef(r, B, T, C, maxT), fd, { atol: 1e-6, rtol: 1e-5 }, 'dwpe vs FD');
  });

  it('values and gradients match the reference (eager)', async () => {
    const rng = new Rng(2);
    for (const [B, T, C, maxT] of [
      [1, 1, 4, 1],
      [2, 7, 8, 16],
      [3, 33, 64, 40],
      [64, 20, 32, 64],
    ]) {
      const x = randn(rng, B * T * C);
      const wpe = randn(rng, maxT * C);
      const r = randn(rng, B * T * C);
      const g = await eagerGraph();
      const xt = leaf(g, 'x', [B, T, C], x);
      const wt = leaf(g, 'wpe', [maxT, C], wpe);
      const y = addPositional(xt, wt);
      expectClose(await y.read(), addPositionalRef(x, wpe, B, T, C), {}, 'forward');
      backward(sumCols(mul(y, constant(g, 'r', [B, T, C], r)), B * T * C));
      expectClose(await xt.grad!.read(), r, {}, 'dx');
      expectClose(
        await wt.grad!.read(),
        addPositionalBackwardRef(r, B, T, C, maxT),
        { atol: 1e-4, rtol: 1e-4 },
        'dwpe',
      );
      g.destroy();
    }
  });

  it('compiled over NaN-filled buffers: dwpe rows past T are zero', async () => {
    const rng = new Rng(3);
    const [B, T, C, maxT] = [3, 5, 8, 12];
    const x = randn(rng, B * T * C);
    const wpe = randn(rng, maxT * C);
    const r = randn(rng, B * T * C);
    const g = await eagerGraph(undefined, 'trace');
    const xt = g.input('x', [B, T, C], true);
    const wt = g.input('wpe', [maxT, C], true);
    const y = addPositional(xt, wt);
    backward(sumCols(mul(y, g.input('r', [B, T, C])), B * T * C));
    const dwpe = wt.grad!;
    const cg = new CompiledGraph(g, { keep: [y, dwpe] });
    for (const t of g.tensors)
      if (!g.inputs.has(t.label)) g.gpu.write(sliceOf(t).buffer, sliceOf(t).offset, new Float32Array(t.size).fill(NaN));
    cg.run({ x: Float32Array.from(x), wpe: Float32Array.from(wpe), r: Float32Array.from(r) });
    expectClose(await y.read(), addPositionalRef(x, wpe, B, T, C), {}, 'compiled forward');
    expectClose(
      await dwpe.read(),
      addPositionalBackwardRef(r, B, T, C, maxT),
      { atol: 1e-5, rtol: 1e-4 },
      'compiled dwpe',
    );
    cg.destroy();
  });

  it('rejects a table shorter than the sequence', async () => {
    const g = await eagerGraph();
    expect(() => addPositional(g.input('x', [1, 5, 4]), g.input('wpe', [4, 4]))).toThrow(/table/);
    g.destroy();
  });
});
