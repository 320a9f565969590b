/**
 * resources.limits.memory for process containers. Without cgroups there is
 * no kernel OOM killer per container, so the runtime polls each limited
 * process's resident set (Linux /proc/<pid>/status VmRSS, the main process
 * of the container) and SIGKILLs the container's process group once it is
 * over its limit; the exit is then reported as Kubernetes reports an OOM
 * kill: exit code 137, reason OOMKilled. A spike shorter than the poll
 * period can go unseen.
 */
import { readFileSync } from 'node:fs';
import { parseQuantity, value } from '../../../lib/api/quantity.js';

export const MEMORY_POLL_MS = 500;

/** The limit in bytes, or undefined for none (or one that does not parse: the api-server validated it). */
export function memoryLimitBytes(limits: Readonly<Record<string, string>> | undefined): number | undefined {
  const raw = limits?.['memory'];
  if (raw === undefined) return undefined;
  const q = parseQuantity(raw);
  return q.ok ? Number(value(q.quantity)) : undefined;
}

/** Resident bytes of a live process; undefined when it is gone (or not on Linux). */
export function residentBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface Limited {
  readonly pid: number;
  readonly limitBytes: number;
  /** Over its limit: kill it (once). */
  overLimit(): void;
}

/** One timer for every limited process of a node. */
export class MemoryWatch {
  private readonly watched = new Set<Limited>();
  private timer: NodeJS.Timeout | null = null;

  add(p: Limited): () => void {
    this.watched.add(p);
    if (!this.timer) {
      this.timer = setInterval(() => this.poll(), MEMORY_POLL_MS);
      this.timer.unref();
    }
    return () => this.remove(p);
  }

  private remove(p: Limited): void {
    this.watched.delete(p);
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private poll(): void {
    for (const p of [...this.watched]) {
      const rss = residentBytes(p.pid);
      if (rss === undefined) continue;
      if (rss > p.limitBytes) {
        this.remove(p);
        p.overLimit();
      }
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watched.clear();
  }
}
