// Validation for the kinds lib/api/validation does not cover yet, kept to
// what Kubernetes checks first (pkg/apis/{core,batch,scheduling}/validation):
// metadata with each kind's name rule, ConfigMap/Secret keys and
// immutability, an Event's involvedObject namespace, PriorityClass
// preemptionPolicy, and the Job spec rules users hit (selector present and
// matching, restartPolicy OnFailure or Never, non-negative counts).

import type { ConfigMap, Event, Secret } from '../types/core.js';
import type { Job, PriorityClass } from '../types/cluster.js';
import type { KubeObject } from '../types/meta.js';
import { deepEqual } from '../patch/json-value.js';
import { selectorFromLabelSelector } from '../selectors/label-selector.js';
import { FieldPath, fieldErrors, type ErrorList } from '../validation/field.js';
import { validateImmutableField, validateLabelSelector, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import { isConfigMapKey, nameIsDNSLabel, nameIsDNSSubdomain, type NameValidator } from '../validation/names.js';
import { validatePodTemplateSpec } from '../validation/pod.js';

const META = FieldPath.root('metadata');

/** Metadata-only create validation for a kind with the given scope and name rule. */
export function metadataValidator(namespaced: boolean, nameFn: NameValidator = nameIsDNSSubdomain): (obj: KubeObject) => ErrorList {
  return (obj) => validateObjectMeta(obj.metadata ?? {}, { namespaced, nameFn }, META);
}

/** Update validation from a create validator: metadata update rules, then the kind's rules minus metadata-on-create ones. */
export function updateValidator<T extends KubeObject>(validate: (obj: T) => ErrorList): (next: T, old: T) => ErrorList {
  return (next, old) => [
    ...validateObjectMetaUpdate(next.metadata ?? {}, old.metadata ?? {}, META),
    ...validate(next).filter((e) => !e.field.startsWith('metadata.')),
  ];
}

/** Namespaces are named by DNS labels (they appear in DNS names). */
export const validateNamespace = metadataValidator(false, nameIsDNSLabel);

function validateKeys(keys: readonly string[], path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  for (const k of keys) for (const msg of isConfigMapKey(k)) errs.push(fieldErrors.invalid(path.key(k), k, msg));
  return errs;
}

export function validateConfigMap(cm: ConfigMap): ErrorList {
  const errs = metadataValidator(true)(cm);
  const data = Object.keys(cm.data ?? {});
  const binary = Object.keys(cm.binaryData ?? {});
  errs.push(...validateKeys(data, FieldPath.root('data')));
  errs.push(...validateKeys(binary, FieldPath.root('binaryData')));
  for (const k of binary) if (data.includes(k)) errs.push(fieldErrors.invalid(FieldPath.root('data').key(k), k, 'duplicate of key present in binaryData'));
  return errs;
}

export function validateSecret(s: Secret): ErrorList {
  const errs = metadataValidator(true)(s);
  errs.push(...validateKeys(Object.keys(s.data ?? {}), FieldPath.root('data')));
  return errs;
}

/** ConfigMaps and Secrets marked immutable keep their data; a Secret's type never changes. */
export function validateDataUpdate<T extends ConfigMap | Secret>(validate: (obj: T) => ErrorList): (next: T, old: T) => ErrorList {
  const base = updateValidator(validate);
  return (next, old) => {
    const errs = base(next, old);
    if (old.immutable) {
      if (!next.immutable) errs.push(fieldErrors.forbidden(FieldPath.root('immutable'), 'field is immutable when `immutable` is set'));
      if (!deepEqual(next.data ?? {}, old.data ?? {})) errs.push(fieldErrors.forbidden(FieldPath.root('data'), 'field is immutable when `immutable` is set'));
      const nb = (next as ConfigMap).binaryData ?? {};
      const ob = (old as ConfigMap).binaryData ?? {};
      if (!deepEqual(nb, ob)) errs.push(fieldErrors.forbidden(FieldPath.root('binaryData'), 'field is immutable when `immutable` is set'));
    }
    if ('type' in old || 'type' in next) errs.push(...validateImmutableField((next as Secret).type, (old as Secret).type, FieldPath.root('type')));
    return errs;
  };
}

export function validateEvent(ev: Event): ErrorList {
  const errs = metadataValidator(true)(ev);
  const ns = ev.involvedObject?.namespace;
  if (ns && ns !== ev.metadata?.namespace) errs.push(fieldErrors.invalid(FieldPath.root('involvedObject', 'namespace'), ns, 'does not match event.namespace'));
  return errs;
}

const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'] as const;

export function validatePriorityClass(pc: PriorityClass): ErrorList {
  const errs = metadataValidator(false)(pc);
  if (pc.preemptionPolicy !== undefined && !(PREEMPTION_POLICIES as readonly string[]).includes(pc.preemptionPolicy)) {
    errs.push(fieldErrors.notSupported(FieldPath.root('preemptionPolicy'), pc.preemptionPolicy, PREEMPTION_POLICIES));
  }
  return errs;
}

/** A PriorityClass's value and preemption policy are immutable. */
export function validatePriorityClassUpdate(next: PriorityClass, old: PriorityClass): ErrorList {
  return [
    ...updateValidator(validatePriorityClass)(next, old),
    ...validateImmutableField(next.value, old.value, FieldPath.root('value')),
    ...validateImmutableField(next.preemptionPolicy, old.preemptionPolicy, FieldPath.root('preemptionPolicy')),
  ];
}

export function validateJob(job: Job): ErrorList {
  const errs = metadataValidator(true)(job);
  const spec = job.spec;
  const path = FieldPath.root('spec');
  if (!spec) return [...errs, fieldErrors.required(path.child('selector')), fieldErrors.required(path.child('template'))];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    const v = spec[f];
    if (v !== undefined) errs.push(...validateNonnegativeField(v, path.child(f)));
  }
  if (spec.completionMode !== undefined && spec.completionMode !== 'NonIndexed' && spec.completionMode !== 'Indexed') {
    errs.push(fieldErrors.notSupported(path.child('completionMode'), spec.completionMode, ['NonIndexed', 'Indexed']));
  }
  if (spec.completionMode === 'Indexed' && spec.completions === undefined) errs.push(fieldErrors.required(path.child('completions'), 'when completion mode is Indexed'));
  const tplPath = path.child('template');
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, tplPath));
  const restartPolicy = spec.template?.spec?.restartPolicy;
  const rpPath = tplPath.child('spec', 'restartPolicy');
  if (restartPolicy === undefined || restartPolicy === 'Always' || (restartPolicy as string) === '') {
    errs.push(fieldErrors.required(rpPath, 'valid values: "OnFailure", "Never"'));
  } else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(fieldErrors.notSupported(rpPath, restartPolicy, ['OnFailure', 'Never']));
  } else if (spec.podFailurePolicy && restartPolicy !== 'Never') {
    errs.push(fieldErrors.invalid(rpPath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  if (!spec.selector) errs.push(fieldErrors.required(path.child('selector')));
  else {
    errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
    const sel = selectorFromLabelSelector(spec.selector);
    if (sel.ok && !sel.selector.matches(spec.template?.metadata?.labels)) {
      errs.push(fieldErrors.invalid(tplPath.child('metadata', 'labels'), spec.template?.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
    }
  }
  return errs;
}

/** A Job's selector and completions-mode fields do not change after creation. */
export function validateJobUpdate(next: Job, old: Job): ErrorList {
  return [
    ...updateValidator(validateJob)(next, old),
    ...validateImmutableField(next.spec?.selector, old.spec?.selector, FieldPath.root('spec', 'selector')),
    ...validateImmutableField(next.spec?.completionMode, old.spec?.completionMode, FieldPath.root('spec', 'completionMode')),
  ];
}
