// Deployment, ReplicaSet and DaemonSet validation
// (k8s.io/kubernetes/pkg/apis/apps/validation): the selector must be present,
// non-empty and match the pod template's labels; templates must restart
// Always; rolling-update parameters must make sense; on update the selector
// is immutable (apps/v1).

import type { Deployment, DaemonSet, ReplicaSet, RollingUpdateDeployment } from '../types/apps.js';
import type { LabelSelector, ObjectMeta } from '../types/meta.js';
import type { PodTemplateSpec } from '../types/pod.js';
import { selectorFromLabelSelector } from '../selectors/label-selector.js';
import { FieldPath, RawValue, fieldErrors, type ErrorList } from './field.js';
import { validateImmutableField, validateLabelSelector, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { nameIsDNSSubdomain, regexError } from './names.js';

const SPEC = FieldPath.root('spec');

/** Go prints a *LabelSelector with its generated String() method; this is that form for an empty selector. */
function selectorValue(sel: LabelSelector): unknown {
  const empty = Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
  return empty ? new RawValue('&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}') : sel;
}

/** Selector checks shared by the three kinds; `kindWord` is Kubernetes' word in the empty-selector message. */
function validateSelectorAndTemplate(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  kindWord: string,
): ErrorList {
  const errs: ErrorList = [];
  const selPath = SPEC.child('selector');
  if (!selector) errs.push(fieldErrors.required(selPath));
  else {
    errs.push(...validateLabelSelector(selector, selPath));
    if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
      errs.push(fieldErrors.invalid(selPath, selectorValue(selector), `empty selector is invalid for ${kindWord}`));
    }
  }
  const tplPath = SPEC.child('template');
  if (!template) return [...errs, fieldErrors.required(tplPath)];
  const sel = selectorFromLabelSelector(selector);
  if (!sel.ok) errs.push(fieldErrors.invalid(selPath, selector, 'invalid label selector'));
  else if (!sel.selector.isEmpty() && !sel.selector.matches(template.metadata?.labels)) {
    errs.push(fieldErrors.invalid(tplPath.child('metadata', 'labels'), template.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, tplPath));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== undefined && restartPolicy !== 'Always') {
    errs.push(fieldErrors.notSupported(tplPath.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
  }
  if (template.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(fieldErrors.forbidden(tplPath.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kindWord === 'daemonset' ? 'DaemonSet' : 'ReplicaSet'} is not Supported`));
  }
  return errs;
}

function validateMeta(meta: ObjectMeta | undefined): ErrorList {
  return validateObjectMeta(meta ?? {}, { namespaced: true, nameFn: nameIsDNSSubdomain }, FieldPath.root('metadata'));
}

const percentFmt = '[0-9]+%';

/** IntOrString that must be >= 0 and, as a percentage, <= 100%. */
export function validateIntOrPercent(v: number | string | undefined, path: FieldPath): ErrorList {
  if (v === undefined) return [];
  if (typeof v === 'number') return validateNonnegativeField(v, path);
  if (!/^[0-9]+%$/.test(v)) {
    return [fieldErrors.invalid(path, v, regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%'))];
  }
  return Number(v.slice(0, -1)) > 100 ? [fieldErrors.invalid(path, v, 'must not be greater than 100%')] : [];
}

function isZero(v: number | string | undefined): boolean {
  return v === undefined || v === 0 || (typeof v === 'string' && /^0+%$/.test(v));
}

function validateRollingUpdate(ru: RollingUpdateDeployment, path: FieldPath): ErrorList {
  const errs = [...validateIntOrPercent(ru.maxUnavailable, path.child('maxUnavailable')), ...validateIntOrPercent(ru.maxSurge, path.child('maxSurge'))];
  if (isZero(ru.maxSurge) && isZero(ru.maxUnavailable)) {
    errs.push(fieldErrors.invalid(path.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  return errs;
}

export function validateDeployment(d: Deployment): ErrorList {
  const errs = validateMeta(d.metadata);
  const spec = d.spec;
  if (!spec) return [...errs, fieldErrors.required(SPEC.child('selector')), fieldErrors.required(SPEC.child('template'))];
  errs.push(...validateNonnegativeField(spec.replicas ?? 0, SPEC.child('replicas')));
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'deployment'));
  const strategy = spec.strategy;
  const sPath = SPEC.child('strategy');
  if (strategy?.type === 'Recreate') {
    if (strategy.rollingUpdate) errs.push(fieldErrors.forbidden(sPath.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (strategy?.type === 'RollingUpdate' || strategy?.type === undefined) {
    if (strategy?.rollingUpdate) errs.push(...validateRollingUpdate(strategy.rollingUpdate, sPath.child('rollingUpdate')));
  } else {
    errs.push(fieldErrors.notSupported(sPath, strategy, ['Recreate', 'RollingUpdate']));
  }
  errs.push(...validateNonnegativeField(spec.minReadySeconds ?? 0, SPEC.child('minReadySeconds')));
  if (spec.revisionHistoryLimit !== undefined) errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, SPEC.child('revisionHistoryLimit')));
  if (spec.progressDeadlineSeconds !== undefined) {
    errs.push(...validateNonnegativeField(spec.progressDeadlineSeconds, SPEC.child('progressDeadlineSeconds')));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(fieldErrors.invalid(SPEC.child('progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet): ErrorList {
  const errs = validateMeta(rs.metadata);
  const spec = rs.spec;
  if (!spec) return [...errs, fieldErrors.required(SPEC.child('selector'))];
  errs.push(...validateNonnegativeField(spec.replicas ?? 0, SPEC.child('replicas')));
  errs.push(...validateNonnegativeField(spec.minReadySeconds ?? 0, SPEC.child('minReadySeconds')));
  // Kubernetes' ReplicaSet validation reuses the Deployment wording here.
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'deployment'));
  return errs;
}

export function validateDaemonSet(ds: DaemonSet): ErrorList {
  const errs = validateMeta(ds.metadata);
  const spec = ds.spec;
  if (!spec) return [...errs, fieldErrors.required(SPEC.child('selector'))];
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'daemonset'));
  errs.push(...validateNonnegativeField(spec.minReadySeconds ?? 0, SPEC.child('minReadySeconds')));
  const type = spec.updateStrategy?.type;
  if (type !== undefined && type !== 'OnDelete' && type !== 'RollingUpdate') {
    errs.push(fieldErrors.notSupported(SPEC.child('updateStrategy', 'type'), type, ['OnDelete', 'RollingUpdate']));
  }
  return errs;
}

/** apps/v1 makes spec.selector immutable; metadata follows the usual update rules. */
export function validateWorkloadUpdate<T extends { metadata: ObjectMeta; spec?: { selector?: LabelSelector } }>(next: T, old: T, validate: (obj: T) => ErrorList): ErrorList {
  return [
    ...validateObjectMetaUpdate(next.metadata ?? {}, old.metadata ?? {}, FieldPath.root('metadata')),
    ...validate(next).filter((e) => !e.field.startsWith('metadata.')),
    ...validateImmutableField(next.spec?.selector, old.spec?.selector, SPEC.child('selector')),
  ];
}
