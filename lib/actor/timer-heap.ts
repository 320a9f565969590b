/**
 * The virtual clock's timer heap. Entries order by time, then actor address,
 * then the actor's own sequence number, so that equal times fire in the same
 * order in every run.
 */
import type { HostId } from './control.js';
import type { Address } from './types.js';

export interface TimerEntry {
  readonly at: number;
  readonly address: Address;
  readonly seq: number;
  readonly host: HostId;
  /** The host's own id for the timer. */
  readonly id: number;
}

export function compareTimers(a: TimerEntry, b: TimerEntry): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.seq - b.seq;
}

export class TimerHeap {
  private readonly items: TimerEntry[] = [];
  /** Cancelled entries stay in the array until they surface; this marks them. */
  private readonly cancelled = new Set<string>();
  push(entry: TimerEntry): void {
    this.items.push(entry);
    this.up(this.items.length - 1);
  }

  cancel(host: HostId, id: number): void {
    this.cancelled.add(key(host, id));
  }

  /** Drop every timer of a host (it died: its timers died with it). */
  cancelHost(host: HostId): void {
    for (const e of this.items) if (e.host === host) this.cancelled.add(key(e.host, e.id));
  }

  peek(): TimerEntry | undefined {
    this.skipCancelled();
    return this.items[0];
  }

  pop(): TimerEntry | undefined {
    this.skipCancelled();
    return this.removeTop();
  }

  private skipCancelled(): void {
    while (this.items.length > 0) {
      const k = key(this.items[0]!.host, this.items[0]!.id);
      if (!this.cancelled.has(k)) return;
      this.cancelled.delete(k);
      this.removeTop();
    }
  }

  private removeTop(): TimerEntry | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      this.down(0);
    }
    return top;
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareTimers(items[parent]!, item) <= 0) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && compareTimers(items[r]!, items[l]!) < 0 ? r : l;
      if (compareTimers(item, items[child]!) <= 0) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = item;
  }
}

function key(host: HostId, id: number): string {
  return `${host}\u0000${id}`;
}
