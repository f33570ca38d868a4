// Matmul benchmark: GFLOP/s of every kernel variant (matmulTiled, matmulNaive) in the same
// run, at squares and at the models' MLP shapes, measured on compiled graphs replayed many
// times so that setup (pipelines, bind groups, buffers) is not in the timing.
//   M, K, N = output rows, inner dim, output cols;  D = model width.
import type { GpuContext } from '../../gpu/context';
import { CompiledGraph } from '../../engine/compile';
import { Graph } from '../../engine/graph';
import { matmul, type Activation, type MatmulKernel } from '../../engine/ops/matmul';
import { Rng } from '../../engine/rng';
import { rate, timeGpu, type BenchOptions, type BenchResult } from './harness';

const KERNELS: MatmulKernel[] = ['matmulTiled', 'matmulNaive'];

interface Shape {
  label: string;
  M: number;
  K: number;
  N: number;
  /** The MLP up-projection runs with bias and GELU in the epilogue: measure it that way. */
  epilogue: boolean;
  /** a stored (K, M): the weight gradient xᵀ · dz reads the activations transposed. */
  transA?: boolean;
}

/** batch · tokens of the paper's setting: 64 prompts of 82 tokens (41 (x, y) pairs). */
const MODEL_ROWS = 64 * 82;

function shapes(quick: boolean): Shape[] {
  const square = (n: number): Shape => ({ label: `${n}²`, M: n, K: n, N: n, epilogue: false });
  // x (M, D) · W (D, 4D): the widest matmul of a Transformer block
  const mlp = (rows: number, D: number): Shape => ({ label: `mlp D=${D}`, M: rows, K: D, N: 4 * D, epilogue: true });
  // its weight gradient dW (D, 4D) = xᵀ (D, M) · dz (M, 4D): few output tiles, long K
  const dW = (rows: number, D: number): Shape => ({ label: `mlp dW D=${D}`, M: D, K: rows, N: 4 * D, epilogue: false, transA: true });
  if (quick) return [square(64), square(128), square(256), mlp(82 * 4, 64), dW(82 * 4, 64)];
  const model = [64, 128, 256].flatMap((D) => [mlp(MODEL_ROWS, D), dW(MODEL_ROWS, D)]);
  return [square(256), square(1024), square(4096), ...model];
}

/** Enough products per submit that one submit is ~workPerRun FLOPs (amortises submit cost). */
function copiesFor(flops: number, quick: boolean): number {
  const workPerRun = quick ? 1e7 : 5e9;
  return Math.min(64, Math.max(1, Math.round(workPerRun / flops)));
}

async function benchOne(gpu: GpuContext, s: Shape, kernel: MatmulKernel, quick: boolean, rng: Rng): Promise<BenchResult> {
  const flops = 2 * s.M * s.K * s.N;
  const copies = copiesFor(flops, quick);
  const g = new Graph(gpu, 'trace');
  const a = g.input('a', s.transA ? [s.K, s.M] : [s.M, s.K]); // (M, K), or (K, M) transposed
  const b = g.input('b', [s.K, s.N]); // (K, N)
  const bias = g.input('bias', [s.N]); // (N)
  const act: Activation = s.epilogue ? 'gelu' : 'none';
  // independent products: the planner gives their outputs reused buffers, as in a real step
  for (let i = 0; i < copies; i++) matmul(a, b, { kernel, transA: s.transA, bias: s.epilogue ? bias : undefined, act });
  const fillRandom = (n: number) => rng.fillNormal(new Float32Array(n), 0.5) as Float32Array;
  g.write('a', fillRandom(s.M * s.K));
  g.write('b', fillRandom(s.K * s.N));
  g.write('bias', fillRandom(s.N));
  const cg = new CompiledGraph(g);
  try {
    const t = await timeGpu(gpu, () => cg.run(), quick ? { warmup: 1, reps: 2, batches: 3 } : { warmup: 3, reps: 10, batches: 5 });
    return {
      name: kernel,
      shape: { M: s.M, K: s.K, N: s.N },
      ...rate(flops * copies, t, 'GFLOP/s', 1e9),
      adapter: gpu.info.adapterName,
      extra: { label: s.label, transA: !!s.transA, epilogue: s.epilogue ? 'bias+gelu' : 'none', perSubmit: copies },
    };
  } finally {
    cg.destroy();
  }
}

/** Tiled and naive at each shape, side by side. */
export async function benchMatmul(gpu: GpuContext, opts: BenchOptions): Promise<BenchResult[]> {
  const rng = new Rng(1);
  const results: BenchResult[] = [];
  for (const s of shapes(opts.quick)) {
    for (const kernel of KERNELS) {
      results.push(await benchOne(gpu, s, kernel, opts.quick, rng));
    }
  }
  return results;
}
