/**
 * Expectations, each decided once: those with `by` at that virtual time
 * (the cluster as it is then: "all pods Running by 4m" holds at 4m), the
 * others at the end of the run. allPodsRunning also remembers since when
 * it has held, for the report.
 */
import { deployments, replicaSets } from '../../api/resources/index.js';
import { selectorFromLabelSelector } from '../../api/selectors/index.js';
import { ms } from '../../report/format.js';
import type { ExpectationReport } from '../../report/types.js';
import type { Expectation } from '../types.js';
import { compiled, desiredPods, evaluate, podsRunning } from './conditions.js';
import type { RunContext } from './context.js';
import { podsOnTaintedNodes, spreadViolations } from './placement-checks.js';
import { latencyStats } from './stats.js';
import { checkTraffic } from './traffic.js';
import { formatDuration } from '../duration.js';

interface Pending {
  readonly exp: Expectation;
  readonly name: string;
  result?: ExpectationReport;
  /** allPodsRunning: since when it has held (-1: not now). */
  since: number;
  seenVersion: number;
}

export class ExpectationChecker {
  private readonly items: Pending[];

  constructor(private readonly ctx: RunContext) {
    this.items = ctx.scenario.expect.map((exp) => ({ exp, name: exp.name ?? describe(exp), since: -1, seenVersion: -1 }));
  }

  /** The latest `by`: the run lasts at least until then. */
  get lastBy(): number {
    let t = 0;
    for (const i of this.items) if ('by' in i.exp && i.exp.by !== undefined) t = Math.max(t, i.exp.by);
    return t;
  }

  /** The next `by` after `now` still to decide. */
  nextDue(now: number): number | undefined {
    let t: number | undefined;
    for (const i of this.items) {
      const by = 'by' in i.exp ? i.exp.by : undefined;
      if (!i.result && by !== undefined && by > now && (t === undefined || by < t)) t = by;
    }
    return t;
  }

  /** Called after every step of time: tracks allPodsRunning and decides what is due. */
  async tick(now: number): Promise<void> {
    for (const i of this.items) {
      if (i.result) continue;
      const e = i.exp;
      if (e.type === 'allPodsRunning' && i.seenVersion !== this.ctx.observer.version) {
        i.seenVersion = this.ctx.observer.version;
        const v = await podsRunning(this.ctx, e.selector, e.namespace, e.count);
        if (v.holds && i.since < 0) i.since = now;
        if (!v.holds) i.since = -1;
      }
      if ('by' in e && e.by !== undefined && now >= e.by) i.result = await this.decide(i, now);
    }
  }

  /** Decide everything still open (the end of the run). */
  async finish(now: number): Promise<ExpectationReport[]> {
    for (const i of this.items) if (!i.result) i.result = await this.decide(i, now);
    return this.items.map((i) => i.result!);
  }

  private async decide(i: Pending, now: number): Promise<ExpectationReport> {
    const e = i.exp;
    const done = (passed: boolean, detail: string): ExpectationReport => ({ name: i.name, type: e.type, passed, detail, at: now });
    // Decided before its time only when the run ended first (its duration, or the cluster failed).
    const early = 'by' in e && e.by !== undefined && now < e.by ? ` (the run ended at ${formatDuration(now)}, before ${formatDuration(e.by)})` : '';
    switch (e.type) {
      case 'allPodsRunning': {
        const v = await podsRunning(this.ctx, e.selector, e.namespace, e.count);
        const since = v.holds && i.since >= 0 ? `, since ${formatDuration(i.since)}` : '';
        return done(v.holds && !early, `at ${formatDuration(now)}: ${v.detail}${since}${early}`);
      }
      case 'fieldPath': {
        const v = await evaluate(this.ctx, { type: 'fieldPath', target: e.target, path: e.path, op: e.op, value: e.value });
        return done(v.holds, `at ${formatDuration(now)}: ${v.detail}`);
      }
      case 'noPodOnTaintedNode': {
        const bad = podsOnTaintedNodes(this.ctx.observer, e.effects);
        return done(bad.length === 0, bad.length === 0 ? `no pod on a node with a ${e.effects.join('/')} taint it does not tolerate` : `${bad.length} pods on tainted nodes: ${bad.slice(0, 5).join('; ')}`);
      }
      case 'maxSkewRespected': {
        const sel = e.selector === undefined ? null : compiled(e.selector);
        const r = spreadViolations(this.ctx.observer, (p) => !sel || sel.matches(p.labels));
        if (r.violations.length === 0) return done(true, `${r.checked} DoNotSchedule spread constraints within their maxSkew`);
        const v = r.violations[0]!;
        return done(false, `${r.violations.length} constraints over maxSkew; ${v.constraint}: skew ${v.skew} > ${v.maxSkew}, pods per domain ${JSON.stringify(v.counts)}`);
      }
      case 'schedulingLatencyP99Below': {
        const sel = e.selector === undefined ? null : compiled(e.selector);
        const values: number[] = [];
        for (const p of this.ctx.observer.pods.values()) {
          if (sel && !sel.matches(p.labels)) continue;
          if (p.scheduledAt >= 0) values.push(p.scheduledAt - p.createdAt);
          else if (!p.deleted) values.push(now - p.createdAt); // still waiting: at least this long
        }
        const s = latencyStats(values);
        return done(s.p99 < e.bound, `p99 ${ms(s.p99)} over ${s.count} pods (p50 ${ms(s.p50)}, max ${ms(s.max)}); bound ${ms(e.bound)}`);
      }
      case 'noPodLostOrDuplicated':
        return this.lostOrDuplicated(e.selector, done);
      case 'serviceTraffic': {
        const v = await checkTraffic(this.ctx, e);
        return done(v.holds && !early, `at ${formatDuration(now)}: ${v.detail}${early}`);
      }
    }
  }

  /**
   * Each Deployment (or ReplicaSet without owner) whose pods the selector
   * picks has exactly its replicas active and none of them on a node the
   * timeline took down: fewer is a lost pod, more a duplicate.
   */
  private async lostOrDuplicated(selector: string | undefined, done: (passed: boolean, detail: string) => ExpectationReport): Promise<ExpectationReport> {
    const sel = selector === undefined ? null : compiled(selector);
    const owners = [
      ...(await this.ctx.api.list(deployments)).items,
      ...(await this.ctx.api.list(replicaSets)).items.filter((rs) => !rs.metadata.ownerReferences?.length),
    ];
    const problems: string[] = [];
    let checked = 0;
    let pods = 0;
    for (const o of owners) {
      const template = o.spec?.template?.metadata?.labels;
      if (sel && !sel.matches(template)) continue;
      const s = selectorFromLabelSelector(o.spec?.selector);
      if (!s.ok) continue;
      checked++;
      const want = o.spec?.replicas ?? 1;
      let active = 0;
      let onDown = 0;
      for (const p of this.ctx.observer.live()) {
        if (p.namespace !== o.metadata.namespace || !s.selector.matches(p.labels)) continue;
        if (p.phase === 'Terminating' || p.phase === 'Succeeded' || p.phase === 'Failed') continue;
        if (p.node && this.ctx.observer.downNodes.has(p.node)) onDown++;
        else active++;
      }
      pods += active;
      const name = `${o.kind ?? 'Deployment'} ${o.metadata.name}`;
      if (active < want) problems.push(`${name}: ${want - active} lost (${active} of ${want} active${onDown ? `; ${onDown} more reported on nodes that are down` : ''})`);
      else if (active > want) problems.push(`${name}: ${active - want} duplicated (${active} active for ${want} replicas)`);
    }
    if (checked === 0) {
      const n = sel ? await desiredPods(this.ctx, selector!, undefined) : 0;
      return done(false, `no Deployment or ReplicaSet matches${selector ? ` ${selector}` : ''} (${n} pods asked for)`);
    }
    return done(problems.length === 0, problems.length === 0 ? `${checked} workloads, ${pods} pods: every replica accounted for once` : problems.join('; '));
  }
}

function describe(e: Expectation): string {
  switch (e.type) {
    case 'allPodsRunning':
      return `allPodsRunning ${e.selector}${e.count === undefined ? '' : ` (${e.count})`} by ${formatDuration(e.by)}`;
    case 'fieldPath':
      return `${e.target.kind} ${e.target.name} ${e.path} ${e.op} ${JSON.stringify(e.value)}${e.by === undefined ? '' : ` by ${formatDuration(e.by)}`}`;
    case 'noPodOnTaintedNode':
      return 'noPodOnTaintedNode';
    case 'maxSkewRespected':
      return `maxSkewRespected${e.selector ? ` ${e.selector}` : ''}`;
    case 'schedulingLatencyP99Below':
      return `schedulingLatencyP99Below ${formatDuration(e.bound)}${e.selector ? ` (${e.selector})` : ''}`;
    case 'noPodLostOrDuplicated':
      return `noPodLostOrDuplicated${e.selector ? ` ${e.selector}` : ''}`;
    case 'serviceTraffic':
      return `serviceTraffic ${e.requests} x GET ${e.path} to Service ${e.target.name}:${e.port} reaches every ready backend${e.by === undefined ? '' : ` by ${formatDuration(e.by)}`}`;
  }
}
