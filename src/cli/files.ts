// The CLI's file I/O, where nothing is lost: inputs are read only when they are regular files
// no larger than their format can need (so /dev/zero or a mistyped path to a huge file gets a
// sentence, not unbounded memory), and outputs are written to a temporary file in the same
// directory, flushed and renamed over the target, so a full disk or a kill mid-write leaves
// the previous file whole.
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readSafetensors, SafetensorsError, type SafetensorsFile } from '../engine/safetensors';
import { UsageError } from './args';

export const MiB = 1024 * 1024;

/** Upper bounds on what each input format can need (a paper-size checkpoint is ~36 MB). */
export const INPUT_LIMITS = {
  json: 64 * MiB,
  safetensors: 2048 * MiB,
} as const;

/**
 * The bytes of an input file, or a UsageError naming what is wrong with it. The file is opened
 * once and checked and read through that descriptor, so a file swapped in after the check is
 * never read.
 */
export function readInputFile(path: string, what: string, maxBytes: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${describeFsError(e)}.`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${what} ${path} is not a regular file.`);
    if (st.size > maxBytes) {
      const size = (st.size / MiB).toFixed(1);
      throw new UsageError(`${what} ${path} is ${size} MiB, more than a ${what} can need (${maxBytes / MiB} MiB).`);
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A .safetensors input file, parsed; a malformed one is the user's to fix (exit 2). */
export function readSafetensorsFile(path: string, what: string): SafetensorsFile {
  const bytes = readInputFile(path, what, INPUT_LIMITS.safetensors);
  try {
    return readSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new UsageError(`${what} ${path}: ${e.message}`);
    throw e;
  }
}

/** A JSON input file, parsed; a sentence for a file that is not JSON. */
export function readJsonFile(path: string, what: string): unknown {
  const text = new TextDecoder().decode(readInputFile(path, what, INPUT_LIMITS.json));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${path} is not valid JSON (${(e as Error).message}).`);
  }
}

/** Refuses, before any work, an output path whose directory is missing or not writable, or that is not a file. */
export function checkOutputPath(path: string, what: string): void {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`cannot write ${what} ${path}: ${dir} is not a directory.`);
    accessSync(dir, constants.W_OK);
    // access() says yes to root everywhere, and knows nothing of read-only mounts: create
    // (and remove) the temporary file the write will use
    closeSync(openSync(temporaryPath(path), 'wx'));
    unlinkSync(temporaryPath(path));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot write ${what} ${path}: ${describeFsError(e, dir)}.`);
  }
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UsageError(`cannot write ${what} ${path}: it is a directory.`);
    // a device (/dev/full, /dev/null) or a pipe would be replaced by the rename, not written
    if (!st.isFile()) throw new UsageError(`cannot write ${what} ${path}: it is not a regular file.`);
  } catch (e) {
    if (e instanceof UsageError) throw e; // a missing target is fine: it will be created
  }
}

/** The low-level writes, replaceable in tests to inject a failure mid-write. */
export interface FileSystemWriter {
  write(fd: number, data: Uint8Array, offset: number): number;
}
const NODE_WRITER: FileSystemWriter = { write: (fd, data, offset) => writeSync(fd, data, offset) };

/**
 * Writes `data` to `path` atomically: a temporary file beside it, written, fsynced, then
 * renamed over `path`. On any failure the temporary file is removed and `path` is untouched.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, writer: FileSystemWriter = NODE_WRITER): void {
  writeFilesAtomic([{ path, data }], writer);
}

/**
 * Writes several files so that each is whole, old or new: every temporary file is written and
 * fsynced first (the slow part), then they are renamed in the order given, back to back. A
 * failure before the renames leaves every target untouched; only a kill between two renames
 * can leave the first renamed and the next not (checkpoints.ts makes such a pair detectable).
 */
export function writeFilesAtomic(
  files: readonly { path: string; data: Uint8Array | string }[],
  writer: FileSystemWriter = NODE_WRITER,
): void {
  const written: { tmp: string; path: string }[] = [];
  for (const { path, data } of files) {
    const tmp = temporaryPath(path);
    try {
      writeDurably(tmp, typeof data === 'string' ? new TextEncoder().encode(data) : data, writer);
      written.push({ tmp, path });
    } catch (e) {
      for (const w of [...written, { tmp, path }]) removeQuietly(w.tmp);
      throw new Error(`could not write ${path}: ${describeFsError(e)}; the previous file (if any) is unchanged.`);
    }
  }
  for (let i = 0; i < written.length; i++) {
    const { tmp, path } = written[i];
    try {
      renameSync(tmp, path);
    } catch (e) {
      for (const w of written.slice(i)) removeQuietly(w.tmp);
      throw new Error(`could not write ${path}: ${describeFsError(e)}; the previous file (if any) is unchanged.`);
    }
  }
  // after the renames, so that nothing slow stands between them
  for (const { path } of written) {
    syncDirectory(dirname(path));
    removeStaleTemporaries(path);
  }
}

/** `.name.PID.tmp` beside `path`: hidden, and unique per process. */
function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

function writeDurably(tmp: string, bytes: Uint8Array, writer: FileSystemWriter): void {
  const fd = openSync(tmp, 'w');
  try {
    for (let offset = 0; offset < bytes.length;) offset += writer.write(fd, bytes, offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A rename reaches the disk only when its directory is synced (best effort: not every file system allows it). */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the file is renamed either way; only its survival of a power cut is less certain
  }
}

/** Temporary files a killed process (kill -9) left beside `path`; those of live processes are kept. */
function removeStaleTemporaries(path: string): void {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.startsWith(prefix) && name.endsWith('.tmp') ? name.slice(prefix.length, -4) : NaN);
    if (Number.isInteger(pid) && pid !== process.pid && !processIsAlive(pid)) removeQuietly(join(dirname(path), name));
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created, or already gone
  }
}

/** "no such directory", "permission denied", "the disk is full", … from a Node fs error. */
export function describeFsError(e: unknown, path?: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  const where = path ? ` (${path})` : '';
  switch (code) {
    case 'ENOENT':
      return `no such file or directory${where}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied${where}`;
    case 'EROFS':
      return `read-only file system${where}`;
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is exhausted';
    case 'ENOTDIR':
      return `a part of the path is not a directory${where}`;
    case 'EISDIR':
      return `it is a directory${where}`;
    default:
      return (e as Error).message;
  }
}
