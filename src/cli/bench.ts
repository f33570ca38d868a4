// `bench` command: runs the registered benchmark cases (src/cli/bench/cases.ts) on the Node
// WebGPU adapter and prints one JSON line per result (--json) or a table.
//   --json        machine-readable output: one BenchResult per line on stdout
//   --quick       small shapes only (CPU adapters: lavapipe, SwiftShader)
//   --only NAME   run only the case(s) named (comma-separated)
// Kernel variants and their sweeps: bench/kernels/ (see its README and the cases' headers).
import { nodeGpu } from '../gpu/node';
import { envDawnFlags } from './dawnFlags';
import { parseFlags, UsageError } from './args';
import { BENCH_CASES } from './bench/cases';
import { formatHeader, formatJson, formatRow, type BenchResult } from './bench/harness';

export const BENCH_HELP = `bench [--json] [--quick] [--only ${BENCH_CASES.map((c) => c.name).join('|')}]`;

export async function runBench(args: string[]): Promise<BenchResult[]> {
  const flags = parseFlags(args, {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
  });
  const only = flags.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !BENCH_CASES.some((c) => c.name === n)) ?? [];
  if (unknown.length)
    throw new UsageError(
      `unknown bench case "${unknown.join(', ')}"; the cases are ${BENCH_CASES.map((c) => c.name).join(', ')}.`,
    );
  const cases = BENCH_CASES.filter((c) => !only || only.includes(c.name));
  const gpu = await nodeGpu({ dawnFlags: envDawnFlags() });
  const results: BenchResult[] = [];
  try {
    // the adapter goes to stderr with --json, so stdout stays one JSON object per line
    const adapterLine = `adapter: ${gpu.info.adapterName}`;
    if (flags.json) console.error(adapterLine);
    else console.log(`${adapterLine}\n${formatHeader()}`);
    for (const c of cases) {
      const rs = await c.run(gpu, { quick: flags.quick });
      // numbers measured on a pipeline WebGPU rejected are not numbers: refuse the case
      if (gpu.uncapturedErrors.length)
        throw new Error(
          `WebGPU reported ${gpu.uncapturedErrors.length} error(s) during the "${c.name}" benchmark, so its ` +
            `results are not valid and were not printed. The first: ${gpu.uncapturedErrors[0]}`,
        );
      for (const r of rs) console.log(flags.json ? formatJson(r) : formatRow(r));
      results.push(...rs);
    }
  } finally {
    gpu.destroy();
  }
  return results;
}
