// --claim: processes that share one --out DIR take cells one at a time as each frees up, so
// no process idles while another still has a queue (a static --shard split leaves the shards
// with the long cells running alone at the end). A process claims a cell by creating
// DIR/claims/<cell>.claim exclusively (O_EXCL: one creator wins), trains it, and removes the
// claim. A claim left by a process that died on this machine (its pid no longer runs) is taken
// over; a claim from another host is respected (its liveness cannot be checked from here).
import { mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { GridCell } from '../train/gridPlan';
import { UsageError } from './args';
import { describeFsError } from './files';

interface ClaimNote {
  host: string;
  pid: number;
  since: string;
}

export interface Claim {
  release(): void;
}

/** Whether process pid runs on this machine (signal 0 only checks). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readNote(path: string): ClaimNote | null {
  try {
    const note = JSON.parse(readFileSync(path, 'utf8')) as ClaimNote;
    return typeof note.pid === 'number' && typeof note.host === 'string' ? note : null;
  } catch {
    return null; // removed meanwhile, or caught half-written: treated as held, tried again later
  }
}

export class ClaimBoard {
  private readonly dir: string;
  private readonly me: ClaimNote = { host: hostname(), pid: process.pid, since: '' };

  constructor(outDir: string) {
    this.dir = join(outDir, 'claims');
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new UsageError(`--claim: cannot create ${this.dir}: ${describeFsError(e)}.`);
    }
  }

  private path(cell: GridCell): string {
    return join(this.dir, `${cell.id}.claim`);
  }

  /** Claims the cell for this process, or returns null when another live process holds it. */
  take(cell: GridCell): Claim | null {
    const path = this.path(cell);
    if (!this.create(path)) {
      const holder = readNote(path);
      const stale = holder !== null && holder.host === this.me.host && !running(holder.pid);
      if (!stale) return null;
      // move the dead process's claim aside (one renamer wins), then claim as usual
      try {
        renameSync(path, `${path}.stale-${process.pid}`);
        rmSync(`${path}.stale-${process.pid}`, { force: true });
      } catch {
        return null;
      }
      if (!this.create(path)) return null;
    }
    return { release: () => rmSync(path, { force: true }) };
  }

  private create(path: string): boolean {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new UsageError(`--claim: cannot create ${path}: ${describeFsError(e)}.`);
    }
    try {
      writeSync(fd, JSON.stringify({ ...this.me, since: new Date().toISOString() }));
    } finally {
      closeSync(fd);
    }
    return true;
  }
}
