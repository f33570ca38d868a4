// Training speeds measured in this browser: steps/s per WebGPU adapter, model family and size,
// from the runs' progress reports. Kept small (a few adapters, one number per family and size)
// for localStorage. Pure: parse what storage holds, record a measurement, look one up;
// session/speeds.ts reads and writes the storage.
import { MODEL_IDS, SIZE_IDS, TASK_IDS, type ModelId, type SizeId, type TaskId } from '../spec/config';

/** The localStorage key; a new format gets a new key (old data is then ignored, not misread). */
export const SPEEDS_KEY = 'icl-lab:speeds:v1';
/** Adapters remembered, the most recently measured first. */
export const MAX_ADAPTERS = 4;
/** Adapter names are cut to this length (they come from the browser, not from us). */
const MAX_NAME = 120;
/** Above this no training step runs; such a number is corrupt storage. */
const MAX_RATE = 1e5;
/** Bounds of prompt length and batch read back (beyond the schema's, so never too strict). */
const MAX_COUNT = 1e6;

/** A run's average steps/s and what sets its work per step: the task, prompt length and batch. */
export interface MeasuredSpeed {
  stepsPerSecond: number;
  task: TaskId;
  /** Examples per prompt (key/value pairs for MQAR). */
  nPoints: number;
  batch: number;
}

type FamilySize = `${ModelId}/${SizeId}`;

export interface AdapterSpeeds {
  adapter: string;
  speeds: Partial<Record<FamilySize, MeasuredSpeed>>;
}

/** The adapters, the most recently measured first. */
export type SpeedTable = readonly AdapterSpeeds[];

const KEYS = new Set<string>(MODEL_IDS.flatMap((m) => SIZE_IDS.map((s) => `${m}/${s}`)));

const adapterKey = (name: string) => name.trim().slice(0, MAX_NAME);

function validSpeed(x: unknown): MeasuredSpeed | null {
  if (typeof x !== 'object' || x === null) return null;
  const { stepsPerSecond, task, nPoints, batch } = x as Record<string, unknown>;
  if (typeof stepsPerSecond !== 'number' || !(stepsPerSecond > 0 && stepsPerSecond < MAX_RATE)) return null;
  if (typeof task !== 'string' || !(TASK_IDS as readonly string[]).includes(task)) return null;
  if (!isCount(nPoints) || !isCount(batch)) return null;
  return { stepsPerSecond, task: task as TaskId, nPoints, batch };
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_COUNT;
}

/** The table in storage's text; anything malformed (or from an unknown format) is dropped. */
export function parseSpeeds(text: string | null): SpeedTable {
  if (!text) return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  const rows = (data as { adapters?: unknown } | null)?.adapters;
  if (!Array.isArray(rows)) return [];
  const table: AdapterSpeeds[] = [];
  for (const row of rows.slice(0, MAX_ADAPTERS)) {
    const { adapter, speeds } = (row ?? {}) as Record<string, unknown>;
    if (typeof adapter !== 'string' || !adapterKey(adapter) || typeof speeds !== 'object' || speeds === null) continue;
    const kept: AdapterSpeeds['speeds'] = {};
    for (const [k, v] of Object.entries(speeds)) {
      const s = validSpeed(v);
      if (KEYS.has(k) && s) kept[k as FamilySize] = s;
    }
    if (!table.some((r) => r.adapter === adapterKey(adapter)))
      table.push({ adapter: adapterKey(adapter), speeds: kept });
  }
  return table;
}

export function stringifySpeeds(table: SpeedTable): string {
  return JSON.stringify({ adapters: table });
}

/** The table with a new measurement; its adapter moves first, the oldest beyond MAX_ADAPTERS goes. */
export function recordSpeed(
  table: SpeedTable,
  adapter: string,
  model: ModelId,
  size: SizeId,
  speed: MeasuredSpeed,
): SpeedTable {
  const name = adapterKey(adapter);
  const s = validSpeed(speed);
  if (!name || !s) return table;
  const old = table.find((r) => r.adapter === name);
  const row: AdapterSpeeds = { adapter: name, speeds: { ...old?.speeds, [`${model}/${size}`]: s } };
  return [row, ...table.filter((r) => r.adapter !== name)].slice(0, MAX_ADAPTERS);
}

/** The speed measured on this adapter for this family and size, or null. */
export function speedFor(
  table: SpeedTable,
  adapter: string | null,
  model: ModelId,
  size: SizeId,
): MeasuredSpeed | null {
  if (!adapter) return null;
  return table.find((r) => r.adapter === adapterKey(adapter))?.speeds[`${model}/${size}`] ?? null;
}

/** The adapter this browser measured last (before this page's worker names its own), or null. */
export function lastAdapter(table: SpeedTable): string | null {
  return table[0]?.adapter ?? null;
}
