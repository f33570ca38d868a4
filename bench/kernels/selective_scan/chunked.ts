// 01: the chunked selective scan, parallel in time inside a workgroup (01_chunked_fwd.wgsl,
// 01_chunked_bwd.wgsl): the kernels training used before the register kernels, and, with
// one time lane (T = 1), the sequential baseline. Same signature as selectiveScanPacked (one
// dispatch, no batch chunks); `npm run bench -- --only scan` checks it against
// selectiveScanRef and times it beside the production kernels.
//   B batch, L length, E channels, N state; CH = T·S steps per chunk.
import fwdSource from './01_chunked_fwd.wgsl?raw';
import bwdSource from './01_chunked_bwd.wgsl?raw';
import { entryPoint, kernel, uniformStruct } from '../../../src/gpu/kernel';
import { accumulateGrad } from '../../../src/engine/ops/grad';
import { sumRowsAt } from '../../../src/engine/ops/reduce';
import { packRows } from '../../../src/engine/ops/split';
import type { Tensor } from '../../../src/engine/tensor';

export const ChunkedParams = uniformStruct('Params', { batch: 'u32', len: 'u32', chans: 'u32', nchunks: 'u32' });
export const ChunkedBwdParams = uniformStruct('Params', {
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

/** Workgroup shape: EB channels × T time lanes, each lane S steps (chunk = T·S steps). */
export interface ChunkedScanConfig {
  eb: number;
  t: number;
  s: number;
}

/** Best first. H200, B 64, E 512, N 16, forward + backward: eb16_t4_s4 13.5 ms at L 1024 and
 *  1.30 ms at L 82, eb32_t4_s4 17.3 / 1.62, eb64_t2_s4 16.8 / 1.54, eb32_t2_s8 20.3 / 1.88,
 *  eb32_t8_s2 19.2 / 1.82; the sequential baseline 16.9 / 1.52. */
export const CHUNKED_CONFIGS: readonly ChunkedScanConfig[] = [
  { eb: 16, t: 4, s: 4 },
  { eb: 32, t: 4, s: 4 },
  { eb: 16, t: 2, s: 8 },
  { eb: 8, t: 2, s: 8 },
];
/** The sequential-in-time baseline: one thread walks each channel's chunk alone (T = 1). */
export const SEQUENTIAL: ChunkedScanConfig = { eb: 32, t: 1, s: 16 };

export const chunkedName = (c: ChunkedScanConfig) => `eb${c.eb}_t${c.t}_s${c.s}`;

/** Workgroup memory of the backward kernel (the larger of the two), in bytes. */
export function chunkedSharedBytes(c: ChunkedScanConfig, n: number): number {
  const ch = c.t * c.s;
  return 4 * (8 * ch * c.eb + 2 * c.t * c.eb + 2 * n * c.eb + n * c.t * c.eb);
}

const INPUTS = { p: 'uniform', u: 'read', delta: 'read', ad: 'read', bc: 'read', z: 'read' } as const;
const FORWARD = entryPoint(fwdSource, 'scan_fwd', { ...INPUTS, out: 'rw', hsave: 'rw' });
const BACKWARD = entryPoint(bwdSource, 'scan_bwd', {
  ...INPUTS,
  scr: 'rw',
  dout: 'read',
  du: 'rw',
  ddelta: 'rw',
  dz: 'rw',
});
export const ENTRY_POINTS = [FORWARD, BACKWARD];

const constants = (c: ChunkedScanConfig, n: number, gated: boolean) => ({
  EB: c.eb,
  T: c.t,
  S: c.s,
  NS: n,
  GATED: gated ? 1 : 0,
});

/** u, delta, z (B, L, E), aLog (E, N), bc (B, L, 2N) = B | C, D (E) → out (B, L, E). */
export function chunkedScan(
  u: Tensor,
  delta: Tensor,
  aLog: Tensor,
  bc: Tensor,
  D: Tensor,
  z: Tensor | undefined,
  cfg: ChunkedScanConfig,
): Tensor {
  const g = u.graph;
  const [B, L, E] = u.shape;
  const N = aLog.shape[1];
  if (chunkedSharedBytes(cfg, N) > g.gpu.limits.maxComputeWorkgroupStorageSize)
    throw new Error(`chunked scan ${chunkedName(cfg)}: too much workgroup memory for this GPU at N ${N}`);
  const nchunks = Math.ceil(L / (cfg.t * cfg.s));
  const neb = Math.ceil(E / cfg.eb);
  const needGrad = [u, delta, aLog, bc, D, ...(z ? [z] : [])].some((t) => t.requiresGrad) && g.gradEnabled;
  const out = g.tensor([B, L, E], needGrad, 'chunked_scan');
  // [saved states (B, nchunks, N, E) | dB|dC (nEB, B, L, 2N) | dA_log (B, E, N) | dD (B, E)]
  const offDb = B * nchunks * N * E;
  const offDa = offDb + neb * B * L * 2 * N;
  const offDd = offDa + B * E * N;
  const scratch = g.tensor(needGrad ? [offDd + B * E] : [1], false, 'chunked_scan_states|partials');
  const ad = packRows(aLog, D, [E, N + 1], 'scan_A_log|D'); // (E, N + 1)
  const inputs = { u, delta, ad, bc, z: z ?? u }; // z is never read without the gate
  const fwd = kernel(FORWARD, `chunked_scan_fwd_${chunkedName(cfg)}`, {
    constants: { ...constants(cfg, N, !!z), SAVE: needGrad ? 1 : 0 },
  });
  g.dispatch(
    fwd,
    ChunkedParams.pack({ batch: B, len: L, chans: E, nchunks }),
    fwd.bind({ ...inputs, out, hsave: scratch }),
    [neb, B, 1],
  );

  g.record(out, (dout) => {
    const du = g.tensor([B, L, E], false, 'du');
    const ddelta = g.tensor([B, L, E], false, 'ddelta');
    const dz = g.tensor(z ? [B, L, E] : [1], false, 'dz');
    const bwd = kernel(BACKWARD, `chunked_scan_bwd_${chunkedName(cfg)}`, { constants: constants(cfg, N, !!z) });
    const params = ChunkedBwdParams.pack({
      batch: B,
      len: L,
      chans: E,
      nchunks,
      neb,
      nseg: nchunks,
      off_db: offDb,
      off_da: offDa,
      off_dd: offDd,
      _pad0: 0,
      _pad1: 0,
    });
    g.dispatch(bwd, params, bwd.bind({ ...inputs, scr: scratch, dout, du, ddelta, dz }), [neb, B, 1]);
    accumulateGrad(u, du);
    accumulateGrad(delta, ddelta);
    if (z) accumulateGrad(z, dz);
    if (bc.requiresGrad) accumulateGrad(bc, sumRowsAt(scratch, offDb, neb, g.tensor(bc.shape, false, 'dbc')));
    if (aLog.requiresGrad) accumulateGrad(aLog, sumRowsAt(scratch, offDa, B, g.tensor(aLog.shape, false, 'dA_log')));
    if (D.requiresGrad) accumulateGrad(D, sumRowsAt(scratch, offDd, B, g.tensor(D.shape, false, 'dD')));
  });
  return out;
}
