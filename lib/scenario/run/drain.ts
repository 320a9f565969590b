/**
 * A timeline `drain`, played as `kubectl drain` does it: cordon the nodes,
 * evict their pods (all but DaemonSet pods) through pods/eviction, retry
 * those a PodDisruptionBudget holds back every 5 s, and finish when no
 * such pod is left on the nodes (evicted pods must be gone, not just
 * terminating). With a `timeout` it fails once that much virtual time has
 * passed, naming what is left.
 */
import { formatDuration } from '../duration.js';
import type { Action } from '../types.js';
import { evictionRound, list, podsToDrain, startDrain } from './actions.js';
import type { RunContext } from './context.js';

/** kubectl drain's wait before it asks again for an eviction a budget refused. */
export const DRAIN_RETRY_MS = 5_000;

export interface DrainState {
  readonly done: boolean;
  readonly failed: boolean;
  readonly detail: string;
}

export class Drain {
  private evicted = 0;
  private held: readonly string[] = [];
  private nextRound: number;

  private constructor(
    private readonly ctx: RunContext,
    private readonly names: readonly string[],
    private readonly startedAt: number,
    private readonly timeout: number | undefined,
  ) {
    this.nextRound = startedAt;
  }

  static async start(ctx: RunContext, action: Extract<Action, { type: 'drain' }>, stepIndex: number, now: number): Promise<Drain> {
    return new Drain(ctx, await startDrain(ctx, action, stepIndex), now, action.timeout);
  }

  /** The next time this drain has something to do: another round of evictions, or its deadline. */
  nextDue(): number {
    return this.timeout === undefined ? this.nextRound : Math.min(this.nextRound, this.startedAt + this.timeout + 1);
  }

  async poll(now: number): Promise<DrainState> {
    if (now >= this.nextRound) {
      const r = await evictionRound(this.ctx, new Set(this.names));
      this.evicted += r.evicted;
      this.held = r.held;
      this.nextRound = now + DRAIN_RETRY_MS;
    }
    const left = podsToDrain(this.ctx, new Set(this.names));
    const nodes = list(this.names);
    if (left.length === 0) return { done: true, failed: false, detail: `${nodes} drained: ${this.evicted} pods evicted` };
    const heldText = this.held.length > 0 ? `, ${this.held.length} held by their disruption budget (${this.held.slice(0, 3).join(', ')}${this.held.length > 3 ? ', ...' : ''})` : '';
    const state = `${this.evicted} pods evicted, ${left.length} still on ${nodes}${heldText}`;
    if (this.timeout !== undefined && now - this.startedAt > this.timeout) return { done: true, failed: true, detail: `timed out after ${formatDuration(this.timeout)}: ${state}` };
    return { done: false, failed: false, detail: `draining: ${state}` };
  }
}
