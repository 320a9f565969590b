/**
 * Pods nominated to a node by preemption (status.nominatedNodeName), as
 * kube-scheduler's nominator keeps them. Kubernetes filters a pod on a node
 * as if the pods nominated there with priority >= its own were already
 * running (the pod itself excepted): otherwise the room preemption freed for
 * a nominee is taken by lower-priority pods arriving before the nominee is
 * retried. Here a nomination is counted in the node cache for one scheduling
 * cycle, like an assumed pod, and taken out again after it; the reservation
 * lives under its own key so it never clashes with the real pod's entry.
 *
 * Simplification: kube runs the filters a second time without the nominated
 * pods (for affinity to them) and scores without them; here the reservation
 * counts for filtering, preemption and scoring of that cycle alike.
 */
import type { NodeCache } from './cache.js';
import type { PodInfo } from './pod-info.js';

interface Nomination {
  readonly node: string;
  /** The nominee as counted in the cache (its key made distinct). */
  readonly reservation: PodInfo;
}

const SUFFIX = '\u0000nominated';

export class Nominator {
  private readonly byPod = new Map<string, Nomination>();

  get size(): number { return this.byPod.size; }

  nodeOf(key: string): string | undefined {
    return this.byPod.get(key)?.node;
  }

  /** `info` is nominated to `node` (replacing any earlier nomination of the pod). */
  set(info: PodInfo, node: string): void {
    this.byPod.set(info.key, { node, reservation: { ...info, key: info.key + SUFFIX } });
  }

  /** Forgets the pod's nomination; returns the node it held, if any. */
  delete(key: string): string | undefined {
    const n = this.byPod.get(key);
    if (!n) return undefined;
    this.byPod.delete(key);
    return n.node;
  }

  /**
   * Counts in `cache` the nominations `pod` must respect (priority >= its own,
   * not its own, on a known node); returns their keys for `release`.
   */
  reserve(cache: NodeCache, pod: PodInfo): string[] | undefined {
    if (this.byPod.size === 0) return undefined;
    let keys: string[] | undefined;
    for (const [key, nom] of this.byPod) {
      if (key === pod.key || nom.reservation.priority < pod.priority) continue;
      const n = cache.index.get(nom.node);
      if (n === undefined) continue;
      cache.addPod(nom.reservation, n, true);
      (keys ??= []).push(nom.reservation.key);
    }
    return keys;
  }

  release(cache: NodeCache, keys: readonly string[] | undefined): void {
    if (keys) for (const k of keys) cache.removePod(k);
  }
}
