// Selective scan (Mamba's S6): GPU forward and backward, and the plain sequential CPU
// reference with the same signature. Two kernel families:
// - "register" (the default, N ≤ 16): time in segments of K written-out steps, states in
//   registers; the forward's thread holds a (batch, channel)'s N states, the backward's G
//   threads share them (shaders/selective_scan_reg*.wgsl);
// - "chunked": parallel in time inside a workgroup, states one after another in workgroup
//   memory (shaders/selective_scan.wgsl, selective_scan_bwd.wgsl); for N > 16, and the
//   T = 1 configuration is the sequential baseline of the benchmarks.
// Both backwards write partial sums that sum_partials (selective_scan_bwd.wgsl) reduces.
// Legend: B batch, L length, E channels, N state.
// The op takes A_log (A = −exp(A_log) inside the kernel) and Δ already softplus'ed: the
// mixer computes Δ = softplus(dt_proj(δ)) with the elementwise op, so the scan's gradient
// is with respect to Δ and A_log.
import fwdSource from '../../../shaders/selective_scan.wgsl?raw';
import bwdSource from '../../../shaders/selective_scan_bwd.wgsl?raw';
import regCommonSource from '../../../shaders/selective_scan_reg_common.wgsl?raw';
import regFwdSource from '../../../shaders/selective_scan_reg.wgsl?raw';
import regBwdSource from '../../../shaders/selective_scan_reg_bwd.wgsl?raw';
import { split } from './split';
import { alignedPrompts, promptsPerDispatch } from './scanChunks';
import { grid1d, uniformStruct, type KernelDef } from '../../gpu/kernel';
import { accumulateGrad } from '../autograd';
import { assertShape, type Tensor } from '../tensor';

export const ScanParams = uniformStruct('Params', { batch: 'u32', len: 'u32', chans: 'u32', nchunks: 'u32' });
export const ScanBwdParams = uniformStruct('Params', {
  batch: 'u32',
  len: 'u32',
  chans: 'u32',
  nchunks: 'u32',
  neb: 'u32',
  nseg: 'u32',
  off_db: 'u32',
  off_da: 'u32',
  off_dd: 'u32',
  _pad0: 'u32',
  _pad1: 'u32',
});
export const SumPartialsParams = uniformStruct('SumParams', { rows: 'u32', cols: 'u32', offset: 'u32', _pad: 'u32' });

/** Chunked kernels' workgroup shape: EB channels × T time lanes, each lane S steps (chunk = T·S steps). */
export interface ChunkedScanConfig {
  kind?: 'chunked';
  eb: number;
  t: number;
  s: number;
}

/** Register kernels: time in segments of K ≤ 8 steps (the span of one saved state, and of the
 *  inputs loaded ahead). Forward: one thread per (batch, channel) with all N ≤ 16 states,
 *  fwdEb channels per workgroup. Backward: EB channels × G threads per channel (each with
 *  N / G states, G dividing ceil(N / 4)) per workgroup, recomputing a segment's states in
 *  registers from the one the forward saved. */
export interface RegisterScanConfig {
  kind: 'register';
  eb: number;
  g: number;
  k: number;
  /** the forward's channels per workgroup (default eb) */
  fwdEb?: number;
}

export type ScanConfig = ChunkedScanConfig | RegisterScanConfig;

/** The register forward holds all N states in one thread (NV = ceil(N / 4) ≤ 4 vec4s in the
 *  WGSL); the kernels write out the K ≤ 8 steps of a segment. */
const REG_MAX_STATES = 16;
const REG_MAX_STEPS = 8;
/** The register kernels' default: segments of 4 steps; the backward with 32 channels × 4
 *  threads per workgroup, the forward with 64 channels.
 *  H200, B 64, E 512, N 16, L 1024 (2026-11-30): forward 0.37 ms with 64 channels and K 4,
 *  0.40 with 32 and K 8, 0.42 with 32 and K 4; the previous forward (4 threads per channel)
 *  0.74 ms. The previous backward (4 threads per channel, two barriers per step) 2.0 ms; one
 *  thread per channel (16 states × K steps of registers: 8 warps per SM) 2.3 ms at K 2, 4.8 at
 *  K 4, 10.8 at K 8. The backward with index-folding workgroup arrays (sixth session) 1.23 ms
 *  at K 4, 1.46 at K 3 (fewer registers, more segments), 2.4 at K 5, 2.0 with G 2, 1.9 with
 *  EB 16 (bench/RESULTS.md). */
export const SCAN_REGISTER: RegisterScanConfig = { kind: 'register', eb: 32, g: 4, k: 4, fwdEb: 64 };

/** Threads per channel of the backward for N states: the largest divisor of ceil(N / 4) up to
 *  c.g; null when the register kernels cannot take N or K (then: chunked kernels). */
export function registerGroups(c: RegisterScanConfig, n: number): number | null {
  if (n > REG_MAX_STATES || !Number.isInteger(c.k) || c.k < 1 || c.k > REG_MAX_STEPS) return null;
  const nv = Math.ceil(n / 4);
  for (let g = Math.min(c.g, nv); g > 1; g--) if (nv % g === 0) return g;
  return 1;
}

export function scanConfigName(c: ScanConfig): string {
  if (c.kind !== 'register') return `eb${c.eb}_t${c.t}_s${c.s}`;
  return `reg_eb${c.eb}_g${c.g}_k${c.k}` + (c.fwdEb ? `_f${c.fwdEb}` : '');
}

/** Chunked parallel-in-time configurations, best first; the first whose workgroup memory fits is used.
 *  Order from `benchScan` on an H200 (B 64, E 512, N 16, fwd+bwd): eb16_t4_s4 13.5 ms at
 *  L 1024 and 1.30 ms at L 82, eb32_t4_s4 17.3 / 1.62, eb64_t2_s4 16.8 / 1.54, eb32_t2_s8
 *  20.3 / 1.88, eb32_t8_s2 19.2 / 1.82; the sequential baseline 16.9 / 1.52. */
export const SCAN_CONFIGS: readonly ChunkedScanConfig[] = [
  { eb: 16, t: 4, s: 4 },
  { eb: 32, t: 4, s: 4 },
  { eb: 16, t: 2, s: 8 },
  { eb: 8, t: 2, s: 8 },
];
/** The sequential-in-time baseline: one thread walks each channel's chunk alone (T = 1). */
export const SCAN_SEQUENTIAL: ChunkedScanConfig = { eb: 32, t: 1, s: 16 };

/** Workgroup memory of the backward kernel (the larger of the two), in bytes. */
export function scanSharedBytes(c: ScanConfig, n: number): number {
  if (c.kind === 'register') {
    const g = registerGroups(c, n) ?? 1;
    const nv = Math.ceil(n / 4);
    const bcs = 2 * c.k * 8 * nv; // B | C of two segments (both kernels)
    const red = 8 * c.k * nv * (c.eb + 1); // dB | dC terms (G × 8·K·NV/G rows), rows padded by one float
    return 4 * (red + c.k * 3 * g * c.eb + bcs); // backward red + part3
  }
  const ch = c.t * c.s;
  return 4 * (8 * ch * c.eb + 2 * c.t * c.eb + 2 * n * c.eb + n * c.t * c.eb);
}

/** The register kernels when N suits them (the default, or shorter segments where those fit
 *  the workgroup memory), else the first chunked configuration that fits. */
export function chooseScanConfig(maxSharedBytes: number, n: number): ScanConfig {
  for (let k = SCAN_REGISTER.k; k >= 1; k = Math.floor(k / 2)) {
    const c: RegisterScanConfig = { ...SCAN_REGISTER, k };
    if (registerGroups(c, n) && scanSharedBytes(c, n) <= maxSharedBytes) return c;
  }
  const c = SCAN_CONFIGS.find((c) => scanSharedBytes(c, n) <= maxSharedBytes);
  if (!c) throw new Error(`The selective scan needs ${scanSharedBytes(SCAN_CONFIGS[SCAN_CONFIGS.length - 1], n)} bytes of workgroup memory; this GPU offers ${maxSharedBytes}.`);
  return c;
}

/** sum_partials: columns per workgroup (× 4 row lanes). */
const WG_SUM = 64;
/** Storage buffers the backward kernel binds (the most of any scan kernel). */
export const SCAN_STORAGE_BUFFERS = 10;
export const PackParams = uniformStruct('PackParams', { rows: 'u32', w1: 'u32', w2: 'u32', _pad: 'u32' });
const packKernel: KernelDef = { name: 'scan_pack2', source: fwdSource, entryPoint: 'pack2', bindings: ['uniform', 'read', 'read', 'rw'] };

/** (R, W1) | (R, W2) → (R, W1 + W2) side by side, row by row, in a tensor of `shape` (its
 *  last dimension W1 + W2). No gradient of its own: concatLast adds one. */
function pack2(a: Tensor, b: Tensor, shape: number[], label: string, requiresGrad = false): Tensor {
  const rows = (a.size + b.size) / shape[shape.length - 1];
  const w1 = a.size / rows;
  const w2 = b.size / rows;
  const out = a.graph.tensor(shape, requiresGrad, label);
  a.graph.dispatch(packKernel, PackParams.pack({ rows, w1, w2, _pad: 0 }), [a, b, out], grid1d(rows * (w1 + w2), 256));
  return out;
}
/** Both backwards: u, Δ, A_log|D, B|C, z, the saved states | partials (rw), dout → du, dΔ, dz. */
const SCAN_BWD_BINDINGS: KernelDef['bindings'] = ['uniform', 'read', 'read', 'read', 'read', 'read', 'rw', 'read', 'rw', 'rw', 'rw'];
const constants = (c: ChunkedScanConfig, n: number, gated: boolean) => ({ EB: c.eb, T: c.t, S: c.s, NS: n, GATED: gated ? 1 : 0 });
const fwdKernel = (c: ChunkedScanConfig, n: number, gated: boolean, save: boolean): KernelDef => ({
  name: `scan_fwd_eb${c.eb}_t${c.t}_s${c.s}`,
  source: fwdSource,
  entryPoint: 'scan_fwd',
  bindings: ['uniform', 'read', 'read', 'read', 'read', 'read', 'rw', 'rw'],
  constants: { ...constants(c, n, gated), SAVE: save ? 1 : 0 },
});
const bwdKernel = (c: ChunkedScanConfig, n: number, gated: boolean): KernelDef => ({
  name: `scan_bwd_eb${c.eb}_t${c.t}_s${c.s}`,
  source: bwdSource,
  entryPoint: 'scan_bwd',
  bindings: SCAN_BWD_BINDINGS,
  constants: constants(c, n, gated),
});
/** A register kernel's source for a workgroup of eb channels × g threads each: the array
 *  sizes (see selective_scan_reg_common.wgsl), the shared part, then the kernel. */
function regSource(body: string, c: RegisterScanConfig, n: number, eb: number, g: number): string {
  const nv = Math.ceil(n / 4);
  const sizes = { EB: eb, G: g, NV: nv, NVT: nv / g, K: c.k, BCPT: Math.ceil((c.k * 8 * nv) / (eb * g)) };
  return Object.entries(sizes).map(([k, v]) => `const ${k} = ${v}u;\n`).join('') + regCommonSource + body;
}
const fwdChannels = (c: RegisterScanConfig) => c.fwdEb ?? c.eb;
const fwdRegKernel = (c: RegisterScanConfig, n: number, gated: boolean, save: boolean): KernelDef => ({
  name: `scan_fwd_${scanConfigName(c)}`,
  source: regSource(regFwdSource, c, n, fwdChannels(c), 1),
  entryPoint: 'scan_fwd_reg',
  bindings: ['uniform', 'read', 'read', 'read', 'read', 'read', 'rw', 'rw'],
  constants: { NS: n, GATED: gated ? 1 : 0, SAVE: save ? 1 : 0 },
  heavy: true,
});
const bwdRegKernel = (c: RegisterScanConfig, n: number, gated: boolean): KernelDef => {
  const g = registerGroups(c, n)!;
  return {
    name: `scan_bwd_${scanConfigName(c)}`,
    source: regSource(regBwdSource, c, n, c.eb, g),
    entryPoint: 'scan_bwd_reg',
    bindings: SCAN_BWD_BINDINGS,
    constants: { NS: n, GATED: gated ? 1 : 0 },
    heavy: true,
  };
};
const sumKernel: KernelDef = { name: 'scan_sum_partials', source: bwdSource, entryPoint: 'sum_partials', bindings: ['uniform', 'read', 'rw'], constants: { WG: WG_SUM } };

export interface ScanOptions {
  /** Workgroup shape; by default the largest parallel one that fits the adapter. */
  config?: ScanConfig;
  /** The most bytes one binding may take (by default the adapter's storage-binding and buffer
   *  limits): past it the scan runs over batch chunks. Tests set it low to split small scans. */
  maxBindingBytes?: number;
}

/** A scan of b prompts' scratch buffer, offsets in floats: [the state at the start of every
 *  chunk / segment, for the backward (b, nsaved, N, E) | the backward's partials: dB|dC
 *  (nEB, b·L, 2N) | dA_log (b, E, N) | dD (b, E)]. One buffer, so that the backward binds 10
 *  storage buffers and writes du and dΔ apart. */
function scratchLayout(b: number, L: number, E: number, N: number, nsaved: number, neb: number) {
  const offDb = b * nsaved * N * E;
  const offDa = offDb + neb * b * L * 2 * N;
  const offDd = offDa + b * E * N;
  return { offDb, offDa, offDd, floats: offDd + b * E };
}


/**
 * GPU selective scan, differentiable in every input.
 *   u (B, L, E), delta (B, L, E) = Δ (already softplus'ed), aLog (E, N), Bm (B, L, N),
 *   Cm (B, L, N), D (E), z (B, L, E) optional gate → out (B, L, E) = y (⊙ SiLU(z)).
 */
export function selectiveScan(u: Tensor, delta: Tensor, aLog: Tensor, Bm: Tensor, Cm: Tensor, D: Tensor, z?: Tensor, opts: ScanOptions = {}): Tensor {
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
export function selectiveScanPacked(u: Tensor, delta: Tensor, aLog: Tensor, bc: Tensor, D: Tensor, z?: Tensor, opts: ScanOptions = {}): Tensor {
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
  if (maxBuffers < SCAN_STORAGE_BUFFERS) throw new Error(`The selective scan's backward binds ${SCAN_STORAGE_BUFFERS} storage buffers; this GPU allows ${maxBuffers} per shader stage.`);
  if (B > 65535 || Math.ceil(E / 8) > 65535) throw new Error(`selectiveScan: batch ${B} or channels ${E} exceed the 65535-workgroup grid`);
  const maxShared = limits.maxComputeWorkgroupStorageSize;
  const cfg = opts.config ?? chooseScanConfig(maxShared, N);
  // a pipeline over the limit fails only at dispatch, and its results are garbage: refuse here
  if (scanSharedBytes(cfg, N) > maxShared) throw new Error(`selectiveScan: configuration ${scanConfigName(cfg)} needs ${scanSharedBytes(cfg, N)} bytes of workgroup memory at N ${N}; this GPU offers ${maxShared}.`);
  if (cfg.kind === 'register' && !registerGroups(cfg, N)) throw new Error(`selectiveScan: the register kernels take N ≤ ${REG_MAX_STATES} states and segments of 1 to ${REG_MAX_STEPS} steps; got N ${N}, K ${cfg.k}`);
  // both kernel families save the state at the start of each chunk / segment
  const nsaved = Math.ceil(L / (cfg.kind === 'register' ? cfg.k : cfg.t * cfg.s));
  const neb = Math.ceil(E / cfg.eb);
  const inputs = [u, delta, aLog, bc, D, ...(z ? [z] : [])];
  const needGrad = inputs.some((t) => t.requiresGrad) && g.gradEnabled;
  const out = g.tensor([B, L, E], needGrad, z ? 'scan(y)⊙silu(z)' : 'scan(y)');

  // batch chunks, each a scan of its own (views of the (B, …) tensors, a scratch buffer each)
  const perPrompt = 4 * Math.max(L * E, L * 2 * N, needGrad ? scratchLayout(1, L, E, N, nsaved, neb).floats : 0);
  const align = limits.minStorageBufferOffsetAlignment;
  const step = Math.max(alignedPrompts(4 * L * E, align), alignedPrompts(4 * L * 2 * N, align));
  const nb = promptsPerDispatch(B, perPrompt, opts.maxBindingBytes ?? Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize), step);
  const chunks = Array.from({ length: Math.ceil(B / nb) }, (_, k) => ({ b0: k * nb, n: Math.min(nb, B - k * nb) }));
  /** A (B, …) tensor's rows of chunk c (the tensor itself when there is one chunk). */
  const part = (t: Tensor, c: { b0: number; n: number }) =>
    chunks.length === 1 ? t : g.view(t, (c.b0 * t.size) / B, [c.n, ...t.shape.slice(1)], `${t.label}[${c.b0}:${c.b0 + c.n}]`);
  const layouts = chunks.map((c) => scratchLayout(c.n, L, E, N, nsaved, neb));
  const scratch = layouts.map((lay) => g.tensor(needGrad ? [lay.floats] : [1], false, 'scan_states|partials'));
  const zOrDummy = z ?? u; // never read when not gated
  const ad = pack2(aLog, D, [E, N + 1], 'scan_A_log|D'); // (E, N + 1)
  const params = chunks.map((c, k) => {
    const { offDb, offDa, offDd } = layouts[k];
    return ScanBwdParams.pack({ batch: c.n, len: L, chans: E, nchunks: nsaved, nseg: nsaved, neb, off_db: offDb, off_da: offDa, off_dd: offDd, _pad0: 0, _pad1: 0 });
  });
  chunks.forEach((c, k) => {
    const bindings = [part(u, c), part(delta, c), ad, part(bc, c), part(zOrDummy, c), part(out, c), scratch[k]];
    if (cfg.kind === 'register') {
      // the forward walks whole segments, with its own channels per workgroup
      g.dispatch(fwdRegKernel(cfg, N, !!z, needGrad), params[k], bindings, [Math.ceil(E / fwdChannels(cfg)), c.n, 1]);
    } else {
      g.dispatch(fwdKernel(cfg, N, !!z, needGrad), ScanParams.pack({ batch: c.n, len: L, chans: E, nchunks: nsaved }), bindings, [neb, c.n, 1]);
    }
  });

  g.record(out, (dout) => {
    const du = g.tensor([B, L, E], false, `d${u.label}`);
    const ddelta = g.tensor([B, L, E], false, `d${delta.label}`);
    const dz = g.tensor(z ? [B, L, E] : [1], false, z ? `d${z.label}` : 'scan_dz_unused');
    const kernel = cfg.kind === 'register' ? bwdRegKernel(cfg, N, !!z) : bwdKernel(cfg, N, !!z);
    chunks.forEach((c, k) => {
      const grads = [part(du, c), part(ddelta, c), z ? part(dz, c) : dz];
      g.dispatch(kernel, params[k], [part(u, c), part(delta, c), ad, part(bc, c), part(zOrDummy, c), scratch[k], part(dout, c), ...grads], [neb, c.n, 1]);
    });
    /** Σ over `rows` rows of chunk k's partials from `offset` on, into `into`. */
    const sum = (k: number, rows: number, offset: number, into: Tensor) => {
      g.dispatch(sumKernel, SumPartialsParams.pack({ rows, cols: into.size, offset, _pad: 0 }), [scratch[k], into], grid1d(into.size, WG_SUM));
      return into;
    };
    accumulateGrad(u, du);
    accumulateGrad(delta, ddelta);
    if (z) accumulateGrad(z, dz);
    if (bc.requiresGrad) {
      const dbc = g.tensor(bc.shape, false, `d${bc.label}`);
      chunks.forEach((c, k) => sum(k, neb, layouts[k].offDb, part(dbc, c)));
      accumulateGrad(bc, dbc);
    }
    // dA_log and dD: each chunk's sum over its prompts, added up
    for (const [t, off] of [[aLog, 'offDa'], [D, 'offDd']] as const) {
      if (!t.requiresGrad) continue;
      chunks.forEach((c, k) => accumulateGrad(t, sum(k, c.n, layouts[k][off], g.tensor(t.shape, false, `d${t.label}`))));
    }
  });
  return out;
}

/** a (..., W1) | b (..., W2) → (..., W1 + W2), differentiable (the backward splits). */
export function concatLast(a: Tensor, b: Tensor, label: string): Tensor {
  const g = a.graph;
  const w1 = a.shape[a.shape.length - 1];
  const w2 = b.shape[b.shape.length - 1];
  const rows = a.size / w1;
  if (b.size / w2 !== rows) throw new Error(`concatLast: ${a} and ${b} have different leading dimensions`);
  const out = pack2(a, b, [...a.shape.slice(0, -1), w1 + w2], label, a.requiresGrad || b.requiresGrad);
  g.record(out, (dout) => {
    const [da, db] = split(dout, [w1, w2]);
    if (a.requiresGrad) accumulateGrad(a, da);
    if (b.requiresGrad) accumulateGrad(b, db);
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
export function selectiveScanRef(u: HostTensor, delta: HostTensor, aLog: HostTensor, Bm: HostTensor, Cm: HostTensor, D: HostTensor, z?: HostTensor): Float64Array {
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
export function selectiveScanBackwardRef(dout: HostTensor, u: HostTensor, delta: HostTensor, aLog: HostTensor, Bm: HostTensor, Cm: HostTensor, D: HostTensor, z?: HostTensor): ScanGrads {
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
export function scanLossRef(r: ArrayLike<number>, u: HostTensor, delta: HostTensor, aLog: HostTensor, Bm: HostTensor, Cm: HostTensor, D: HostTensor, z?: HostTensor): number {
  const out = selectiveScanRef(u, delta, aLog, Bm, Cm, D, z);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * r[i];
  return s;
}
