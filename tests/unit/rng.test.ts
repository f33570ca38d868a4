// The seeded generator: fillNormal, written out for speed, draws exactly what normal() does,
// whatever the spare normal left by an earlier call.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng';

describe('Rng.fillNormal', () => {
  it('equals the same number of normal() calls, bit for bit, from either parity', () => {
    for (const skip of [0, 1, 2, 3]) {
      for (const n of [0, 1, 2, 5, 1000]) {
        const a = new Rng(42);
        const b = new Rng(42);
        for (let i = 0; i < skip; i++) expect(a.normal()).toBe(b.normal());
        const filled = a.fillNormal(new Float64Array(n), 0.5, 2);
        const drawn = Float64Array.from({ length: n }, () => 2 + 0.5 * b.normal());
        expect([...filled]).toEqual([...drawn]);
        // and the generators stay in step afterwards
        expect(a.normal()).toBe(b.normal());
        expect(a.nextU32()).toBe(b.nextU32());
      }
    }
  });

  it('draws standard normals: mean 0, variance 1 (100 000 draws, 5 standard errors)', () => {
    const x = new Float64Array(100_000);
    new Rng(7).fillNormal(x);
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / (x.length - 1);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(x.length));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / x.length));
  });
});
