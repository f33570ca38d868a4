// The CLI as a user runs it: the bundled file, built once per test file into a directory of
// its own (tmp/, ignored by git), so test files that run side by side never read a bundle
// another one is rewriting.
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/** Builds dist-cli's bundle into a fresh directory under tmp/ and returns its path. */
export function buildCli(): string {
  // inside the repository, so that `import "webgpu"` finds node_modules; tmp/ is not in a fresh clone
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, 'tmp', 'cli-'));
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const args = ['build', '--config', 'vite.cli.config.ts', '--outDir', outDir, '--logLevel', 'error'];
  execFileSync(process.execPath, [vite, ...args], { cwd: ROOT });
  const bundle = join(outDir, 'cli.mjs');
  readFileSync(bundle); // it is there
  return bundle;
}

/** Removes a bundle that buildCli made (call in afterAll). */
export function removeCli(bundle: string): void {
  if (bundle) rmSync(dirname(bundle), { recursive: true, force: true });
}

export function runCli(bundle: string, args: string[]) {
  return spawnSync(process.execPath, [bundle, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
}

/** The CLI as a child process that a test can signal; resolves with its exit status and output. */
export function startCli(
  bundle: string,
  args: string[],
): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [bundle, ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, output: () => stdout, stderr: () => stderr, exit };
}
