// The paper grid's plan (`npm run grid`): its cells (task × model × seed, each with its run
// config), the rule that groups them into stacks, and the split of the groups into shards.
// Pure: the CLI builds the configs from its flags, the page may build a plan from a grid file.
//
// The grouping rule (one, deterministic): cells stack when every training step of theirs sees
// the same tensor shapes, so one stacked step (issue 20) could train them together: the same
// family, size, batch and steps, and the same prompt shape over the whole run (token layout,
// tokens and input dimension at the start and at full size, the step the full size is reached,
// output width, loss, and the positional table's rows). Seeds of one task always stack; tasks
// with the same prompt shape (linear and sparse linear regression at their defaults) stack too.
// Groups are numbered in the order of their first cell (tasks, then models, then seeds, as given).
import type { ModelId, RunConfig, TaskId } from '../spec/config';
import { Curriculum, maxTokens, nPositions, tokensFor } from '../tasks';
import { lossKindOf, outDimOf } from './graphs';

export interface GridCell {
  /** "linear_regression.mamba.seed1": also the stem of the cell's files. */
  id: string;
  task: TaskId;
  model: ModelId;
  seed: number;
  config: RunConfig;
}

export interface GridGroup {
  index: number;
  /** The shape the group's cells share, in words (the grouping rule's key). */
  key: string;
  cells: GridCell[];
}

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export const WHOLE_GRID: Shard = { index: 0, count: 1 };

export function cellId(task: TaskId, model: ModelId, seed: number): string {
  return `${task}.${model}.seed${seed}`;
}

/** Cells in grid order: tasks, then models, then seeds, each in the order given. */
export function gridCells(
  tasks: readonly TaskId[],
  models: readonly ModelId[],
  seeds: readonly number[],
  configOf: (task: TaskId, model: ModelId, seed: number) => RunConfig,
): GridCell[] {
  return tasks.flatMap((task) =>
    models.flatMap((model) =>
      seeds.map((seed) => ({ id: cellId(task, model, seed), task, model, seed, config: configOf(task, model, seed) })),
    ),
  );
}

/** The prompt's shape from start to full size: "x,y 22→82 tokens of d 5→8 (full at step 2400), out 1, mse". */
function promptShape(c: RunConfig): string {
  const curriculum = new Curriculum(c);
  const start = curriculum.at(0);
  const layout = c.task === 'cot_io' ? 'x,s,y' : c.task === 'vector_mqar' ? 'k,v…q' : 'x,y';
  const tokens = `${tokensFor(c.task, start.nPoints)}→${maxTokens(c)} tokens`;
  const dims = `d ${start.activeDims}→${c.nDims}`;
  const full = `full at step ${curriculum.fullSizeStep()}`;
  const rows = c.model === 'transformer' || c.model === 'standard_hybrid' ? `, ${nPositions(c)} positions` : '';
  return `${layout} ${tokens} of ${dims} (${full}), out ${outDimOf(c.task, c.nDims)}, ${lossKindOf(c.task)}${rows}`;
}

/** The grouping rule's key: cells with equal keys stack. */
export function stackKey(c: RunConfig): string {
  return `${c.model} ${c.size}, batch ${c.batch}, ${c.steps} steps, ${promptShape(c)}`;
}

export function groupCells(cells: readonly GridCell[]): GridGroup[] {
  const byKey = new Map<string, GridGroup>();
  for (const cell of cells) {
    const key = stackKey(cell.config);
    let group = byKey.get(key);
    if (!group) byKey.set(key, (group = { index: byKey.size, key, cells: [] }));
    group.cells.push(cell);
  }
  return [...byKey.values()];
}

/** A cell's work, for balancing: steps × full-size tokens. */
export function cellCost(c: GridCell): number {
  return c.config.steps * maxTokens(c.config);
}

/** A group's work, for balancing shards: its cells' costs summed. */
export function groupCost(g: GridGroup): number {
  return g.cells.reduce((sum, c) => sum + cellCost(c), 0);
}

/**
 * The order in which --claim processes take cells: the first seed's cells first (a grid cut
 * short still has whole seeds), and within a seed the costliest first (the long cells start
 * early instead of running alone at the end); ties keep the plan's order.
 */
export function claimOrder(cells: readonly GridCell[], seeds: readonly number[]): GridCell[] {
  const rank = (c: GridCell) => seeds.indexOf(c.config.seed);
  return cells
    .map((cell, index) => ({ cell, index }))
    .sort((a, b) => rank(a.cell) - rank(b.cell) || cellCost(b.cell) - cellCost(a.cell) || a.index - b.index)
    .map((x) => x.cell);
}

/**
 * The groups of one shard. Whole groups go to shards (a group is never split): largest cost
 * first (ties: lower index), each to the shard with the least cost so far (ties: lower shard),
 * then each shard trains its groups in index order. A shard may get no group when there are
 * more shards than groups.
 */
export function shardGroups(groups: readonly GridGroup[], shard: Shard): GridGroup[] {
  const load = new Array<number>(shard.count).fill(0);
  const owner = new Map<number, number>();
  const order = [...groups].sort((a, b) => groupCost(b) - groupCost(a) || a.index - b.index);
  for (const g of order) {
    const target = load.indexOf(Math.min(...load));
    owner.set(g.index, target);
    load[target] += groupCost(g);
  }
  return groups.filter((g) => owner.get(g.index) === shard.index);
}

/** "2/4" from a shard (0-based, as --shard takes it). */
export function describeShard(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/**
 * A short fingerprint of the grid's cells and their configs (FNV-1a, 2 × 32 bits): shards of
 * one grid share it. It names a grid; merge compares the configs themselves, not only this.
 */
export function gridFingerprint(cells: readonly GridCell[]): string {
  const text = JSON.stringify(cells.map((c) => [c.id, sortedConfig(c.config)]));
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ ch, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

/** A config with its keys in one order, so that equal configs serialise alike. */
export function sortedConfig(c: RunConfig): RunConfig {
  return Object.fromEntries(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : 1))) as unknown as RunConfig;
}

export function sameConfig(a: RunConfig, b: RunConfig): boolean {
  return JSON.stringify(sortedConfig(a)) === JSON.stringify(sortedConfig(b));
}
