// Fused causal attention: GPU vs the plain-softmax CPU reference (out, lse and dqkv) for
// several (B, T, H, hd), the reference backward vs finite differences, and a compiled run
// over NaN-filled planned buffers (every element of out and dqkv must be written).
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/engine/autograd';
import { CompiledGraph, sliceOf } from '../../src/engine/compile';
import { attention, attentionBackwardRef, attentionRef } from '../../src/engine/ops/attention';
import { mul } from '../../src/engine/ops/elementwise';
import { sumCols } from '../../src/engine/ops/reduce';
import { Rng } from '../../src/engine/rng';
import type { Graph } from '../../src/engine/graph';
import type { Tensor } from '../../src/engine/tensor';
import { constant, eagerGraph, leaf } from '../helpers/gpu';
import { dot, expectClose, finiteDiff, randn } from '../helpers/numeric';

const FWD_TOL = { atol: 2e-5, rtol: 1e-4 };
const BWD_TOL = { atol: 1e-4, rtol: 1e-3 };

/** The lse tensor the forward saved (the first dispatch's third binding). */
function savedLse(g: Graph, out: Tensor): Tensor {
  const d = g.dispatches.find((x) => x.tensors[1] === out)!;
  return d.tensors[2];
}

describe('attention', () => {
  it('reference backward matches finite differences', () => {
    const rng = new Rng(1);
    for (const [B, T, H, hd] of [
      [1, 5, 2, 4],
      [2, 3, 1, 8],
    ]) {
      const C = H * hd;
      const qkv = randn(rng, B * T * 3 * C);
      const r = randn(rng, B * T * C);
      const fd = finiteDiff((x) => dot(attentionRef(x, B, T, C, H).out, r), qkv);
      expectClose(
        attentionBackwardRef(qkv, r, B, T, C, H),
        fd,
        { atol: 1e-6, rtol: 1e-5 },
        `dqkv vs FD (${B}, ${T}, ${H}, ${hd})`,
      );
    }
  });

  // (B, T, H, hd, std of qkv): T = 1, odd, one block exactly, not a multiple of the block or tile
  const CASES = [
    [1, 1, 2, 8, 1],
    [2, 7, 2, 16, 1],
    [1, 33, 8, 8, 1],
    [2, 64, 2, 32, 1],
    [1, 130, 2, 32, 1],
    [1, 45, 1, 64, 1],
    [3, 40, 2, 8, 3], // large scores: the online softmax must rescale its running max
  ];
  for (const [B, T, H, hd, std] of CASES) {
    const what = `B ${B}, T ${T}, H ${H}, hd ${hd}${std !== 1 ? `, qkv std ${std}` : ''}`;
    it(`values, lse and dqkv match the reference: ${what}`, async () => {
      const rng = new Rng(T * 31 + hd);
      const C = H * hd;
      const qkv = randn(rng, B * T * 3 * C, std);
      const r = randn(rng, B * T * C);
      const g = await eagerGraph();
      const x = leaf(g, 'qkv', [B, T, 3 * C], qkv);
      const y = attention(x, H);
      const ref = attentionRef(qkv, B, T, C, H);
      expectClose(await y.read(), ref.out, FWD_TOL, 'out');
      expectClose(await savedLse(g, y).read(), ref.lse, FWD_TOL, 'lse');
      backward(sumCols(mul(y, constant(g, 'r', [B, T, C], r)), B * T * C));
      expectClose(await x.grad!.read(), attentionBackwardRef(qkv, r, B, T, C, H), BWD_TOL, 'dqkv');
      g.destroy();
    });
  }

  it('other block sizes give the same values and gradients', async () => {
    const rng = new Rng(5);
    const [B, T, H, hd] = [2, 75, 2, 16];
    const C = H * hd;
    const qkv = randn(rng, B * T * 3 * C);
    const r = randn(rng, B * T * C);
    const ref = attentionRef(qkv, B, T, C, H);
    const dref = attentionBackwardRef(qkv, r, B, T, C, H);
    for (const tiles of [
      { rows: 64, tile: 32 },
      { rows: 128, tile: 64 },
      { rows: 16, tile: 7 },
    ]) {
      const g = await eagerGraph();
      const x = leaf(g, 'qkv', [B, T, 3 * C], qkv);
      const y = attention(x, H, tiles);
      expectClose(await y.read(), ref.out, FWD_TOL, `out ${JSON.stringify(tiles)}`);
      backward(sumCols(mul(y, constant(g, 'r', [B, T, C], r)), B * T * C));
      expectClose(await x.grad!.read(), dref, BWD_TOL, `dqkv ${JSON.stringify(tiles)}`);
      g.destroy();
    }
  });

  it('compiled graph over NaN-filled buffers gives the same values', async () => {
    const rng = new Rng(9);
    const [B, T, H, hd] = [2, 70, 2, 16];
    const C = H * hd;
    const qkv = randn(rng, B * T * 3 * C);
    const r = randn(rng, B * T * C);
    const g = await eagerGraph(undefined, 'trace');
    const x = g.input('qkv', [B, T, 3 * C], true);
    const y = attention(x, H);
    backward(sumCols(mul(y, g.input('r', [B, T, C])), B * T * C));
    const dqkv = x.grad!;
    const cg = new CompiledGraph(g, { keep: [y, dqkv] });
    for (const t of g.tensors)
      if (!g.inputs.has(t.label)) g.gpu.write(sliceOf(t).buffer, sliceOf(t).offset, new Float32Array(t.size).fill(NaN));
    cg.run({ qkv: Float32Array.from(qkv), r: Float32Array.from(r) });
    expectClose(await y.read(), attentionRef(qkv, B, T, C, H).out, FWD_TOL, 'compiled out');
    expectClose(await dqkv.read(), attentionBackwardRef(qkv, r, B, T, C, H), BWD_TOL, 'compiled dqkv');
    cg.destroy();
  });

  it('rejects head splits the kernel cannot run', async () => {
    const g = await eagerGraph();
    expect(() => attention(g.input('a', [1, 4, 3 * 24]), 5)).toThrow(/heads/);
    expect(() => attention(g.input('b', [1, 4, 3 * 12]), 2)).toThrow(/multiple of 4/);
    expect(() => attention(g.input('c', [1, 4, 10]), 2)).toThrow(/3C/);
    g.destroy();
  });
});
