/**
 * The PodDisruptionBudgets preemption weighs (DefaultPreemption's
 * filterPodsWithPDBViolation): preemption deletes pods without the
 * eviction subresource, but among possible victims it spares those whose
 * budget has no disruption left, and prefers the node where it breaks the
 * fewest budgets. Only what that needs is kept per budget: its namespace,
 * compiled selector, disruptionsAllowed and the pods already counted
 * against it (status.disruptedPods).
 */
import { selectorFromLabelSelector } from '../../lib/api/selectors/label-selector.js';
import type { Selector } from '../../lib/api/selectors/requirement.js';
import type { PodDisruptionBudget } from '../../lib/api/types/policy.js';
import type { PodInfo } from './pod-info.js';

interface Budget {
  readonly selector: Selector;
  readonly allowed: number;
  readonly disrupted: ReadonlySet<string>;
}

export class DisruptionBudgets {
  /** namespace -> budget name -> budget. */
  private readonly byNamespace = new Map<string, Map<string, Budget>>();

  set(pdb: PodDisruptionBudget): void {
    const ns = pdb.metadata.namespace ?? 'default';
    const name = pdb.metadata.name ?? '';
    const sel = selectorFromLabelSelector(pdb.spec?.selector);
    // As the scheduler's own rule: a budget with an empty (or invalid) selector matches no pod here.
    if (!sel.ok || sel.selector.isEmpty()) {
      this.delete(ns, name);
      return;
    }
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, (m = new Map()));
    m.set(name, { selector: sel.selector, allowed: pdb.status?.disruptionsAllowed ?? 0, disrupted: new Set(Object.keys(pdb.status?.disruptedPods ?? {})) });
  }

  delete(namespace: string, name: string): void {
    const m = this.byNamespace.get(namespace);
    if (!m) return;
    m.delete(name);
    if (m.size === 0) this.byNamespace.delete(namespace);
  }

  get size(): number {
    let n = 0;
    for (const m of this.byNamespace.values()) n += m.size;
    return n;
  }

  /**
   * Splits `pods` (most important first) into those whose removal would
   * take a budget below zero and the rest, spending each budget's
   * disruptions in that order. Both keep the input order.
   */
  split(pods: readonly PodInfo[]): { violating: PodInfo[]; free: PodInfo[] } {
    if (this.byNamespace.size === 0) return { violating: [], free: [...pods] };
    const left = new Map<Budget, number>();
    const violating: PodInfo[] = [];
    const free: PodInfo[] = [];
    for (const p of pods) {
      let violates = false;
      const budgets = this.byNamespace.get(p.namespace);
      if (budgets) {
        for (const b of budgets.values()) {
          if (!b.selector.matches(p.labels) || b.disrupted.has(p.name)) continue;
          const n = (left.get(b) ?? b.allowed) - 1;
          left.set(b, n);
          if (n < 0) violates = true;
        }
      }
      (violates ? violating : free).push(p);
    }
    return { violating, free };
  }
}
