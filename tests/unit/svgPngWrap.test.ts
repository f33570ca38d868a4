// The PNG legend's labels wrap to the plot's width (src/ui/svgPng.ts wrapWords), so a long run
// name is never cut at the image's edge.
import { describe, expect, it } from 'vitest';
import { wrapWords } from '../../src/ui/svgPng';

const width = (t: string) => t.length * 10; // 10 px a character

describe('legend wrapping', () => {
  it('keeps every word and no line wider than the room', () => {
    const text = 'Linear regression · Transformer · tiny · seed 1 (model) with its 90% band';
    const lines = wrapWords(text, 200, width);
    expect(lines.join(' ')).toBe(text);
    for (const l of lines) expect(width(l)).toBeLessThanOrEqual(200);
    expect(lines.length).toBeGreaterThan(1);
  });

  it('leaves a short label on one line and a too-long word on its own', () => {
    expect(wrapWords('Least squares', 200, width)).toEqual(['Least squares']);
    expect(wrapWords('a verylongwordindeed b', 100, width)).toEqual(['a', 'verylongwordindeed', 'b']);
  });
});
