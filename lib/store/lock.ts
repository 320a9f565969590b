/**
 * One process per data directory. LMDB itself lets several processes open an
 * environment, which would break the store's single-writer assumptions (the
 * revision counter and write overlay live in this process's memory), so the
 * store holds `<dir>/berth-store.lock` containing the holder's pid, hostname
 * and kernel start time.
 *
 * - Created atomically with link(2) from a fully written temp file, so a
 *   reader never sees a half-written lock.
 * - A lock whose process is gone (ESRCH), a zombie, or a different process
 *   that reused the pid (start time differs, Linux /proc) is stale: it is
 *   replaced by rename(2) and re-read to confirm. Two processes taking over
 *   the same stale lock at the same instant could both succeed; that needs a
 *   crash plus a simultaneous double start, and is accepted.
 * - A lock from another host cannot be checked and counts as held.
 */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LockedError } from './errors.js';

export const LOCK_FILE = 'berth-store.lock';

interface Holder {
  pid: number;
  hostname: string;
  /** Kernel start time of the process (clock ticks since boot), null where /proc is missing. */
  start: string | null;
}

// Paths locked by this process: a second open in the same process is refused too.
const heldHere = new Set<string>();

export interface DirectoryLock {
  readonly path: string;
  release(): void;
}

export function acquireLock(dir: string): DirectoryLock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, hostname: hostname(), start: processStart(process.pid) };
  if (heldHere.has(path)) throw new LockedError(dir, me.pid, me.hostname);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileDurable(tmp, JSON.stringify(me));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(tmp, path); // fails with EEXIST if anyone holds it
        heldHere.add(path);
        return handle(path, dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(path);
      if (holder && isAlive(holder, me)) throw new LockedError(dir, holder.pid, holder.hostname);
      // Stale: replace atomically, then confirm nobody replaced it after us.
      writeFileDurable(tmp, JSON.stringify(me));
      renameSync(tmp, path);
      const now = readHolder(path);
      if (now && now.pid === me.pid && now.hostname === me.hostname) {
        heldHere.add(path);
        return handle(path, dir);
      }
      writeFileDurable(tmp, JSON.stringify(me));
    }
    const holder = readHolder(path);
    throw new LockedError(dir, holder?.pid ?? -1, holder?.hostname ?? 'unknown host');
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed into place or never created: nothing to clean up.
    }
  }
}

function handle(path: string, dir: string): DirectoryLock {
  let released = false;
  return {
    path: dir,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(path);
      const holder = readHolder(path);
      if (holder && holder.pid === process.pid && holder.hostname === hostname()) unlinkSync(path);
    },
  };
}

function writeFileDurable(file: string, text: string): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function readHolder(path: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // removed meanwhile: treat as free
  }
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (typeof h.pid === 'number' && typeof h.hostname === 'string')
      return { pid: h.pid, hostname: h.hostname, start: typeof h.start === 'string' ? h.start : null };
  } catch {
    // Not ours or truncated by a crash mid-write of an old version: stale.
  }
  return undefined;
}

function isAlive(holder: Holder, me: Holder): boolean {
  if (holder.hostname !== me.hostname) return true; // cannot check another machine: assume held
  // Our own pid but not held by this process (checked by the caller): a previous process with the same pid.
  if (holder.pid === me.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists but not ours to signal
  }
  const stat = readProcStat(holder.pid);
  if (stat === undefined) return true; // no /proc: the signal said it exists
  if (stat.state === 'Z' || stat.state === 'X') return false; // killed, not yet reaped
  return holder.start === null || holder.start === stat.start;
}

function processStart(pid: number): string | null {
  return readProcStat(pid)?.start ?? null;
}

function readProcStat(pid: number): { state: string; start: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may contain spaces.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field 22 is starttime.
  return { state: rest[0] ?? '', start: rest[19] ?? '' };
}
