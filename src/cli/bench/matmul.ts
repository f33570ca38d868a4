// Matmul benchmark: GFLOP/s of the production kernels (matmulBlock8 as training chooses it
// per shape, matmulTiled, its fallback) and of the naive variant of bench/kernels/matmul/ in
// the same run, at squares and at the models' MLP shapes (forward, and both gradients),
// measured on compiled graphs replayed many times so that setup (pipelines, bind groups,
// buffers) is not in the timing. Variants of bench/kernels/ are checked against matmulRef
// before they are timed. ICL_MATMUL_SWEEP=1 times every configuration of that directory's
// block8 sweep as well (the data behind production's tiles);
// ICL_MATMUL_CONFIGS='[{"TX":16,"TY":16,"BK":8,"prefetch":true,"wide":true}, …]' adds
// configurations of it, ICL_MATMUL_SHAPES='4096²,mlp dW D=256' keeps only those shapes,
// ICL_MATMUL_KERNELS='matmulBlock8' only those kernels, ICL_MATMUL_EXTRA_SHAPES='1536x8192x1408'
// adds plain products of those M x K x N.
//   M, K, N = output rows, inner dim, output cols;  D = model width.
import type { GpuContext } from '../../gpu/context';
import { CompiledGraph } from '../../engine/compile';
import { Graph } from '../../engine/graph';
import { matmul, matmulRef, type Activation, type MatmulKernel } from '../../engine/ops/matmul';
import { Rng } from '../../engine/rng';
import type { Tensor } from '../../engine/tensor';
import {
  block8SwitchesBytes,
  block8SwitchesName,
  SWEEP,
  variantMatmul,
  type Block8Switches,
} from '../../../bench/kernels/matmul/variants';
import { rate, timeGpu, warmUp, type BenchOptions, type BenchResult, type Timing } from './harness';

/** A production kernel, or a variant of bench/kernels/matmul/. */
interface Variant {
  name: string;
  kernel?: MatmulKernel;
  variant?: 'naive' | Block8Switches;
}

const PRODUCTION: Variant[] = [
  { name: 'matmulBlock8', kernel: 'matmulBlock8' },
  { name: 'matmulTiled', kernel: 'matmulTiled' },
];
const NAIVE: Variant = { name: 'matmulNaive', variant: 'naive' };
const configVariant = (c: Block8Switches): Variant => ({ name: block8SwitchesName(c), variant: c });

interface Shape {
  label: string;
  M: number;
  K: number;
  N: number;
  /** The MLP up-projection runs with bias and GELU in the epilogue: measure it that way. */
  epilogue: boolean;
  /** a stored (K, M): the weight gradient xᵀ · dz reads the activations transposed. */
  transA?: boolean;
  /** b stored (N, K): the input gradient dz · Wᵀ reads the weight transposed. */
  transB?: boolean;
}

/** batch · tokens of the paper's setting: 64 prompts of 82 tokens (41 (x, y) pairs). */
const MODEL_ROWS = 64 * 82;

function shapes(quick: boolean): Shape[] {
  const square = (n: number): Shape => ({ label: `${n}²`, M: n, K: n, N: n, epilogue: false });
  // x (M, D) · W (D, 4D): the widest matmul of a Transformer block, plain (as PyTorch's
  // `matmul` row) and with its bias + GELU epilogue (as PyTorch's `matmul_gelu`: addmm, gelu)
  const mlp = (rows: number, D: number): Shape => ({ label: `mlp D=${D}`, M: rows, K: D, N: 4 * D, epilogue: false });
  const mlpGelu = (rows: number, D: number): Shape => ({
    label: `mlp+gelu D=${D}`,
    M: rows,
    K: D,
    N: 4 * D,
    epilogue: true,
  });
  // its weight gradient dW (D, 4D) = xᵀ (D, M) · dz (M, 4D): few output tiles, long K
  const dW = (rows: number, D: number): Shape => ({
    label: `mlp dW D=${D}`,
    M: D,
    K: rows,
    N: 4 * D,
    epilogue: false,
    transA: true,
  });
  // and its input gradient dx (M, D) = dz (M, 4D) · Wᵀ (4D, D)
  const dX = (rows: number, D: number): Shape => ({
    label: `mlp dX D=${D}`,
    M: rows,
    K: 4 * D,
    N: D,
    epilogue: false,
    transB: true,
  });
  const extra = (process.env.ICL_MATMUL_EXTRA_SHAPES ?? '')
    .split(',')
    .filter(Boolean)
    .map((spec): Shape => {
      const [M, K, N] = spec.trim().split('x').map(Number);
      if (![M, K, N].every((d) => Number.isInteger(d) && d > 0))
        throw new Error(`ICL_MATMUL_EXTRA_SHAPES: ${spec} is not MxKxN`);
      return { label: spec.trim(), M, K, N, epilogue: false };
    });
  if (quick)
    return [
      ...extra,
      square(64),
      square(128),
      square(256),
      mlp(82 * 4, 64),
      mlpGelu(82 * 4, 64),
      dW(82 * 4, 64),
      dX(82 * 4, 64),
    ];
  const model = [64, 128, 256].flatMap((D) => [
    mlp(MODEL_ROWS, D),
    mlpGelu(MODEL_ROWS, D),
    dW(MODEL_ROWS, D),
    dX(MODEL_ROWS, D),
  ]);
  return [...extra, square(256), square(1024), square(4096), ...model];
}

/** Enough products per submit that one submit is ~workPerRun FLOPs (amortises submit cost). */
function copiesFor(flops: number, quick: boolean): number {
  const workPerRun = quick ? 1e7 : 5e9;
  return Math.min(64, Math.max(1, Math.round(workPerRun / flops)));
}

/** One product of a variant (production's matmul, or a bench/kernels variant). */
function product(v: Variant, a: Tensor, b: Tensor, bias: Tensor | undefined, s: Shape, act: Activation): Tensor {
  const transA = !!s.transA;
  const transB = !!s.transB;
  if (v.variant) return variantMatmul(a, b, bias, { M: s.M, K: s.K, N: s.N, transA, transB, act }, v.variant);
  return matmul(a, b, { kernel: v.kernel, transA, transB, bias, act });
}

/** A bench/kernels variant against matmulRef on a small product of the shape's layout and
 *  epilogue: a variant that is wrong is not timed. */
async function checkVariant(gpu: GpuContext, v: Variant, s: Shape, rng: Rng): Promise<void> {
  const [M, K, N] = [72, 48, 40];
  const small: Shape = { ...s, M, K, N };
  const g = new Graph(gpu, 'eager');
  const fill = (n: number) => rng.fillNormal(new Float32Array(n), 0.5) as Float32Array;
  const host = { a: fill(M * K), b: fill(K * N), bias: fill(N) };
  const input = (name: 'a' | 'b' | 'bias', shape: number[]) => {
    const t = g.input(name, shape);
    g.write(name, host[name]);
    return t;
  };
  try {
    const a = input('a', s.transA ? [K, M] : [M, K]);
    const b = input('b', s.transB ? [N, K] : [K, N]);
    const bias = s.epilogue ? input('bias', [N]) : undefined;
    const act: Activation = s.epilogue ? 'gelu' : 'none';
    const out = await product(v, a, b, bias, small, act).read();
    const ref = matmulRef(host.a, host.b, M, K, N, {
      transA: s.transA,
      transB: s.transB,
      bias: bias ? host.bias : undefined,
      act,
    });
    const worst = ref.reduce((w, r, i) => Math.max(w, Math.abs(out[i] - r) / (1e-2 + Math.abs(r))), 0);
    if (!(worst < 1e-3))
      throw new Error(
        `matmul bench: ${v.name} differs from matmulRef at ${s.label} (worst relative error ` +
          `${worst.toExponential(2)}), so it was not timed.`,
      );
  } finally {
    g.destroy();
  }
}

/** One variant at one shape, compiled: `copies` independent products per run. */
function build(gpu: GpuContext, s: Shape, v: Variant, copies: number, rng: Rng): CompiledGraph {
  const g = new Graph(gpu, 'trace');
  const a = g.input('a', s.transA ? [s.K, s.M] : [s.M, s.K]); // (M, K), or (K, M) transposed
  const b = g.input('b', s.transB ? [s.N, s.K] : [s.K, s.N]); // (K, N), or (N, K) transposed
  const bias = g.input('bias', [s.N]); // (N)
  const act: Activation = s.epilogue ? 'gelu' : 'none';
  // independent products: the planner gives their outputs reused buffers, as in a real step
  for (let i = 0; i < copies; i++) product(v, a, b, s.epilogue ? bias : undefined, s, act);
  const fillRandom = (n: number) => rng.fillNormal(new Float32Array(n), 0.5) as Float32Array;
  g.write('a', fillRandom(s.M * s.K));
  g.write('b', fillRandom(s.K * s.N));
  g.write('bias', fillRandom(s.N));
  return new CompiledGraph(g);
}

/** Every variant at each shape, side by side. The variants of a shape are timed in turns,
 *  several rounds, each keeping its best round: the GPU's clocks and whatever else shares it
 *  drift over seconds, and a fixed order would charge that drift to some variants. */
export async function benchMatmul(gpu: GpuContext, opts: BenchOptions): Promise<BenchResult[]> {
  const rng = new Rng(1);
  const sweep = !!process.env.ICL_MATMUL_SWEEP;
  const extra = (JSON.parse(process.env.ICL_MATMUL_CONFIGS ?? '[]') as Block8Switches[]).map(configVariant);
  const only = process.env.ICL_MATMUL_SHAPES?.split(',').map((l) => l.trim());
  // naive (up to 10 s a shape) would be most of the sweep's time: left out there
  const kernels = process.env.ICL_MATMUL_KERNELS?.split(',').map((k) => k.trim());
  const variants = [...PRODUCTION, ...(sweep ? [] : [NAIVE])].filter((v) => !kernels || kernels.includes(v.name));
  const checked = new Set<string>();
  const rounds = opts.quick ? 1 : 3;
  const timing = opts.quick ? { warmup: 1, reps: 2, batches: 3 } : { warmup: 2, reps: 10, batches: 3 };
  const results: BenchResult[] = [];
  for (const s of shapes(opts.quick).filter((s) => !only || only.includes(s.label))) {
    const flops = 2 * s.M * s.K * s.N;
    const copies = copiesFor(flops, opts.quick);
    // a configuration the device cannot take would silently run another: left out
    const fits = (v: Variant) =>
      typeof v.variant !== 'object' ||
      block8SwitchesBytes(v.variant, !!s.transA, !!s.transB) <= gpu.limits.maxComputeWorkgroupStorageSize;
    const all = [...variants, ...(sweep ? SWEEP.map(configVariant) : []), ...extra].filter(fits);
    for (const v of all.filter((v) => v.variant)) {
      const key = `${v.name} ${!!s.transA} ${!!s.transB} ${s.epilogue}`;
      if (!checked.has(key)) await checkVariant(gpu, v, s, rng);
      checked.add(key);
    }
    for (const v of extra.filter((v) => !fits(v)))
      console.error(
        `matmul bench: ${v.name} needs more workgroup memory than this device has ` +
          `(${gpu.limits.maxComputeWorkgroupStorageSize} B) at ${s.label}: left out`,
      );
    const graphs = all.map((v) => build(gpu, s, v, copies, rng));
    try {
      const best: (Timing | undefined)[] = all.map(() => undefined);
      await warmUp(gpu, () => graphs[0].run(), opts.quick ? 0 : 300);
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < all.length; i++) {
          const t = await timeGpu(gpu, () => graphs[i].run(), timing);
          if (!best[i] || t.median_ms < best[i]!.median_ms) best[i] = t;
        }
      }
      all.forEach((v, i) => {
        // progress on stderr: a run cut short still leaves the shapes it finished
        console.error(
          `matmul ${s.label}: ${v.name} ${((flops * copies) / best[i]!.median_ms / 1e6).toFixed(0)} GFLOP/s`,
        );
        results.push({
          // matmulBlock8 → matmul_geluBlock8 with the epilogue: it pairs with PyTorch's matmul_gelu
          name: s.epilogue ? v.name.replace(/^matmul/, 'matmul_gelu') : v.name,
          shape: { M: s.M, K: s.K, N: s.N },
          ...rate(flops * copies, best[i]!, 'GFLOP/s', 1e9),
          adapter: gpu.info.adapterName,
          extra: {
            label: s.label,
            transA: !!s.transA,
            transB: !!s.transB,
            epilogue: s.epilogue ? 'bias+gelu' : 'none',
            perSubmit: copies,
          },
        });
      });
    } finally {
      for (const cg of graphs) cg.destroy();
    }
  }
  return results;
}
