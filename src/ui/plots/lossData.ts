// The loss plot's points: finite, positive losses (the axis is logarithmic), thinned to at
// most `max` points so a long run draws quickly.
export function lossPoints(
  history: readonly { step: number; loss: number }[],
  max = 600,
): { step: number; loss: number }[] {
  const pts = history.filter((h) => Number.isFinite(h.loss) && h.loss > 0);
  if (pts.length <= max) return pts;
  const stride = pts.length / max;
  const out: { step: number; loss: number }[] = [];
  for (let i = 0; i < max; i++) out.push(pts[Math.floor(i * stride)]);
  out.push(pts[pts.length - 1]);
  return out;
}

/** A log-axis domain padded a little around the data. */
export function logDomain(pts: readonly { loss: number }[]): [number, number] {
  if (pts.length === 0) return [0.01, 10];
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of pts) {
    lo = Math.min(lo, p.loss);
    hi = Math.max(hi, p.loss);
  }
  return [lo / 1.5, hi * 1.5];
}
