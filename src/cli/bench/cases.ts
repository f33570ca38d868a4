// The registered benchmark cases, run in this order by `npm run bench` (src/cli/bench.ts).
// Add a case here: { name, run(gpu, opts) → BenchResult[] }.
import type { BenchCase } from './harness';
import { benchMatmul } from './matmul';
import { benchFirstStep, benchStep } from './step';

export const BENCH_CASES: BenchCase[] = [
  { name: 'matmul', run: benchMatmul },
  { name: 'step', run: benchStep },
  { name: 'first_step', run: benchFirstStep },
];
