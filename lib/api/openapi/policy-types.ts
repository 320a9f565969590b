// policy/v1 PodDisruptionBudget. (The Eviction body, also policy/v1, is
// described with the pod types: it is posted to pods/<name>/eviction.)

import { INT_OR_STRING, NS, int32, int64, listOf, mapOf, oneOf, ref, req, type, kindType, type TypeDef } from './dsl.js';

const P = NS.policy;
const M = NS.meta;

export const POLICY_TYPES: readonly TypeDef[] = [
  kindType(`${P}PodDisruptionBudget`, { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' }, 'How many of a set of pods voluntary disruptions (evictions, kubectl drain) may take down at once.', {
    spec: ref(`${P}PodDisruptionBudgetSpec`, 'The budget.'),
    status: ref(`${P}PodDisruptionBudgetStatus`, 'What the disruption controller last computed. Read-only for users.'),
  }),
  type(`${P}PodDisruptionBudgetSpec`, 'The pods a budget covers and how many must stay available.', {
    maxUnavailable: ref(INT_OR_STRING, 'At most this many (or this share) of the selected pods may be unavailable after an eviction. Exclusive with minAvailable.'),
    minAvailable: ref(INT_OR_STRING, 'At least this many (or this share) of the selected pods must stay available after an eviction. Exclusive with maxUnavailable.'),
    selector: ref(`${M}LabelSelector`, 'The pods the budget covers. A null selector selects none; an empty one selects every pod in the namespace.', { nullable: true }),
    unhealthyPodEvictionPolicy: oneOf(['AlwaysAllow', 'IfHealthyBudget'], 'Whether Running pods that are not Ready may be evicted regardless of the budget (AlwaysAllow) or only while the budget is met (IfHealthyBudget, the default).'),
  }),
  type(`${P}PodDisruptionBudgetStatus`, 'The state of a budget.', {
    conditions: listOf(ref(`${M}Condition`), 'DisruptionAllowed: whether one more pod may be evicted now.'),
    currentHealthy: req(int32('Selected pods that are Ready now.')),
    desiredHealthy: req(int32('Ready pods the budget needs.')),
    disruptedPods: mapOf(ref(`${M}Time`), 'Pods an eviction was allowed for but the controller has not yet seen deleted, with when.'),
    disruptionsAllowed: req(int32('Evictions allowed now.')),
    expectedPods: req(int32('Pods the budget counts on (from the controllers of the selected pods for percentages and maxUnavailable).')),
    observedGeneration: int64('The generation of the spec this status was computed for.'),
  }),
];
