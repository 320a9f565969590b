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
 *
 * Both caches are kept per node key, not per shape: the parts of the shape
 * that static and node-scope plugins read (their `nodeKey`s). Workloads that
 * differ only in what those plugins do not read (labels, images no node has,
 * spread constraints, priority...) share one tree, so the cost of keeping
 * trees current grows with the number of distinct requests/affinities, not
 * with the number of workloads.
 */
import type { CacheListener, NodeCache, Topology } from './cache.js';
import {
  defaultNormalize, isFilter, isPreFilter, isScore, type AnyPlugin, type CycleContext, type FilterPlugin,
  type PreFilterPlugin, type Profile, type ScorePlugin, type Status,
} from './framework.js';
import { nodeMatchesRequired, type PodInfo, type PodShape } from './pod-info.js';
import { REGISTRY } from './plugins/registry.js';
import { beats, ScoreTree } from './score-tree.js';

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
  /** Node-local parts of cluster-scope filters (see FilterPlugin.nodeLocalReject), folded into the leaves. */
  localRejects: ((n: number) => boolean)[] = [];
  constructor(readonly tree: ScoreTree) {}
}

type StaticVerdicts = Pick<ShapeState, 'staticPass' | 'staticStatus' | 'staticScore' | 'affinity' | 'rawNormalizing' | 'constantNormalizers'>;

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
const NO_FILTERS: readonly Filter[] = [];

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
    this.cycle = { cache, pod: undefined as unknown as PodInfo, shape: undefined as unknown as PodShape, state: new Map() };
    cache.listen(this);
  }

  /** Plugin name -> events that may make a pod it rejected schedulable. */
  pluginEvents(): Map<string, AnyPlugin['events']> {
    return new Map(this.plugins.map((p) => [p.name, p.events]));
  }

  context(pod: PodInfo): CycleContext {
    return { cache: this.cache, pod, shape: pod.shape, state: new Map() };
  }

  private readonly nodeKeys = new WeakMap<PodShape, { epoch: number; key: string; staticKey: string }>();

  /**
   * The node key of a shape (see the file comment), and its static part (what
   * static-scope plugins read: pods that differ only in requests share the
   * per-node static verdicts). Remembered until a node changes (image
   * locality reads the nodes' images).
   */
  nodeKeys_(shape: PodShape): { key: string; staticKey: string } {
    const hit = this.nodeKeys.get(shape);
    if (hit && hit.epoch === this.cache.nodeEpoch) return hit;
    // The engine itself reads nodeSelector and required node affinity (the nodeAffinityPass mask).
    let staticKey = JSON.stringify([shape.nodeSelector ?? null, shape.requiredNodeTerms ?? null]);
    let key = staticKey;
    for (const p of this.plugins) {
      const isStatic = p.filterScope === 'static' || p.scoreScope === 'static';
      const local = isStatic || p.filterScope === 'node' || p.scoreScope === 'node' || p.nodeLocalReject !== undefined;
      const part = '\u0001' + (p.nodeKey ? p.nodeKey(shape, this.cache) : local ? shape.key : '');
      key += part;
      if (isStatic) staticKey += part;
    }
    const m = { epoch: this.cache.nodeEpoch, key, staticKey };
    this.nodeKeys.set(shape, m);
    return m;
  }

  nodeKey(shape: PodShape): string {
    return this.nodeKeys_(shape).key;
  }

  // ---- cache listener -------------------------------------------------------------

  nodeDirty(n: number): void {
    for (const s of this.shapes.values()) s.tree.markDirty(n);
  }

  nodesChanged(): void {
    for (const s of this.shapes.values()) { s.valid = false; s.tree.valid = false; }
  }

  // ---- per-shape static state -------------------------------------------------------

  shapeState(ctx: CycleContext): ShapeState {
    const key = this.nodeKey(ctx.shape);
    let s = this.shapes.get(key);
    if (!s) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.delete(this.shapes.keys().next().value!);
      s = new ShapeState(new ScoreTree(this.cache));
      this.shapes.set(key, s);
    }
    if (!s.valid) this.buildStatic(s, ctx);
    ctx.nodeAffinityPass = s.affinity;
    return s;
  }

  private readonly statics = new Map<string, { epoch: number; s: StaticVerdicts }>();

  private buildStatic(s: ShapeState, ctx: CycleContext): void {
    const staticKey = this.nodeKeys_(ctx.shape).staticKey;
    const shared = this.statics.get(staticKey);
    if (shared && shared.epoch === this.cache.nodeEpoch) {
      const o = shared.s;
      s.staticPass = o.staticPass; s.staticStatus = o.staticStatus; s.staticScore = o.staticScore; s.affinity = o.affinity;
      s.rawNormalizing = o.rawNormalizing; s.constantNormalizers = o.constantNormalizers;
    } else {
      this.buildStaticVerdicts(s, ctx);
      if (this.statics.size >= MAX_SHAPES) this.statics.clear();
      // Only the static arrays: an evicted shape's tree must not stay reachable from here.
      const { staticPass, staticStatus, staticScore, affinity, rawNormalizing, constantNormalizers } = s;
      this.statics.set(staticKey, { epoch: this.cache.nodeEpoch, s: { staticPass, staticStatus, staticScore, affinity, rawNormalizing, constantNormalizers } });
    }
    s.dynFilters = this.filters.filter((f) => f.filterScope === 'node' && f.filterRelevant(ctx));
    s.dynScores = this.scores.filter((w) => w.plugin.scoreScope === 'node' && w.plugin.scoreRelevant(ctx));
    s.localRejects = [];
    for (const f of this.clusterFilters) {
      const r = f.nodeLocalReject?.(ctx);
      if (r) s.localRejects.push(r);
    }
    s.valid = true;
    s.tree.valid = false;
  }

  /** Static filters and scores on every node (shared by the shapes with one static key; never written after). */
  private buildStaticVerdicts(s: ShapeState, ctx: CycleContext): void {
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
  }

  // ---- choosing a node ---------------------------------------------------------------

  /** The context of schedule(), reused from pod to pod (a Map per pod is most of the garbage of a cycle). */
  private readonly cycle: { cache: NodeCache; pod: PodInfo; shape: PodShape; state: Map<string, unknown>; nodeAffinityPass?: Uint8Array };

  schedule(pod: PodInfo): Choice {
    const ctx = this.cycle;
    ctx.pod = pod;
    ctx.shape = pod.shape;
    ctx.state.clear();
    ctx.nodeAffinityPass = undefined;
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
  treeEligible(ctx: CycleContext, s: ShapeState): readonly Filter[] | undefined {
    if (this.profile.percentageOfNodesToScore !== undefined && this.profile.percentageOfNodesToScore < 100) return undefined;
    if (!s.constantNormalizers) return undefined;
    for (const w of this.clusterScores) {
      if (!w.plugin.scoreRelevant(ctx)) continue;
      if (!w.plugin.constantScore) return undefined;
      w.plugin.preScore?.(ctx, this.buf, 0);
      if (!w.plugin.constantScore(ctx)) return undefined;
    }
    let out: Filter[] | undefined;
    for (const p of this.preFilters) {
      if (!p.filterRelevant?.(ctx)) continue;
      const r = p.preFilter(ctx);
      if (r === 'skip') continue;
      if (r) return undefined;
      (out ??= []).push(p as Filter);
    }
    return out ?? NO_FILTERS;
  }

  private leaf(ctx: CycleContext, s: ShapeState, n: number): number {
    if (!this.cache.live[n] || !s.staticPass[n]) return -Infinity;
    for (const f of s.dynFilters) if (f.filter(ctx, n)) return -Infinity;
    for (const r of s.localRejects) if (r(n)) return -Infinity;
    let v = s.staticScore[n]!;
    for (const w of s.dynScores) v += w.weight * w.plugin.score(ctx, n);
    return v;
  }

  private treeBest(ctx: CycleContext, s: ShapeState, cluster: readonly Filter[]): number {
    const t = s.tree;
    t.refresh((n) => this.leaf(ctx, s, n), () => {
      for (const f of cluster) { const part = f.partitionTopology?.(ctx); if (part) return part; }
      return undefined;
    });
    const best = t.best();
    if (best < 0 || cluster.length === 0) return best;
    const passes = (n: number): boolean => this.passes(ctx, cluster, n);
    const allowed = t.part && this.allowedDomains(ctx, t.part, cluster);
    if (!allowed) return passes(best) ? best : t.search([1], passes);
    const roots = t.rootsFor(allowed);
    return roots.length === 0 ? -1 : t.search(roots, passes);
  }

  /** Per domain of `part`, 0 when some cluster filter rejects all its nodes; undefined when none judges by `part`. */
  private allowedDomains(ctx: CycleContext, part: Topology, cluster: readonly Filter[]): Uint8Array | undefined {
    let allowed: Uint8Array | undefined;
    for (const f of cluster) {
      const a = f.allowedDomains?.(ctx, part);
      if (!a) continue;
      if (!allowed) allowed = a.slice();
      else for (let d = 0; d < allowed.length; d++) allowed[d] = allowed[d]! & a[d]!;
    }
    return allowed;
  }

  private passes(ctx: CycleContext, filters: readonly Filter[], n: number): boolean {
    for (const f of filters) if (f.filter(ctx, n)) return false;
    return true;
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
      if (beats(this.cache, totals[i]!, n, bestScore, best)) { best = n; bestScore = totals[i]!; }
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
