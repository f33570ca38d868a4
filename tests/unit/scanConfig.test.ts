// Which selective-scan configuration an adapter gets: the longest segments that fit its
// workgroup memory, and a clear refusal where N is too large or nothing fits.
// Legend: N state size, K steps per segment.
import { describe, expect, it } from 'vitest';
import {
  chooseScanConfig,
  registerGroups,
  SCAN_DEFAULT,
  scanSharedBytes,
  type ScanConfig,
} from '../../src/engine/ops/scanConfig';

describe('chooseScanConfig', () => {
  it('takes the default register kernels where they fit (48 KiB, N 16)', () => {
    expect(chooseScanConfig(49152, 16)).toEqual(SCAN_DEFAULT);
  });

  it('shortens the segments on adapters with less workgroup memory', () => {
    const c = chooseScanConfig(16384, 16);
    expect(c.k).toBeLessThan(SCAN_DEFAULT.k);
    expect(scanSharedBytes(c, 16)).toBeLessThanOrEqual(16384);
  });

  it('refuses N > 16 with a sentence (the models of SPEC.md have N = 16)', () => {
    expect(() => chooseScanConfig(49152, 17)).toThrow(/at most 16 states per channel; this model asks for 17/);
  });

  it('never returns a configuration over the limit, and refuses when nothing fits', () => {
    for (const limit of [4096, 8192, 16384, 32768, 49152]) {
      for (const n of [1, 3, 4, 8, 16, 20]) {
        let c: ScanConfig;
        try {
          c = chooseScanConfig(limit, n);
        } catch (e) {
          expect((e as Error).message).toMatch(n > 16 ? /at most 16 states/ : /workgroup memory/);
          continue;
        }
        expect(scanSharedBytes(c, n), `limit ${limit}, N ${n}`).toBeLessThanOrEqual(limit);
      }
    }
    expect(() => chooseScanConfig(256, 16)).toThrow(/bytes of workgroup memory; this GPU offers 256/);
  });
});

describe('registerGroups (threads per channel in the backward)', () => {
  it('divides the vec4 groups of states: 4 for N 16, 2 for N 8 or 6, 1 for N ≤ 4', () => {
    expect(registerGroups(SCAN_DEFAULT, 16)).toBe(4);
    expect(registerGroups(SCAN_DEFAULT, 8)).toBe(2);
    expect(registerGroups(SCAN_DEFAULT, 6)).toBe(2);
    expect(registerGroups(SCAN_DEFAULT, 12)).toBe(3);
    expect(registerGroups(SCAN_DEFAULT, 4)).toBe(1);
  });

  it('refuses N > 16 and segments outside 1 to 8 steps', () => {
    expect(registerGroups(SCAN_DEFAULT, 17)).toBeNull();
    expect(registerGroups({ ...SCAN_DEFAULT, k: 9 }, 16)).toBeNull();
    expect(registerGroups({ ...SCAN_DEFAULT, k: 0 }, 16)).toBeNull();
  });
});
