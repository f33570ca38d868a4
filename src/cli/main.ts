// The Node CLI: `train`, `forward` and `bench` on Dawn (npm `webgpu`), the same engine as
// the page. Bundled into dist-cli/cli.mjs by vite.cli.config.ts. Usage errors exit 2.
import { forwardCommand, FORWARD_HELP } from './forward';
import { trainCommand, TRAIN_HELP } from './train';
import { UsageError } from './args';
import { runBench } from './bench';
import { timeToIclCommand } from './timeToIcl';
import { gridCommand } from './grid';
import { isBatchWorker, runBatchWorker } from './batchWorker';

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  train: trainCommand,
  forward: forwardCommand,
  'time-to-icl': timeToIclCommand,
  grid: gridCommand,
  bench: async (args) => {
    await runBench(args);
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    console.error("usage: cli.mjs train|forward|bench|time-to-icl|grid [flags] (the grid's: cli.mjs grid --help)");
    console.error(`\n${TRAIN_HELP}\n\n${FORWARD_HELP}`);
    return 2;
  }
  try {
    return await run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    console.error(`error: ${(e as Error).message}`);
    // ICL_DEBUG=1 shows where an unexpected error came from (for bug reports)
    if (process.env.ICL_DEBUG) console.error((e as Error).stack);
    return 1;
  }
}

// the same bundle runs the training-batch worker thread (src/cli/batchWorker.ts)
if (isBatchWorker()) runBatchWorker();
else
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
