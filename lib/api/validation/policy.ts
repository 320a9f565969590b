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

/** The counters a status write may carry: none negative. */
export function validatePodDisruptionBudgetStatus(status: PodDisruptionBudgetStatus | undefined): ErrorList {
  if (!status) return [];
  const path = FieldPath.root('status');
  const errs: ErrorList = [];
  for (const k of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const) {
    if (typeof status[k] === 'number') errs.push(...validateNonnegativeField(status[k], path.child(k)));
  }
  return errs;
}
