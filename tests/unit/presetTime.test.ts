// A preset's expected duration in words (src/ui/presetTime.ts): the measured speed on this
// adapter when there is one, a plain "not measured yet" when not, and CPU adapters named.
import { describe, expect, it } from 'vitest';
import { H100_TINY_STEPS_PER_SECOND, isSoftwareAdapter, presetTimeText } from '../../src/ui/presetTime';

const teachingMamba = {
  steps: 6000,
  model: 'mamba',
  size: 'tiny',
  task: 'linear_regression',
  nPoints: 15,
  batch: 64,
} as const;
const sameRun = { task: 'linear_regression', nPoints: 15, batch: 64 } as const;
const here = { name: 'nvidia ampere', current: true };

describe('presetTimeText', () => {
  it("gives steps, duration and this GPU's measured rate with the family and size", () => {
    expect(presetTimeText(teachingMamba, here, { stepsPerSecond: 190, ...sameRun })).toBe(
      "6,000 steps ≈ 32 s at this GPU's measured 190 steps/s (Mamba, tiny).",
    );
    const paper = {
      steps: 500_000,
      model: 'transformer',
      size: 'paper',
      task: 'linear_regression',
      nPoints: 41,
      batch: 64,
    } as const;
    expect(presetTimeText(paper, here, { stepsPerSecond: 52, ...sameRun, nPoints: 41 })).toBe(
      "500,000 steps ≈ 2 h 40 min at this GPU's measured 52 steps/s (Transformer, paper).",
    );
  });

  it('names the adapter measured last in this browser before the worker names its own', () => {
    const last = { name: 'google swiftshader', current: false };
    expect(presetTimeText(teachingMamba, last, { stepsPerSecond: 0.5, ...sameRun })).toBe(
      '6,000 steps ≈ 3 h 20 min at the 0.5 steps/s measured in this browser on google swiftshader (Mamba, tiny).',
    );
  });

  it('says when the measuring run did other work per step (task, prompt length or batch)', () => {
    const tiny = { ...teachingMamba, steps: 2000, nPoints: 41 };
    expect(presetTimeText(tiny, here, { stepsPerSecond: 200, ...sameRun })).toBe(
      "2,000 steps ≈ 10 s at this GPU's measured 200 steps/s (Mamba, tiny; " +
        'measured on Linear regression, n = 15, batch 64).',
    );
    expect(presetTimeText(teachingMamba, here, { stepsPerSecond: 200, ...sameRun, batch: 8 })).toMatch(
      /\(Mamba, tiny; measured on Linear regression, n = 15, batch 8\)\.$/,
    );
    expect(presetTimeText(teachingMamba, here, { stepsPerSecond: 200, ...sameRun, task: 'sparse_parity' })).toMatch(
      /measured on Sparse parity, n = 15, batch 64\)\.$/,
    );
  });

  it('says plainly when the speed is not measured, with no number for this adapter', () => {
    expect(presetTimeText(teachingMamba, here, null)).toBe(
      `6,000 steps; not measured yet on this GPU for Mamba, tiny: its first run measures it (on an H100 in ` +
        `Node ≈ 30 s, at ≈ ${H100_TINY_STEPS_PER_SECOND} steps/s).`,
    );
    // a CPU adapter is not called a GPU
    expect(
      presetTimeText(teachingMamba, { name: 'google swiftshader', current: true }, { stepsPerSecond: 0.5, ...sameRun }),
    ).toMatch(/at this adapter's measured 0\.5 steps\/s/);
    expect(presetTimeText(teachingMamba, { name: 'google swiftshader', current: true }, null)).toMatch(
      /not measured yet on this adapter for Mamba, tiny/,
    );
    expect(presetTimeText(teachingMamba, { name: 'llvmpipe', current: false }, null)).toMatch(
      /^6,000 steps; not measured yet on llvmpipe for Mamba, tiny/,
    );
    const unknown = presetTimeText(teachingMamba, { name: null, current: false }, null);
    expect(unknown).toBe(
      "6,000 steps; this adapter's speed is measured in the first run (on an H100 in Node ≈ 30 s, at ≈ 200 steps/s).",
    );
    // beyond tiny there is no reference figure: no number at all
    const small = presetTimeText({ ...teachingMamba, size: 'small', steps: 5000 }, here, null);
    expect(small).toBe('5,000 steps; not measured yet on this GPU for Mamba, small: its first run measures it.');
    // a speed with no adapter name to go with it is not used
    expect(presetTimeText(teachingMamba, { name: null, current: false }, { stepsPerSecond: 190, ...sameRun })).toBe(
      unknown,
    );
  });
});

describe('software adapters', () => {
  it('recognises CPU adapters by name', () => {
    for (const name of [
      'google swiftshader',
      'SwiftShader Device (Subzero) (vulkan)',
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'lavapipe',
      'Microsoft Basic Render Driver',
      'mesa software',
      'CPU fallback',
    ])
      expect(isSoftwareAdapter(name), name).toBe(true);
    for (const name of [
      'nvidia ampere',
      'NVIDIA H100 80GB HBM3 (vulkan)',
      'apple metal-3',
      'intel gen-12lp',
      'amd rdna-3',
      'qualcomm adreno-7xx',
    ])
      expect(isSoftwareAdapter(name), name).toBe(false);
    expect(isSoftwareAdapter(null)).toBe(false);
  });
});
