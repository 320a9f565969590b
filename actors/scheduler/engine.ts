/**
 * Runs a profile's plugins over the node cache for one pod.
 *
 * Two paths give the same answer:
 * - scan: PreFilter, Filter on every node (static verdicts cached per pod
 *   shape), Score and NormalizeScore on every feasible node, pick the best;
 * - shape tree: when every plugin that applies to the pod is static or
 *   node-local and the normalized scores cannot depend on which nodes are
 *   feasible, each node's total score depends only on that node, so it is
 *   kept per pod shape in a tournament tree and only the nodes whose pods
 *   changed are re-scored. Every feasible node is still scored; the tree
 *   just remembers the scores of nodes that did not change.
 * Ties break by a seeded per-node rank, then by name (see cache.tieRank).
 */
import type { CacheListener, NodeCache } from './cache.js';
import {
  defaultNormalize, isFilter, isPreFilter, isScore, type AnyPlugin, type CycleContext, type FilterPlugin,
  type PreFilterPlugin, type Profile, type ScorePlugin, type Status,
} from './framework.js';
import { nodeMatchesRequired, type PodInfo } from './pod-info.js';
import { REGISTRY } from './plugins/registry.js';

export interface WeightedScore {
  readonly plugin: ScorePlugin & AnyPlugin;
  readonly weight: number;
}

type Filter = FilterPlugin & AnyPlugin;

class ShapeState {
  valid = false;
  staticPass = new Uint8Array(0);
  affinity = new Uint8Array(0);
  staticStatus: (Status | undefined)[] = [];
  staticScore = new Float64Array(0);
  rawNormalizing: { w: WeightedScore; raw: Float64Array }[] = [];
  constantNormalizers = true;
  dynFilters: Filter[] = [];
  dynScores: WeightedScore[] = [];
  treeValid = false;
  leaves = new Float64Array(0);
  tree = new Int32Array(0);
  p = 0;
  dirty = new Uint8Array(0);
  dirtyList: number[] = [];
}

export interface ScanResult {
  readonly feasible: Int32Array;
  readonly count: number;
  /** Failing nodes and why (the first failing plugin's status). */
  readonly statuses: Map<number, Status>;
}

export interface Choice {
  /** Node slot, or -1 when no node fits. */
  readonly node: number;
  readonly scan?: ScanResult;
}

const MAX_SHAPES = 256;

export class Engine implements CacheListener {
  readonly plugins: AnyPlugin[] = [];
  readonly filters: Filter[] = [];
  readonly preFilters: (PreFilterPlugin & AnyPlugin)[] = [];
  readonly scores: WeightedScore[] = [];
  private readonly clusterFilters: Filter[];
  private readonly clusterScores: WeightedScore[];
  private readonly shapes = new Map<string, ShapeState>();
  private nextStart = 0;
  private buf = new Int32Array(0);
  private totals = new Float64Array(0);
  private tmp = new Float64Array(0);

  constructor(readonly cache: NodeCache, readonly profile: Profile) {
    const seen = new Set<string>();
    for (const { name, weight } of profile.plugins) {
      const make = REGISTRY.get(name);
      if (!make) throw new Error(`unknown scheduler plugin ${name} in profile ${profile.name}`);
      if (seen.has(name)) throw new Error(`plugin ${name} listed twice in profile ${profile.name}`);
      seen.add(name);
      const p = make(profile.args ?? {});
      this.plugins.push(p);
      if (isFilter(p)) this.filters.push(p);
      if (isPreFilter(p)) this.preFilters.push(p);
      if (isScore(p) && (weight ?? 1) !== 0) this.scores.push({ plugin: p, weight: weight ?? 1 });
    }
    this.clusterFilters = this.filters.filter((f) => f.filterScope === 'cluster');
    this.clusterScores = this.scores.filter((s) => s.plugin.scoreScope === 'cluster');
    cache.listen(this);
  }

  /** Plugin name -> events that may make a pod it rejected schedulable. */
  pluginEvents(): Map<string, AnyPlugin['events']> {
    return new Map(this.plugins.map((p) => [p.name, p.events]));
  }

  context(pod: PodInfo): CycleContext {
    return { cache: this.cache, pod, shape: pod.shape, state: new Map() };
  }

  // ---- cache listener -------------------------------------------------------------

  nodeDirty(n: number): void {
    for (const s of this.shapes.values()) {
      if (!s.treeValid || s.dirty[n]) continue;
      s.dirty[n] = 1;
      s.dirtyList.push(n);
      if (s.dirtyList.length > 4096) s.treeValid = false;
    }
  }

  nodesChanged(): void {
    for (const s of this.shapes.values()) { s.valid = false; s.treeValid = false; }
  }

  // ---- per-shape static state -------------------------------------------------------

  shapeState(ctx: CycleContext): ShapeState {
    const key = ctx.shape.key;
    let s = this.shapes.get(key);
    if (!s) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.delete(this.shapes.keys().next().value!);
      s = new ShapeState();
      this.shapes.set(key, s);
    }
    if (!s.valid) this.buildStatic(s, ctx);
    ctx.nodeAffinityPass = s.affinity;
    return s;
  }

  private buildStatic(s: ShapeState, ctx: CycleContext): void {
    const c = this.cache;
    const cap = c.cap;
    s.staticPass = new Uint8Array(cap);
    s.staticStatus = new Array(cap);
    s.staticScore = new Float64Array(cap);
    s.rawNormalizing = [];
    s.constantNormalizers = true;
    s.affinity = new Uint8Array(cap);
    for (let n = 0; n < c.size; n++) if (c.live[n] && nodeMatchesRequired(ctx.shape, c.labels[n]!, c.names[n]!)) s.affinity[n] = 1;
    const statics = this.filters.filter((f) => f.filterScope === 'static' && f.filterRelevant(ctx));
    for (let n = 0; n < c.size; n++) {
      if (!c.live[n]) continue;
      let st: Status | undefined;
      for (const f of statics) { st = f.filter(ctx, n); if (st) { st.plugin = f.name; break; } }
      s.staticStatus[n] = st;
      s.staticPass[n] = st ? 0 : 1;
    }
    for (const w of this.scores) {
      if (w.plugin.scoreScope !== 'static' || !w.plugin.scoreRelevant(ctx)) continue;
      const raw = new Float64Array(cap);
      for (let n = 0; n < c.size; n++) if (c.live[n]) raw[n] = w.plugin.score(ctx, n);
      if (w.plugin.normalize === 'none') {
        for (let n = 0; n < c.size; n++) s.staticScore[n] += w.weight * raw[n]!;
        continue;
      }
      let first: number | undefined;
      let constant = true;
      for (let n = 0; n < c.size; n++) {
        if (!c.live[n]) continue;
        if (first === undefined) first = raw[n]!;
        else if (raw[n] !== first) { constant = false; break; }
      }
      if (constant && typeof w.plugin.normalize === 'string') {
        const one = new Float64Array([first ?? 0]);
        defaultNormalize(one, 1, w.plugin.normalize === 'maxReverse');
        for (let n = 0; n < c.size; n++) s.staticScore[n] += w.weight * one[0]!;
      } else {
        s.constantNormalizers = false;
        s.rawNormalizing.push({ w, raw });
      }
    }
    s.dynFilters = this.filters.filter((f) => f.filterScope === 'node' && f.filterRelevant(ctx));
    s.dynScores = this.scores.filter((w) => w.plugin.scoreScope === 'node' && w.plugin.scoreRelevant(ctx));
    s.valid = true;
    s.treeValid = false;
  }

  // ---- choosing a node ---------------------------------------------------------------

  /** True when `a` beats `b` at equal-or-better score: higher score, then lower seeded rank, then name. */
  private wins(sa: number, a: number, sb: number, b: number): boolean {
    if (sa !== sb) return sa > sb;
    const ra = this.cache.rank[a]!;
    const rb = this.cache.rank[b]!;
    if (ra !== rb) return ra < rb;
    return this.cache.names[a]! < this.cache.names[b]!;
  }

  schedule(pod: PodInfo): Choice {
    const ctx = this.context(pod);
    const s = this.shapeState(ctx);
    const cluster = this.treeEligible(ctx, s);
    if (cluster) {
      const n = this.treeBest(ctx, s, cluster);
      if (n >= 0) return { node: n };
      return { node: -1, scan: this.scan(this.context(pod), this.shapeState(this.context(pod))) };
    }
    const scan = this.scan(ctx, s);
    if (scan.count === 0) return { node: -1, scan };
    return { node: this.pick(ctx, s, scan) };
  }

  /**
   * The cluster-scope filters to apply at the tree's leaves when the tree can
   * answer for this pod (PreFilter already run), or undefined when it cannot:
   * sampling, score normalization that depends on the feasible set, or a
   * cluster-scope score that differs between nodes.
   */
  treeEligible(ctx: CycleContext, s: ShapeState): Filter[] | undefined {
    if (this.profile.percentageOfNodesToScore !== undefined && this.profile.percentageOfNodesToScore < 100) return undefined;
    if (!s.constantNormalizers) return undefined;
    for (const w of this.clusterScores) {
      if (!w.plugin.scoreRelevant(ctx)) continue;
      if (!w.plugin.constantScore) return undefined;
      w.plugin.preScore?.(ctx, this.buf, 0);
      if (!w.plugin.constantScore(ctx)) return undefined;
    }
    const out: Filter[] = [];
    for (const p of this.preFilters) {
      if (!p.filterRelevant?.(ctx)) continue;
      const r = p.preFilter(ctx);
      if (r === 'skip') continue;
      if (r) return undefined;
      out.push(p as Filter);
    }
    return out;
  }

  private leaf(ctx: CycleContext, s: ShapeState, n: number): number {
    if (!this.cache.live[n] || !s.staticPass[n]) return -Infinity;
    for (const f of s.dynFilters) if (f.filter(ctx, n)) return -Infinity;
    let v = s.staticScore[n]!;
    for (const w of s.dynScores) v += w.weight * w.plugin.score(ctx, n);
    return v;
  }

  private treeBest(ctx: CycleContext, s: ShapeState, cluster: readonly Filter[]): number {
    const c = this.cache;
    if (!s.treeValid || s.p < c.size) {
      let p = 1;
      while (p < c.size) p <<= 1;
      s.p = p;
      s.leaves = new Float64Array(p).fill(-Infinity);
      s.tree = new Int32Array(2 * p);
      s.dirty = new Uint8Array(p);
      s.dirtyList = [];
      for (let n = 0; n < c.size; n++) s.leaves[n] = this.leaf(ctx, s, n);
      for (let i = 0; i < p; i++) s.tree[p + i] = i;
      for (let k = p - 1; k >= 1; k--) s.tree[k] = this.better(s, s.tree[2 * k]!, s.tree[2 * k + 1]!);
      s.treeValid = true;
    } else if (s.dirtyList.length > 0) {
      for (const n of s.dirtyList) {
        s.dirty[n] = 0;
        s.leaves[n] = this.leaf(ctx, s, n);
        for (let k = (s.p + n) >> 1; k >= 1; k >>= 1) s.tree[k] = this.better(s, s.tree[2 * k]!, s.tree[2 * k + 1]!);
      }
      s.dirtyList.length = 0;
    }
    const best = s.tree[1]!;
    if (s.leaves[best] === -Infinity) return -1;
    if (cluster.length === 0 || this.passes(ctx, cluster, best)) return best;
    return this.search(ctx, s, cluster);
  }

  private passes(ctx: CycleContext, filters: readonly Filter[], n: number): boolean {
    for (const f of filters) if (f.filter(ctx, n)) return false;
    return true;
  }

  /** Best-first walk of the tournament tree: leaves come out in score order; the first that passes the cluster filters wins. */
  private search(ctx: CycleContext, s: ShapeState, cluster: readonly Filter[]): number {
    const heap: number[] = [1];
    const key = (k: number) => s.tree[k]!;
    const less = (a: number, b: number) => { const x = key(a); const y = key(b); return x !== y && this.better(s, x, y) === x; };
    const push = (k: number) => {
      heap.push(k);
      for (let i = heap.length - 1; i > 0;) { const p = (i - 1) >> 1; if (!less(heap[i]!, heap[p]!)) break; [heap[i], heap[p]] = [heap[p]!, heap[i]!]; i = p; }
    };
    const pop = () => {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ;) {
          const l = 2 * i + 1; const r = l + 1; let m = i;
          if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
          if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m]!, heap[i]!]; i = m;
        }
      }
      return top;
    };
    while (heap.length > 0) {
      const k = pop();
      const n = key(k);
      if (s.leaves[n] === -Infinity) return -1;
      if (k >= s.p) { if (this.passes(ctx, cluster, n)) return n; continue; }
      push(2 * k);
      push(2 * k + 1);
    }
    return -1;
  }

  private better(s: ShapeState, a: number, b: number): number {
    const la = s.leaves[a]!;
    const lb = s.leaves[b]!;
    if (la !== lb) return la > lb ? a : b;
    if (la === -Infinity) return a;
    return this.wins(la, a, lb, b) ? a : b;
  }

  /** Filter every node (or, with percentageOfNodesToScore, until enough are feasible). */
  scan(ctx: CycleContext, s: ShapeState, all = false): ScanResult {
    const c = this.cache;
    const size = c.size;
    if (this.buf.length < size) this.buf = new Int32Array(c.cap);
    const feasible = this.buf;
    const statuses = new Map<number, Status>();
    let rejectAll: Status | undefined;
    const skipped = new Set<string>();
    for (const p of this.preFilters) {
      if (!p.filterRelevant?.(ctx)) { skipped.add(p.name); continue; }
      const r = p.preFilter(ctx);
      if (r === 'skip') skipped.add(p.name);
      else if (r) { r.plugin = p.name; rejectAll = r; break; }
    }
    const cluster = this.clusterFilters.filter((f) => !skipped.has(f.name) && f.filterRelevant(ctx));
    const dyn = s.dynFilters;
    const pct = this.profile.percentageOfNodesToScore;
    const limit = !all && pct !== undefined && pct < 100 ? Math.max(100, Math.floor((c.liveCount * pct) / 100)) : Infinity;
    const start = limit === Infinity ? 0 : this.nextStart % Math.max(1, size);
    let count = 0;
    let i = 0;
    for (; i < size; i++) {
      let n = start + i;
      if (n >= size) n -= size;
      if (!c.live[n]) continue;
      if (rejectAll) { statuses.set(n, rejectAll); continue; }
      if (!s.staticPass[n]) { statuses.set(n, s.staticStatus[n]!); continue; }
      let st: Status | undefined;
      for (let j = 0; j < dyn.length; j++) { st = dyn[j]!.filter(ctx, n); if (st) { st.plugin = dyn[j]!.name; break; } }
      if (!st) for (let j = 0; j < cluster.length; j++) { st = cluster[j]!.filter(ctx, n); if (st) { st.plugin = cluster[j]!.name; break; } }
      if (st) { statuses.set(n, st); continue; }
      feasible[count++] = n;
      if (count >= limit) break;
    }
    if (limit !== Infinity) this.nextStart = (start + i + 1) % Math.max(1, size);
    return { feasible, count, statuses };
  }

  /** Total weighted, normalized score of each feasible node (into this.totals). */
  scoreAll(ctx: CycleContext, s: ShapeState, scan: ScanResult, perPlugin?: Map<string, Float64Array>): Float64Array {
    const { feasible, count } = scan;
    if (this.totals.length < count) { this.totals = new Float64Array(this.cache.cap); this.tmp = new Float64Array(this.cache.cap); }
    const totals = this.totals;
    const tmp = this.tmp;
    for (let i = 0; i < count; i++) totals[i] = s.staticScore[feasible[i]!]!;
    const addNormalized = (w: WeightedScore) => {
      const norm = w.plugin.normalize;
      if (norm === 'max' || norm === 'maxReverse') defaultNormalize(tmp, count, norm === 'maxReverse');
      else if (typeof norm === 'function') norm(ctx, feasible, count, tmp);
      for (let i = 0; i < count; i++) totals[i] += w.weight * tmp[i]!;
      if (perPlugin) perPlugin.set(w.plugin.name, tmp.slice(0, count));
    };
    for (const { w, raw } of s.rawNormalizing) {
      for (let i = 0; i < count; i++) tmp[i] = raw[feasible[i]!]!;
      addNormalized(w);
    }
    for (const w of s.dynScores) {
      for (let i = 0; i < count; i++) tmp[i] = w.plugin.score(ctx, feasible[i]!);
      addNormalized(w);
    }
    for (const w of this.clusterScores) {
      if (!w.plugin.scoreRelevant(ctx)) continue;
      w.plugin.preScore?.(ctx, feasible, count);
      for (let i = 0; i < count; i++) tmp[i] = w.plugin.score(ctx, feasible[i]!);
      addNormalized(w);
    }
    return totals;
  }

  pick(ctx: CycleContext, s: ShapeState, scan: ScanResult): number {
    const totals = this.scoreAll(ctx, s, scan);
    let best = scan.feasible[0]!;
    let bestScore = totals[0]!;
    for (let i = 1; i < scan.count; i++) {
      const n = scan.feasible[i]!;
      if (this.wins(totals[i]!, n, bestScore, best)) { best = n; bestScore = totals[i]!; }
    }
    return best;
  }

  /** Whether the pod passes every filter on node n right now (fresh PreFilter state): used by preemption. */
  fits(pod: PodInfo, n: number): boolean {
    const ctx = this.context(pod);
    const s = this.shapeState(ctx);
    if (!s.staticPass[n]) return false;
    for (const f of s.dynFilters) if (f.filter(ctx, n)) return false;
    for (const p of this.preFilters) {
      if (!p.filterRelevant?.(ctx)) continue;
      const r = p.preFilter(ctx);
      if (r === 'skip') continue;
      if (r) return false;
      if ((p as Filter).filter(ctx, n)) return false;
    }
    return true;
  }
}
