// ObjectMeta, labels, annotations, label selectors and the generic
// "field is immutable" check, following k8s.io/apimachinery
// api/validation/objectmeta.go and apis/meta/v1/validation.

import type { LabelSelector, ObjectMeta, OwnerReference } from '../types/meta.js';
import { deepEqual } from '../patch/json-value.js';
import { fieldErrors, formatBadValue, type ErrorList, type FieldPath } from './field.js';
import { byteLength, isLabelValue, isQualifiedName, nameIsDNSLabel, type NameValidator } from './names.js';

export const FIELD_IMMUTABLE_ERROR_MSG = 'field is immutable';
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * (1 << 10);

export function validateNonnegativeField(value: number, path: FieldPath): ErrorList {
  return value < 0 ? [fieldErrors.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

/** Go's ValidateImmutableField: deep equality, else Invalid(newVal, "field is immutable"). */
export function validateImmutableField(newVal: unknown, oldVal: unknown, path: FieldPath): ErrorList {
  return deepEqual(normalizeEmpty(newVal), normalizeEmpty(oldVal)) ? [] : [fieldErrors.invalid(path, newVal ?? null, FIELD_IMMUTABLE_ERROR_MSG)];
}

/** Go compares typed values, where a missing field and its zero value are the same. */
function normalizeEmpty(v: unknown): unknown {
  return v === undefined || v === null || v === '' ? null : v;
}

export function validateLabels(labels: Record<string, string> | undefined, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  if (!labels) return errs;
  // Indexed loops, no Object.keys: every create checks its labels.
  for (const k in labels) {
    if (!Object.hasOwn(labels, k)) continue;
    const keyErrs = isQualifiedName(k);
    for (let i = 0; i < keyErrs.length; i++) errs.push(fieldErrors.invalid(path, k, keyErrs[i]!));
    const v = labels[k]!;
    const valueErrs = isLabelValue(v);
    for (let i = 0; i < valueErrs.length; i++) errs.push(fieldErrors.invalid(path, v, valueErrs[i]!));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  if (!annotations) return errs;
  let total = 0;
  for (const k in annotations) {
    if (!Object.hasOwn(annotations, k)) continue;
    // Qualified names, except that case does not matter.
    const keyErrs = isQualifiedName(k.toLowerCase());
    for (let i = 0; i < keyErrs.length; i++) errs.push(fieldErrors.invalid(path, k, keyErrs[i]!));
    total += byteLength(k) + byteLength(annotations[k]!);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push(fieldErrors.tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return errs;
}

export function validateOwnerReferences(refs: readonly OwnerReference[] | undefined, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const slash = (ref.apiVersion ?? '').lastIndexOf('/');
    const version = slash >= 0 ? ref.apiVersion.slice(slash + 1) : ref.apiVersion ?? '';
    const group = slash >= 0 ? ref.apiVersion.slice(0, slash) : '';
    if (!version) errs.push(fieldErrors.invalid(path.child('apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(fieldErrors.invalid(path.child('kind'), ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(fieldErrors.invalid(path.child('name'), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(fieldErrors.invalid(path.child('uid'), ref.uid ?? '', 'must not be empty'));
    if (group === '' && version === 'v1' && ref.kind === 'Event') {
      errs.push(fieldErrors.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController !== '') {
        errs.push(fieldErrors.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`));
      } else firstController = cur;
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: readonly string[] | undefined, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  let orphan = false;
  let foreground = false;
  for (const f of finalizers ?? []) {
    for (const msg of isQualifiedName(f)) errs.push(fieldErrors.invalid(path, f, msg));
    if (f === 'orphan') orphan = true;
    if (f === 'foregroundDeletion') foreground = true;
  }
  if (orphan && foreground) errs.push(fieldErrors.invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  return errs;
}

export interface ObjectMetaOptions {
  /** True for namespaced kinds (namespace required), false for cluster-scoped (forbidden). */
  namespaced: boolean;
  /** The kind's name rule, e.g. nameIsDNSSubdomain for Pods, nameIsDNS1035Label for Services. */
  nameFn: NameValidator;
}

/** Metadata checks on create (Go's ValidateObjectMetaAccessor). Name generation must already have run. */
export function validateObjectMeta(meta: ObjectMeta, opts: ObjectMetaOptions, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  if (meta.generateName) {
    for (const msg of opts.nameFn(meta.generateName, true)) errs.push(fieldErrors.invalid(path.child('generateName'), meta.generateName, msg));
  }
  if (!meta.name) errs.push(fieldErrors.required(path.child('name'), 'name or generateName is required'));
  else for (let m = opts.nameFn(meta.name, false), j = 0; j < m.length; j++) errs.push(fieldErrors.invalid(path.child('name'), meta.name, m[j]!));
  objectMetaCommon(meta, opts.namespaced, path, errs);
  return errs;
}

/** The checks every object's metadata gets, into `errs`; every create runs them, so paths are made only for errors. */
function objectMetaCommon(meta: ObjectMeta, namespaced: boolean, path: FieldPath, errs: ErrorList): void {
  if (namespaced) {
    if (!meta.namespace) errs.push(fieldErrors.required(path.child('namespace')));
    else for (let m = nameIsDNSLabel(meta.namespace, false), j = 0; j < m.length; j++) errs.push(fieldErrors.invalid(path.child('namespace'), meta.namespace, m[j]!));
  } else if (meta.namespace) {
    errs.push(fieldErrors.forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  if ((meta.generation ?? 0) < 0) errs.push(fieldErrors.invalid(path.child('generation'), meta.generation, 'must be greater than or equal to 0'));
  if (meta.labels) append(errs, validateLabels(meta.labels, path.child('labels')));
  if (meta.annotations) append(errs, validateAnnotations(meta.annotations, path.child('annotations')));
  if (meta.ownerReferences) append(errs, validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')));
  if (meta.finalizers) append(errs, validateFinalizers(meta.finalizers, path.child('finalizers')));
}

function append(errs: ErrorList, more: ErrorList): void {
  for (const e of more) errs.push(e);
}

/** Metadata checks on update (Go's ValidateObjectMetaAccessorUpdate). */
export function validateObjectMetaUpdate(next: ObjectMeta, old: ObjectMeta, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  if (old.deletionTimestamp) {
    const oldSet = new Set(old.finalizers ?? []);
    const extra = [...new Set(next.finalizers ?? [])].filter((f) => !oldSet.has(f)).sort();
    if (extra.length > 0) {
      errs.push(
        fieldErrors.forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${formatBadValue(extra)}`,
        ),
      );
    }
  }
  if (!next.resourceVersion) errs.push(fieldErrors.invalid(path.child('resourceVersion'), next.resourceVersion ?? '', 'must be specified for an update'));
  if ((next.generation ?? 0) < (old.generation ?? 0)) errs.push(fieldErrors.invalid(path.child('generation'), next.generation ?? 0, 'must not be decremented'));
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
    errs.push(...validateImmutableField(next[f], old[f], path.child(f)));
  }
  errs.push(...validateLabels(next.labels, path.child('labels')));
  errs.push(...validateAnnotations(next.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(next.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(next.finalizers, path.child('finalizers')));
  return errs;
}

/** metav1 LabelSelector validation (Go's ValidateLabelSelector). */
export function validateLabelSelector(sel: LabelSelector | undefined, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  if (!sel) return errs;
  errs.push(...validateLabels(sel.matchLabels, path.child('matchLabels')));
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldErrors.required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldErrors.forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldErrors.invalid(p.child('operator'), expr.operator, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(expr.key)) errs.push(fieldErrors.invalid(p.child('key'), expr.key, msg));
  });
  return errs;
}
