// Attention benchmark: milliseconds of the fused causal attention forward, and forward +
// backward, at the paper's Transformer width (C 256, 8 heads of 32) and prompt lengths
// (82 and 281 tokens), on compiled graphs replayed many times.
//   B = batch, T = time, C = channels, H = heads.
import type { GpuContext } from '../../gpu/context';
import { CompiledGraph } from '../../engine/compile';
import { Graph } from '../../engine/graph';
import { attention } from '../../engine/ops/attention';
import { Rng } from '../../engine/rng';
import { timeGpu, type BenchOptions, type BenchResult } from './harness';

interface Shape {
  B: number;
  T: number;
  C: number;
  H: number;
}

function shapes(quick: boolean): Shape[] {
  if (quick)
    return [
      { B: 2, T: 17, C: 64, H: 2 },
      { B: 2, T: 40, C: 64, H: 2 },
    ];
  return [82, 281].map((T) => ({ B: 64, T, C: 256, H: 8 }));
}

/** FLOPs of causal attention: q·k and p·v over the T(T+1)/2 pairs (forward), and five such
 *  products in the backward (s recomputed, dp, dv, dk, dq). */
function flops(s: Shape, backward: boolean): number {
  const pairs = (s.T * (s.T + 1)) / 2;
  return (backward ? 14 : 4) * (s.C / s.H) * pairs * s.B * s.H;
}

async function benchOne(gpu: GpuContext, s: Shape, backward: boolean, quick: boolean, rng: Rng): Promise<BenchResult> {
  const { B, T, C, H } = s;
  // several independent calls per submit, so that submit overhead does not dominate
  const copies = Math.min(32, Math.max(1, Math.round((quick ? 1e6 : 1e11) / flops(s, backward))));
  const g = new Graph(gpu, 'trace');
  const qkv = g.input('qkv', [B, T, 3 * C], backward); // (B, T, 3C)
  const dout = g.input('dout', [B, T, C]); // (B, T, C)
  for (let i = 0; i < copies; i++) {
    const y = attention(qkv, H);
    if (backward) {
      // run just this op's backward rule with a given dout (no loss, no other kernels)
      g.gradEnabled = false;
      g.tape.find((e) => e.out === y)!.backward(dout);
      g.gradEnabled = true;
      qkv.grad = undefined; // each copy's dqkv stands alone (no accumulation kernels)
    }
  }
  g.write('qkv', rng.fillNormal(new Float32Array(B * T * 3 * C), 1) as Float32Array);
  g.write('dout', rng.fillNormal(new Float32Array(B * T * C), 1) as Float32Array);
  const cg = new CompiledGraph(g);
  try {
    const t = await timeGpu(
      gpu,
      () => cg.run(),
      quick ? { warmup: 1, reps: 2, batches: 3 } : { warmup: 3, reps: 10, batches: 7, warmupMs: 300 },
    );
    const ms = t.median_ms / copies;
    return {
      name: backward ? 'attention_fwd_bwd' : 'attention_fwd',
      shape: { B, T, C, H },
      median: ms,
      spread: [t.min_ms / copies, t.max_ms / copies],
      unit: 'ms',
      adapter: gpu.info.adapterName,
      extra: {
        gflops: Number((flops(s, backward) / (ms * 1e-3) / 1e9).toPrecision(3)),
        perSubmit: copies,
        dispatches: cg.dispatchCount / copies,
      },
    };
  } finally {
    cg.destroy();
  }
}

/** Forward alone, then forward + backward, at each shape. */
export async function benchAttention(gpu: GpuContext, opts: BenchOptions): Promise<BenchResult[]> {
  const rng = new Rng(1);
  const results: BenchResult[] = [];
  for (const s of shapes(opts.quick)) {
    for (const backward of [false, true]) results.push(await benchOne(gpu, s, backward, opts.quick, rng));
  }
  return results;
}
