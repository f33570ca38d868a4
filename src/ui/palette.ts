// Colours: the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies),
// and line styles for baselines so they differ by dash pattern as well as by grey.

/** Okabe & Ito (2008), without yellow, which is too light on white for thin lines. */
export const RUN_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'] as const;

/** The colour for the n-th run (cycles). */
export function runColour(n: number): string {
  return RUN_COLOURS[((n % RUN_COLOURS.length) + RUN_COLOURS.length) % RUN_COLOURS.length];
}

/** The first palette colour not used by `taken`, so a new run never repeats a visible colour if it can help it. */
export function nextColour(taken: readonly string[]): string {
  return RUN_COLOURS.find((c) => !taken.includes(c)) ?? runColour(taken.length);
}

const DASHES = ['6 3', '2 3', '8 3 2 3', '1 2', '10 4', '4 2 1 2'];

/** Stroke for the i-th baseline: a grey and a dash pattern. */
export function baselineStroke(i: number): { stroke: string; dash: string } {
  const greys = ['#555555', '#777777', '#444444', '#888888', '#666666', '#333333'];
  return { stroke: greys[i % greys.length], dash: DASHES[i % DASHES.length] };
}
