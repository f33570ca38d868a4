// Every typed uniform packer matches the WGSL struct it describes (names and order), so a
// field added on one side only fails here rather than silently shifting the others.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

function wgslStructFields(source: string, name: string): string[] | null {
  const m = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(source);
  if (!m) return null;
  return m[1]
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, '').trim())
    .filter(Boolean)
    .flatMap((l) =>
      l
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .map((f) => f.split(':')[0].trim());
}

describe('uniform structs', () => {
  const opsDir = join(ROOT, 'src', 'engine', 'ops');
  const files = readdirSync(opsDir).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const ts = readFileSync(join(opsDir, file), 'utf8');
    const shaderImports = [...ts.matchAll(/import\s+(\w+)\s+from\s+'[./]*shaders\/([\w-]+\.wgsl)\?raw'/g)];
    const structs = [...ts.matchAll(/uniformStruct\('(\w+)',\s*\{([^}]*)\}/g)];
    if (!structs.length) continue;
    it(`${file}: packers match their WGSL structs`, () => {
      expect(shaderImports.length).toBeGreaterThan(0);
      for (const [, name, body] of structs) {
        const tsFields = [...body.matchAll(/(\w+)\s*:\s*'(u32|i32|f32)'/g)].map((m) => `${m[1]}:${m[2]}`);
        const matches = shaderImports.some(([, , shader]) => {
          const src = readFileSync(join(ROOT, 'shaders', shader), 'utf8');
          const m = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(src);
          if (!m) return false;
          const wgsl = m[1]
            .split('\n')
            .map((l) => l.replace(/\/\/.*$/, '').trim())
            .filter(Boolean)
            .flatMap((l) =>
              l
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            )
            .map((f) => f.replace(/\s+/g, ''));
          return JSON.stringify(wgsl) === JSON.stringify(tsFields);
        });
        expect(matches, `${file}: struct ${name} {${tsFields.join(', ')}} matches no imported shader`).toBe(true);
      }
    });
  }
  it('finds the structs it checks', () => {
    expect(wgslStructFields(readFileSync(join(ROOT, 'shaders', 'adam.wgsl'), 'utf8'), 'Params')).toContain('clip');
  });
});
