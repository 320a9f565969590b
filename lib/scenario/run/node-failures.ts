/**
 * Node pools' `nodeFailures`: each node runs for a time drawn from
 * `uptime`, fails (as the failNodes action: `kubelet.fail`), stays down for
 * a time drawn from `downtime`, recovers, and draws again; without
 * `downtime` it stays down. Every node draws from its own PRNG seeded by
 * the run's seed and its name, so a seed repeats every failure at the same
 * virtual millisecond, whatever else happens in the run. These events do
 * not make the run longer: they happen while it lasts. A node that is
 * already down when its failure comes (a timeline step took it down) skips
 * that failure and draws its next uptime.
 */
import type { StepReport } from '../../report/types.js';
import { formatDuration } from '../duration.js';
import type { Distribution, NodeFailures } from '../types.js';
import type { RunContext } from './context.js';
import { mulberry32 } from './nodes.js';

interface NodeClock {
  readonly name: string;
  readonly spec: NodeFailures;
  readonly next: () => number;
  /** Down because of us (we owe it a recovery). */
  down: boolean;
  /** The virtual time of its next event; Infinity: none. */
  at: number;
}

export class NodeFailurePlayer {
  private readonly nodes: NodeClock[] = [];
  private readonly events: StepReport[] = [];

  constructor(
    private readonly ctx: RunContext,
    private readonly onEvent: (s: StepReport) => void = () => undefined,
  ) {
    for (const pool of ctx.scenario.cluster.nodePools) {
      if (!pool.nodeFailures) continue;
      for (const n of ctx.nodes.filter((x) => x.pool === pool.name)) {
        const next = mulberry32(hashSeed(ctx.seed, n.name));
        this.nodes.push({ name: n.name, spec: pool.nodeFailures, next, down: false, at: drawMs(pool.nodeFailures.uptime, next) });
      }
    }
  }

  get active(): boolean {
    return this.nodes.length > 0;
  }

  nextDue(now: number): number | undefined {
    let t = Infinity;
    for (const n of this.nodes) if (n.at > now) t = Math.min(t, n.at);
    return t === Infinity ? undefined : t;
  }

  /** Everything due by `now`, in (time, node name) order. */
  async tick(now: number): Promise<void> {
    for (;;) {
      const due = this.nodes.filter((n) => n.at <= now).sort((a, b) => a.at - b.at || (a.name < b.name ? -1 : 1))[0];
      if (!due) return;
      await (due.down ? this.recover(due, now) : this.fail(due, now));
    }
  }

  report(firstIndex: number): StepReport[] {
    return this.events.map((e, i) => ({ ...e, index: firstIndex + i }));
  }

  private async fail(n: NodeClock, now: number): Promise<void> {
    if (this.ctx.observer.downNodes.has(n.name)) {
      n.at = now + drawMs(n.spec.uptime, n.next);
      return;
    }
    const downFor = n.spec.downtime ? drawMs(n.spec.downtime, n.next) : undefined;
    const ok = await this.send(n.name, 'kubelet.fail', now, `failNodes ${n.name} (nodeFailures${downFor === undefined ? '' : `, down for ${formatDuration(downFor)}`})`);
    if (ok) this.ctx.observer.downNodes.add(n.name);
    n.down = ok;
    n.at = !ok ? now + drawMs(n.spec.uptime, n.next) : downFor === undefined ? Infinity : now + downFor;
  }

  private async recover(n: NodeClock, now: number): Promise<void> {
    const ok = await this.send(n.name, 'kubelet.recover', now, `recoverNodes ${n.name} (nodeFailures)`);
    if (ok) this.ctx.observer.downNodes.delete(n.name);
    n.down = false;
    n.at = now + drawMs(n.spec.uptime, n.next);
  }

  private async send(node: string, type: 'kubelet.fail' | 'kubelet.recover', now: number, description: string): Promise<boolean> {
    let status: 'done' | 'failed' = 'done';
    let detail = `${node} ${type === 'kubelet.fail' ? 'failed' : 'recovered'}`;
    try {
      await this.ctx.sup.request(`node/${node}`, { type }, { timeoutMs: 30_000 });
    } catch (err) {
      status = 'failed';
      detail = `${type} failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    const e: StepReport = { index: -1, action: type === 'kubelet.fail' ? 'failNodes' : 'recoverNodes', description: `at ${formatDuration(now)}: ${description}`, status, startedAt: now, doneAt: now, detail };
    this.events.push(e);
    this.onEvent(e);
    return status === 'done';
  }
}

/** A draw in whole virtual ms, at least 1 (a node neither fails nor comes back in the instant it changed). */
export function drawMs(d: Distribution, next: () => number): number {
  let v: number;
  switch (d.type) {
    case 'fixed':
      v = d.value;
      break;
    case 'uniform':
      v = d.min + (d.max - d.min) * next();
      break;
    case 'exponential':
      v = -d.mean * Math.log(1 - next());
      break;
    case 'normal':
      v = d.mean + d.stddev * gaussian(next);
      break;
    case 'lognormal':
      v = d.median * Math.exp(d.sigma * gaussian(next));
      break;
  }
  return Math.max(1, Math.round(v));
}

/** Box-Muller: a standard normal draw from two uniforms. */
function gaussian(next: () => number): number {
  const u = next();
  const v = next();
  return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
}

/** FNV-1a of the seed and the node name. */
function hashSeed(seed: number, name: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}
