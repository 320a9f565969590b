/**
 * Per-domain sums of a per-node count (pods matching a selector, or pods
 * carrying a term), kept up to date as pods come and go, so that PreFilter
 * reads them instead of summing over every node for every pod. A view sums
 * over the live nodes, or over the nodes of a mask (spread's eligible nodes);
 * it is rebuilt when a node changes (domains and masks may have changed), which
 * the node cache's epoch tells.
 */
import type { Topology } from './cache.js';

export interface DomainCounts {
  readonly topo: Topology;
  /** Names the mask's content ('' for none): views are shared by it. */
  readonly maskKey: string;
  mask: Uint8Array | undefined;
  sums: Float64Array;
  /** Sum of `sums`. */
  total: number;
  /** The node epoch the view is current for. */
  epoch: number;
}

/** A pod was counted (d = 1) or uncounted (-1) on node n: current views follow. */
export function bumpViews(views: readonly DomainCounts[], n: number, d: number, epoch: number): void {
  for (const v of views) {
    if (v.epoch !== epoch || (v.mask && !v.mask[n])) continue;
    const dom = v.topo.domainOf[n]!;
    if (dom >= 0) { v.sums[dom] += d; v.total += d; }
  }
}

/** The view of `perNode` by `topo` (and mask), from `views`, rebuilt when not current. */
export function viewOf(
  views: DomainCounts[], perNode: Int32Array, live: Uint8Array, size: number, epoch: number,
  topo: Topology, mask: Uint8Array | undefined, maskKey: string,
): DomainCounts {
  let v: DomainCounts | undefined;
  for (const x of views) if (x.topo === topo && x.maskKey === maskKey) { v = x; break; }
  if (v && v.epoch === epoch) return v;
  if (!v) {
    v = { topo, maskKey, mask, sums: new Float64Array(0), total: 0, epoch: -1 };
    views.push(v);
  }
  const sums = new Float64Array(topo.names.length);
  let total = 0;
  const dom = topo.domainOf;
  for (let n = 0; n < size; n++) {
    const c = perNode[n]!;
    if (c === 0 || !live[n] || dom[n]! < 0 || (mask && !mask[n])) continue;
    sums[dom[n]!] += c;
    total += c;
  }
  v.mask = mask;
  v.sums = sums;
  v.total = total;
  v.epoch = epoch;
  return v;
}

/** True when no domain of `topo` holds more than one live node (hostname, usually). */
export function oneNodePerDomain(topo: Topology, live: Uint8Array, size: number): boolean {
  const seen = new Uint8Array(topo.names.length);
  for (let n = 0; n < size; n++) {
    const d = topo.domainOf[n]!;
    if (!live[n] || d < 0) continue;
    if (seen[d]) return false;
    seen[d] = 1;
  }
  return true;
}
