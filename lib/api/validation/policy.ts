// PodDisruptionBudget validation (pkg/apis/policy/validation): at most one
// of minAvailable and maxUnavailable, each a non-negative number or a
// percentage up to 100%; a valid label selector; a known
// unhealthyPodEvictionPolicy. The spec may change after creation (policy/v1).

import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../types/policy.js';
import { FieldPath, RawValue, fieldErrors, type ErrorList } from './field.js';
import { validateLabelSelector, validateNonnegativeField, validateObjectMeta } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateIntOrPercent } from './workloads.js';

const SPEC = FieldPath.root('spec');
const POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): ErrorList {
  const errs = validateObjectMeta(pdb.metadata ?? {}, { namespaced: true, nameFn: nameIsDNSSubdomain }, FieldPath.root('metadata'));
  const spec = pdb.spec ?? {};
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    // Go prints the spec struct here; its pointers mean nothing to a user, so name the two values instead.
    errs.push(fieldErrors.invalid(SPEC, new RawValue(`{minAvailable: ${String(spec.minAvailable)}, maxUnavailable: ${String(spec.maxUnavailable)}}`), 'minAvailable and maxUnavailable cannot be both set'));
  }
  errs.push(...validateIntOrPercent(spec.minAvailable, SPEC.child('minAvailable')));
  errs.push(...validateIntOrPercent(spec.maxUnavailable, SPEC.child('maxUnavailable')));
  errs.push(...validateLabelSelector(spec.selector ?? undefined, SPEC.child('selector')));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !POLICIES.includes(policy)) errs.push(fieldErrors.notSupported(SPEC.child('unhealthyPodEvictionPolicy'), policy, POLICIES));
  return errs;
}

// RFC 3339, as metav1.Time decodes it (a fraction is accepted, then dropped).
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isTime = (v: unknown): boolean => typeof v === 'string' && RFC3339.test(v) && !Number.isNaN(Date.parse(v));

/**
 * What a status write may carry: no negative counter, times that are
 * times (the controller and the eviction subresource compute with them),
 * conditions with a type, a known status and a transition time.
 */
export function validatePodDisruptionBudgetStatus(status: PodDisruptionBudgetStatus | undefined): ErrorList {
  if (!status) return [];
  const path = FieldPath.root('status');
  const errs: ErrorList = [];
  for (const k of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const) {
    if (typeof status[k] === 'number') errs.push(...validateNonnegativeField(status[k], path.child(k)));
  }
  for (const [pod, at] of Object.entries(status.disruptedPods ?? {})) {
    if (!isTime(at)) errs.push(fieldErrors.invalid(path.child('disruptedPods').key(pod), at, 'must be an RFC 3339 time'));
  }
  (status.conditions ?? []).forEach((c, i) => {
    const p = path.child('conditions').index(i);
    if (!c.type) errs.push(fieldErrors.required(p.child('type'), 'must be set'));
    if (!['True', 'False', 'Unknown'].includes(c.status)) errs.push(fieldErrors.notSupported(p.child('status'), c.status, ['False', 'True', 'Unknown']));
    if (!isTime(c.lastTransitionTime)) errs.push(fieldErrors.required(p.child('lastTransitionTime'), 'must be set'));
  });
  return errs;
}
