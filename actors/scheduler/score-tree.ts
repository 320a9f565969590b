/**
 * A tournament tree over the nodes' total scores for one node key (see
 * engine.ts): the root holds the best node; when a node's pods change only
 * its leaf is re-scored and its path to the root replayed.
 *
 * Leaves may be laid out by the domains of a partition topology (that of the
 * first pod's hard spread constraint, when it has few domains), so that each
 * domain is a contiguous range of leaves: a filter that rejects whole domains
 * (spread: the domains over maxSkew) then limits the search to the ranges of
 * the domains it allows instead of trying their nodes one by one.
 */
import type { NodeCache, Topology } from './cache.js';

/** True when node a with score sa beats node b with sb: higher score, then lower seeded rank, then name. */
export function beats(cache: NodeCache, sa: number, a: number, sb: number, b: number): boolean {
  if (sa !== sb) return sa > sb;
  const ra = cache.rank[a]!;
  const rb = cache.rank[b]!;
  if (ra !== rb) return ra < rb;
  return cache.names[a]! < cache.names[b]!;
}

/** Beyond this many pending re-scores a rebuild is as cheap. */
const MAX_DIRTY = 4096;

export class ScoreTree {
  valid = false;
  /** Total score per node slot (-Infinity: infeasible or no node). */
  leaves = new Float64Array(0);
  /** Heap-ordered: tree[k] is the winning node of subtree k; leaves at p + position. */
  tree = new Int32Array(0);
  p = 0;
  /** Leaf position of each node slot. */
  posOf = new Int32Array(0);
  part: Topology | undefined;
  /** Per partition domain, its first leaf position; then the start of the keyless nodes, then the end. */
  domainStart = new Int32Array(0);
  private dirty = new Uint8Array(0);
  private dirtyList: number[] = [];
  /** Scratch for refresh: tree nodes queued in the current wave, and the waves. */
  private mark = new Uint8Array(0);
  private wave = new Int32Array(0);
  private nextWave = new Int32Array(0);
  private heap = new Int32Array(64);

  constructor(private readonly cache: NodeCache) {}

  /** Node n's pods changed: its leaf is re-scored at the next refresh. */
  markDirty(n: number): void {
    if (!this.valid || this.dirty[n]) return;
    this.dirty[n] = 1;
    this.dirtyList.push(n);
    if (this.dirtyList.length > MAX_DIRTY) this.valid = false;
  }

  /** Brings the tree up to date: rebuilt when invalid or the cache grew, else the dirty leaves re-scored. */
  refresh(leaf: (n: number) => number, partition: () => Topology | undefined): void {
    if (!this.valid || this.p < this.cache.size) { this.build(leaf, partition()); return; }
    if (this.dirtyList.length === 0) return;
    // Re-score the dirty leaves and replay their paths to the root. Few: path by path. Many (with
    // many trees, a tree meets ~one dirty node per pod scheduled since it was last used): level by
    // level, each shared ancestor once.
    const tree = this.tree;
    if (this.dirtyList.length <= 16) {
      for (const n of this.dirtyList) {
        this.dirty[n] = 0;
        this.leaves[n] = leaf(n);
        for (let k = (this.p + this.posOf[n]!) >> 1; k >= 1; k >>= 1) tree[k] = this.better(tree[2 * k]!, tree[2 * k + 1]!);
      }
      this.dirtyList.length = 0;
      return;
    }
    const mark = this.mark;
    let cur = this.wave;
    let next = this.nextWave;
    let count = 0;
    for (const n of this.dirtyList) {
      this.dirty[n] = 0;
      this.leaves[n] = leaf(n);
      const k = (this.p + this.posOf[n]!) >> 1;
      if (!mark[k]) { mark[k] = 1; cur[count++] = k; }
    }
    this.dirtyList.length = 0;
    while (count > 0) {
      let up = 0;
      for (let i = 0; i < count; i++) {
        const k = cur[i]!;
        mark[k] = 0;
        tree[k] = this.better(tree[2 * k]!, tree[2 * k + 1]!);
        const parent = k >> 1;
        if (parent >= 1 && !mark[parent]) { mark[parent] = 1; next[up++] = parent; }
      }
      const t = cur; cur = next; next = t;
      count = up;
    }
  }

  private build(leaf: (n: number) => number, part: Topology | undefined): void {
    const size = this.cache.size;
    let p = 1;
    while (p < size) p <<= 1;
    this.p = p;
    this.leaves = new Float64Array(p).fill(-Infinity);
    this.tree = new Int32Array(2 * p);
    this.dirty = new Uint8Array(p);
    this.dirtyList = [];
    this.mark = new Uint8Array(p);
    this.wave = new Int32Array(p);
    this.nextWave = new Int32Array(p);
    this.posOf = new Int32Array(p);
    this.part = part;
    const order = new Int32Array(p);
    if (part) {
      // Counting sort by domain; nodes without the key (domain -1) last.
      const dom = part.domainOf;
      const domains = part.names.length;
      const start = new Int32Array(domains + 2);
      for (let n = 0; n < size; n++) start[(dom[n]! < 0 ? domains : dom[n]!) + 1]++;
      for (let d = 0; d <= domains; d++) start[d + 1] += start[d]!;
      this.domainStart = start.slice();
      for (let n = 0; n < size; n++) order[start[dom[n]! < 0 ? domains : dom[n]!]!++] = n;
    } else {
      for (let n = 0; n < size; n++) order[n] = n;
    }
    // Positions past the last node hold the slot of the same number (its leaf is -Infinity).
    for (let i = size; i < p; i++) order[i] = i;
    for (let i = 0; i < p; i++) this.posOf[order[i]!] = i;
    for (let n = 0; n < size; n++) this.leaves[n] = leaf(n);
    for (let i = 0; i < p; i++) this.tree[p + i] = order[i]!;
    for (let k = p - 1; k >= 1; k--) this.tree[k] = this.better(this.tree[2 * k]!, this.tree[2 * k + 1]!);
    this.valid = true;
  }

  /** The best node, or -1 when no node is feasible. */
  best(): number {
    const n = this.tree[1]!;
    return this.leaves[n] === -Infinity ? -1 : n;
  }

  /** Tree nodes covering the leaves of the partition domains set in `allowed`. */
  rootsFor(allowed: Uint8Array): number[] {
    const roots: number[] = [];
    const domains = this.domainStart.length - 2;
    for (let d = 0; d < domains; d++) {
      if (!allowed[d]) continue;
      // Canonical segment-tree cover of [start, end).
      let lo = this.domainStart[d]! + this.p;
      let hi = this.domainStart[d + 1]! + this.p;
      while (lo < hi) {
        if (lo & 1) roots.push(lo++);
        if (hi & 1) roots.push(--hi);
        lo >>= 1;
        hi >>= 1;
      }
    }
    return roots;
  }

  /** Best-first walk from `roots`: leaves come out in score order; the first that `passes` wins (-1: none). */
  search(roots: readonly number[], passes: (n: number) => boolean): number {
    const tree = this.tree;
    let heap = this.heap;
    let size = 0;
    // a before b when a's winner beats b's.
    const before = (a: number, b: number): boolean => { const x = tree[a]!; const y = tree[b]!; return x !== y && this.better(x, y) === x; };
    const push = (k: number): void => {
      if (size === heap.length) { const h = new Int32Array(size * 2); h.set(heap); heap = this.heap = h; }
      let i = size++;
      while (i > 0) { const up = (i - 1) >> 1; if (!before(k, heap[up]!)) break; heap[i] = heap[up]!; i = up; }
      heap[i] = k;
    };
    const pop = (): number => {
      const top = heap[0]!;
      const last = heap[--size]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const m = r < size && before(heap[r]!, heap[l]!) ? r : l;
        if (!before(heap[m]!, last)) break;
        heap[i] = heap[m]!;
        i = m;
      }
      heap[i] = last;
      return top;
    };
    for (const r of roots) push(r);
    while (size > 0) {
      const k = pop();
      const n = tree[k]!;
      if (this.leaves[n] === -Infinity) return -1;
      if (k >= this.p) { if (passes(n)) return n; continue; }
      push(2 * k);
      push(2 * k + 1);
    }
    return -1;
  }

  private better(a: number, b: number): number {
    const la = this.leaves[a]!;
    const lb = this.leaves[b]!;
    if (la !== lb) return la > lb ? a : b;
    if (la === -Infinity) return a;
    return beats(this.cache, la, a, lb, b) ? a : b;
  }
}
