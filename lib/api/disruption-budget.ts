// What the eviction subresource and the disruption controller agree on
// about a PodDisruptionBudget (k8s.io/component-helpers/apps/poddisruptionbudget):
// which pods a budget covers, and the DisruptionAllowed condition that
// mirrors status.disruptionsAllowed.

import { selectorFromLabelSelector } from './selectors/label-selector.js';
import type { Condition } from './types/meta.js';
import type { Pod } from './types/pod.js';
import { DISRUPTION_ALLOWED, type PodDisruptionBudget, type PodDisruptionBudgetStatus } from './types/policy.js';

/**
 * The budget covers the pod: same namespace and the selector matches. A
 * null selector covers nothing, an empty one every pod of the namespace
 * (policy/v1), an invalid one nothing.
 */
export function budgetCovers(pdb: Readonly<PodDisruptionBudget>, pod: Readonly<Pod>): boolean {
  if (pdb.metadata.namespace !== pod.metadata.namespace) return false;
  const sel = selectorFromLabelSelector(pdb.spec?.selector);
  return sel.ok && sel.selector.matches(pod.metadata.labels);
}

/** A zeroed status: what a budget has before the controller first computes it. */
export function emptyBudgetStatus(): PodDisruptionBudgetStatus {
  return { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
}

function wantedCondition(status: Readonly<PodDisruptionBudgetStatus>): Pick<Condition, 'status' | 'reason'> {
  return status.disruptionsAllowed > 0 ? { status: 'True', reason: 'SufficientPods' } : { status: 'False', reason: 'InsufficientPods' };
}

/**
 * Sets DisruptionAllowed from disruptionsAllowed (UpdateDisruptionAllowedCondition):
 * True/SufficientPods when an eviction is allowed, else False/InsufficientPods;
 * lastTransitionTime moves only when the status flips (meta.SetStatusCondition).
 * With `syncFailed`, False/SyncFailed and that message (the controller's fail-safe).
 */
export function setDisruptionAllowed(status: PodDisruptionBudgetStatus, now: string, syncFailed?: string): void {
  // A failed sync (the controller's fail-safe) says False/SyncFailed with why, whatever the counters say.
  const want: Pick<Condition, 'status' | 'reason'> = syncFailed === undefined ? wantedCondition(status) : { status: 'False', reason: 'SyncFailed' };
  const conditions = (status.conditions ?? []).filter((c) => c.type !== DISRUPTION_ALLOWED);
  const old = status.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  const next: Condition = {
    type: DISRUPTION_ALLOWED,
    status: want.status,
    ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
    lastTransitionTime: old && old.status === want.status ? old.lastTransitionTime : now,
    reason: want.reason,
    message: syncFailed ?? '',
  };
  status.conditions = [...conditions, next];
}

/** ConditionsAreUpToDate: the condition agrees with disruptionsAllowed for the current generation. */
export function disruptionConditionUpToDate(pdb: Readonly<PodDisruptionBudget>): boolean {
  const status = pdb.status;
  if (!status || status.observedGeneration !== (pdb.metadata.generation ?? 0)) return false;
  const cond = status.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  const want = wantedCondition(status);
  return cond !== undefined && cond.status === want.status && cond.reason === want.reason;
}
