// Prints a Markdown table from time-to-icl's JSON lines: per recipe the steps and training
// seconds to SPEC's "learns", the last verdict, and the steps/s of the run.
//   node bench/icl/table.mjs results.jsonl
import { readFileSync } from 'node:fs';

const rows = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
rows.sort((a, b) => a.name.localeCompare(b.name));
const fmt = (x, d = 0) => (x === null || x === undefined ? '—' : Number(x).toFixed(d));
console.log(
  '| recipe | task | model | d | n | lr, schedule | steps to learn | s to learn | steps run | verdict | last ' +
    'score | steps/s |',
);
console.log('|---|---|---|--:|--:|---|--:|--:|--:|---|--:|--:|');
for (const r of rows) {
  const c = r.config;
  const sched = `${c.lr} ${c.lrSchedule}${c.warmup ? ` (warm-up ${c.warmup})` : ''}`;
  const last = r.evaluations[r.evaluations.length - 1];
  console.log(
    `| ${r.name} | ${c.task} | ${c.model} | ${c.nDims} | ${c.nPoints} | ${sched} | ${fmt(r.stepsToLearn)} | ` +
      `${fmt(r.secondsToLearn, 1)} | ${r.stepsRun} | ${r.verdict.symbol} ${r.verdict.kind} | ` +
      `${fmt(last?.model, 3)} | ${fmt(r.stepsPerSecond, 0)} |`,
  );
}
