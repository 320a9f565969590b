/**
 * Discrete-event time for a whole supervisor: it holds every timer of every
 * thread in one heap and moves time to the next timer only when the system
 * is quiescent: every host idle and no message in flight.
 *
 * Quiescence is judged from each host's latest idle report: it must have
 * seen every control message the supervisor sent it (fires, starts, links),
 * and per-link message counters must agree (each thread counts envelopes
 * sent to and received from each peer; the supervisor's own are read live).
 * A host can only become busy again after its report by receiving something:
 * a control message (its count would not match) or a frame, whose sender
 * either counted it before its own report (the link would not balance) or
 * was itself busy after its report, which by the same argument traces back
 * to a mismatch. So no probe round is needed, and a step costs one hop less.
 *
 * Timers due at the same time fire in (time, address, sequence) order; the
 * run of consecutive timers on one host fires as one order, then the system
 * settles again before the next host's timers, so a run repeats exactly.
 */
import type { HostId, MessageCounters, TimerSet } from './control.js';
import { MAIN_HOST } from './control.js';
import { TimerHeap, type TimerEntry } from './timer-heap.js';

export interface VirtualClockHooks {
  /** Hosts that are alive now (not the supervisor's own endpoint). */
  hosts(): Iterable<HostId>;
  /** The supervisor's endpoint: its counters, read live, after a flush. */
  mainCounters(): MessageCounters;
  /** How many control messages the supervisor has sent this host. */
  controlSent(host: HostId): number;
  fire(host: HostId, now: number, ids: number[]): void;
}

interface HostReport {
  /** Control messages the host had handled when it reported idle; -1 before its first report. */
  control: number;
  counters: MessageCounters;
}

interface Waiter {
  readonly until: number; // Infinity: settle without advancing
  readonly resolve: () => void;
}

const noCounters: MessageCounters = { sent: {}, recv: {} };

export class VirtualClock {
  private current = 0;
  private readonly heap = new TimerHeap();
  private readonly reports = new Map<HostId, HostReport>();
  private waiter: Waiter | null = null;
  private blocked = 0;
  private checkScheduled = false;
  /** Timers fired so far; for tests and the scenario report. */
  fired = 0;

  constructor(private readonly hooks: VirtualClockHooks) {}

  now(): number {
    return this.current;
  }

  // ---- reports from hosts --------------------------------------------

  addHost(host: HostId): void {
    this.reports.set(host, { control: -1, counters: noCounters });
  }

  removeHost(host: HostId): void {
    this.reports.delete(host);
    this.heap.cancelHost(host);
    this.scheduleCheck();
  }

  timers(host: HostId, set: readonly TimerSet[], cancel: readonly number[]): void {
    // A timer is never due before now: time does not run backwards.
    for (const t of set) this.heap.push({ at: Math.max(t.at, this.current), address: t.address, seq: t.seq, host, id: t.id });
    for (const id of cancel) this.heap.cancel(host, id);
  }

  idle(host: HostId, control: number, counters: MessageCounters): void {
    const r = this.reports.get(host);
    if (!r) return;
    r.control = control;
    r.counters = counters;
    // Judge at once: an idle report is the usual last event of a step, and a
    // turn of the event loop here is a good part of a step's cost.
    if (!this.checkScheduled) this.check();
  }

  /** Supervisor operations (start, restart, stop) hold time still while they run. */
  block(): void {
    this.blocked++;
  }

  unblock(): void {
    this.blocked--;
    this.scheduleCheck();
  }

  // ---- driving -------------------------------------------------------

  /** Run timers until virtual time reaches `until`, then settle there. */
  runUntil(until: number): Promise<void> {
    if (this.waiter) return Promise.reject(new Error('the virtual clock is already running'));
    return new Promise((resolve) => {
      this.waiter = { until, resolve };
      this.scheduleCheck();
    });
  }

  /** Wait until nothing is happening, without moving time. */
  settle(): Promise<void> {
    return this.runUntil(-Infinity);
  }

  /** Something changed on the supervisor's side (it sent frames): judge again. */
  scheduleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      this.check();
    });
  }

  /**
   * Why time is not moving, in one line: the waiter, whether supervisor
   * operations hold time, hosts whose idle report is missing or behind
   * their control messages, and links whose counters do not balance.
   */
  describe(): string {
    const parts: string[] = [`now=${this.current}`, `waiter=${this.waiter ? this.waiter.until : 'none'}`, `blocked=${this.blocked}`];
    const next = this.heap.peek();
    parts.push(`next timer=${next ? `${next.at}@${next.host}/${next.address}` : 'none'}`);
    const hosts = [...this.hooks.hosts()];
    const behind = hosts.filter((h) => this.reports.get(h)?.control !== this.hooks.controlSent(h));
    parts.push(`hosts=${hosts.length}`, `behind=[${behind.map((h) => `${h}:${this.reports.get(h)?.control ?? 'no report'}/${this.hooks.controlSent(h)}`).join(', ')}]`);
    const counters = new Map<HostId, MessageCounters>([[MAIN_HOST, this.hooks.mainCounters()]]);
    for (const h of hosts) counters.set(h, this.reports.get(h)?.counters ?? noCounters);
    const unbalanced: string[] = [];
    for (const [h, c] of counters) {
      for (const peer in c.sent) {
        const other = counters.get(peer);
        if (other && (other.recv[h] ?? 0) !== c.sent[peer]) unbalanced.push(`${h}->${peer}: sent ${c.sent[peer]}, received ${other.recv[h] ?? 0}`);
      }
    }
    parts.push(`unbalanced=[${unbalanced.join(', ')}]`);
    return parts.join(' ');
  }

  private check(): void {
    if (!this.waiter || this.blocked > 0) return;
    const hosts = [...this.hooks.hosts()];
    for (const h of hosts) if (this.reports.get(h)?.control !== this.hooks.controlSent(h)) return;
    if (!this.linksDrained(hosts)) return;
    this.quiescent();
  }

  private linksDrained(hosts: readonly HostId[]): boolean {
    const counters = new Map<HostId, MessageCounters>();
    counters.set(MAIN_HOST, this.hooks.mainCounters());
    for (const h of hosts) counters.set(h, this.reports.get(h)!.counters);
    for (const [h, c] of counters) {
      for (const peer in c.sent) {
        const other = counters.get(peer);
        if (!other) continue; // a dead peer: what was sent to it is lost
        if ((other.recv[h] ?? 0) !== c.sent[peer]) return false;
      }
    }
    return true;
  }

  private quiescent(): void {
    const w = this.waiter!;
    const next = this.heap.peek();
    if (!next || next.at > w.until) {
      if (w.until > this.current && Number.isFinite(w.until)) this.current = w.until;
      this.waiter = null;
      w.resolve();
      return;
    }
    this.fireRun(next);
  }

  /** Fire the run of consecutive due timers that share `first`'s time and host. */
  private fireRun(first: TimerEntry): void {
    const ids: number[] = [];
    for (let t = this.heap.peek(); t && t.at === first.at && t.host === first.host; t = this.heap.peek()) {
      ids.push(this.heap.pop()!.id);
    }
    this.current = first.at;
    this.fired += ids.length;
    this.hooks.fire(first.host, this.current, ids);
    this.scheduleCheck();
  }
}
