// policy/v1 PodDisruptionBudget: how many of a set of pods voluntary
// disruptions (evictions, hence `kubectl drain`) may take down at once.
// The disruption controller writes the status; the eviction subresource
// reads it and spends one disruption per eviction it allows.

import type { Condition, IntOrString, LabelSelector, ObjectMeta, Time, TypeMeta } from './meta.js';

/** What happens to selected pods that are Running but not Ready. */
export type UnhealthyPodEvictionPolicy = 'IfHealthyBudget' | 'AlwaysAllow';

export interface PodDisruptionBudgetSpec {
  /** At least this many (or this share) of the selected pods stay available. Exclusive with maxUnavailable. */
  minAvailable?: IntOrString;
  /** At most this many (or this share) may be unavailable. Exclusive with minAvailable. */
  maxUnavailable?: IntOrString;
  /** Null selects no pods; an empty selector selects every pod in the namespace. */
  selector?: LabelSelector | null;
  unhealthyPodEvictionPolicy?: UnhealthyPodEvictionPolicy;
}

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  /** Pods the eviction subresource let go, by name, with when; not yet seen deleted by the controller. */
  disruptedPods?: Record<string, Time>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: Condition[];
}

export interface PodDisruptionBudget extends TypeMeta {
  metadata: ObjectMeta;
  spec?: PodDisruptionBudgetSpec;
  status?: PodDisruptionBudgetStatus;
}

/** The condition the controller and the eviction subresource keep: can one more pod go now? */
export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
