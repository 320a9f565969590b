/**
 * The reference scheduler: the test oracle and the benchmark baseline.
 * Plain objects, no indexes, no caching: every plugin on every node for every
 * pod, written straight from kube-scheduler's rules. Shares only the
 * arithmetic helpers (request sums, score formulas, toleration and node
 * selector matching) with the fast scheduler.
 */
import type { Node, Taint } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { tieRank } from './cache.js';
import { DEFAULT_PROFILE, DEFAULT_RESOURCES, MAX_NODE_SCORE, defaultNormalize, type Profile } from './framework.js';
import { fitErrorMessage } from './explain.js';
import { compilePod, podKey, namespaceMatches, nodeMatchesRequired, termMatches, toleratesTaint, tolerated, type CompiledTerm, type Labels, type PodInfo } from './pod-info.js';
import { balancedScore } from './plugins/balanced-allocation.js';
import { imageScore } from './plugins/image-locality.js';
import { brokenLinear, leastRequested, mostRequested } from './plugins/node-resources-fit.js';
import { portsConflict } from './plugins/node-ports.js';
import { nodeAllocatable } from './resources.js';
import type { Status } from './framework.js';

interface RNode { name: string; node: Node; labels: Labels; alloc: Map<string, number>; pods: PodInfo[] }

export interface ReferenceResult {
  readonly node?: string;
  readonly feasible: readonly string[];
  readonly message?: string;
  readonly scores?: ReadonlyMap<string, number>;
}

const priorityOf = (p: Pod) => p.spec?.priority ?? 0;

export class ReferenceScheduler {
  readonly nodes = new Map<string, RNode>();
  private readonly weights = new Map<string, number>();
  private seq = 0;
  /** Pending pods nominated to a node (by preemption): pod key -> the pod and its node. */
  private readonly nominated = new Map<string, { p: PodInfo; node: string }>();

  constructor(readonly profile: Profile = DEFAULT_PROFILE, readonly seed = 0) {
    for (const p of profile.plugins) this.weights.set(p.name, p.weight ?? 1);
  }

  private on(name: string): boolean { return this.weights.has(name); }

  addNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const old = this.nodes.get(name);
    this.nodes.set(name, { name, node, labels: node.metadata.labels ?? {}, alloc: nodeAllocatable(node.status?.allocatable ?? node.status?.capacity), pods: old?.pods ?? [] });
  }

  addPod(pod: Pod, nodeName: string): void {
    this.nodes.get(nodeName)?.pods.push(compilePod(pod, priorityOf, this.seq++));
  }

  removePod(key: string): void {
    for (const n of this.nodes.values()) n.pods = n.pods.filter((p) => p.key !== key);
    this.nominated.delete(key);
  }

  /** A pending pod nominated to a node: pods of lower or equal priority are filtered as if it ran there. */
  nominate(pod: Pod, nodeName: string): void {
    this.nominated.set(podKey(pod), { p: compilePod(pod, priorityOf, this.seq++), node: nodeName });
  }

  clearNomination(key: string): void {
    this.nominated.delete(key);
  }

  /** Per scheduling cycle (like kube's PreFilter state): every pod with its node, and spread counts per constraint. */
  private cycle: { all?: { p: PodInfo; n: RNode }[]; spread: Map<object, Map<string, number>> } = { spread: new Map() };

  private allPods(): { p: PodInfo; n: RNode }[] {
    return (this.cycle.all ??= [...this.nodes.values()].flatMap((n) => n.pods.map((p) => ({ p, n }))));
  }

  // ---- filters -------------------------------------------------------------------------

  filter(pod: PodInfo, n: RNode): Status | undefined {
    const s = pod.shape;
    if (this.on('NodeName') && s.nodeName !== undefined && s.nodeName !== n.name) return st("node(s) didn't match the requested node name", true);
    if (this.on('NodeUnschedulable') && n.node.spec?.unschedulable && !tolerated(s.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }))
      return st('node(s) were unschedulable', true);
    if (this.on('TaintToleration')) {
      for (const t of n.node.spec?.taints ?? []) {
        if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(s.tolerations, t)) return st(`node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`, true);
      }
    }
    if (this.on('NodeAffinity') && !nodeMatchesRequired(s, n.labels, n.name)) return st("node(s) didn't match Pod's node affinity/selector", true);
    if (this.on('NodePorts')) {
      const used = new Map<string, number>();
      for (const p of n.pods) for (const hp of p.shape.ports) used.set(`${hp.protocol}/${hp.port}/${hp.ip}`, 1);
      if (portsConflict(used, s.ports)) return st("node(s) didn't have free ports for the requested pod ports", false);
    }
    if (this.on('NodeResourcesFit')) {
      const why: string[] = [];
      if (n.pods.length + 1 > (n.alloc.get('pods') ?? 110)) why.push('Too many pods');
      for (const [res, v] of s.requests) {
        let used = 0;
        for (const p of n.pods) used += p.shape.requests.get(res) ?? 0;
        if (v > (n.alloc.get(res) ?? 0) - used) why.push(`Insufficient ${res}`);
      }
      if (why.length > 0) return { code: 'Unschedulable', reasons: why };
    }
    if (this.on('PodTopologySpread')) { const r = this.spreadFilter(pod, n); if (r) return r; }
    if (this.on('InterPodAffinity')) { const r = this.affinityFilter(pod, n); if (r) return r; }
    return undefined;
  }

  private termMatch(t: CompiledTerm, p: PodInfo): boolean {
    return namespaceMatches(t.namespaces, p.namespace) && t.selector.matches(p.labels);
  }

  private affinityFilter(pod: PodInfo, n: RNode): Status | undefined {
    const s = pod.shape;
    const all = this.allPods();
    const sameDomain = (key: string, other: RNode) => Object.hasOwn(n.labels, key) && Object.hasOwn(other.labels, key) && other.labels[key] === n.labels[key];
    if (s.reqAffinity.length > 0) {
      const matchesAll = (p: PodInfo) => s.reqAffinity.every((t) => this.termMatch(t, p));
      let ok = true;
      for (const t of s.reqAffinity) {
        if (!Object.hasOwn(n.labels, t.topologyKey)) return st("node(s) didn't match pod affinity rules", true);
        if (!all.some(({ p, n: o }) => matchesAll(p) && sameDomain(t.topologyKey, o))) ok = false;
      }
      if (!ok) {
        const anyMatch = all.some(({ p, n: o }) => matchesAll(p) && s.reqAffinity.some((t) => Object.hasOwn(o.labels, t.topologyKey)));
        if (anyMatch || !matchesAll(pod)) return st("node(s) didn't match pod affinity rules", true);
      }
    }
    for (const t of s.reqAnti) {
      if (all.some(({ p, n: o }) => this.termMatch(t, p) && sameDomain(t.topologyKey, o))) return st("node(s) didn't match pod anti-affinity rules", false);
    }
    for (const { p, n: o } of all) {
      for (const t of p.shape.reqAnti) {
        if (this.termMatch(t, pod) && sameDomain(t.topologyKey, o)) return st("node(s) didn't satisfy existing pods anti-affinity rules", false);
      }
    }
    return undefined;
  }

  private spreadEligible(pod: PodInfo, n: RNode, honorAffinity: boolean, honorTaints: boolean): boolean {
    if (honorAffinity && !nodeMatchesRequired(pod.shape, n.labels, n.name)) return false;
    if (honorTaints && (n.node.spec?.taints ?? []).some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(pod.shape.tolerations, t))) return false;
    return true;
  }

  private spreadFilter(pod: PodInfo, n: RNode): Status | undefined {
    const hard = pod.shape.spread.filter((c) => c.hard);
    if (hard.length === 0) return undefined;
    for (const c of hard) if (!Object.hasOwn(n.labels, c.topologyKey)) return st("node(s) didn't match pod topology spread constraints (missing required label)", true);
    for (const c of hard) {
      let counts = this.cycle.spread.get(c);
      if (!counts) {
      counts = new Map<string, number>();
      this.cycle.spread.set(c, counts);
      for (const o of this.nodes.values()) {
        if (!hard.every((h) => Object.hasOwn(o.labels, h.topologyKey)) || !this.spreadEligible(pod, o, c.honorAffinity, c.honorTaints)) continue;
        const v = o.labels[c.topologyKey]!;
        counts.set(v, (counts.get(v) ?? 0) + o.pods.filter((p) => p.namespace === pod.namespace && c.selector.matches(p.labels)).length);
      }
      }
      const min = counts.size < c.minDomains || counts.size === 0 ? 0 : Math.min(...counts.values());
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      if ((counts.get(n.labels[c.topologyKey]!) ?? 0) + self - min > c.maxSkew) return st("node(s) didn't match pod topology spread constraints", false);
    }
    return undefined;
  }

  // ---- scores ------------------------------------------------------------------------

  private scores(pod: PodInfo, feasible: RNode[]): Map<string, number> {
    const s = pod.shape;
    const total = new Map<string, number>(feasible.map((n) => [n.name, 0]));
    const add = (plugin: string, raw: number[], normalize?: (x: Float64Array) => void) => {
      const w = this.weights.get(plugin);
      if (w === undefined || w === 0) return;
      const arr = Float64Array.from(raw);
      normalize?.(arr);
      feasible.forEach((n, i) => total.set(n.name, total.get(n.name)! + w * arr[i]!));
    };
    const used = (n: RNode, res: string, nonZero: boolean) => {
      let u = 0;
      for (const p of n.pods) u += nonZero && res === 'cpu' ? p.shape.nonZeroCpu : nonZero && res === 'memory' ? p.shape.nonZeroMemory : p.shape.requests.get(res) ?? 0;
      return u + (nonZero && res === 'cpu' ? s.nonZeroCpu : nonZero && res === 'memory' ? s.nonZeroMemory : s.requests.get(res) ?? 0);
    };
    // NodeResourcesFit
    const strat = this.profile.args?.NodeResourcesFit?.scoringStrategy;
    const resources = strat?.resources ?? DEFAULT_RESOURCES;
    add('NodeResourcesFit', feasible.map((n) => {
      let sum = 0;
      let ws = 0;
      for (const r of resources) {
        const cap = n.alloc.get(r.name) ?? 0;
        if (cap === 0) continue;
        const req = used(n, r.name, true);
        if (strat?.type === 'RequestedToCapacityRatio') {
          const rs = brokenLinear(strat.shape.map((p) => ({ utilization: p.utilization, score: p.score * 10 })), req >= cap ? 100 : Math.trunc((req * 100) / cap));
          if (rs > 0) { sum += rs * r.weight; ws += r.weight; }
        } else {
          sum += (strat?.type === 'MostAllocated' ? mostRequested(req, cap) : leastRequested(req, cap)) * r.weight;
          ws += r.weight;
        }
      }
      return ws === 0 ? 0 : strat?.type === 'RequestedToCapacityRatio' ? Math.round(sum / ws) : Math.trunc(sum / ws);
    }));
    // NodeResourcesBalancedAllocation (skipped for best-effort pods)
    const bres = this.profile.args?.NodeResourcesBalancedAllocation?.resources ?? DEFAULT_RESOURCES;
    if (bres.some((r) => (s.requests.get(r.name) ?? 0) > 0)) {
      add('NodeResourcesBalancedAllocation', feasible.map((n) => balancedScore(bres.filter((r) => (n.alloc.get(r.name) ?? 0) > 0).map((r) => Math.min(used(n, r.name, false) / n.alloc.get(r.name)!, 1)))));
    }
    // ImageLocality
    const live = this.nodes.size;
    const spreadOf = new Map<string, number>();
    const spread = (im: string) => {
      let c = spreadOf.get(im);
      if (c === undefined) { c = [...this.nodes.values()].filter((n) => (n.node.status?.images ?? []).some((i) => i.names?.includes(im))).length; spreadOf.set(im, c); }
      return c;
    };
    add('ImageLocality', feasible.map((n) => {
      let sum = 0;
      for (const im of s.images) {
        const found = (n.node.status?.images ?? []).find((i) => i.names?.includes(im));
        if (found) sum += Math.trunc((found.sizeBytes ?? 0) * (spread(im) / live));
      }
      return imageScore(sum, s.containerCount);
    }));
    // TaintToleration (PreferNoSchedule)
    const preferTaints = (n: RNode) => (n.node.spec?.taints ?? []).filter((t: Taint) => t.effect === 'PreferNoSchedule' &&
      !s.tolerations.some((tol) => (tol.effect === undefined || tol.effect === 'PreferNoSchedule') && toleratesTaint(tol, t))).length;
    add('TaintToleration', feasible.map(preferTaints), (x) => defaultNormalize(x, x.length, true));
    // NodeAffinity preferred
    if (s.preferredNodeTerms.length > 0) {
      add('NodeAffinity', feasible.map((n) => s.preferredNodeTerms.reduce((a, p) => a + (p.weight !== 0 && termMatches(p.term, n.labels, n.name) ? p.weight : 0), 0)), (x) => defaultNormalize(x, x.length, false));
    }
    // PodTopologySpread (ScheduleAnyway)
    const soft = s.spread.filter((c) => !c.hard);
    if (soft.length > 0) {
      const hasAll = (n: RNode) => soft.every((c) => Object.hasOwn(n.labels, c.topologyKey));
      const kept = feasible.filter(hasAll);
      const raw = feasible.map((n) => {
        if (!hasAll(n)) return 0;
        let score = 0;
        for (const c of soft) {
          const host = c.topologyKey === 'kubernetes.io/hostname';
          const domains = new Set(kept.map((k) => k.labels[c.topologyKey]));
          const w = Math.log((host ? kept.length : domains.size) + 2);
          const count = (o: RNode) => o.pods.filter((p) => p.namespace === pod.namespace && c.selector.matches(p.labels)).length;
          let cnt = 0;
          if (host) cnt = count(n);
          else for (const o of this.nodes.values()) {
            if (hasAll(o) && this.spreadEligible(pod, o, c.honorAffinity, c.honorTaints) && o.labels[c.topologyKey] === n.labels[c.topologyKey]) cnt += count(o);
          }
          score += cnt * w + (c.maxSkew - 1);
        }
        return Math.round(score);
      });
      add('PodTopologySpread', raw, (x) => {
        const idx = feasible.map((n, i) => (hasAll(n) ? i : -1)).filter((i) => i >= 0);
        const vals = idx.map((i) => x[i]!);
        const min = Math.min(...vals);
        const max = Math.max(0, ...vals);
        for (let i = 0; i < x.length; i++) {
          if (!hasAll(feasible[i]!)) x[i] = 0;
          else x[i] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - x[i]!)) / max);
        }
      });
    }
    // InterPodAffinity (preferred, and existing pods' terms)
    const all = this.allPods();
    if (s.prefAffinity.length + s.prefAnti.length > 0 || all.some(({ p }) => p.shape.reqAffinity.length + p.shape.reqAnti.length + p.shape.prefAffinity.length + p.shape.prefAnti.length > 0)) {
      const hard = this.profile.args?.InterPodAffinity?.hardPodAffinityWeight ?? 1;
      const raw = feasible.map((n) => {
        let score = 0;
        for (const { p, n: o } of all) {
          const same = (key: string) => Object.hasOwn(n.labels, key) && Object.hasOwn(o.labels, key) && n.labels[key] === o.labels[key];
          for (const t of s.prefAffinity) if (this.termMatch(t, p) && same(t.topologyKey)) score += t.weight;
          for (const t of s.prefAnti) if (this.termMatch(t, p) && same(t.topologyKey)) score -= t.weight;
          for (const t of p.shape.reqAffinity) if (this.termMatch(t, pod) && same(t.topologyKey)) score += hard;
          for (const t of p.shape.prefAffinity) if (this.termMatch(t, pod) && same(t.topologyKey)) score += t.weight;
          for (const t of p.shape.prefAnti) if (this.termMatch(t, pod) && same(t.topologyKey)) score -= t.weight;
        }
        return score;
      });
      add('InterPodAffinity', raw, (x) => {
        const min = Math.min(...x);
        const max = Math.max(...x);
        for (let i = 0; i < x.length; i++) x[i] = max - min > 0 ? Math.trunc(MAX_NODE_SCORE * ((x[i]! - min) / (max - min))) : 0;
      });
    }
    return total;
  }

  /** Filter and score every node; pick the best (seeded tie-break, then name). Does not assume. */
  schedule(pod: Pod): ReferenceResult {
    const info = compilePod(pod, priorityOf, this.seq);
    // kube's addNominatedPods: nominated pods of priority >= this pod's, other than itself, count on their node.
    const added: { p: PodInfo; n: RNode }[] = [];
    for (const [key, nom] of this.nominated) {
      const n = this.nodes.get(nom.node);
      if (key === info.key || nom.p.priority < info.priority || !n) continue;
      n.pods.push(nom.p);
      added.push({ p: nom.p, n });
    }
    try {
      return this.scheduleOnce(info);
    } finally {
      for (const { p, n } of added) n.pods = n.pods.filter((x) => x !== p);
    }
  }

  private scheduleOnce(info: PodInfo): ReferenceResult {
    this.cycle = { spread: new Map() };
    const feasible: RNode[] = [];
    const statuses: Status[] = [];
    for (const n of this.nodes.values()) {
      const r = this.filter(info, n);
      if (r) statuses.push(r); else feasible.push(n);
    }
    const names = feasible.map((n) => n.name).sort();
    if (feasible.length === 0) return { feasible: names, message: fitErrorMessage(this.nodes.size, statuses) };
    const scores = this.scores(info, feasible);
    let best: RNode | undefined;
    for (const n of feasible) {
      if (!best) { best = n; continue; }
      const a = scores.get(n.name)!;
      const b = scores.get(best.name)!;
      const ra = tieRank(this.seed, n.name);
      const rb = tieRank(this.seed, best.name);
      if (a > b || (a === b && (ra < rb || (ra === rb && n.name < best.name)))) best = n;
    }
    return { node: best!.name, feasible: names, scores };
  }

  /** Schedule and, when placed, count the pod on its node. */
  scheduleAndAssume(pod: Pod): ReferenceResult {
    const r = this.schedule(pod);
    if (r.node) { this.addPod(pod, r.node); this.nominated.delete(podKey(pod)); }
    return r;
  }
}

function st(reason: string, unresolvable: boolean): Status {
  return { code: unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons: [reason] };
}
