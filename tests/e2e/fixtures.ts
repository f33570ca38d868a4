// A made-up but well-formed finished run (linear regression, Transformer, tiny) for tests
// that need results without training: share links, import, persistence.
import { defaultConfig } from '../../src/spec/config';
import type { Curve } from '../../src/spec/icl';
import type { RunFile } from '../../src/train/protocol';

function curve(f: (i: number) => number, n: number): Curve {
  const mean = Array.from({ length: n }, (_, i) => f(i + 1));
  return { mean, lo: mean.map((m) => m * 0.8), hi: mean.map((m) => m * 1.25) };
}

export function fixtureRun(): RunFile {
  const config = { ...defaultConfig('linear_regression', 'transformer', 'tiny'), steps: 500, seed: 7 };
  const n = config.nPoints;
  return {
    version: 1,
    config,
    history: Array.from({ length: 50 }, (_, i) => ({ step: (i + 1) * 10, loss: 20 * Math.exp(-i / 12) + 0.4 })),
    icl: {
      positions: Array.from({ length: n }, (_, i) => i + 1),
      curves: {
        model: curve((i) => Math.max(0.08, 1 - i / 24), n),
        least_squares: curve((i) => Math.max(0, 1 - i / 20), n),
        zero: curve(() => 1, n),
      },
    },
    metrics: {},
    stepsPerSecond: 42,
    adapter: 'fixture',
    evalStep: 500,
  };
}
