/**
 * InterPodAffinity. Filter (PreFilter counts per topology domain):
 * - the pod's required affinity: every term needs a pod matching all the
 *   terms in the node's domain (the node must carry every term's key); when
 *   no pod anywhere matches and the pod matches its own terms, it may go
 *   anywhere with the keys (the first pod of a self-affine group);
 * - the pod's required anti-affinity: no pod matching a term in the domain;
 * - symmetry: no existing pod whose required anti-affinity matches this pod
 *   in the domain.
 * Score: weights of the pod's preferred terms (+affinity, -anti) times
 * matching pods in the node's domain, plus existing pods' preferred terms
 * matching this pod and their required affinity (hardPodAffinityWeight);
 * normalized min-max.
 */
import { Selector } from '../../../lib/api/selectors/index.js';
import type { Counter, NodeCache, TermGroup, Topology } from '../cache.js';
import { MAX_NODE_SCORE, unresolvable, unschedulable, type CycleContext, type FilterPlugin, type PreFilterPlugin, type ScorePlugin } from '../framework.js';
import { namespaceMatches, type CompiledTerm, type NamespaceFilter, type PodInfo } from '../pod-info.js';

export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

/** Per-domain sums of a per-node count over live nodes. */
export function domainSums(cache: NodeCache, topo: Topology, perNode: Int32Array): Float64Array {
  const out = new Float64Array(topo.names.length);
  const dom = topo.domainOf;
  for (let n = 0; n < cache.size; n++) {
    const c = perNode[n]!;
    if (c !== 0 && dom[n]! >= 0) out[dom[n]!] += c;
  }
  return out;
}

export function termMatchesPod(t: CompiledTerm, pod: PodInfo): boolean {
  return namespaceMatches(t.namespaces, pod.namespace) && t.selector.matches(pod.labels);
}

interface Check { topo: Topology; counts: Float64Array }
interface FilterState { affinity: Check[]; affinityFirst: boolean; anti: Check[]; existing: Check[] }

const allTerms = new WeakMap<readonly CompiledTerm[], { ns: NamespaceFilter; sel: Selector }>();

/** allTermsSelector, remembered per shape's term list. */
function allTermsOf(terms: readonly CompiledTerm[]): { ns: NamespaceFilter; sel: Selector } {
  let a = allTerms.get(terms);
  if (!a) { a = allTermsSelector(terms); allTerms.set(terms, a); }
  return a;
}

function allTermsSelector(terms: readonly CompiledTerm[]): { ns: NamespaceFilter; sel: Selector } {
  let ns: NamespaceFilter = null;
  for (const t of terms) {
    const tn = t.namespaces;
    if (tn === null) continue;
    const prev: ReadonlySet<string> | null = ns;
    ns = prev === null ? tn : new Set([...prev].filter((x: string) => tn.has(x)));
  }
  if (terms.some((t) => t.selector.matchesNothing)) return { ns, sel: Selector.nothing() };
  return { ns, sel: Selector.of(terms.flatMap((t) => t.selector.requirements)) };
}

export const interPodAffinity = (args?: { hardPodAffinityWeight?: number }) => {
  const hardWeight = args?.hardPodAffinityWeight ?? 1;
  return {
    name: 'InterPodAffinity',
    events: ['PodAdd', 'PodDelete', 'NodeAdd', 'NodeUpdate'],
    filterScope: 'cluster',
    scoreScope: 'cluster',
    // Node-local part: the pod's own required anti-affinity terms (folded when their topology has one node per domain).
    nodeKey: (shape) => shape.reqAnti.map((t) => t.key).join(';'),
    nodeLocalReject(ctx: CycleContext) {
      const { cache, shape } = ctx;
      const local: { topo: Topology; c: { perNode: Int32Array } }[] = [];
      for (const t of shape.reqAnti) {
        const topo = cache.topology(t.topologyKey);
        if (cache.perNodeTopology(topo)) local.push({ topo, c: cache.counterFor(t, t.namespaces, t.selector) });
      }
      if (local.length === 0) return undefined;
      // The domain of n is n alone, so its count is the node's own count.
      return (n: number) => {
        for (const { topo, c } of local) if (topo.domainOf[n]! >= 0 && c.perNode[n]! > 0) return true;
        return false;
      };
    },
    filterRelevant: (ctx) => ctx.shape.reqAffinity.length + ctx.shape.reqAnti.length > 0 || hasGroups(ctx.cache, 'reqAnti'),
    preFilter(ctx: CycleContext) {
      const { cache, shape, pod } = ctx;
      const st: FilterState = { affinity: [], affinityFirst: false, anti: [], existing: [] };
      // Domain counts are kept incrementally by the cache; the filter reads them live.
      if (shape.reqAffinity.length > 0) {
        const { ns, sel } = allTermsOf(shape.reqAffinity);
        const c = cache.counterFor(shape.reqAffinity, ns, sel);
        let any = false;
        for (const t of shape.reqAffinity) {
          const topo = cache.topology(t.topologyKey);
          const v = cache.domainCounts(c, topo);
          if (v.total > 0) any = true;
          st.affinity.push({ topo, counts: v.sums });
        }
        st.affinityFirst = !any && shape.reqAffinity.every((t) => termMatchesPod(t, pod));
      }
      for (const t of shape.reqAnti) {
        const topo = cache.topology(t.topologyKey);
        st.anti.push({ topo, counts: cache.domainCounts(cache.counterFor(t, t.namespaces, t.selector), topo).sums });
      }
      for (const g of cache.groupsSelecting(pod)) {
        if (g.kind !== 'reqAnti') continue;
        const topo = cache.topology(g.term.topologyKey);
        st.existing.push({ topo, counts: cache.domainCounts(g, topo).sums });
      }
      if (st.affinity.length + st.anti.length + st.existing.length === 0) return 'skip';
      ctx.state.set('InterPodAffinity', st);
      return undefined;
    },
    filter(ctx: CycleContext, n: number) {
      const st = ctx.state.get('InterPodAffinity') as FilterState | undefined;
      if (!st) return undefined;
      let exist = true;
      for (const a of st.affinity) {
        const d = a.topo.domainOf[n]!;
        if (d < 0) return unresolvable(ERR_AFFINITY);
        if (!(a.counts[d]! > 0)) exist = false;
      }
      if (!exist && !st.affinityFirst) return unresolvable(ERR_AFFINITY);
      for (const a of st.anti) {
        const d = a.topo.domainOf[n]!;
        if (d >= 0 && a.counts[d]! > 0) return unschedulable(ERR_ANTI_AFFINITY);
      }
      for (const a of st.existing) {
        const d = a.topo.domainOf[n]!;
        if (d >= 0 && a.counts[d]! > 0) return unschedulable(ERR_EXISTING_ANTI_AFFINITY);
      }
      return undefined;
    },
    normalize(_ctx: CycleContext, _nodes: Int32Array, count: number, scores: Float64Array) {
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < count; i++) { const s = scores[i]!; if (s > max) max = s; if (s < min) min = s; }
      const diff = max - min;
      for (let i = 0; i < count; i++) scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i]! - min) / diff)) : 0;
    },
    scoreRelevant: (ctx) => ctx.shape.prefAffinity.length + ctx.shape.prefAnti.length > 0 || ctx.cache.podsWithTerms > 0,
    preScore(ctx: CycleContext) {
      const { cache, shape, pod } = ctx;
      const parts: { topo: Topology; sums: Float64Array; w: number }[] = [];
      const add = (key: string, src: Counter | TermGroup, w: number) => {
        if (w === 0) return;
        const topo = cache.topology(key);
        parts.push({ topo, sums: cache.domainCounts(src, topo).sums, w });
      };
      for (const t of shape.prefAffinity) add(t.topologyKey, cache.counterFor(t, t.namespaces, t.selector), t.weight);
      for (const t of shape.prefAnti) add(t.topologyKey, cache.counterFor(t, t.namespaces, t.selector), -t.weight);
      for (const g of cache.groupsSelecting(pod)) {
        if (g.kind === 'reqAnti') continue;
        const w = g.kind === 'reqAffinity' ? hardWeight : g.kind === 'prefAffinity' ? g.term.weight : -g.term.weight;
        add(g.term.topologyKey, g, w);
      }
      ctx.state.set('InterPodAffinity/score', parts);
    },
    constantScore(ctx: CycleContext) {
      return (ctx.state.get('InterPodAffinity/score') as unknown[]).length === 0;
    },
    score(ctx: CycleContext, n: number) {
      const parts = ctx.state.get('InterPodAffinity/score') as { topo: Topology; sums: Float64Array; w: number }[];
      let s = 0;
      for (const p of parts) { const d = p.topo.domainOf[n]!; if (d >= 0) s += p.w * p.sums[d]!; }
      return s;
    },
  } satisfies PreFilterPlugin & FilterPlugin & ScorePlugin;
};

function hasGroups(cache: NodeCache, kind: string): boolean {
  if (cache.podsWithTerms === 0) return false;
  for (const g of cache.termGroups.values()) if (g.kind === kind) return true;
  return false;
}
