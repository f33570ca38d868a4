// The Mamba mixer (mamba-ssm's Mamba block without its residual and norm), as in SPEC.md:
//   in_proj → (x, z); x → causal depthwise conv1d → SiLU; x_proj → (δ, B, C);
//   Δ = softplus(dt_proj(δ)); y = selective_scan(x, Δ, A_log, B, C, D) ⊙ SiLU(z); out_proj.
// Parameter names and layouts are mamba-ssm's (nn.Linear [out, in]), so checkpoints map 1:1.
// Also the f64 CPU reference of the whole mixer, built from the ops' references.
// Legend: B batch, L length, D model width, E = 2D inner channels, R = ⌈D/16⌉ dt rank,
// N = 16 state size, K = 4 conv taps.
import type { Init, ParamArena, ParamRef } from '../engine/arena';
import type { Graph } from '../engine/graph';
import { conv1d, conv1dRef } from '../engine/ops/conv1d';
import { softplus, unaryFnRef } from '../engine/ops/elementwise';
import { matmulRef } from '../engine/ops/matmul';
import { selectiveScanPacked, selectiveScanRef } from '../engine/ops/selectiveScan';
import { split, splitRef } from '../engine/ops/split';
import type { Tensor } from '../engine/tensor';
import { Linear } from './layers';

export const MAMBA_N = 16;
export const MAMBA_CONV = 4;
const DT_MIN = 1e-3;
const DT_MAX = 1e-1;
const DT_FLOOR = 1e-4;

export interface MambaDims {
  dModel: number; // D
  inner: number; // E = 2D
  dtRank: number; // R = ⌈D/16⌉
  state: number; // N
  conv: number; // K
}

export function mambaDims(dModel: number): MambaDims {
  return { dModel, inner: 2 * dModel, dtRank: Math.ceil(dModel / 16), state: MAMBA_N, conv: MAMBA_CONV };
}

const uniform = (bound: number): Init => ({ kind: 'uniform', bound });

/** dt_proj.bias: softplus⁻¹(dt), dt log-uniform in [1e-3, 1e-1] (floored at 1e-4), per channel. */
const dtBiasInit: Init = {
  kind: 'custom',
  fill: (out, rng) => {
    for (let i = 0; i < out.length; i++) {
      const dt = Math.max(Math.exp(rng.uniform() * (Math.log(DT_MAX) - Math.log(DT_MIN)) + Math.log(DT_MIN)), DT_FLOOR);
      out[i] = dt + Math.log(-Math.expm1(-dt)); // inverse softplus
    }
  },
};

/** A_log[e, n] = log(n + 1): S4D-real initialisation, A = −(1 … N) in every channel. */
const aLogInit = (N: number): Init => ({
  kind: 'custom',
  fill: (out) => {
    for (let i = 0; i < out.length; i++) out[i] = Math.log((i % N) + 1);
  },
});

export class MambaMixer {
  readonly dims: MambaDims;
  private inProj: Linear; // weight (2E, D)
  private conv1dWeight: ParamRef; // (E, 1, K)
  private conv1dBias: ParamRef; // (E)
  private xProj: Linear; // weight (R + 2N, E)
  private dtProj: Linear; // weight (E, R), bias (E)
  private aLog: ParamRef; // (E, N)
  private dSkip: ParamRef; // (E)
  private outProj: Linear; // weight (D, E)

  /** nLayers: blocks in the stack; mamba-ssm scales out_proj's init by 1/√nLayers (prenorm residual). */
  constructor(arena: ParamArena, prefix: string, dModel: number, nLayers = 1) {
    const { inner: E, dtRank: R, state: N, conv: K } = (this.dims = mambaDims(dModel));
    // declaration order is mamba-ssm's; inits are nn.Linear / nn.Conv1d defaults U(±1/√fan_in)
    this.inProj = new Linear(arena, `${prefix}.in_proj`, dModel, 2 * E, { bias: false });
    this.conv1dWeight = arena.declare(`${prefix}.conv1d.weight`, [E, 1, K], uniform(1 / Math.sqrt(K)));
    this.conv1dBias = arena.declare(`${prefix}.conv1d.bias`, [E], uniform(1 / Math.sqrt(K)));
    this.xProj = new Linear(arena, `${prefix}.x_proj`, E, R + 2 * N, { bias: false });
    this.dtProj = new Linear(arena, `${prefix}.dt_proj`, R, E, {
      weightInit: uniform(R ** -0.5),
      biasInit: dtBiasInit,
    });
    this.aLog = arena.declare(`${prefix}.A_log`, [E, N], aLogInit(N));
    this.dSkip = arena.declare(`${prefix}.D`, [E], { kind: 'const', value: 1 });
    this.outProj = new Linear(arena, `${prefix}.out_proj`, E, dModel, {
      bias: false,
      weightInit: uniform(1 / Math.sqrt(E * nLayers)),
    });
  }

  /** x (B, L, D) → (B, L, D), plus `residual` when given (added by out_proj's epilogue). */
  forward(g: Graph, x: Tensor, residual?: Tensor): Tensor {
    const { inner: E, dtRank: R, state: N } = this.dims;
    const [xs, z] = split(this.inProj.forward(g, x), [E, E]); // (B, L, E) each
    const xc = conv1d(xs, g.param(this.conv1dWeight), g.param(this.conv1dBias), 'silu'); // (B, L, E)
    // x_proj gives δ | B | C; B | C stay side by side, as the scan kernels read them
    const [dtr, bc] = split(this.xProj.forward(g, xc), [R, 2 * N]); // (B, L, R), (B, L, 2N)
    const delta = softplus(this.dtProj.forward(g, dtr)); // (B, L, E)
    const y = selectiveScanPacked(xc, delta, g.param(this.aLog), bc, g.param(this.dSkip), z); // (B, L, E)
    return this.outProj.forward(g, y, 'none', residual); // (B, L, D)
  }
}

// ---- CPU reference ----------------------------------------------------------------------

/**
 * The mixer in f64 from the ops' references. params: name → values, names without the
 * prefix (`in_proj.weight`, `conv1d.weight`, …); x (B, L, D) → (B, L, D).
 */
export function mambaMixerRef(
  params: (name: string) => ArrayLike<number>,
  x: ArrayLike<number>,
  B: number,
  L: number,
  dModel: number,
): Float64Array {
  const { inner: E, dtRank: R, state: N, conv: K } = mambaDims(dModel);
  const rows = B * L;
  const silu = unaryFnRef('silu');
  const softplus = unaryFnRef('softplus');
  const [xs, z] = splitRef(matmulRef(x, params('in_proj.weight'), rows, dModel, 2 * E, { transB: true }), [E, E]);
  const xc = conv1dRef(xs, params('conv1d.weight'), params('conv1d.bias'), B, L, E, K).map(silu);
  const [dtr, Bm, Cm] = splitRef(matmulRef(xc, params('x_proj.weight'), rows, E, R + 2 * N, { transB: true }), [
    R,
    N,
    N,
  ]);
  const delta = matmulRef(dtr, params('dt_proj.weight'), rows, R, E, {
    transB: true,
    bias: params('dt_proj.bias'),
  }).map(softplus);
  const h = (data: ArrayLike<number>, shape: number[]) => ({ data, shape });
  const y = selectiveScanRef(
    h(xc, [B, L, E]),
    h(delta, [B, L, E]),
    h(params('A_log'), [E, N]),
    h(Bm, [B, L, N]),
    h(Cm, [B, L, N]),
    h(params('D'), [E]),
    h(z, [B, L, E]),
  );
  return matmulRef(y, params('out_proj.weight'), rows, E, dModel, { transB: true });
}
