/**
 * PodTopologySpread. Filter (DoNotSchedule): the node must carry every hard
 * constraint's key; matching pods in its domain + 1 if the pod matches its
 * own selector - the global minimum must not exceed maxSkew. Domains are
 * those of nodes passing the pod's node affinity (nodeAffinityPolicy Honor,
 * the default) and taints when nodeTaintsPolicy is Honor; fewer domains than
 * minDomains make the global minimum 0. Pods are counted in the pod's
 * namespace. Score (ScheduleAnyway): per constraint, matching pods in the
 * node's domain x log(domains + 2) + maxSkew - 1, summed and rounded, then
 * normalized so the emptiest domain scores 100; nodes missing a key score 0.
 */
import type { NodeCache, Topology } from '../cache.js';
import { MAX_NODE_SCORE, unresolvable, unschedulable, type CycleContext, type FilterPlugin, type PreFilterPlugin, type ScorePlugin } from '../framework.js';
import { nodeMatchesRequired, tolerated, type CompiledSpread, type PodShape } from '../pod-info.js';

export const ERR_SPREAD_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
export const ERR_SPREAD = "node(s) didn't match pod topology spread constraints";

export function spreadIncludes(cache: NodeCache, shape: PodShape, c: CompiledSpread, n: number, mask?: Uint8Array): boolean {
  if (c.honorAffinity && !(mask ? mask[n] === 1 : nodeMatchesRequired(shape, cache.labels[n]!, cache.names[n]!))) return false;
  if (c.honorTaints) {
    for (const t of cache.taints[n]!) if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(shape.tolerations, t)) return false;
  }
  return true;
}

interface HardState { c: CompiledSpread; topo: Topology; counts: Float64Array; present: Uint8Array; min: number; self: number }
interface SoftState { c: CompiledSpread; topo: Topology; perNode: Int32Array; counts: Float64Array; weight: number; hostname: boolean }

function hasAllKeys(topos: readonly Topology[], n: number): boolean {
  for (const t of topos) if (t.domainOf[n]! < 0) return false;
  return true;
}

/**
 * Per hard constraint, the nodes whose domains count (every hard key present,
 * inclusion policies met) as a mask, the domains they cover, and the text that
 * names the mask's content (so shapes with the same policies share it and its
 * incrementally kept domain counts). Rebuilt when a node changes.
 */
interface Eligible { readonly mask: Uint8Array; readonly present: Uint8Array; readonly key: string }

const maskKeys = new WeakMap<PodShape, string[]>();
const eligibleCache = new WeakMap<NodeCache, Map<string, { epoch: number; e: Eligible }>>();

function eligibleFor(ctx: CycleContext, hard: readonly CompiledSpread[], topos: readonly Topology[]): Eligible[] {
  const { cache, shape } = ctx;
  let keys = maskKeys.get(shape);
  if (!keys) {
    const allKeys = hard.map((c) => c.topologyKey);
    keys = hard.map((c) => JSON.stringify([allKeys, c.topologyKey, c.honorAffinity ? [shape.nodeSelector ?? null, shape.requiredNodeTerms ?? null] : 0, c.honorTaints ? shape.tolerations : 0]));
    maskKeys.set(shape, keys);
  }
  let byKey = eligibleCache.get(cache);
  if (!byKey) { byKey = new Map(); eligibleCache.set(cache, byKey); }
  return hard.map((c, i) => {
    const key = keys[i]!;
    const hit = byKey.get(key);
    if (hit && hit.epoch === cache.nodeEpoch) return hit.e;
    const topo = topos[i]!;
    const mask = new Uint8Array(cache.cap);
    const present = new Uint8Array(topo.names.length);
    for (let n = 0; n < cache.size; n++) {
      if (cache.live[n] && hasAllKeys(topos, n) && spreadIncludes(cache, shape, c, n, ctx.nodeAffinityPass)) { mask[n] = 1; present[topo.domainOf[n]!] = 1; }
    }
    const e = { mask, present, key };
    if (byKey.size > 1_000) byKey.clear();
    byKey.set(key, { epoch: cache.nodeEpoch, e });
    return e;
  });
}

export const podTopologySpread = () => ({
  name: 'PodTopologySpread',
  events: ['PodAdd', 'PodDelete', 'NodeAdd', 'NodeUpdate'],
  filterScope: 'cluster',
  nodeKey: () => '', // cluster scope only: nothing of it is cached per node
  scoreScope: 'cluster',
  filterRelevant: (ctx) => ctx.shape.spread.some((c) => c.hard),
  preFilter(ctx: CycleContext) {
    const { cache, shape, pod } = ctx;
    const hard = shape.spread.filter((c) => c.hard);
    if (hard.length === 0) return 'skip';
    const topos = hard.map((c) => cache.topology(c.topologyKey));
    const eligible = eligibleFor(ctx, hard, topos);
    // Matching pods per domain over the eligible nodes: kept incrementally by the cache, read live.
    const out: HardState[] = hard.map((c, i) => {
      const topo = topos[i]!;
      const e = eligible[i]!;
      const counts = cache.domainCounts(cache.counterFor(c, cache.namespaceSet(pod.namespace), c.selector), topo, e.mask, e.key).sums;
      return { c, topo, counts, present: e.present, min: 0, self: c.selector.matches(pod.labels) ? 1 : 0 };
    });
    for (const s of out) {
      let min = Infinity;
      let domains = 0;
      for (let d = 0; d < s.present.length; d++) if (s.present[d]) { domains++; if (s.counts[d]! < min) min = s.counts[d]!; }
      s.min = domains < s.c.minDomains || domains === 0 ? 0 : min;
    }
    ctx.state.set('PodTopologySpread', out);
    return undefined;
  },
  partitionTopology(ctx: CycleContext) {
    const c = ctx.shape.spread.find((x) => x.hard);
    if (!c) return undefined;
    const topo = ctx.cache.topology(c.topologyKey);
    return topo.names.length <= 1_024 ? topo : undefined;
  },
  allowedDomains(ctx: CycleContext, topo: Topology) {
    const st = ctx.state.get('PodTopologySpread') as HardState[] | undefined;
    if (!st) return undefined;
    let allowed: Uint8Array | undefined;
    for (const s of st) {
      if (s.topo !== topo) continue;
      allowed ??= new Uint8Array(topo.names.length).fill(1);
      for (let d = 0; d < allowed.length; d++) if (s.counts[d]! + s.self - s.min > s.c.maxSkew) allowed[d] = 0;
    }
    return allowed;
  },
  filter(ctx: CycleContext, n: number) {
    const st = ctx.state.get('PodTopologySpread') as HardState[] | undefined;
    if (!st) return undefined;
    for (const s of st) if (s.topo.domainOf[n]! < 0) return unresolvable(ERR_SPREAD_MISSING_LABEL);
    for (const s of st) {
      const d = s.topo.domainOf[n]!;
      if (s.counts[d]! + s.self - s.min > s.c.maxSkew) return unschedulable(ERR_SPREAD);
    }
    return undefined;
  },
  normalize: (ctx: CycleContext, nodes: Int32Array, count: number, scores: Float64Array) => {
    const soft = ctx.state.get('PodTopologySpread/score') as SoftState[];
    const topos = soft.map((s) => s.topo);
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < count; i++) {
      if (!hasAllKeys(topos, nodes[i]!)) continue;
      const s = scores[i]!;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < count; i++) {
      if (!hasAllKeys(topos, nodes[i]!)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
    }
  },
  scoreRelevant: (ctx) => ctx.shape.spread.some((c) => !c.hard),
  preScore(ctx: CycleContext, nodes: Int32Array, count: number) {
    const { cache, shape, pod } = ctx;
    const soft = shape.spread.filter((c) => !c.hard);
    const topos = soft.map((c) => cache.topology(c.topologyKey));
    const states: SoftState[] = soft.map((c, i) => ({
      c, topo: topos[i]!, perNode: cache.counterFor(c, cache.namespaceSet(pod.namespace), c.selector).perNode,
      counts: new Float64Array(topos[i]!.names.length), weight: 0, hostname: c.topologyKey === 'kubernetes.io/hostname',
    }));
    // Domain sizes among the feasible nodes that carry every key.
    let kept = 0;
    const seen = states.map((s) => new Uint8Array(s.topo.names.length));
    const size = states.map(() => 0);
    for (let i = 0; i < count; i++) {
      const n = nodes[i]!;
      if (!hasAllKeys(topos, n)) continue;
      kept++;
      states.forEach((s, j) => { const d = s.topo.domainOf[n]!; if (!seen[j]![d]) { seen[j]![d] = 1; size[j]!++; } });
    }
    states.forEach((s, j) => { s.weight = Math.log((s.hostname ? kept : size[j]!) + 2); });
    for (let n = 0; n < cache.size; n++) {
      if (!cache.live[n] || !hasAllKeys(topos, n)) continue;
      for (let j = 0; j < states.length; j++) {
        const s = states[j]!;
        if (s.hostname || !spreadIncludes(cache, shape, s.c, n, ctx.nodeAffinityPass)) continue;
        const d = s.topo.domainOf[n]!;
        if (seen[j]![d]) s.counts[d] += s.perNode[n]!;
      }
    }
    ctx.state.set('PodTopologySpread/score', states);
  },
  score(ctx: CycleContext, n: number) {
    const states = ctx.state.get('PodTopologySpread/score') as SoftState[];
    let score = 0;
    for (const s of states) {
      const d = s.topo.domainOf[n]!;
      if (d < 0) return 0;
      const cnt = s.hostname ? s.perNode[n]! : s.counts[d]!;
      score += cnt * s.weight + (s.c.maxSkew - 1);
    }
    return Math.round(score);
  },
}) satisfies PreFilterPlugin & FilterPlugin & ScorePlugin;
