// Every kernel's binding declaration (`ENTRY_POINTS` of src/engine/ops/*.ts and of the variants
// in bench/kernels/*/*.ts) matches the WGSL it
// names: for each entry point, the bindings that the entry point uses (through the functions
// it calls) in @binding order, with their names and access modes. A binding renamed, moved
// or added on one side only fails here, not as garbage in a training run.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BindingDecl, BindingKind, EntryPoint } from '../../src/gpu/kernel';

const SHADERS = join(__dirname, '..', '..', 'shaders');

interface WgslBinding {
  binding: number;
  name: string;
  kind: BindingKind;
  vec4: boolean;
}

const stripComments = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

/** The module-scope resource variables of a WGSL source, in @group(0). */
function resourceVars(src: string): Map<string, WgslBinding> {
  const vars = new Map<string, WgslBinding>();
  const re = new RegExp(
    String.raw`@group\(0\)\s*@binding\((\d+)\)\s*` +
      String.raw`var<\s*(uniform|storage)\s*(?:,\s*(read_write|read)\s*)?>\s*(\w+)\s*:\s*([^;]+);`,
    'g',
  );
  for (const [, binding, space, access, name, type] of stripComments(src).matchAll(re)) {
    const kind: BindingKind = space === 'uniform' ? 'uniform' : access === 'read_write' ? 'rw' : 'read';
    vars.set(name, { binding: Number(binding), name, kind, vec4: /vec4\s*<\s*f32\s*>/.test(type) });
  }
  return vars;
}

/** Function bodies by name (brace-matched). */
function functions(src: string): Map<string, string> {
  const code = stripComments(src);
  const fns = new Map<string, string>();
  for (const m of code.matchAll(/\bfn\s+(\w+)\s*\(/g)) {
    let i = code.indexOf('{', m.index);
    let depth = 0;
    for (; i < code.length; i++) {
      if (code[i] === '{') depth++;
      else if (code[i] === '}' && --depth === 0) break;
    }
    fns.set(m[1], code.slice(m.index, i + 1));
  }
  return fns;
}

/** The resource variables an entry point uses, directly or through the functions it calls,
 *  in @binding order. */
function usedBindings(src: string, entry: string): WgslBinding[] {
  const fns = functions(src);
  const vars = resourceVars(src);
  if (!fns.has(entry)) throw new Error(`no function ${entry}`);
  const seen = new Set<string>([entry]);
  const used = new Map<string, WgslBinding>();
  const todo = [entry];
  while (todo.length) {
    const body = fns.get(todo.pop()!)!;
    // names the function declares itself (parameters, locals) shadow module-scope ones
    const params = body.slice(body.indexOf('('), body.indexOf('{'));
    const locals = new Set(
      [...body.matchAll(/\b(?:let|var|const)\s+(\w+)/g), ...params.matchAll(/(\w+)\s*:/g)].map((m) => m[1]),
    );
    // identifiers, not fields (p.x) nor locals
    for (const [, id] of body.matchAll(/(?<![.\w])([A-Za-z_]\w*)\b/g)) {
      if (locals.has(id)) continue;
      if (fns.has(id) && !seen.has(id)) {
        seen.add(id);
        todo.push(id);
      }
      const v = vars.get(id);
      if (v) used.set(id, v);
    }
  }
  return [...used.values()].sort((a, b) => a.binding - b.binding);
}

/** What is wrong with a declaration against its WGSL, one line each (empty when it matches). */
function bindingProblems(ep: Pick<EntryPoint, 'source' | 'entryPoint' | 'bindings'>): string[] {
  const used = usedBindings(ep.source, ep.entryPoint);
  const declared = Object.entries(ep.bindings as BindingDecl);
  const problems: string[] = [];
  const byIndex = new Map<number, WgslBinding[]>();
  for (const u of used) byIndex.set(u.binding, [...(byIndex.get(u.binding) ?? []), u]);
  for (const [i, list] of byIndex)
    if (list.length > 1) problems.push(`binding ${i} is used as ${list.map((u) => u.name).join(' and ')}`);
  const maxIndex = Math.max(declared.length - 1, ...used.map((u) => u.binding));
  for (let i = 0; i <= maxIndex; i++) {
    const d = declared[i];
    const w = byIndex.get(i)?.[0];
    if (!d && !w) continue;
    if (!d) problems.push(`binding ${i} (${w!.name}) is used but not declared`);
    else if (!w) problems.push(`binding ${i} is declared as ${d[0]} but the entry point does not use it`);
    else {
      const [name, kind] = d;
      const nameOk = w.name === name || (w.vec4 && w.name === `${name}4`);
      if (!nameOk) problems.push(`binding ${i} is declared as ${name}, the WGSL names it ${w.name}`);
      if (w.kind !== kind) problems.push(`binding ${i} (${name}) is declared ${kind}, the WGSL has it ${w.kind}`);
    }
  }
  return problems;
}

const modules = {
  ...import.meta.glob<{ ENTRY_POINTS?: EntryPoint[] }>('../../src/engine/ops/*.ts', { eager: true }),
  ...import.meta.glob<{ ENTRY_POINTS?: EntryPoint[] }>('../../bench/kernels/*/*.ts', { eager: true }),
};
const declarations = Object.entries(modules).flatMap(([file, m]) =>
  (m.ENTRY_POINTS ?? []).map((ep) => ({ file: file.split('/').pop()!, ep })),
);
const BENCH_KERNELS = join(__dirname, '..', '..', 'bench', 'kernels');
const wgslFiles = [
  ...readdirSync(SHADERS)
    .filter((f) => f.endsWith('.wgsl'))
    .map((f) => join(SHADERS, f)),
  ...readdirSync(BENCH_KERNELS)
    .filter((d) => statSync(join(BENCH_KERNELS, d)).isDirectory())
    .flatMap((d) =>
      readdirSync(join(BENCH_KERNELS, d))
        .filter((f) => f.endsWith('.wgsl'))
        .map((f) => join(BENCH_KERNELS, d, f)),
    ),
];
const entryNames = (src: string) => [...stripComments(src).matchAll(/@compute[^;{]*?\bfn\s+(\w+)/g)].map((m) => m[1]);

describe('kernel bindings', () => {
  it('finds the declarations and the shaders', () => {
    expect(declarations.length).toBeGreaterThan(20);
    expect(wgslFiles.length).toBeGreaterThan(5);
  });

  for (const path of wgslFiles) {
    const file = path.split('/').slice(-2).join('/');
    const text = readFileSync(path, 'utf8');
    it(`${file}: every entry point is declared, and every declaration matches`, () => {
      const mine = declarations.filter(({ ep }) => ep.source.includes(text));
      expect(mine.length, `${file} is in no kernel's source`).toBeGreaterThan(0);
      for (const entry of entryNames(text)) {
        const decls = mine.filter(({ ep }) => ep.entryPoint === entry);
        expect(decls.length, `${file}: entry point ${entry} has no binding declaration`).toBeGreaterThan(0);
        for (const { file: ts, ep } of decls) expect(bindingProblems(ep), `${ts}: ${entry}`).toEqual([]);
      }
    });
  }

  it('each declaration names an entry point of its source', () => {
    for (const { file, ep } of declarations)
      expect(entryNames(ep.source), `${file}: ${ep.entryPoint}`).toContain(ep.entryPoint);
  });

  describe('the check itself', () => {
    const wgsl = `
      @group(0) @binding(0) var<uniform> p: Params;
      @group(0) @binding(1) var<storage, read> x: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out4: array<vec4<f32>>;
      fn load(i: u32) -> f32 { return x[i]; }
      @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
        out[gid.x] = load(gid.x) * f32(p.n);
      }
      @compute @workgroup_size(64) fn main4(@builtin(global_invocation_id) gid: vec3<u32>) {
        out4[gid.x] = vec4(x[gid.x] * f32(p.n));
      }`;
    const decl = { p: 'uniform', x: 'read', out: 'rw' } as const;
    it('accepts the bindings an entry point reaches through its calls, and a vec4 view', () => {
      expect(bindingProblems({ source: wgsl, entryPoint: 'main', bindings: decl })).toEqual([]);
      expect(bindingProblems({ source: wgsl, entryPoint: 'main4', bindings: decl })).toEqual([]);
    });
    it('reports a renamed, reordered, missing or mistyped binding', () => {
      expect(bindingProblems({ source: wgsl.replace(/\bx\b/g, 'inp'), entryPoint: 'main', bindings: decl })).toEqual([
        'binding 1 is declared as x, the WGSL names it inp',
      ]);
      expect(
        bindingProblems({ source: wgsl, entryPoint: 'main', bindings: { p: 'uniform', out: 'rw', x: 'read' } }),
      ).toHaveLength(4);
      expect(bindingProblems({ source: wgsl, entryPoint: 'main', bindings: { p: 'uniform', x: 'read' } })).toEqual([
        'binding 2 (out) is used but not declared',
      ]);
      expect(
        bindingProblems({ source: wgsl, entryPoint: 'main', bindings: { p: 'uniform', x: 'rw', out: 'rw' } }),
      ).toEqual(['binding 1 (x) is declared rw, the WGSL has it read']);
    });
  });
});
