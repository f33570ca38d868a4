// The Mamba mixer on the GPU vs its f64 CPU reference at a tiny size (B 2, L 5, D 8):
// output and every parameter's gradient (the reference's by central differences), plus
// mamba-ssm's names, shapes and initialisation. Legend: B batch, L length, D width,
// E = 2D channels, R dt rank, N state.
import { describe, expect, it } from 'vitest';
import { ParamArena } from '../../src/engine/arena';
import { backward } from '../../src/engine/autograd';
import { CompiledGraph } from '../../src/engine/compile';
import { Graph } from '../../src/engine/graph';
import { mul } from '../../src/engine/ops/elementwise';
import { sumCols } from '../../src/engine/ops/reduce';
import { Rng } from '../../src/engine/rng';
import { MambaMixer, mambaMixerRef } from '../../src/nn/mambaMixer';
import { constant, eagerGraph, testGpu } from '../helpers/gpu';
import { dot, expectClose, finiteDiff, randn } from '../helpers/numeric';

const [B, L, D] = [2, 5, 8];
const P = 'layers.0.mixer';

describe('MambaMixer', () => {
  it('declares mamba-ssm names and shapes with their initialisation', () => {
    const arena = new ParamArena();
    new MambaMixer(arena, P, 8);
    const shapes = Object.fromEntries(arena.params.map((p) => [p.name.slice(P.length + 1), p.shape.join('x')]));
    expect(shapes).toEqual({
      'in_proj.weight': '32x8',
      'conv1d.weight': '16x1x4',
      'conv1d.bias': '16',
      'x_proj.weight': '33x16',
      'dt_proj.weight': '16x1',
      'dt_proj.bias': '16',
      A_log: '16x16',
      D: '16',
      'out_proj.weight': '8x16',
    });
    const init = arena.initialValues(new Rng(1));
    const values = (name: string) => {
      const r = arena.get(`${P}.${name}`)!;
      return Array.from(init.subarray(r.offset, r.offset + r.size));
    };
    expect(values('A_log').slice(0, 16)).toEqual(Array.from({ length: 16 }, (_, n) => Math.fround(Math.log(n + 1))));
    expect(values('D').every((v) => v === 1)).toBe(true);
    // softplus(dt bias) = dt ∈ [1e-3, 1e-1]
    for (const b of values('dt_proj.bias')) {
      const dt = Math.log1p(Math.exp(b));
      expect(dt).toBeGreaterThan(0.99e-3);
      expect(dt).toBeLessThan(0.101);
    }
    expect(Math.max(...values('in_proj.weight').map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(8));
    expect(Math.max(...values('conv1d.weight').map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Math.max(...values('dt_proj.weight').map(Math.abs))).toBeLessThanOrEqual(1);
    expect(Math.max(...values('out_proj.weight').map(Math.abs))).toBeLessThanOrEqual(0.25);
  });

  it('forward and parameter gradients match the reference (B 2, L 5, D 8)', async () => {
    const gpu = await testGpu();
    const arena = new ParamArena();
    const mixer = new MambaMixer(arena, P, D);
    arena.allocate(gpu, new Rng(3));
    // larger Δ than at init (dt bias 0 → Δ ≈ 0.7) so the scan's decay matters in 5 steps
    const dtBias = arena.get(`${P}.dt_proj.bias`)!;
    arena.writeParam(gpu, dtBias, new Float32Array(dtBias.size).fill(0));
    const params = await arena.readParams(gpu);
    const rng = new Rng(4);
    const x = randn(rng, B * L * D);
    const r = randn(rng, B * L * D);
    const g = await eagerGraph(arena);
    const out = mixer.forward(g, constant(g, 'x', [B, L, D], x));
    const get = (vals: Map<string, ArrayLike<number>>) => (name: string) => vals.get(`${P}.${name}`)!;
    expectClose(await out.read(), mambaMixerRef(get(params), x, B, L, D), { atol: 1e-5, rtol: 1e-4 }, 'forward');

    backward(sumCols(mul(out, constant(g, 'r', [B, L, D], r)), out.size));
    for (const [name, t] of g.params) {
      const base = params.get(name)!;
      const fd = finiteDiff((v) => {
        const m = new Map<string, ArrayLike<number>>(params);
        m.set(name, v);
        return dot(mambaMixerRef(get(m), x, B, L, D), r);
      }, Float64Array.from(base));
      // f32 forward and backward through five ops vs f64 differences
      expectClose(await t.grad!.read(), fd, { atol: 2e-4, rtol: 2e-3 }, `grad ${name}`);
    }
    expect(g.params.size).toBe(9);
    g.destroy();
    arena.destroy();
  });

  it('a compiled graph (planned, reused buffers) gives the eager gradients, run after run', async () => {
    const gpu = await testGpu();
    const arena = new ParamArena();
    const mixer = new MambaMixer(arena, P, D);
    arena.allocate(gpu, new Rng(5));
    const rng = new Rng(6);
    const x = Float32Array.from(randn(rng, B * L * D));
    const r = Float32Array.from(randn(rng, B * L * D));
    const build = (g: Graph) => {
      const out = mixer.forward(g, g.input('x', [B, L, D]));
      backward(sumCols(mul(out, g.input('r', [B, L, D])), out.size));
      return out;
    };
    const traced = new Graph(gpu, 'trace', arena);
    const outT = build(traced);
    const cg = new CompiledGraph(traced, { keep: [outT, ...[...traced.params.values()].map((t) => t.grad!)] });
    // eager: inputs are written first, since dispatches run as they are recorded
    const e = new Graph(gpu, 'eager', arena);
    const xe = e.input('x', [B, L, D]);
    const re = e.input('r', [B, L, D]);
    e.write('x', x);
    e.write('r', r);
    const outE = mixer.forward(e, xe);
    backward(sumCols(mul(outE, re), outE.size));
    for (let run = 0; run < 2; run++) {
      cg.run({ x, r });
      expectClose(await outT.read(), await outE.read(), { atol: 1e-6, rtol: 1e-5 }, `forward, run ${run}`);
      for (const [name, t] of traced.params) {
        expectClose(
          await t.grad!.read(),
          await e.params.get(name)!.grad!.read(),
          { atol: 1e-6, rtol: 1e-5 },
          `grad ${name}, run ${run}`,
        );
      }
    }
    cg.destroy();
    e.destroy();
    arena.destroy();
  });
});
