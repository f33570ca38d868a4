// Number and time formatting for the status line, tables and file names.

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  const h = Math.floor(seconds / 3600);
  if (h < 48) return `${h} h ${Math.round((seconds % 3600) / 60)} min`;
  return `${Math.round(h / 24)} days`;
}

export function formatRate(stepsPerSecond: number): string {
  if (!Number.isFinite(stepsPerSecond) || stepsPerSecond <= 0) return '— steps/s';
  return `${stepsPerSecond >= 10 ? stepsPerSecond.toFixed(0) : stepsPerSecond.toFixed(1)} steps/s`;
}

export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(2);
  return Number(x.toPrecision(digits)).toString();
}

/** A file-name-safe stem for a run: "linear_regression-transformer-tiny-seed1". */
export function fileStem(c: { task: string; model: string; size: string; seed: number }): string {
  return `${c.task}-${c.model}-${c.size}-seed${c.seed}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
}
