// The repository speaks of the project: no run archives in the tree, a README without work
// notes or paths outside the repository, one current table per case in bench/RESULTS.md,
// and the files and numbers the documents name are the ones in the code. The code keeps its
// shape: lines ≤ 120 characters, files in src/ and shaders/ ≤ 400 lines, and no environment
// read under src/ outside src/cli.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/nn/models';
import { MODEL_IDS, SIZE_IDS, type ModelId } from '../../src/spec/config';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const README = read('README.md');
const RESULTS = read('bench/RESULTS.md');
const DOCS = ['README.md', 'bench/README.md', 'bench/RESULTS.md'];

/** Text files under the given folders (relative paths), skipping build outputs and fixtures' binaries. */
function textFiles(...dirs: string[]): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) return walk(path);
      return /\.(ts|tsx|mjs|js|wgsl|md|sh|py|cu|json)$/.test(name) ? [path] : [];
    });
  return dirs.flatMap(walk);
}

/** Code files (ts, tsx, wgsl, mjs) under the given folders, test fixtures left out. */
const codeFiles = (...dirs: string[]) =>
  textFiles(...dirs).filter((f) => /\.(ts|tsx|wgsl|mjs)$/.test(f) && !f.startsWith(join('tests', 'fixtures')));

/** bench/RESULTS.md's `## ` sections: heading and body. */
function resultSections(md: string): { heading: string; body: string }[] {
  return md
    .split(/^## /m)
    .slice(1)
    .map((s) => ({ heading: s.slice(0, s.indexOf('\n')).trim(), body: s.slice(s.indexOf('\n')) }));
}

describe('repository hygiene', () => {
  it('run archives are not in the tree, and nothing refers to them', () => {
    expect(existsSync(join(ROOT, 'bench', 'results'))).toBe(false);
    const archive = ['bench', 'results/'].join('/'); // spelled so that this file does not name it
    const self = relative(ROOT, __filename);
    const naming = textFiles('src', 'shaders', 'tests', 'bench', 'scripts')
      .concat(['README.md', 'package.json'])
      .filter((f) => f !== self && read(f).includes(archive));
    expect(naming).toEqual([]);
  });

  it('README has no work notes: no sessions, no paths outside the repository, no ICL_ switches', () => {
    expect(README).not.toMatch(/\bsessions?\b/i);
    expect(README).not.toMatch(/\/work\/|\.\.\/shared|\/tmp\//);
    expect(README).not.toMatch(/\bICL_[A-Z_]+/);
  });

  it('bench/RESULTS.md: one table per case, each with a date, a commit and its command', () => {
    expect(RESULTS).not.toMatch(/\bsessions?\b/i);
    const sections = resultSections(RESULTS);
    expect(sections.length).toBeGreaterThan(0);
    const headings = sections.map((s) => s.heading);
    expect(new Set(headings).size, 'a case appears once').toBe(headings.length);
    for (const { heading, body } of sections) {
      const tables = body.split('\n').filter((line) => /^\|\s*:?-{3,}/.test(line)).length;
      expect(tables, `"${heading}": tables`).toBe(1);
      const measured = /^Measured: (\d{4}-\d{2}-\d{2}), commit `([0-9a-f]{7,40})`, ([^\n,]+)[,:]/m.exec(body);
      expect(measured, `"${heading}" needs "Measured: DATE, commit \`HASH\`, ADAPTER, …"`).not.toBeNull();
      expect(body, `"${heading}" names the command it ran`).toMatch(/`(node|python3|bench\/)[^`]+`/);
    }
  });

  it('every repository file the documents name exists', () => {
    const missing: string[] = [];
    for (const doc of DOCS) {
      for (const m of read(doc).matchAll(/`((?:src|shaders|bench|tests|scripts)\/[\w./-]*\.\w+)`/g)) {
        if (!existsSync(join(ROOT, m[1]))) missing.push(`${doc}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("README's parameter counts are the models' (d = 20, scalar read-out, n_positions 101)", () => {
    const label: Record<ModelId, string> = {
      transformer: 'Transformer',
      mamba: 'Mamba',
      mambaformer: 'MambaFormer',
      standard_hybrid: 'standard hybrid',
    };
    for (const model of MODEL_IDS) {
      const row = new RegExp(`^\\| ${label[model]} \\|([^\\n]+)\\|$`, 'm').exec(README);
      expect(row, `README's row for ${model}`).not.toBeNull();
      const counts = row![1].split('|').map((c) => Number(c.trim().replace(/,/g, '')));
      const built = SIZE_IDS.map(
        (size) => buildModel(model, size, { inDim: 20, outDim: 1, maxTokens: 82, nPositions: 101 }).parameterCount,
      );
      expect(counts, model).toEqual(built);
    }
  });

  it('no line over 120 characters in src/, shaders/, tests/ and bench/', () => {
    const long = codeFiles('src', 'shaders', 'tests', 'bench').flatMap((f) =>
      read(f)
        .split('\n')
        .flatMap((line, i) => (line.length > 120 ? [`${f}:${i + 1} (${line.length})`] : [])),
    );
    expect(long).toEqual([]);
  });

  it('no file in src/ or shaders/ over 400 lines', () => {
    const lines = (f: string) => read(f).replace(/\n$/, '').split('\n').length;
    const big = codeFiles('src', 'shaders').flatMap((f) => (lines(f) > 400 ? [`${f} (${lines(f)})`] : []));
    expect(big).toEqual([]);
  });

  it('code under src/ reads the environment only in src/cli', () => {
    const reading = codeFiles('src').filter((f) => !f.startsWith(join('src', 'cli')) && /process\.env/.test(read(f)));
    expect(reading).toEqual([]);
  });
});
