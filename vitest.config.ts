// Two projects: `node` (unit, GPU kernels on Dawn, training) and `e2e` (the built page in
// Debian's Chromium through playwright-core). GPU tests share few cores on CI: run files in
// a small pool of forks.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/gpu/**/*.test.ts', 'tests/cli/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], maxWorkers: 1, testTimeout: 300_000 },
      },
    ],
  },
});
