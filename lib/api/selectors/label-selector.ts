// Selectors from metav1.LabelSelector objects (Deployment.spec.selector,
// affinity terms, ...) and from plain label maps, following
// metav1.LabelSelectorAsSelector and labels.SelectorFromSet.
//
// A missing (null/undefined) LabelSelector selects nothing; an empty one
// selects everything: Kubernetes' rule, and the reason controllers must not
// treat "no selector" as "all pods".

import type { LabelSelector } from '../types/meta.js';
import { goQuote } from '../go-format.js';
import { Selector, newRequirement, type Operator, type Requirement } from './requirement.js';

export type SelectorFromObjectResult = { ok: true; selector: Selector } | { ok: false; error: string };

const OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): SelectorFromObjectResult {
  if (ls === null || ls === undefined) return { ok: true, selector: Selector.nothing() };
  const matchLabels = ls.matchLabels ?? {};
  const exprs = ls.matchExpressions ?? [];
  const labelKeys = Object.keys(matchLabels);
  if (labelKeys.length + exprs.length === 0) return { ok: true, selector: Selector.everything() };
  const reqs: Requirement[] = [];
  for (const k of labelKeys) {
    const r = newRequirement(k, '=', [matchLabels[k]!]);
    if (!r.ok) return { ok: false, error: r.error };
    reqs.push(r.requirement);
  }
  for (const expr of exprs) {
    const op = Object.hasOwn(OPERATORS, expr.operator) ? OPERATORS[expr.operator] : undefined;
    if (!op) return { ok: false, error: `${goQuote(String(expr.operator))} is not a valid label selector operator` };
    const r = newRequirement(expr.key, op, [...(expr.values ?? [])]);
    if (!r.ok) return { ok: false, error: r.error };
    reqs.push(r.requirement);
  }
  return { ok: true, selector: Selector.of(reqs) };
}

/** Selector matching exactly these labels (no validation, like SelectorFromSet). Empty selects everything. */
export function selectorFromSet(labels: Readonly<Record<string, string>> | null | undefined): Selector {
  if (!labels) return Selector.everything();
  return Selector.of(Object.keys(labels).map((k) => ({ key: k, operator: '=' as const, values: [labels[k]!] })));
}

/** metav1.FormatLabelSelector: the string form, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(ls: LabelSelector | null | undefined): string {
  const r = selectorFromLabelSelector(ls);
  if (!r.ok) return '<error>';
  const s = r.selector.toString();
  return s.length === 0 ? '<none>' : s;
}
