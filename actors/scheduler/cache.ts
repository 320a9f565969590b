/**
 * The node cache, struct-of-arrays: one slot per node, typed arrays for
 * allocatable and requested resources (cpu milli, memory, ephemeral storage,
 * extended resources by index, pod counts), indexes for labels, topology
 * domains (per key: a domain id per node), host ports and images, and
 * incremental counters of pods matching a selector per node (the basis of
 * inter-pod affinity and topology spread). Pods count at once when assumed;
 * `forget` undoes an assumption whose bind failed.
 */
import type { Node, Taint } from '../../lib/api/types/core.js';
import type { Selector } from '../../lib/api/selectors/index.js';
import { bumpViews, oneNodePerDomain, viewOf, type DomainCounts } from './domain-counts.js';
import { nodeAllocatable } from './resources.js';
import { namespaceMatches, type CompiledTerm, type Labels, type NamespaceFilter, type PodInfo } from './pod-info.js';

export const CPU = 0;
export const MEMORY = 1;
export const EPHEMERAL = 2;

/** FNV-1a of seed and node name: the deterministic tie-break order shared with the reference. */
export function tieRank(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return h >>> 0;
}

export interface Topology {
  readonly key: string;
  domainOf: Int32Array;
  readonly names: string[];
  readonly ids: Map<string, number>;
}

export interface Counter {
  readonly namespaces: NamespaceFilter;
  readonly selector: Selector;
  perNode: Int32Array;
  total: number;
  readonly views: DomainCounts[];
}

export type TermKind = 'reqAffinity' | 'reqAnti' | 'prefAffinity' | 'prefAnti';

export interface TermGroup {
  readonly kind: TermKind;
  readonly term: CompiledTerm;
  perNode: Int32Array;
  total: number;
  readonly views: DomainCounts[];
}

export interface BoundPod {
  readonly info: PodInfo;
  readonly node: number;
  assumed: boolean;
}

export interface CacheListener {
  /** Requested resources or ports of one node changed (a pod was added or removed). */
  nodeDirty(n: number): void;
  /** A node was added, changed or removed. */
  nodesChanged(n: number): void;
}

const EMPTY: Labels = Object.freeze({});

export class NodeCache {
  cap = 0;
  /** One past the highest slot ever used. */
  size = 0;
  liveCount = 0;
  readonly names: string[] = [];
  readonly index = new Map<string, number>();
  readonly nodes: (Node | undefined)[] = [];
  readonly labels: Labels[] = [];
  readonly taints: (readonly Taint[])[] = [];
  readonly images: (Map<string, number> | undefined)[] = [];
  readonly ports: (Map<string, number> | undefined)[] = [];
  readonly podsOn: Set<PodInfo>[] = [];
  readonly resNames: string[] = ['cpu', 'memory', 'ephemeral-storage'];
  readonly resIndex = new Map<string, number>([['cpu', 0], ['memory', 1], ['ephemeral-storage', 2]]);
  alloc: Float64Array[] = [];
  req: Float64Array[] = [];
  allocPods = new Float64Array(0);
  podCount = new Float64Array(0);
  nzCpu = new Float64Array(0);
  nzMem = new Float64Array(0);
  live = new Uint8Array(0);
  unschedulable = new Uint8Array(0);
  rank = new Uint32Array(0);
  readonly imageNodes = new Map<string, number>();
  readonly pods = new Map<string, BoundPod>();
  readonly topologies = new Map<string, Topology>();
  readonly counters = new Map<string, Counter>();
  readonly termGroups = new Map<string, TermGroup>();
  /** Pods with inter-pod affinity terms (existing pods' terms are checked for symmetry). */
  podsWithTerms = 0;
  /** Bumped on every node add, change or delete: caches derived from Node objects compare it. */
  nodeEpoch = 0;
  /** Bumped when a term group appears or goes. */
  termEpoch = 0;
  private readonly free: number[] = [];
  private readonly listeners: CacheListener[] = [];

  constructor(readonly seed = 0) {
    this.grow(64);
  }

  listen(l: CacheListener): void {
    this.listeners.push(l);
  }

  private grow(min: number): void {
    const cap = Math.max(min, this.cap * 2);
    const g64 = (a: Float64Array) => { const b = new Float64Array(cap); b.set(a); return b; };
    const g32 = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
    this.alloc = this.resNames.map((_, i) => g64(this.alloc[i] ?? new Float64Array(0)));
    this.req = this.resNames.map((_, i) => g64(this.req[i] ?? new Float64Array(0)));
    this.allocPods = g64(this.allocPods);
    this.podCount = g64(this.podCount);
    this.nzCpu = g64(this.nzCpu);
    this.nzMem = g64(this.nzMem);
    const l = new Uint8Array(cap); l.set(this.live); this.live = l;
    const u = new Uint8Array(cap); u.set(this.unschedulable); this.unschedulable = u;
    const r = new Uint32Array(cap); r.set(this.rank); this.rank = r;
    for (const t of this.topologies.values()) { const d = new Int32Array(cap).fill(-1); d.set(t.domainOf); t.domainOf = d; }
    for (const c of this.counters.values()) c.perNode = g32(c.perNode);
    for (const g of this.termGroups.values()) g.perNode = g32(g.perNode);
    this.cap = cap;
  }

  resourceIndex(name: string): number {
    let i = this.resIndex.get(name);
    if (i === undefined) {
      i = this.resNames.length;
      this.resNames.push(name);
      this.resIndex.set(name, i);
      this.alloc.push(new Float64Array(this.cap));
      this.req.push(new Float64Array(this.cap));
    }
    return i;
  }

  // ---- nodes -----------------------------------------------------------------

  upsertNode(node: Node): number {
    const name = node.metadata.name ?? '';
    let n = this.index.get(name);
    if (n === undefined) {
      n = this.free.pop() ?? this.size++;
      if (n >= this.cap) this.grow(n + 1);
      this.index.set(name, n);
      this.names[n] = name;
      this.podsOn[n] = new Set();
      this.live[n] = 1;
      this.liveCount++;
      this.rank[n] = tieRank(this.seed, name);
    } else {
      this.dropImages(n);
    }
    this.nodes[n] = node;
    const labels = node.metadata.labels ?? EMPTY;
    this.labels[n] = labels;
    this.taints[n] = node.spec?.taints ?? [];
    this.unschedulable[n] = node.spec?.unschedulable ? 1 : 0;
    const alloc = nodeAllocatable(node.status?.allocatable ?? node.status?.capacity);
    for (let r = 0; r < this.resNames.length; r++) this.alloc[r]![n] = 0;
    for (const [res, v] of alloc) {
      if (res === 'pods') continue;
      this.alloc[this.resourceIndex(res)]![n] = v;
    }
    this.allocPods[n] = alloc.get('pods') ?? 110;
    const imgs = new Map<string, number>();
    for (const im of node.status?.images ?? []) for (const nm of im.names ?? []) imgs.set(nm, im.sizeBytes ?? 0);
    this.images[n] = imgs;
    for (const nm of imgs.keys()) this.imageNodes.set(nm, (this.imageNodes.get(nm) ?? 0) + 1);
    for (const t of this.topologies.values()) this.setDomain(t, n);
    this.nodeEpoch++;
    for (const l of this.listeners) l.nodesChanged(n);
    return n;
  }

  private dropImages(n: number): void {
    for (const nm of this.images[n]?.keys() ?? []) {
      const c = (this.imageNodes.get(nm) ?? 1) - 1;
      if (c === 0) this.imageNodes.delete(nm); else this.imageNodes.set(nm, c);
    }
    this.images[n] = undefined;
  }

  /** Removes a node; its pods stay known (they are removed by their own delete events) but no longer count anywhere. */
  deleteNode(name: string): number | undefined {
    const n = this.index.get(name);
    if (n === undefined) return undefined;
    for (const p of [...this.podsOn[n]!]) this.removePod(p.key);
    this.dropImages(n);
    this.index.delete(name);
    this.live[n] = 0;
    this.liveCount--;
    this.nodes[n] = undefined;
    this.labels[n] = EMPTY;
    this.taints[n] = [];
    this.ports[n] = undefined;
    for (let r = 0; r < this.resNames.length; r++) { this.alloc[r]![n] = 0; this.req[r]![n] = 0; }
    this.allocPods[n] = 0;
    this.podCount[n] = 0;
    this.nzCpu[n] = 0;
    this.nzMem[n] = 0;
    for (const t of this.topologies.values()) t.domainOf[n] = -1;
    this.free.push(n);
    this.nodeEpoch++;
    for (const l of this.listeners) l.nodesChanged(n);
    return n;
  }

  // ---- topology ----------------------------------------------------------------

  topology(key: string): Topology {
    let t = this.topologies.get(key);
    if (!t) {
      t = { key, domainOf: new Int32Array(this.cap).fill(-1), names: [], ids: new Map() };
      this.topologies.set(key, t);
      for (let n = 0; n < this.size; n++) if (this.live[n]) this.setDomain(t, n);
    }
    return t;
  }

  private setDomain(t: Topology, n: number): void {
    const labels = this.labels[n]!;
    if (!Object.hasOwn(labels, t.key)) { t.domainOf[n] = -1; return; }
    const v = labels[t.key]!;
    let id = t.ids.get(v);
    if (id === undefined) { id = t.names.length; t.names.push(v); t.ids.set(v, id); }
    t.domainOf[n] = id;
  }

  // ---- pods ----------------------------------------------------------------------

  /** Counts `info` on node `n` at once (assumed = not yet confirmed bound). */
  addPod(info: PodInfo, n: number, assumed: boolean): void {
    const old = this.pods.get(info.key);
    if (old) this.removePod(info.key);
    this.pods.set(info.key, { info, node: n, assumed });
    this.podsOn[n]!.add(info);
    this.account(info, n, 1);
  }

  /** Confirms an assumed pod (its bind succeeded). */
  confirm(key: string): void {
    const b = this.pods.get(key);
    if (b) b.assumed = false;
  }

  removePod(key: string): BoundPod | undefined {
    const b = this.pods.get(key);
    if (!b) return undefined;
    this.pods.delete(key);
    this.podsOn[b.node]?.delete(b.info);
    this.account(b.info, b.node, -1);
    return b;
  }

  private account(info: PodInfo, n: number, d: 1 | -1): void {
    const s = info.shape;
    for (const [res, v] of s.requests) this.req[this.resourceIndex(res)]![n] += d * v;
    this.podCount[n] += d;
    this.nzCpu[n] += d * s.nonZeroCpu;
    this.nzMem[n] += d * s.nonZeroMemory;
    if (s.ports.length > 0) {
      const m = (this.ports[n] ??= new Map());
      for (const p of s.ports) {
        const k = `${p.protocol}/${p.port}/${p.ip}`;
        const c = (m.get(k) ?? 0) + d;
        if (c <= 0) m.delete(k); else m.set(k, c);
      }
    }
    for (const c of this.counters.values()) {
      if (namespaceMatches(c.namespaces, info.namespace) && c.selector.matches(info.labels)) {
        c.perNode[n] += d;
        c.total += d;
        if (c.views.length > 0) bumpViews(c.views, n, d, this.nodeEpoch);
      }
    }
    const terms = s.reqAffinity.length + s.reqAnti.length + s.prefAffinity.length + s.prefAnti.length;
    if (terms > 0) {
      this.podsWithTerms += d;
      this.addTerms('reqAffinity', s.reqAffinity, n, d);
      this.addTerms('reqAnti', s.reqAnti, n, d);
      this.addTerms('prefAffinity', s.prefAffinity, n, d);
      this.addTerms('prefAnti', s.prefAnti, n, d);
    }
    for (const l of this.listeners) l.nodeDirty(n);
  }

  private addTerms(kind: TermKind, terms: readonly CompiledTerm[], n: number, d: number): void {
    for (const t of terms) {
      const k = `${kind}|${t.key}`;
      let g = this.termGroups.get(k);
      if (!g) {
        if (d < 0) continue;
        g = { kind, term: t, perNode: new Int32Array(this.cap), total: 0, views: [] };
        this.termGroups.set(k, g);
        this.termEpoch++;
      }
      g.perNode[n] += d;
      g.total += d;
      if (g.views.length > 0) bumpViews(g.views, n, d, this.nodeEpoch);
      if (g.total === 0) { this.termGroups.delete(k); this.termEpoch++; }
    }
  }

  private readonly counterMemo = new WeakMap<object, Counter>();

  /** `counter`, remembered per owner object (a compiled term or constraint). */
  counterFor(owner: object, namespaces: NamespaceFilter, selector: Selector): Counter {
    let c = this.counterMemo.get(owner);
    if (!c) { // counters are never dropped, so a remembered one stays current
      c = this.counter(namespaces, selector);
      this.counterMemo.set(owner, c);
    }
    return c;
  }

  private counterKey(namespaces: NamespaceFilter, selector: Selector): string {
    return `${namespaces === null ? '*' : [...namespaces].sort().join(',')}|${selector.matchesNothing ? '<nothing>' : selector.toString()}`;
  }

  /** Per-node count of pods in `namespaces` matching `selector`, kept up to date from now on. */
  counter(namespaces: NamespaceFilter, selector: Selector): Counter {
    const key = this.counterKey(namespaces, selector);
    let c = this.counters.get(key);
    if (!c) {
      c = { namespaces, selector, perNode: new Int32Array(this.cap), total: 0, views: [] };
      for (const b of this.pods.values()) {
        if (namespaceMatches(namespaces, b.info.namespace) && selector.matches(b.info.labels)) { c.perNode[b.node]++; c.total++; }
      }
      this.counters.set(key, c);
    }
    return c;
  }

  /**
   * `src`'s per-node count summed by `topo`'s domains over the live nodes
   * (only those set in `mask`, when given; `maskKey` names the mask's content).
   * Kept current incrementally from now on; rebuilt after a node change.
   */
  domainCounts(src: Counter | TermGroup, topo: Topology, mask?: Uint8Array, maskKey = ''): DomainCounts {
    return viewOf(src.views, src.perNode, this.live, this.size, this.nodeEpoch, topo, mask, maskKey);
  }

  private readonly perNodeTopo = new Map<Topology, number>();

  /** True when no domain of `topo` holds more than one live node (hostname, usually): its domain counts are per-node counts. */
  perNodeTopology(topo: Topology): boolean {
    const memo = this.perNodeTopo.get(topo);
    if (memo !== undefined && memo >>> 1 === this.nodeEpoch) return (memo & 1) === 1;
    const ok = oneNodePerDomain(topo, this.live, this.size);
    this.perNodeTopo.set(topo, this.nodeEpoch * 2 + (ok ? 1 : 0));
    return ok;
  }

  private readonly matching = new Map<string, { epoch: number; groups: TermGroup[] }>();

  /** The term groups whose term selects `pod` (by namespace and labels), remembered until a group appears or goes. */
  groupsSelecting(pod: PodInfo): readonly TermGroup[] {
    if (this.termGroups.size === 0) return [];
    const key = `${pod.namespace}\u0000${JSON.stringify(pod.labels)}`;
    const hit = this.matching.get(key);
    if (hit && hit.epoch === this.termEpoch) return hit.groups;
    const groups: TermGroup[] = [];
    for (const g of this.termGroups.values()) if (namespaceMatches(g.term.namespaces, pod.namespace) && g.term.selector.matches(pod.labels)) groups.push(g);
    if (this.matching.size > 10_000) this.matching.clear();
    this.matching.set(key, { epoch: this.termEpoch, groups });
    return groups;
  }

  private readonly nsSets = new Map<string, ReadonlySet<string>>();

  /** A one-namespace filter, shared. */
  namespaceSet(ns: string): ReadonlySet<string> {
    let s = this.nsSets.get(ns);
    if (!s) { s = new Set([ns]); this.nsSets.set(ns, s); }
    return s;
  }

  /** Live node slots in slot order. */
  liveNodes(): number[] {
    const out: number[] = [];
    for (let n = 0; n < this.size; n++) if (this.live[n]) out.push(n);
    return out;
  }
}
