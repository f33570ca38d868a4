// grid.md: a paper grid as Markdown, for people. The table of verdicts beside the paper's
// (SPEC.md, What the paper reports), then per cell the verdict by SPEC's rule on the seeds'
// mean curve (inconclusive included) with the numbers behind it, the seeds' values (mean, SD,
// range) and each seed's verdict; then the stacking groups and what is not finished.
import type { Verdict } from '../spec/verdict';
import { gridVerdicts, type GridState } from './gridFile';
import { describeShard, gridFingerprint, groupCells } from './gridPlan';

const MODEL_NAMES: Record<string, string> = {
  transformer: 'Transformer',
  mamba: 'Mamba',
  mambaformer: 'MambaFormer',
  standard_hybrid: 'Standard hybrid',
};

/** A table cell's text: pipes and line breaks would break the row. */
function cellText(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

const num = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

function mark(v: Verdict | null): string {
  if (!v) return '…';
  return `${v.symbol}${v.learns ? ' learns' : ''}`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(cellText).join(' | ')} |`;
}

function describeRecipe(state: GridState): string {
  const { preset, overrides, seeds } = state.spec;
  const flags = Object.entries(overrides).map(([k, v]) => (v === true ? `--${k}` : `--${k} ${String(v)}`));
  const over = flags.length ? `, overridden by ${flags.map((f) => `\`${f}\``).join(' ')}` : '';
  return `the ${preset} preset${over}; seeds ${seeds.join(', ')}`;
}

export function gridMarkdown(state: GridState): string {
  const cells = state.cells.map((c) => c.cell);
  const groups = groupCells(cells);
  const rows = gridVerdicts(state);
  const { models, tasks } = state.spec;
  const count = (s: string) => state.cells.filter((c) => c.status === s).length;
  const shard = state.shard ? ` — shard ${describeShard(state.shard)} (its cells only are trained here)` : '';
  const out: string[] = [
    `# Paper grid ${gridFingerprint(cells)}${shard}`,
    '',
    `${cells.length} cells (${tasks.length} tasks × ${models.length} models × ${state.spec.seeds.length} seeds) ` +
      `in ${groups.length} stacking groups, from ${describeRecipe(state)}.`,
    `Done: ${count('done')} of ${cells.length}; failed: ${count('failed')}; ` +
      `started (checkpoint written): ${count('started')}; not started: ${count('pending')}.`,
    '',
    '## Verdicts beside the paper',
    '',
    "Each entry: the lab's verdict on the seeds' mean curve by SPEC.md's rule (✓ matches the best " +
      'baseline, ▲ learns with a gap, ✗ no better than trivial, – inconclusive, … not finished; ' +
      '"learns": gap ≤ 0.2 or accuracy ≥ 0.9), then the paper\'s mark in brackets (none for the standard hybrid).',
    '',
    row(['task', ...models.map((m) => MODEL_NAMES[m] ?? m)]),
    row(['---', ...models.map(() => '---')]),
  ];
  for (const task of tasks) {
    const marks = models.map((model) => {
      const r = rows.find((x) => x.task === task && x.model === model)!;
      const lab = !r.verdict && r.failed.length ? 'diverged' : mark(r.verdict);
      return `${lab}${r.paper ? ` (paper ${r.paper})` : ''}`;
    });
    out.push(row([task, ...marks]));
  }
  out.push(
    '',
    '## Cells',
    '',
    "Verdict and numbers: the seeds' mean curve. Seeds: the finished seeds' verdict values (regression: the gap; " +
      'parity: accuracy; MQAR: recall), mean ± SD (min–max), and each seed’s verdict.',
    '',
    row(['task', 'model', 'verdict', 'the numbers behind it', 'seeds: mean ± SD (min–max)', 'each seed', 'paper']),
    row(['---', '---', '---', '---', '---', '---', '---']),
  );
  for (const r of rows) {
    const verdict = r.verdict ? `${r.verdict.symbol} ${r.verdict.kind}${r.verdict.learns ? ', learns' : ''}` : '…';
    const failures = r.failed.map((f) => `Seed ${f.seed}: ${f.failure}`).join(' ');
    const reason = [r.verdict ? r.verdict.reason : 'No seed finished.', failures].filter(Boolean).join(' ');
    const s = r.spread;
    const spread = s.n ? `${num(s.mean)} ± ${num(s.sd)} (${num(s.min)}–${num(s.max)}), n ${s.n}` : 'n/a';
    const seeds = [
      ...r.seeds.map((x) => `${x.seed} ${x.verdict.symbol}`),
      ...r.failed.map((f) => `${f.seed} diverged`),
      ...r.unfinished.map((seed) => `${seed} …`),
    ].join(', ');
    out.push(row([r.task, r.model, verdict, reason, spread, seeds, r.paper ?? '']));
  }
  out.push('', '## Stacking groups', '');
  for (const g of groups) out.push(`${g.index}. ${g.key}: ${g.cells.map((c) => c.id).join(', ')}`);
  const open = state.cells.filter((c) => c.status === 'started' || c.status === 'pending');
  if (open.length) {
    out.push('', '## Not finished', '');
    for (const c of open) {
      const at = c.status === 'started' ? `checkpoint at step ${c.step} of ${c.cell.config.steps}` : 'not started';
      out.push(`- ${c.cell.id}: ${at}`);
    }
  }
  const { wallSeconds, adapter, written } = state.timing;
  const wall = wallSeconds !== null ? `; this process ran ${wallSeconds.toFixed(0)} s` : '';
  out.push('', `Written ${written}${adapter ? ` on ${adapter}` : ''}${wall}.`, '');
  return out.join('\n');
}
