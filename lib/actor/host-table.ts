/**
 * The supervisor's host threads by id: the live ones for the virtual
 * clock's idle check, a broadcast of control messages, and the relay of
 * frames between hosts when routing goes through the supervisor.
 */
import type { HostId, ToHost } from './control.js';
import type { HostHandle } from './host-handle.js';

export class HostTable {
  private readonly hosts = new Map<HostId, HostHandle>();

  get(id: HostId): HostHandle | undefined {
    return this.hosts.get(id);
  }

  add(handle: HostHandle): void {
    this.hosts.set(handle.hostId, handle);
  }

  /** False when the host was not (or no longer) in the table. */
  delete(id: HostId): boolean {
    return this.hosts.delete(id);
  }

  all(): IterableIterator<HostHandle> {
    return this.hosts.values();
  }

  liveIds(): HostId[] {
    const ids: HostId[] = [];
    for (const [id, h] of this.hosts) if (h.alive) ids.push(id);
    return ids;
  }

  broadcast(msg: ToHost): void {
    for (const h of this.hosts.values()) if (h.alive) h.post(msg);
  }

  /** Pass a frame on to host `to`; false when that host is down (the caller dead-letters it). */
  relay(from: HostId, to: HostId, bytes: Uint8Array): boolean {
    const target = this.hosts.get(to);
    if (!target?.alive) return false;
    target.post({ k: 'frame', from, bytes }, [bytes.buffer as ArrayBuffer]);
    return true;
  }
}
