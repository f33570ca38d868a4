// Selective scan (Mamba's S6): GPU forward and backward, and the plain sequential CPU
// reference with the same signature. The kernels (shaders/selective_scan_reg*.wgsl) walk time
// in segments of K written-out steps with the states in registers: the forward's thread holds
// a (batch, channel)'s N ≤ 16 states, the backward's G threads share them (the workgroup
// shapes: scanConfig.ts). The backward writes partial sums, which reduce.ts's sumRowsAt adds
// up. (SPEC's models all have N = 16; the chunked parallel-in-time kernels for larger N are in
// bench/kernels/selective_scan/.)
// Legend: B batch, L length, E channels, N state.
// The op takes A_log (A = −exp(A_log) inside the kernel) and Δ already softplus'ed: the
// mixer computes Δ = softplus(dt_proj(δ)) with the elementwise op, so the scan's gradient
// is with respect to Δ and A_log.
import commonSource from '../../../shaders/selective_scan_reg_common.wgsl?raw';
import fwdSource from '../../../shaders/selective_scan_reg.wgsl?raw';
import bwdSource from '../../../shaders/selective_scan_reg_bwd.wgsl?raw';
import { entryPoint, kernel, uniformStruct } from '../../gpu/kernel';
import { accumulateGrad } from './grad';
import { assertShape, type Tensor } from '../tensor';
import { sumRowsAt } from './reduce';
import { alignedPrompts, promptsPerDispatch } from './scanChunks';
import {
  chooseScanConfig,
  MAX_STATES,
  MAX_STEPS,
  registerGroups,
  scanConfigName,
  scanSharedBytes,
  type ScanConfig,
} from './scanConfig';
import { concatLast, packRows } from './split';

/** Both kernels' uniforms (the Params of selective_scan_reg_common.wgsl). */
export const ScanParams = uniformStruct('Params', {
  batch: 'u32',
  len: 'u32',
  chans: 'u32',
  neb: 'u32',
  nseg: 'u32',
  off_db: 'u32',
  off_da: 'u32',
  off_dd: 'u32',
});

/** Storage buffers the backward kernel binds (the most of any scan kernel). */
export const SCAN_STORAGE_BUFFERS = 10;

const INPUTS = { p: 'uniform', u: 'read', delta: 'read', ad: 'read', bc: 'read', z: 'read' } as const;
const FORWARD = entryPoint(commonSource + fwdSource, 'scan_fwd_reg', { ...INPUTS, out: 'rw', hck: 'rw' });
const BACKWARD = entryPoint(commonSource + bwdSource, 'scan_bwd_reg', {
  ...INPUTS,
  scr: 'rw',
  dout: 'read',
  du: 'rw',
  ddelta: 'rw',
  dz: 'rw',
});
export const ENTRY_POINTS = [FORWARD, BACKWARD];

/** A kernel's constants for a workgroup of eb channels × g threads each: the array sizes (see
 *  selective_scan_reg_common.wgsl), N, and the gate. */
function sizes(c: ScanConfig, n: number, eb: number, g: number, gated: boolean) {
  const nv = Math.ceil(n / 4);
  return { EB: eb, G: g, NV: nv, NVT: nv / g, K: c.k, BCPT: Math.ceil((c.k * 8 * nv) / (eb * g)), NS: n, GATED: gated };
}
const fwdChannels = (c: ScanConfig) => c.fwdEb ?? c.eb;
const fwdKernel = (c: ScanConfig, n: number, gated: boolean, save: boolean) =>
  kernel(FORWARD, `scan_fwd_${scanConfigName(c)}`, {
    prelude: { ...sizes(c, n, fwdChannels(c), 1, gated), SAVE: save },
    heavy: true,
  });
const bwdKernel = (c: ScanConfig, n: number, gated: boolean) =>
  kernel(BACKWARD, `scan_bwd_${scanConfigName(c)}`, {
    prelude: sizes(c, n, c.eb, registerGroups(c, n)!, gated),
    heavy: true,
  });

export interface ScanOptions {
  /** Workgroup shape; by default chooseScanConfig's for the adapter. */
  config?: ScanConfig;
  /** The most bytes one binding may take (by default the adapter's storage-binding and buffer
   *  limits): past it the scan runs over batch chunks. Tests set it low to split small scans. */
  maxBindingBytes?: number;
}

/** A scan of b prompts' scratch buffer, offsets in floats: [the state at the start of every
 *  segment, for the backward (b, nseg, N, E) | the backward's partials: dB|dC (nEB, b·L, 2N) |
 *  dA_log (b, E, N) | dD (b, E)]. One buffer, so that the backward binds 10 storage buffers
 *  and writes du and dΔ apart. */
function scratchLayout(b: number, L: number, E: number, N: number, nseg: number, neb: number) {
  const offDb = b * nseg * N * E;
  const offDa = offDb + neb * b * L * 2 * N;
  const offDd = offDa + b * E * N;
  return { offDb, offDa, offDd, floats: offDd + b * E };
}

/**
 * GPU selective scan, differentiable in every input.
 *   u (B, L, E), delta (B, L, E) = Δ (already softplus'ed), aLog (E, N), Bm (B, L, N),
 *   Cm (B, L, N), D (E), z (B, L, E) optional gate → out (B, L, E) = y (⊙ SiLU(z)).
 */
export function selectiveScan(
  u: Tensor,
  delta: Tensor,
  aLog: Tensor,
  Bm: Tensor,
  Cm: Tensor,
  D: Tensor,
  z?: Tensor,
  opts: ScanOptions = {},
): Tensor {
  const [B, L] = u.shape;
  const N = aLog.shape[1];
  assertShape(Bm, [B, L, N], 'selectiveScan B');
  assertShape(Cm, [B, L, N], 'selectiveScan C');
  return selectiveScanPacked(u, delta, aLog, concatLast(Bm, Cm, 'scan_B|C'), D, z, opts);
}

/**
 * The same op with B and C side by side in one tensor, bc (B, L, 2N) = B | C: Mamba's x_proj
 * produces them so (δ | B | C), and the kernels read them so, which saves the copies.
 */
export function selectiveScanPacked(
  u: Tensor,
  delta: Tensor,
  aLog: Tensor,
  bc: Tensor,
  D: Tensor,
  z?: Tensor,
  opts: ScanOptions = {},
): Tensor {
  const g = u.graph;
  const [B, L, E] = u.shape;
  const N = aLog.shape[1];
  if (u.shape.length !== 3) throw new Error(`selectiveScan: u must be (B, L, E), got [${u.shape.join(', ')}]`);
  assertShape(delta, [B, L, E], 'selectiveScan delta');
  assertShape(aLog, [E, N], 'selectiveScan A_log');
  assertShape(bc, [B, L, 2 * N], 'selectiveScan B|C');
  assertShape(D, [E], 'selectiveScan D');
  if (z) assertShape(z, [B, L, E], 'selectiveScan z');
  const limits = g.gpu.limits;
  const maxBuffers = limits.maxStorageBuffersPerShaderStage;
  if (maxBuffers < SCAN_STORAGE_BUFFERS)
    throw new Error(
      `The selective scan's backward binds ${SCAN_STORAGE_BUFFERS} storage buffers; this GPU allows ` +
        `${maxBuffers} per shader stage.`,
    );
  if (B > 65535 || Math.ceil(E / 8) > 65535)
    throw new Error(`selectiveScan: batch ${B} or channels ${E} exceed the 65535-workgroup grid`);
  const maxShared = limits.maxComputeWorkgroupStorageSize;
  const cfg = opts.config ?? chooseScanConfig(maxShared, N);
  // a pipeline over the limit fails only at dispatch, and its results are garbage: refuse here
  if (scanSharedBytes(cfg, N) > maxShared)
    throw new Error(
      `selectiveScan: configuration ${scanConfigName(cfg)} needs ${scanSharedBytes(cfg, N)} bytes of ` +
        `workgroup memory at N ${N}; this GPU offers ${maxShared}.`,
    );
  if (!registerGroups(cfg, N))
    throw new Error(
      `selectiveScan: the kernels take N ≤ ${MAX_STATES} states and segments of 1 to ${MAX_STEPS} steps; got ` +
        `N ${N}, K ${cfg.k}`,
    );
  // the forward saves the state at the start of each segment
  const nseg = Math.ceil(L / cfg.k);
  const neb = Math.ceil(E / cfg.eb);
  const inputs = [u, delta, aLog, bc, D, ...(z ? [z] : [])];
  const needGrad = inputs.some((t) => t.requiresGrad) && g.gradEnabled;
  const out = g.tensor([B, L, E], needGrad, z ? 'scan(y)⊙silu(z)' : 'scan(y)');

  // batch chunks, each a scan of its own (views of the (B, …) tensors, a scratch buffer each)
  const perPrompt = 4 * Math.max(L * E, L * 2 * N, needGrad ? scratchLayout(1, L, E, N, nseg, neb).floats : 0);
  const align = limits.minStorageBufferOffsetAlignment;
  const step = Math.max(alignedPrompts(4 * L * E, align), alignedPrompts(4 * L * 2 * N, align));
  const nb = promptsPerDispatch(
    B,
    perPrompt,
    opts.maxBindingBytes ?? Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize),
    step,
  );
  const chunks = Array.from({ length: Math.ceil(B / nb) }, (_, k) => ({ b0: k * nb, n: Math.min(nb, B - k * nb) }));
  /** A (B, …) tensor's rows of chunk c (the tensor itself when there is one chunk). */
  const part = (t: Tensor, c: { b0: number; n: number }) =>
    chunks.length === 1
      ? t
      : g.view(t, (c.b0 * t.size) / B, [c.n, ...t.shape.slice(1)], `${t.label}[${c.b0}:${c.b0 + c.n}]`);
  const layouts = chunks.map((c) => scratchLayout(c.n, L, E, N, nseg, neb));
  const scratch = layouts.map((lay) => g.tensor(needGrad ? [lay.floats] : [1], false, 'scan_states|partials'));
  const ad = packRows(aLog, D, [E, N + 1], 'scan_A_log|D'); // (E, N + 1)
  const params = chunks.map((c, k) => {
    const { offDb, offDa, offDd } = layouts[k];
    return ScanParams.pack({ batch: c.n, len: L, chans: E, nseg, neb, off_db: offDb, off_da: offDa, off_dd: offDd });
  });
  /** Chunk c's inputs; without a gate, z is never read (GATED off) and u stands in. */
  const inputsOf = (c: { b0: number; n: number }) => ({
    u: part(u, c),
    delta: part(delta, c),
    ad,
    bc: part(bc, c),
    z: part(z ?? u, c),
  });
  const fwd = fwdKernel(cfg, N, !!z, needGrad);
  chunks.forEach((c, k) => {
    // the forward walks whole segments, with its own channels per workgroup
    g.dispatch(fwd, params[k], fwd.bind({ ...inputsOf(c), out: part(out, c), hck: scratch[k] }), [
      Math.ceil(E / fwdChannels(cfg)),
      c.n,
      1,
    ]);
  });

  g.record(out, (dout) => {
    const du = g.tensor([B, L, E], false, `d${u.label}`);
    const ddelta = g.tensor([B, L, E], false, `d${delta.label}`);
    const dz = g.tensor(z ? [B, L, E] : [1], false, z ? `d${z.label}` : 'scan_dz_unused');
    const bwd = bwdKernel(cfg, N, !!z);
    chunks.forEach((c, k) => {
      const grads = { du: part(du, c), ddelta: part(ddelta, c), dz: z ? part(dz, c) : dz };
      g.dispatch(bwd, params[k], bwd.bind({ ...inputsOf(c), scr: scratch[k], dout: part(dout, c), ...grads }), [
        neb,
        c.n,
        1,
      ]);
    });
    accumulateGrad(u, du);
    accumulateGrad(delta, ddelta);
    if (z) accumulateGrad(z, dz);
    if (bc.requiresGrad) {
      const dbc = g.tensor(bc.shape, false, `d${bc.label}`);
      chunks.forEach((c, k) => sumRowsAt(scratch[k], layouts[k].offDb, neb, part(dbc, c)));
      accumulateGrad(bc, dbc);
    }
    // dA_log and dD: each chunk's sum over its prompts, added up
    for (const [t, off] of [
      [aLog, 'offDa'],
      [D, 'offDd'],
    ] as const) {
      if (!t.requiresGrad) continue;
      chunks.forEach((c, k) =>
        accumulateGrad(t, sumRowsAt(scratch[k], layouts[k][off], c.n, g.tensor(t.shape, false, `d${t.label}`))),
      );
    }
  });
  return out;
}

// ---- CPU reference ----------------------------------------------------------------------

/** A CPU array with its shape (row-major), the reference's stand-in for a Tensor. */
export interface HostTensor {
  data: ArrayLike<number>;
  shape: readonly number[];
}

export interface ScanGrads {
  du: Float64Array;
  ddelta: Float64Array;
  daLog: Float64Array;
  dBm: Float64Array;
  dCm: Float64Array;
  dD: Float64Array;
  dz?: Float64Array;
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Sequential reference (f64), the living definition of the op. For every (b, e, n):
 *   A = −exp(aLog[e, n]);  h_t = exp(Δ_t A) h_{t−1} + Δ_t Bm[b, t, n] u_t  (h_{−1} = 0)
 *   y[b, t, e] = Σ_n Cm[b, t, n] h_t + D[e] u_t;  out = y ⊙ SiLU(z) when z is given.
 * Shapes: u, delta, z (B, L, E); aLog (E, N); Bm, Cm (B, L, N); D (E) → out (B, L, E).
 */
export function selectiveScanRef(
  u: HostTensor,
  delta: HostTensor,
  aLog: HostTensor,
  Bm: HostTensor,
  Cm: HostTensor,
  D: HostTensor,
  z?: HostTensor,
): Float64Array {
  const [B, L, E] = u.shape;
  const N = aLog.shape[1];
  const out = new Float64Array(B * L * E);
  for (let b = 0; b < B; b++) {
    for (let e = 0; e < E; e++) {
      const h = new Float64Array(N);
      for (let t = 0; t < L; t++) {
        const i = (b * L + t) * E + e;
        const dt = delta.data[i];
        const x = u.data[i];
        let y = D.data[e] * x;
        for (let n = 0; n < N; n++) {
          const A = -Math.exp(aLog.data[e * N + n]);
          const j = (b * L + t) * N + n;
          h[n] = Math.exp(dt * A) * h[n] + dt * Bm.data[j] * x;
          y += Cm.data[j] * h[n];
        }
        out[i] = z ? y * z.data[i] * sig(z.data[i]) : y;
      }
    }
  }
  return out;
}

/** Reference backward (f64): the gradients of Σ out ⊙ dout, by the reverse-time scan
 *  g_t = C_t dy_t + Ā_{t+1} g_{t+1} over stored states. Same inputs as selectiveScanRef. */
export function selectiveScanBackwardRef(
  dout: HostTensor,
  u: HostTensor,
  delta: HostTensor,
  aLog: HostTensor,
  Bm: HostTensor,
  Cm: HostTensor,
  D: HostTensor,
  z?: HostTensor,
): ScanGrads {
  const [B, L, E] = u.shape;
  const N = aLog.shape[1];
  const r: ScanGrads = {
    du: new Float64Array(B * L * E),
    ddelta: new Float64Array(B * L * E),
    daLog: new Float64Array(E * N),
    dBm: new Float64Array(B * L * N),
    dCm: new Float64Array(B * L * N),
    dD: new Float64Array(E),
    dz: z ? new Float64Array(B * L * E) : undefined,
  };
  const y = z ? selectiveScanRef(u, delta, aLog, Bm, Cm, D) : null;
  for (let b = 0; b < B; b++) {
    for (let e = 0; e < E; e++) {
      // states h[t][n] (t = −1 … L−1, shifted by one)
      const hs = new Float64Array((L + 1) * N);
      const A = Float64Array.from({ length: N }, (_, n) => -Math.exp(aLog.data[e * N + n]));
      for (let t = 0; t < L; t++) {
        const i = (b * L + t) * E + e;
        for (let n = 0; n < N; n++) {
          const j = (b * L + t) * N + n;
          hs[(t + 1) * N + n] = Math.exp(delta.data[i] * A[n]) * hs[t * N + n] + delta.data[i] * Bm.data[j] * u.data[i];
        }
      }
      const k = new Float64Array(N); // Ā_{t+1} g_{t+1}
      const dA = new Float64Array(N);
      for (let t = L - 1; t >= 0; t--) {
        const i = (b * L + t) * E + e;
        const dt = delta.data[i];
        const x = u.data[i];
        let dy = dout.data[i];
        if (z && r.dz && y) {
          const zv = z.data[i];
          const s = sig(zv);
          r.dz[i] = dy * y[i] * s * (1 + zv * (1 - s));
          dy *= zv * s;
        }
        r.du[i] += D.data[e] * dy;
        r.dD[e] += dy * x;
        for (let n = 0; n < N; n++) {
          const j = (b * L + t) * N + n;
          const ab = Math.exp(dt * A[n]);
          const hp = hs[t * N + n];
          const g = Cm.data[j] * dy + k[n];
          r.dCm[j] += dy * hs[(t + 1) * N + n];
          r.dBm[j] += g * dt * x;
          r.du[i] += g * dt * Bm.data[j];
          r.ddelta[i] += g * Bm.data[j] * x + A[n] * ab * hp * g;
          dA[n] += dt * ab * hp * g;
          k[n] = ab * g;
        }
      }
      for (let n = 0; n < N; n++) r.daLog[e * N + n] += A[n] * dA[n];
    }
  }
  return r;
}

/** Σ_i out_i · r_i of the reference: the scalar whose gradient the backward computes. */
export function scanLossRef(
  r: ArrayLike<number>,
  u: HostTensor,
  delta: HostTensor,
  aLog: HostTensor,
  Bm: HostTensor,
  Cm: HostTensor,
  D: HostTensor,
  z?: HostTensor,
): number {
  const out = selectiveScanRef(u, delta, aLog, Bm, Cm, D, z);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * r[i];
  return s;
}
