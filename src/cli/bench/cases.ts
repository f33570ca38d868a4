// The registered benchmark cases, run in this order by `npm run bench` (src/cli/bench.ts).
// Add a case here: { name, run(gpu, opts) → BenchResult[] }.
import type { BenchCase } from './harness';
import { benchAttention } from './attention';
import { benchManyRuns } from './manyRuns';
import { benchMatmul } from './matmul';
import { benchScan } from './scan';
import { benchFirstStep, benchProfile, benchStep } from './step';
import { benchTrainLoop } from './trainLoop';

export const BENCH_CASES: BenchCase[] = [
  { name: 'matmul', run: benchMatmul },
  { name: 'attention', run: benchAttention },
  { name: 'scan', run: benchScan },
  { name: 'step', run: benchStep },
  { name: 'train_loop', run: benchTrainLoop },
  { name: 'many_runs', run: benchManyRuns },
  { name: 'first_step', run: benchFirstStep },
  { name: 'profile', run: benchProfile },
];
