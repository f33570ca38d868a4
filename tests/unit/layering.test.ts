// The layering rules of DESIGN.md, checked on the source: engine/nn/tasks/train never touch
// the DOM or React; only src/gpu calls WebGPU directly; layers import only layers below.
// src/spec, the vocabulary of SPEC.md (ids, run config, task defaults, the verdict rule), is
// the bottom layer: every layer may import it, and it imports nothing.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..', '..', 'src');
const ORDER = ['spec', 'gpu', 'engine', 'nn', 'tasks', 'baselines', 'train', 'cli', 'ui'];
// what each layer may import (besides itself)
const ALLOWED: Record<string, string[]> = {
  spec: [],
  gpu: ['spec'],
  engine: ['spec', 'gpu'],
  nn: ['spec', 'gpu', 'engine'],
  tasks: ['spec', 'engine'],
  baselines: ['spec', 'engine', 'tasks'],
  train: ['spec', 'gpu', 'engine', 'nn', 'tasks', 'baselines'],
  cli: ['spec', 'gpu', 'engine', 'nn', 'tasks', 'baselines', 'train'],
  ui: ['spec', 'train', 'tasks', 'engine', 'gpu'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(f) ? [p] : [];
  });
}

describe('layering', () => {
  const all = files(SRC);
  for (const layer of ORDER) {
    it(`src/${layer} imports only what it may`, () => {
      for (const file of all.filter((f) => relative(SRC, f).startsWith(layer + '/'))) {
        const source = readFileSync(file, 'utf8');
        const text = source.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''); // code only, not comments
        for (const m of text.matchAll(/from\s+'(\.\.?\/[^']+)'/g)) {
          const target = relative(SRC, join(file, '..', m[1])).split('/')[0];
          if (target === layer || !ORDER.includes(target)) continue;
          expect(ALLOWED[layer], `${relative(SRC, file)} imports ${m[1]}`).toContain(target);
        }
        if (layer !== 'ui') {
          expect(text, `${relative(SRC, file)} imports React`).not.toMatch(/from\s+'react/);
          expect(text, `${relative(SRC, file)} touches the DOM`).not.toMatch(/\b(document|window)\.\w/);
        }
        if (layer !== 'gpu') {
          expect(text, `${relative(SRC, file)} calls WebGPU directly`).not.toMatch(
            new RegExp(
              String.raw`\.(createBuffer|createComputePipeline|createBindGroup|createShaderModule|requestAdapter|` +
                String.raw`beginComputePass)\(|queue\.(submit|writeBuffer)`,
            ),
          );
        }
      }
    });
  }

  it('has no import cycles between modules', () => {
    const imports = new Map<string, string[]>();
    for (const file of all) {
      const text = readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      // runtime imports only: `import type` is erased, so a cycle through it is harmless
      const targets = [...text.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?from\s+'(\.\.?\/[^']+)'/gm)]
        .filter((m) => !/\?raw$|\.wgsl/.test(m[1]))
        .map((m) => relative(SRC, join(file, '..', m[1])).replace(/\.tsx?$/, ''));
      imports.set(relative(SRC, file).replace(/\.tsx?$/, ''), targets);
    }
    const resolve = (m: string) => (imports.has(m) ? m : imports.has(`${m}/index`) ? `${m}/index` : m);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (m: string, path: string[]): void => {
      if (state.get(m) === 'done') return;
      if (state.get(m) === 'open') {
        cycles.push([...path.slice(path.indexOf(m)), m].join(' → '));
        return;
      }
      state.set(m, 'open');
      for (const t of imports.get(m) ?? []) visit(resolve(t), [...path, m]);
      state.set(m, 'done');
    };
    for (const m of imports.keys()) visit(m, []);
    expect(cycles).toEqual([]);
  });
});
