/**
 * The node lifecycle controller's per-zone disruption handling, as
 * Kubernetes' nodelifecycle (ComputeZoneState, handleDisruption,
 * setLimiterInZone) and its RateLimitedTimedQueue:
 *
 * - a zone is FullDisruption when none of its nodes is Ready, and
 *   PartialDisruption when more than 2 of them and at least
 *   `unhealthyZoneThreshold` (0.55) of them are not Ready; else Normal;
 * - each zone has a queue of nodes waiting for their NoExecute taint,
 *   drained through a token bucket (burst 1) whose rate follows the zone's
 *   state: Normal and FullDisruption `evictionRate` (0.1/s); Partial
 *   `secondaryEvictionRate` (0.01/s) in zones of more than
 *   `largeClusterThreshold` (50) nodes, 0 (stopped) in smaller ones;
 * - when every zone is FullDisruption the control plane assumes it is the
 *   one cut off: all rates go to 0 and the controller lifts the taints.
 *
 * Pure state over an injected time; nothing here touches the API.
 */

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface DisruptionSettings {
  /** Nodes per second whose NoExecute taint goes on in a healthy zone; default 0.1 (--node-eviction-rate). */
  readonly evictionRate: number;
  /** The rate in a partially disrupted large zone; default 0.01 (--secondary-node-eviction-rate). */
  readonly secondaryEvictionRate: number;
  /** Zones with at most this many nodes stop evicting when partially disrupted; default 50. */
  readonly largeClusterThreshold: number;
  /** Default 0.55 (--unhealthy-zone-threshold). */
  readonly unhealthyZoneThreshold: number;
}

export const DEFAULT_DISRUPTION: DisruptionSettings = { evictionRate: 0.1, secondaryEvictionRate: 0.01, largeClusterThreshold: 50, unhealthyZoneThreshold: 0.55 };

/** `ready[i]` is whether node i of the zone reports Ready=True. */
export function computeZoneState(ready: readonly boolean[], unhealthyThreshold: number): ZoneState {
  let ok = 0;
  let bad = 0;
  for (const r of ready) if (r) ok++; else bad++;
  if (ok === 0 && bad > 0) return 'FullDisruption';
  if (bad > 2 && bad / (ok + bad) >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

/** A token bucket of burst 1 (client-go's NewTokenBucketRateLimiter(qps, 1)); qps 0 never accepts. */
export class TokenBucket {
  private tokens = 1;
  private last: number;

  constructor(
    readonly qps: number,
    now: number,
  ) {
    this.last = now;
  }

  private refill(now: number): void {
    if (this.qps <= 0) return;
    this.tokens = Math.min(1, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  tryAccept(now: number): boolean {
    if (this.qps <= 0) return false;
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available; Infinity when the rate is 0. */
  waitMs(now: number): number {
    if (this.qps <= 0) return Infinity;
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.qps) * 1000);
  }
}

/**
 * One zone's nodes waiting for their taint, first added first, drained at
 * the zone's rate (Kubernetes' RateLimitedTimedQueue with its SwapLimiter).
 */
export class ZoneTainter {
  private readonly queue = new Map<string, number>();
  private limiter: TokenBucket;

  constructor(qps: number, now: number) {
    this.limiter = new TokenBucket(qps, now);
  }

  get qps(): number {
    return this.limiter.qps;
  }

  get size(): number {
    return this.queue.size;
  }

  has(node: string): boolean {
    return this.queue.has(node);
  }

  /** False when the node was already waiting. */
  add(node: string, now: number): boolean {
    if (this.queue.has(node)) return false;
    this.queue.set(node, now);
    return true;
  }

  remove(node: string): void {
    this.queue.delete(node);
  }

  /** A new rate; a bucket that is empty now stays empty (as SwapLimiter drains the new one). */
  swapRate(qps: number, now: number): void {
    if (qps === this.limiter.qps) return;
    const hadToken = this.limiter.tryAccept(now);
    this.limiter = new TokenBucket(qps, now);
    if (!hadToken) this.limiter.tryAccept(now);
  }

  /**
   * The nodes whose turn has come: each taken costs a token (Try takes the
   * token before it looks at the node). They leave the queue; put one back
   * with `add` if tainting it failed.
   */
  take(now: number): string[] {
    const out: string[] = [];
    for (const node of this.queue.keys()) {
      if (!this.limiter.tryAccept(now)) break;
      out.push(node);
    }
    for (const n of out) this.queue.delete(n);
    return out;
  }

  /** When the next node can be taken, in ms from now; Infinity when none waits or the rate is 0. */
  nextMs(now: number): number {
    return this.queue.size === 0 ? Infinity : this.limiter.waitMs(now);
  }
}

/** The rate for a zone of `size` nodes in `state` (setLimiterInZone). */
export function zoneRate(state: ZoneState, size: number, s: DisruptionSettings): number {
  switch (state) {
    case 'PartialDisruption':
      return size > s.largeClusterThreshold ? s.secondaryEvictionRate : 0;
    case 'Normal':
    case 'FullDisruption':
    case 'Initial':
      return s.evictionRate;
    default: {
      const never: never = state;
      throw new Error(`unknown zone state ${String(never)}`);
    }
  }
}

export interface DisruptionOutcome {
  /** Every zone is fully disrupted now (and was not before): lift every controller taint. */
  readonly enteredMasterDisruption: boolean;
  /** Some node is Ready again after a full disruption of all zones: restart every node's grace period. */
  readonly leftMasterDisruption: boolean;
}

/**
 * handleDisruption: new zone states from `readyByZone`, with each zone's
 * tainter rate set for its state. `states` and `tainters` are updated in
 * place (zones no longer seen are dropped from `states`).
 */
export function handleDisruption(
  readyByZone: ReadonlyMap<string, readonly boolean[]>,
  states: Map<string, ZoneState>,
  tainters: Map<string, ZoneTainter>,
  s: DisruptionSettings,
  now: number,
): DisruptionOutcome {
  const fresh = new Map<string, ZoneState>();
  let allFull = true;
  for (const [zone, ready] of readyByZone) {
    const st = computeZoneState(ready, s.unhealthyZoneThreshold);
    if (st !== 'FullDisruption') allFull = false;
    fresh.set(zone, st);
    if (!states.has(zone)) states.set(zone, 'Initial');
    if (!tainters.has(zone)) tainters.set(zone, new ZoneTainter(s.evictionRate, now));
  }
  let allWereFull = true;
  for (const [zone, st] of states) {
    if (!readyByZone.has(zone)) {
      states.delete(zone);
      continue;
    }
    if (st !== 'FullDisruption') allWereFull = false;
  }
  const none = { enteredMasterDisruption: false, leftMasterDisruption: false };
  if (allFull && allWereFull) return none;
  const size = (zone: string): number => readyByZone.get(zone)?.length ?? 0;
  if (allFull) {
    for (const zone of states.keys()) {
      tainters.get(zone)!.swapRate(0, now);
      states.set(zone, 'FullDisruption');
    }
    return { enteredMasterDisruption: true, leftMasterDisruption: false };
  }
  if (allWereFull) {
    for (const zone of states.keys()) {
      const st = fresh.get(zone)!;
      tainters.get(zone)!.swapRate(zoneRate(st, size(zone), s), now);
      states.set(zone, st);
    }
    return { enteredMasterDisruption: false, leftMasterDisruption: true };
  }
  for (const [zone, old] of states) {
    const st = fresh.get(zone)!;
    if (st === old) continue;
    tainters.get(zone)!.swapRate(zoneRate(st, size(zone), s), now);
    states.set(zone, st);
  }
  return none;
}
