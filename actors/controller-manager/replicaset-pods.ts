/**
 * The ReplicaSet controller's pod index: pods by their controller's uid and
 * orphans by namespace, kept from the pod informer's events, so a reconcile
 * reads a set's own pods instead of scanning every cached pod.
 *
 * Each controller's slot also keeps a tally (active pods matching the
 * selector, how many of those are fully labeled and ready) against the
 * basis it was last asked for (namespace, selector, template labels). A pod
 * event adjusts the tally in O(1); a reconcile that finds no orphan to adopt and no
 * owned pod to release reads its status from the tally instead of walking
 * the set's pods. During a 10,000-pod rollout every pod event re-queues the
 * set: a walk per reconcile made the burst quadratic.
 */
import { keyOf } from '../../lib/client/object-cache.js';
import type { Selector } from '../../lib/api/selectors/index.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { controllerOf } from './objects.js';
import { isPodActive, isPodReady } from './pods.js';

/** What the tally is counted against: a ReplicaSet's namespace, selector and template labels. */
export interface TallyBasis {
  /** Equal keys mean an equal basis (the namespace, selector and labels, serialized). */
  readonly key: string;
  readonly namespace: string;
  readonly selector: Selector;
  readonly templateLabels: readonly (readonly [string, string])[];
}

export interface PodTally {
  /** Active pods (not terminating, not finished) in the namespace matching the selector: what claim() keeps. */
  matching: number;
  /** Active pods in the namespace that no longer match: claim() would release them. */
  notMatching: number;
  fullyLabeled: number;
  ready: number;
}

interface Slot {
  readonly pods: Map<string, Readonly<Pod>>;
  basis?: TallyBasis;
  tally: PodTally;
}

const zero = (): PodTally => ({ matching: 0, notMatching: 0, fullyLabeled: 0, ready: 0 });

export class ReplicaSetPods {
  private readonly byController = new Map<string, Slot>();
  private readonly orphans = new Map<string, Map<string, Readonly<Pod>>>();

  put(p: Readonly<Pod>): void {
    const ref = controllerOf(p);
    const key = keyOf(p);
    if (!ref) {
      const ns = p.metadata.namespace ?? '';
      let m = this.orphans.get(ns);
      if (!m) this.orphans.set(ns, (m = new Map()));
      m.set(key, p);
      return;
    }
    let slot = this.byController.get(ref.uid);
    if (!slot) this.byController.set(ref.uid, (slot = { pods: new Map(), tally: zero() }));
    const prev = slot.pods.get(key);
    if (prev && slot.basis) count(slot.tally, slot.basis, prev, -1);
    slot.pods.set(key, p);
    if (slot.basis) count(slot.tally, slot.basis, p, 1);
  }

  drop(p: Readonly<Pod>): void {
    const ref = controllerOf(p);
    const key = keyOf(p);
    if (!ref) {
      const ns = p.metadata.namespace ?? '';
      const m = this.orphans.get(ns);
      if (m?.delete(key) && m.size === 0) this.orphans.delete(ns);
      return;
    }
    const slot = this.byController.get(ref.uid);
    const prev = slot?.pods.get(key);
    if (!slot || !prev) return;
    if (slot.basis) count(slot.tally, slot.basis, prev, -1);
    slot.pods.delete(key);
    if (slot.pods.size === 0) this.byController.delete(ref.uid);
  }

  /** Moves a pod whose controller may have changed. */
  move(old: Readonly<Pod>, p: Readonly<Pod>): void {
    // Same slot: put() replaces in place (keeps the order).
    if (controllerOf(old)?.uid !== controllerOf(p)?.uid) this.drop(old);
    this.put(p);
  }

  /** The pods a full reconcile of the set `uid` looks at: those it controls in `namespace`, and the namespace's orphans. */
  candidates(uid: string, namespace: string): Readonly<Pod>[] {
    const out: Readonly<Pod>[] = [];
    for (const p of this.byController.get(uid)?.pods.values() ?? []) if (p.metadata.namespace === namespace) out.push(p);
    for (const p of this.orphans.get(namespace)?.values() ?? []) out.push(p);
    return out;
  }

  /** An orphan in `namespace` that claim() could adopt for a set with `selector` (active, matching, not being deleted). */
  hasAdoptable(namespace: string, selector: Selector): boolean {
    for (const p of this.orphans.get(namespace)?.values() ?? []) {
      if (isPodActive(p) && selector.matches(p.metadata.labels ?? {})) return true;
    }
    return false;
  }

  /** The tally of the set `uid`'s pods against `basis` (counted afresh when the basis changed). */
  tally(uid: string, basis: TallyBasis): Readonly<PodTally> {
    const slot = this.byController.get(uid);
    if (!slot) return zero();
    if (slot.basis?.key !== basis.key) {
      slot.basis = basis;
      slot.tally = zero();
      for (const p of slot.pods.values()) count(slot.tally, basis, p, 1);
    }
    return slot.tally;
  }

  /** The active pods of `uid` in `namespace` matching `selector` (what claim() would return when nothing is adopted or released). */
  matching(uid: string, namespace: string, selector: Selector): Readonly<Pod>[] {
    const out: Readonly<Pod>[] = [];
    for (const p of this.byController.get(uid)?.pods.values() ?? []) {
      if (p.metadata.namespace === namespace && isPodActive(p) && selector.matches(p.metadata.labels ?? {})) out.push(p);
    }
    return out;
  }
}

function count(t: PodTally, basis: TallyBasis, p: Readonly<Pod>, sign: 1 | -1): void {
  if (p.metadata.namespace !== basis.namespace || !isPodActive(p)) return;
  const labels = p.metadata.labels ?? {};
  if (!basis.selector.matches(labels)) {
    t.notMatching += sign;
    return;
  }
  t.matching += sign;
  if (basis.templateLabels.every(([k, v]) => labels[k] === v)) t.fullyLabeled += sign;
  if (isPodReady(p)) t.ready += sign;
}
