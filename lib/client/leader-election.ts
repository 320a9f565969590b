/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's
 * tools/leaderelection: candidates race to write themselves as the Lease's
 * holderIdentity; every write is an update carrying the resourceVersion
 * they read (optimistic concurrency), so of two candidates acting on the
 * same state only one succeeds. The holder renews every retryPeriod; a
 * candidate takes the Lease once it has seen the same record unchanged for
 * leaseDuration (measured on its own clock from when it observed it, never
 * from the renewTime another process wrote, so clock skew cannot shorten a
 * term). A holder that has not renewed within renewDeadline, or that reads
 * another holder in the Lease, stops leading at once. A clean stop releases
 * the Lease (holder cleared, leaseDurationSeconds 1) so a successor need not
 * wait out the term.
 *
 * Unlike client-go, whose Run returns after the lease is lost (and kube
 * components then exit), an elector that lost its Lease goes back to being
 * a candidate. All time comes from the injected Clock (virtual time works).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { leases } from '../api/resources/index.js';
import type { Lease, LeaseSpec } from '../api/types/cluster.js';
import type { Clock, TimerHandle } from './clock.js';
import { isAlreadyExists, isConflict, isNotFound } from './errors.js';
import type { Client } from './types.js';

export interface LeaderCallbacks {
  /** This elector now holds the Lease: start acting. */
  onStartedLeading(): void;
  /** It no longer does (lost, or stopped): stop acting at once. */
  onStoppedLeading(): void;
  /** The holder it observed changed (its own identity included). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig extends LeaderCallbacks {
  readonly client: Pick<Client, 'get' | 'create' | 'update'>;
  readonly clock: Clock;
  /** The Lease's name, e.g. kube-controller-manager. */
  readonly name: string;
  /** Default kube-system. */
  readonly namespace?: string;
  /** Unique among the candidates. */
  readonly identity: string;
  /** How long a non-holder waits on an unchanged record before taking it; default 15 s. */
  readonly leaseDurationMs?: number;
  /** How long the holder keeps trying to renew before it gives up; default 10 s. */
  readonly renewDeadlineMs?: number;
  /** Between attempts; default 2 s. */
  readonly retryPeriodMs?: number;
  /** Release the Lease on stop(); default true. */
  readonly releaseOnStop?: boolean;
  /** Wraps each API attempt, e.g. an actor's ctx.track so virtual time waits for it. */
  readonly track?: <T>(work: Promise<T>) => Promise<T>;
  /** An attempt failed for a reason other than losing the race (it is retried). */
  readonly onError?: (err: unknown) => void;
}

export const LEADER_ELECTION_DEFAULTS = { namespace: 'kube-system', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } as const;

/** client-go's JitterFactor: acquire attempts wait retryPeriod * (1 + up to 1.2). */
const JITTER = 1.2;

export type ElectorState = 'idle' | 'candidate' | 'leader' | 'stopped';

export interface LeaderElectorStats {
  readonly identity: string;
  readonly state: ElectorState;
  /** The holder last observed in the Lease ('' when none). */
  readonly holder: string;
  readonly acquisitions: number;
  readonly renewals: number;
  readonly losses: number;
  readonly attempts: number;
}

/** Leader election as an actor's arguments (plain data): a replicated control-plane actor's settings. */
export interface LeaderElectionArgs {
  /** Unique among the replicas; default `<hostname>_<actor address>_<random>`, new on every start (as kube's hostname_uuid). */
  readonly identity?: string;
  /** Default kube-controller-manager for the controller-manager, kube-scheduler for the scheduler. */
  readonly leaseName?: string;
  /** Default kube-system. */
  readonly leaseNamespace?: string;
  /** Default 15 s. */
  readonly leaseDurationMs?: number;
  /** Default 10 s. */
  readonly renewDeadlineMs?: number;
  /** Default 2 s. */
  readonly retryPeriodMs?: number;
  /** Release the Lease on a clean stop; default true. */
  readonly releaseOnStop?: boolean;
}

/** The elector's settings from an actor's arguments. */
export function electionSettings(args: LeaderElectionArgs, defaults: { readonly leaseName: string; readonly address: string }): Pick<LeaderElectionConfig, 'name' | 'namespace' | 'identity' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs' | 'releaseOnStop'> {
  return {
    name: args.leaseName ?? defaults.leaseName,
    namespace: args.leaseNamespace ?? LEADER_ELECTION_DEFAULTS.namespace,
    identity: args.identity ?? `${hostname()}_${defaults.address}_${randomBytes(4).toString('hex')}`,
    leaseDurationMs: args.leaseDurationMs,
    renewDeadlineMs: args.renewDeadlineMs,
    retryPeriodMs: args.retryPeriodMs,
    releaseOnStop: args.releaseOnStop,
  };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A small deterministic PRNG (mulberry32) seeded from the identity, so a virtual-clock run repeats. */
function jitterSource(identity: string): () => number {
  let s = 2166136261;
  for (let i = 0; i < identity.length; i++) s = Math.imul(s ^ identity.charCodeAt(i), 16777619);
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class LeaderElector {
  private readonly namespace: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly random: () => number;
  private st: ElectorState = 'idle';
  /** The Lease as last read or written, and when (our clock) its record last changed. */
  private observed: Lease | undefined;
  private observedAt = 0;
  private lastHolder = '';
  private attemptTimer: TimerHandle | undefined;
  private deadlineTimer: TimerHandle | undefined;
  /** Bumped whenever leadership changes, so an attempt that started before ignores its late answer. */
  private epoch = 0;
  private inflight: Promise<unknown> = Promise.resolve();
  private readonly counts = { acquisitions: 0, renewals: 0, losses: 0, attempts: 0 };

  constructor(private readonly cfg: LeaderElectionConfig) {
    this.namespace = cfg.namespace ?? LEADER_ELECTION_DEFAULTS.namespace;
    this.leaseDurationMs = cfg.leaseDurationMs ?? LEADER_ELECTION_DEFAULTS.leaseDurationMs;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? LEADER_ELECTION_DEFAULTS.renewDeadlineMs;
    this.retryPeriodMs = cfg.retryPeriodMs ?? LEADER_ELECTION_DEFAULTS.retryPeriodMs;
    // client-go's NewLeaderElector checks the same.
    if (!cfg.identity) throw new TypeError('leader election: identity must not be empty');
    if (!cfg.name) throw new TypeError('leader election: lease name must not be empty');
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) throw new TypeError(`leader election: leaseDuration (${this.leaseDurationMs} ms) must be greater than renewDeadline (${this.renewDeadlineMs} ms)`);
    if (!(this.renewDeadlineMs > JITTER * this.retryPeriodMs)) throw new TypeError(`leader election: renewDeadline (${this.renewDeadlineMs} ms) must be greater than ${JITTER} x retryPeriod (${this.retryPeriodMs} ms)`);
    if (!(this.retryPeriodMs > 0)) throw new TypeError('leader election: retryPeriod must be positive');
    this.random = jitterSource(cfg.identity);
  }

  get identity(): string {
    return this.cfg.identity;
  }

  get isLeader(): boolean {
    return this.st === 'leader';
  }

  get state(): ElectorState {
    return this.st;
  }

  stats(): LeaderElectorStats {
    return { identity: this.cfg.identity, state: this.st, holder: this.lastHolder, ...this.counts };
  }

  /** Begin campaigning: the first attempt is made at once (not on a timer: under a virtual clock nothing may be running it yet). */
  start(): void {
    if (this.st !== 'idle') return;
    this.st = 'candidate';
    const work = this.acquire();
    this.inflight = work;
    void this.track(work);
  }

  /** Stop campaigning; a leader stops leading and (by default) releases the Lease. */
  async stop(): Promise<void> {
    if (this.st === 'stopped') return;
    const wasLeader = this.st === 'leader';
    this.st = 'stopped';
    this.epoch++;
    this.clearTimers();
    if (!wasLeader) return;
    this.cfg.onStoppedLeading();
    if (this.cfg.releaseOnStop === false) return;
    // Let an attempt in flight land first: the release must carry the newest resourceVersion.
    await this.inflight.catch(() => undefined);
    await this.track(this.release()).catch((err: unknown) => this.cfg.onError?.(err));
  }

  // ---- loops -------------------------------------------------------------------------

  private schedule(delayMs: number, fn: () => Promise<void>): void {
    if (this.attemptTimer !== undefined) this.cfg.clock.cancelTimer(this.attemptTimer);
    this.attemptTimer = this.cfg.clock.setTimer(delayMs, () => {
      this.attemptTimer = undefined;
      const work = fn();
      this.inflight = work;
      void this.track(work);
    });
  }

  private track<T>(work: Promise<T>): Promise<T> {
    return this.cfg.track ? this.cfg.track(work) : work;
  }

  private async acquire(): Promise<void> {
    const epoch = this.epoch;
    const ok = await this.attempt();
    if (epoch !== this.epoch || this.st !== 'candidate') return;
    if (!ok) {
      this.schedule(this.retryPeriodMs * (1 + JITTER * this.random()), () => this.acquire());
      return;
    }
    this.st = 'leader';
    this.epoch++;
    this.counts.acquisitions++;
    this.armDeadline();
    this.schedule(this.retryPeriodMs, () => this.renew());
    this.cfg.onStartedLeading();
  }

  private async renew(): Promise<void> {
    const epoch = this.epoch;
    const ok = await this.attempt();
    if (epoch !== this.epoch || this.st !== 'leader') return;
    if (ok) {
      this.counts.renewals++;
      this.armDeadline();
      this.schedule(this.retryPeriodMs, () => this.renew());
      return;
    }
    // Someone else holds it: we lost it, no point waiting for the deadline.
    const holder = this.observed?.spec?.holderIdentity ?? '';
    if (holder !== '' && holder !== this.cfg.identity) return this.lose();
    this.schedule(this.retryPeriodMs, () => this.renew());
  }

  /** renewDeadline from the last successful renewal: past it, stop leading whatever the API says later. */
  private armDeadline(): void {
    if (this.deadlineTimer !== undefined) this.cfg.clock.cancelTimer(this.deadlineTimer);
    this.deadlineTimer = this.cfg.clock.setTimer(this.renewDeadlineMs, () => {
      this.deadlineTimer = undefined;
      if (this.st === 'leader') this.lose();
    });
  }

  private lose(): void {
    this.st = 'candidate';
    this.epoch++;
    this.counts.losses++;
    this.clearTimers();
    this.cfg.onStoppedLeading();
    this.schedule(this.retryPeriodMs, () => this.acquire());
  }

  private clearTimers(): void {
    if (this.attemptTimer !== undefined) this.cfg.clock.cancelTimer(this.attemptTimer);
    if (this.deadlineTimer !== undefined) this.cfg.clock.cancelTimer(this.deadlineTimer);
    this.attemptTimer = this.deadlineTimer = undefined;
  }

  // ---- one attempt -------------------------------------------------------------------

  /** client-go's tryAcquireOrRenew: true when this elector holds the Lease afterwards. */
  private async attempt(): Promise<boolean> {
    this.counts.attempts++;
    const now = this.cfg.clock.now();
    const seconds = Math.ceil(this.leaseDurationMs / 1000);
    const mine: LeaseSpec = { holderIdentity: this.cfg.identity, leaseDurationSeconds: seconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
    let cur: Lease;
    try {
      cur = await this.cfg.client.get(leases, this.cfg.name, { namespace: this.namespace });
    } catch (err) {
      if (!isNotFound(err)) {
        this.cfg.onError?.(err);
        return false;
      }
      try {
        const created = await this.cfg.client.create(leases, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.cfg.name, namespace: this.namespace }, spec: mine }, { namespace: this.namespace });
        this.observe(created, this.cfg.clock.now());
        return true;
      } catch (err2) {
        if (!isAlreadyExists(err2)) this.cfg.onError?.(err2);
        else {
          // Another candidate created it first: learn who holds it now.
          try {
            this.observe(await this.cfg.client.get(leases, this.cfg.name, { namespace: this.namespace }), this.cfg.clock.now());
          } catch (err3) {
            this.cfg.onError?.(err3);
          }
        }
        return false;
      }
    }
    this.observe(cur, now);
    const spec = cur.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const mineNow = holder === this.cfg.identity;
    if (holder !== '' && !mineNow && this.observedAt + this.leaseDurationMs > now) return false;
    const next: Lease = { ...cur, spec: { ...spec, ...mine } };
    if (mineNow) {
      next.spec!.acquireTime = spec.acquireTime ?? mine.acquireTime;
      next.spec!.leaseTransitions = spec.leaseTransitions ?? 0;
    } else {
      next.spec!.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    }
    try {
      const written = await this.cfg.client.update(leases, next, { namespace: this.namespace });
      this.observe(written, this.cfg.clock.now());
      return true;
    } catch (err) {
      // A conflict: another candidate wrote first; the next attempt reads what it wrote.
      if (!isConflict(err) && !isNotFound(err)) this.cfg.onError?.(err);
      return false;
    }
  }

  /** Remember the record; its observation time moves only when the record itself changed. */
  private observe(lease: Lease, now: number): void {
    const before = this.observed?.spec;
    const after = lease.spec ?? {};
    if (!before || JSON.stringify(before) !== JSON.stringify(after)) this.observedAt = now;
    this.observed = lease;
    const holder = after.holderIdentity ?? '';
    if (holder !== this.lastHolder) {
      this.lastHolder = holder;
      if (holder !== '') this.cfg.onNewLeader?.(holder);
    }
  }

  private async release(): Promise<void> {
    const cur = this.observed;
    if (!cur || cur.spec?.holderIdentity !== this.cfg.identity) return;
    const now = this.cfg.clock.now();
    const next: Lease = { ...cur, spec: { leaseTransitions: cur.spec?.leaseTransitions ?? 0, leaseDurationSeconds: 1, acquireTime: microTime(now), renewTime: microTime(now) } };
    try {
      this.observe(await this.cfg.client.update(leases, next, { namespace: this.namespace }), now);
    } catch (err) {
      // Someone else took it meanwhile: nothing to release.
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }
}
