// Which workgroup shape the selective scan's register kernels (selectiveScan.ts) run with: the
// segments of K steps, the channels and threads per workgroup, and the default or the longest
// segments that fit an adapter's workgroup memory.
// Legend: E channels, N state, K steps per segment.

/** Time in segments of K ≤ 8 steps (the span of one saved state, and of the inputs loaded
 *  ahead). Forward: one thread per (batch, channel) with all N ≤ 16 states, fwdEb channels per
 *  workgroup. Backward: EB channels × G threads per channel (each with N / G states, G dividing
 *  ceil(N / 4)) per workgroup, recomputing a segment's states in registers from the one the
 *  forward saved. */
export interface ScanConfig {
  eb: number;
  g: number;
  k: number;
  /** the forward's channels per workgroup (default eb) */
  fwdEb?: number;
}

/** The forward holds all N states in one thread (NV = ceil(N / 4) ≤ 4 vec4s in the WGSL); the
 *  kernels write out the K ≤ 8 steps of a segment. */
export const MAX_STATES = 16;
export const MAX_STEPS = 8;
/** The default: segments of 4 steps; the backward with 32 channels × 4 threads per
 *  workgroup, the forward with 64 channels (the sweep behind it: bench/kernels/selective_scan). */
export const SCAN_DEFAULT: ScanConfig = { eb: 32, g: 4, k: 4, fwdEb: 64 };

/** Threads per channel of the backward for N states: the largest divisor of ceil(N / 4) up to
 *  c.g; null when the kernels cannot take N or K. */
export function registerGroups(c: ScanConfig, n: number): number | null {
  if (n > MAX_STATES || !Number.isInteger(c.k) || c.k < 1 || c.k > MAX_STEPS) return null;
  const nv = Math.ceil(n / 4);
  for (let g = Math.min(c.g, nv); g > 1; g--) if (nv % g === 0) return g;
  return 1;
}

export function scanConfigName(c: ScanConfig): string {
  return `reg_eb${c.eb}_g${c.g}_k${c.k}` + (c.fwdEb ? `_f${c.fwdEb}` : '');
}

/** Workgroup memory of the backward kernel (the larger of the two), in bytes. */
export function scanSharedBytes(c: ScanConfig, n: number): number {
  const g = registerGroups(c, n) ?? 1;
  const nv = Math.ceil(n / 4);
  const bcs = 2 * c.k * 8 * nv; // B | C of two segments (both kernels)
  const red = 8 * c.k * nv * (c.eb + 1); // dB | dC terms (G × 8·K·NV/G rows), rows padded by one float
  return 4 * (red + c.k * 3 * g * c.eb + bcs); // backward red + part3
}

/** The default, or shorter segments where those fit the workgroup memory; a sentence when
 *  N is too large or nothing fits. */
export function chooseScanConfig(maxSharedBytes: number, n: number): ScanConfig {
  if (n > MAX_STATES)
    throw new Error(`The selective scan takes at most ${MAX_STATES} states per channel; this model asks for ${n}.`);
  for (let k = SCAN_DEFAULT.k; k >= 1; k = Math.floor(k / 2)) {
    const c: ScanConfig = { ...SCAN_DEFAULT, k };
    if (registerGroups(c, n) && scanSharedBytes(c, n) <= maxSharedBytes) return c;
  }
  const least = { ...SCAN_DEFAULT, k: 1 };
  throw new Error(
    `The selective scan needs ${scanSharedBytes(least, n)} bytes of workgroup memory; this GPU offers ` +
      `${maxSharedBytes}.`,
  );
}
