// The layering rules of DESIGN.md, checked on the source: engine/nn/tasks/train never touch
// the DOM or React; only src/gpu calls WebGPU directly; layers import only layers below.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..', '..', 'src');
const ORDER = ['gpu', 'engine', 'nn', 'tasks', 'baselines', 'train', 'cli', 'ui'];
// what each layer may import (besides itself)
const ALLOWED: Record<string, string[]> = {
  gpu: [],
  engine: ['gpu'],
  nn: ['gpu', 'engine'],
  tasks: ['engine'],
  baselines: ['engine', 'tasks'],
  train: ['gpu', 'engine', 'nn', 'tasks', 'baselines'],
  cli: ['gpu', 'engine', 'nn', 'tasks', 'baselines', 'train'],
  ui: ['train', 'tasks', 'engine', 'gpu'],
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
          // the run config is the shared vocabulary (task, model and size ids): pure data
          if (relative(SRC, join(file, '..', m[1])) === 'train/config') continue;
          expect(ALLOWED[layer], `${relative(SRC, file)} imports ${m[1]}`).toContain(target);
        }
        if (layer !== 'ui') {
          expect(text, `${relative(SRC, file)} imports React`).not.toMatch(/from\s+'react/);
          expect(text, `${relative(SRC, file)} touches the DOM`).not.toMatch(/\b(document|window)\.\w/);
        }
        if (layer !== 'gpu') {
          expect(text, `${relative(SRC, file)} calls WebGPU directly`).not.toMatch(/\.(createBuffer|createComputePipeline|createBindGroup|createShaderModule|requestAdapter|beginComputePass)\(|queue\.(submit|writeBuffer)/);
        }
      }
    });
  }
});
