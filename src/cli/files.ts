// The CLI's file I/O, where nothing is lost: inputs are read only when they are regular files
// no larger than their format can need (so /dev/zero or a mistyped path to a huge file gets a
// sentence, not unbounded memory), and outputs are written to a temporary file in the same
// directory, flushed and renamed over the target, so a full disk or a kill mid-write leaves
// the previous file whole.
import { accessSync, closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './args';

export const MiB = 1024 * 1024;

/** Upper bounds on what each input format can need (a paper-size checkpoint is ~36 MB). */
export const INPUT_LIMITS = {
  json: 64 * MiB,
  safetensors: 2048 * MiB,
} as const;

/** The bytes of an input file, or a UsageError naming what is wrong with it. */
export function readInputFile(path: string, what: string, maxBytes: number): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`${what} ${path} is not a regular file.`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${what} ${path}: ${describeFsError(e)}.`);
  }
  if (size > maxBytes) throw new UsageError(`${what} ${path} is ${(size / MiB).toFixed(1)} MiB, more than a ${what} can need (${maxBytes / MiB} MiB).`);
  return readFileSync(path);
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

/** Refuses, before any work, an output path whose directory is missing or not writable. */
export function checkOutputPath(path: string, what: string): void {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`cannot write ${what} ${path}: ${dir} is not a directory.`);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot write ${what} ${path}: ${describeFsError(e, dir)}.`);
  }
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`cannot write ${what} ${path}: it is a directory.`);
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
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w');
    for (let offset = 0; offset < bytes.length; ) offset += writer.write(fd, bytes, offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already gone
    }
    throw new Error(`could not write ${path}: ${describeFsError(e)}; the previous file (if any) is unchanged.`);
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
