// Fused causal multi-head softmax attention (flash style): forward saving the log-sum-exp,
// backward recomputing the softmax from it, and plain-softmax CPU references side by side.
// Kernels and their design notes in shaders/attention.wgsl.
// B = batch, T = time, H = heads, hd = head dim, C = H·hd; qkv (B, T, 3C) = q | k | v.
import source from '../../../shaders/attention.wgsl?raw';
import { entryPoint, kernel, uniformStruct, type BindingDecl, type EntryPoint } from '../../gpu/kernel';
import { accumulateGrad } from './grad';
import type { Tensor } from '../tensor';

export const AttentionParams = uniformStruct('Params', {
  batch: 'u32',
  T: 'u32',
  heads: 'u32',
  C: 'u32',
  scale: 'f32',
});

/** Block sizes: `rows` threads per workgroup, one query (forward, dq) or key (dkv) each;
 *  `tile` rows of the other side per workgroup-memory tile (≤ 64). */
export interface AttentionTiles {
  rows: number;
  tile: number;
}
/** Measured on an H200 (Dawn/Vulkan) at B 64, C 256, H 8: 32×16 was fastest or within noise
 *  of it for both T 82 (0.13 ms forward+backward, vs 0.17 for 64×32) and T 281 (0.84 ms). */
export const DEFAULT_ATTENTION_TILES: AttentionTiles = { rows: 32, tile: 16 };
/** The kernel's register arrays hold head vectors of at most this many floats (4·MAX_HD4). */
const MAX_HEAD_DIM = 64;

const FORWARD = entryPoint(source, 'attention_forward', { p: 'uniform', qkv: 'read', fout: 'rw', flse: 'rw' });
const BACKWARD_DQ = entryPoint(source, 'attention_backward_dq', {
  p: 'uniform',
  qkv: 'read',
  bout: 'read',
  bdout: 'read',
  blse: 'read',
  bdelta: 'rw',
  bdqkv: 'rw',
});
const BACKWARD_DKV = entryPoint(source, 'attention_backward_dkv', {
  p: 'uniform',
  qkv: 'read',
  kdout: 'read',
  klse: 'read',
  kdelta: 'read',
  kdqkv: 'rw',
});
export const ENTRY_POINTS = [FORWARD, BACKWARD_DQ, BACKWARD_DKV];
const attentionKernel = <B extends BindingDecl>(ep: EntryPoint<B>, hd: number, t: AttentionTiles) =>
  kernel(ep, `${ep.entryPoint}_hd${hd}_r${t.rows}_t${t.tile}`, {
    constants: { HD: hd, ROWS: t.rows, TILE: t.tile },
    heavy: true,
  });

function grid(T: number, bh: number, t: AttentionTiles): [number, number, number] {
  return [Math.ceil(T / t.rows), Math.min(bh, 65535), Math.ceil(bh / 65535)];
}

/** Shapes of an attention call, checked once. */
function dims(qkv: Tensor, heads: number) {
  if (qkv.shape.length !== 3 || qkv.shape[2] % 3 !== 0)
    throw new Error(`attention: qkv must be (B, T, 3C), got ${qkv}`);
  const [B, T, C3] = qkv.shape;
  const C = C3 / 3;
  const hd = C / heads;
  if (!Number.isInteger(heads) || heads < 1 || !Number.isInteger(hd))
    throw new Error(`attention: ${C} channels do not split into ${heads} heads`);
  if (hd % 4 !== 0 || hd > MAX_HEAD_DIM)
    throw new Error(`attention: head dim ${hd} must be a multiple of 4, at most ${MAX_HEAD_DIM}`);
  if (T < 1) throw new Error('attention: empty sequence');
  return { B, T, C, H: heads, hd };
}

/**
 * Causal multi-head self-attention of GPT-2's c_attn output qkv (B, T, 3C) with `heads`
 * heads: softmax(q kᵀ / √hd + causal mask) v, heads concatenated → (B, T, C).
 * `tiles` overrides the block sizes (benchmarks compare them; the default is the winner).
 */
export function attention(qkv: Tensor, heads: number, tiles?: AttentionTiles): Tensor {
  const { B, T, C, H, hd } = dims(qkv, heads);
  const t = tiles ?? DEFAULT_ATTENTION_TILES;
  if (t.tile > 64 || t.tile < 1 || t.rows < 1)
    throw new Error(`attention: tiles of ${t.tile} rows are not supported (1 to 64)`);
  // two tiles of vectors, and lse and Δ per tile row (attention_backward_dkv)
  const wgBytes = 2 * t.tile * hd * 4 + 2 * t.tile * 4;
  if (wgBytes > qkv.graph.gpu.limits.maxComputeWorkgroupStorageSize) {
    throw new Error(
      `attention: tiles of ${t.tile} rows of ${hd} need ${wgBytes} bytes of workgroup memory, more than this ` +
        `GPU offers`,
    );
  }
  const g = qkv.graph;
  const params = AttentionParams.pack({ batch: B, T, heads: H, C, scale: 1 / Math.sqrt(hd) });
  const out = g.tensor([B, T, C], qkv.requiresGrad, `attention(${qkv.label})`); // (B, T, C)
  const lse = g.tensor([B, H, T], false, `attn_lse(${qkv.label})`); // (B, H, T)
  const fwd = attentionKernel(FORWARD, hd, t);
  g.dispatch(fwd, params, fwd.bind({ qkv, fout: out, flse: lse }), grid(T, B * H, t));

  g.record(out, (dout) => {
    const delta = g.tensor([B, H, T], false, 'attn_delta'); // (B, H, T) Δ_i = dO_i·O_i
    const dqkv = g.tensor(qkv.shape, false, `d${qkv.label}`); // (B, T, 3C)
    const dq = attentionKernel(BACKWARD_DQ, hd, t);
    g.dispatch(
      dq,
      params,
      dq.bind({ qkv, bout: out, bdout: dout, blse: lse, bdelta: delta, bdqkv: dqkv }),
      grid(T, B * H, t),
    );
    const dkv = attentionKernel(BACKWARD_DKV, hd, t);
    g.dispatch(dkv, params, dkv.bind({ qkv, kdout: dout, klse: lse, kdelta: delta, kdqkv: dqkv }), grid(T, B * H, t));
    accumulateGrad(qkv, dqkv);
  });
  return out;
}

// ---- CPU reference ----------------------------------------------------------------------

type Arr = ArrayLike<number>;

/** Probabilities P (T, T) of one (batch, head), row i zero past i; and the log-sum-exp (T). */
function softmaxRef(
  qkv: Arr,
  b: number,
  h: number,
  T: number,
  C: number,
  hd: number,
): { P: Float64Array; lse: Float64Array } {
  const scale = 1 / Math.sqrt(hd);
  const at = (t: number, third: number, d: number) => qkv[(b * T + t) * 3 * C + third * C + h * hd + d];
  const P = new Float64Array(T * T);
  const lse = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    let m = -Infinity;
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let d = 0; d < hd; d++) s += at(i, 0, d) * at(j, 1, d);
      P[i * T + j] = s * scale;
      m = Math.max(m, s * scale);
    }
    let sum = 0;
    for (let j = 0; j <= i; j++) sum += Math.exp(P[i * T + j] - m);
    for (let j = 0; j <= i; j++) P[i * T + j] = Math.exp(P[i * T + j] - m) / sum;
    lse[i] = m + Math.log(sum);
  }
  return { P, lse };
}

/** out (B, T, C) and lse (B, H, T) by the plain softmax. */
export function attentionRef(
  qkv: Arr,
  B: number,
  T: number,
  C: number,
  H: number,
): { out: Float64Array; lse: Float64Array } {
  const hd = C / H;
  const out = new Float64Array(B * T * C);
  const lse = new Float64Array(B * H * T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const sm = softmaxRef(qkv, b, h, T, C, hd);
      lse.set(sm.lse, (b * H + h) * T);
      for (let i = 0; i < T; i++) {
        for (let j = 0; j <= i; j++) {
          const pij = sm.P[i * T + j];
          for (let d = 0; d < hd; d++)
            out[(b * T + i) * C + h * hd + d] += pij * qkv[(b * T + j) * 3 * C + 2 * C + h * hd + d];
        }
      }
    }
  }
  return { out, lse };
}

/** dqkv (B, T, 3C): the gradient of Σ out ⊙ dout, by the textbook softmax backward. */
export function attentionBackwardRef(qkv: Arr, dout: Arr, B: number, T: number, C: number, H: number): Float64Array {
  const hd = C / H;
  const scale = 1 / Math.sqrt(hd);
  const dqkv = new Float64Array(B * T * 3 * C);
  const idx = (b: number, t: number, third: number, h: number, d: number) =>
    (b * T + t) * 3 * C + third * C + h * hd + d;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const { P } = softmaxRef(qkv, b, h, T, C, hd);
      for (let i = 0; i < T; i++) {
        const dOi = (d: number) => dout[(b * T + i) * C + h * hd + d];
        // dP_ij = dO_i · v_j;  dS_ij = P_ij (dP_ij − Σ_k P_ik dP_ik)
        const dP = new Float64Array(i + 1);
        let rowDot = 0;
        for (let j = 0; j <= i; j++) {
          for (let d = 0; d < hd; d++) dP[j] += dOi(d) * qkv[idx(b, j, 2, h, d)];
          rowDot += P[i * T + j] * dP[j];
        }
        for (let j = 0; j <= i; j++) {
          const pij = P[i * T + j];
          const dS = pij * (dP[j] - rowDot) * scale;
          for (let d = 0; d < hd; d++) {
            dqkv[idx(b, i, 0, h, d)] += dS * qkv[idx(b, j, 1, h, d)];
            dqkv[idx(b, j, 1, h, d)] += dS * qkv[idx(b, i, 0, h, d)];
            dqkv[idx(b, j, 2, h, d)] += pij * dOi(d);
          }
        }
      }
    }
  }
  return dqkv;
}
