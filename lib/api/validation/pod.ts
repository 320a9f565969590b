// Pod and PodSpec validation (create and update), following
// k8s.io/kubernetes/pkg/apis/core/validation: ValidatePodCreate,
// ValidatePodSpec, validateTolerations, validateTopologySpreadConstraints,
// ValidatePodUpdate. Covered: metadata, volumes names, containers (see
// container.ts), restartPolicy, nodeName, nodeSelector, tolerations,
// topology spread constraints, and spec immutability on update. Not yet
// covered: affinity term contents, security contexts, DNS config,
// volume sources, ephemeral containers.

import type { Pod, PodSpec, Toleration, TopologySpreadConstraint } from '../types/pod.js';
import { deepEqual } from '../patch/json-value.js';
import { goQuote } from '../go-format.js';
import { FieldPath, RawValue, fieldErrors, type ErrorList } from './field.js';
import { validateContainer, type ContainerContext } from './container.js';
import { validateAnnotations, validateLabels, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, isLabelValue, isQualifiedName, nameIsDNSSubdomain } from './names.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
const SCHEDULE_ACTIONS = ['DoNotSchedule', 'ScheduleAnyway'] as const;

// Paths are immutable: the roots every Pod's validation starts from are made once.
const METADATA_PATH = FieldPath.root('metadata');
const SPEC_PATH = FieldPath.root('spec');
const POD_META_OPTIONS = { namespaced: true, nameFn: nameIsDNSSubdomain };

export function validatePod(pod: Pod): ErrorList {
  const errs = validateObjectMeta(pod.metadata ?? {}, POD_META_OPTIONS, METADATA_PATH);
  const spec = SPEC_PATH;
  if (!pod.spec) return [...errs, fieldErrors.required(spec.child('containers'))];
  return [...errs, ...validatePodSpec(pod.spec, spec)];
}

/** Template metadata (labels, annotations) plus the pod spec, for workload templates. */
export function validatePodTemplateSpec(template: { metadata?: Pod['metadata']; spec?: PodSpec }, path: FieldPath): ErrorList {
  const errs = [
    ...validateLabels(template.metadata?.labels, path.child('metadata', 'labels')),
    ...validateAnnotations(template.metadata?.annotations, path.child('metadata', 'annotations')),
  ];
  if (!template.spec) return [...errs, fieldErrors.required(path.child('spec', 'containers'))];
  return [...errs, ...validatePodSpec(template.spec, path.child('spec'))];
}

export function validatePodSpec(spec: PodSpec, path: FieldPath): ErrorList {
  // Every Pod create runs this: paths are made only for errors, and sub-lists are not spread.
  const errs: ErrorList = [];
  const volumes = new Set<string>();
  const volumeList = spec.volumes ?? [];
  for (let i = 0; i < volumeList.length; i++) {
    const v = volumeList[i]!;
    if (!v.name) errs.push(fieldErrors.required(path.child('volumes').index(i).child('name')));
    else {
      for (let m = isDNS1123Label(v.name), j = 0; j < m.length; j++) errs.push(fieldErrors.invalid(path.child('volumes').index(i).child('name'), v.name, m[j]!));
      if (volumes.has(v.name)) errs.push(fieldErrors.duplicate(path.child('volumes').index(i).child('name'), v.name));
      else volumes.add(v.name);
    }
  }

  // Regular containers first, then init containers, sharing one name set (Kubernetes' order).
  const ctx: ContainerContext = { names: new Set(), volumes };
  const containers = spec.containers ?? [];
  if (containers.length === 0) errs.push(fieldErrors.required(path.child('containers')));
  for (let i = 0; i < containers.length; i++) append(errs, validateContainer(containers[i]!, ctx, path.child('containers').index(i)));
  const init = spec.initContainers ?? [];
  for (let i = 0; i < init.length; i++) append(errs, validateContainer(init[i]!, ctx, path.child('initContainers').index(i)));

  if (spec.restartPolicy !== undefined) {
    if ((spec.restartPolicy as string) === '') errs.push(fieldErrors.required(path.child('restartPolicy')));
    else if (!(RESTART_POLICIES as readonly string[]).includes(spec.restartPolicy)) {
      errs.push(fieldErrors.notSupported(path.child('restartPolicy'), spec.restartPolicy, RESTART_POLICIES));
    }
  }
  if (spec.nodeName) for (let m = isDNS1123Subdomain(spec.nodeName), j = 0; j < m.length; j++) errs.push(fieldErrors.invalid(path.child('nodeName'), spec.nodeName, m[j]!));
  if (spec.nodeSelector) append(errs, validateLabels(spec.nodeSelector, path.child('nodeSelector')));
  if (spec.tolerations) tolerationErrors(spec.tolerations, path, errs);
  if (spec.topologySpreadConstraints) append(errs, validateTopologySpreadConstraints(spec.topologySpreadConstraints, path.child('topologySpreadConstraints')));
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    errs.push(fieldErrors.invalid(path.child('terminationGracePeriodSeconds'), spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (spec.priorityClassName) {
    for (const msg of isDNS1123Subdomain(spec.priorityClassName)) errs.push(fieldErrors.invalid(path.child('priorityClassName'), spec.priorityClassName, msg));
  }
  return errs;
}

function append(errs: ErrorList, more: ErrorList): void {
  for (const e of more) errs.push(e);
}

export function validateTolerations(tolerations: readonly Toleration[], path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  tolerationErrors(tolerations, { child: () => path }, errs);
  return errs;
}

/** validateTolerations into `errs`, for the tolerations at `spec.child('tolerations')` (made only for an error). */
function tolerationErrors(tolerations: readonly Toleration[], spec: { child(name: 'tolerations'): FieldPath }, errs: ErrorList): void {
  for (let i = 0; i < tolerations.length; i++) {
    const t = tolerations[i]!;
    const key = t.key ?? '';
    const operator = t.operator ?? '';
    const value = t.value ?? '';
    if (key) for (let m = isQualifiedName(key), j = 0; j < m.length; j++) errs.push(fieldErrors.invalid(spec.child('tolerations').index(i).child('key'), key, m[j]!));
    if (!key && operator !== 'Exists') {
      errs.push(fieldErrors.invalid(spec.child('tolerations').index(i).child('operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(fieldErrors.invalid(spec.child('tolerations').index(i).child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isLabelValue(value);
      if (msgs.length > 0) errs.push(fieldErrors.invalid(spec.child('tolerations').index(i).child('operator'), value, msgs.join(';')));
    } else if (operator === 'Exists') {
      if (value) errs.push(fieldErrors.invalid(spec.child('tolerations').index(i).child('operator'), tolerationValue(t), "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldErrors.notSupported(spec.child('tolerations').index(i).child('operator'), operator, ['Equal', 'Exists']));
    }
    if (t.effect && !(TAINT_EFFECTS as readonly string[]).includes(t.effect)) {
      errs.push(fieldErrors.notSupported(spec.child('tolerations').index(i).child('effect'), t.effect, TAINT_EFFECTS));
    }
  }
}

/** Go prints the internal struct with %#v; this reproduces it (a set tolerationSeconds pointer prints as an address there). */
function tolerationValue(t: Toleration): RawValue {
  const secs = t.tolerationSeconds === undefined ? '(*int64)(nil)' : `(*int64)(${t.tolerationSeconds})`;
  return new RawValue(
    `core.Toleration{Key:${goQuote(t.key ?? '')}, Operator:${goQuote(t.operator ?? '')}, Value:${goQuote(t.value ?? '')}, Effect:${goQuote(t.effect ?? '')}, TolerationSeconds:${secs}}`,
  );
}

export function validateTopologySpreadConstraints(constraints: readonly TopologySpreadConstraint[], path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  constraints.forEach((c, i) => {
    const p = path.index(i);
    if (!(c.maxSkew > 0)) errs.push(fieldErrors.invalid(p.child('maxSkew'), c.maxSkew, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(fieldErrors.required(p.child('topologyKey'), 'can not be empty'));
    if (!(SCHEDULE_ACTIONS as readonly string[]).includes(c.whenUnsatisfiable)) {
      errs.push(fieldErrors.notSupported(p.child('whenUnsatisfiable'), c.whenUnsatisfiable, SCHEDULE_ACTIONS));
    }
    // Kubernetes reports a repeated {topologyKey, whenUnsatisfiable} on the first of the pair.
    if (constraints.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(fieldErrors.duplicate(p.child('{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    }
    if (c.minDomains !== undefined) {
      if (!(c.minDomains > 0)) errs.push(fieldErrors.invalid(p.child('minDomains'), c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(fieldErrors.invalid(p.child('minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable}`));
      }
    }
    errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
  });
  return errs;
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/**
 * Update rules: metadata as for any object; in the spec only container
 * images, activeDeadlineSeconds, added tolerations and (from negative to 1)
 * terminationGracePeriodSeconds may change. Kubernetes appends a spec diff
 * to the Forbidden message; Berth gives the first line only.
 */
export function validatePodUpdate(next: Pod, old: Pod): ErrorList {
  const errs = validateObjectMetaUpdate(next.metadata ?? {}, old.metadata ?? {}, FieldPath.root('metadata'));
  const specPath = FieldPath.root('spec');
  const n = next.spec;
  const o = old.spec;
  if (!n || !o) return deepEqual(n, o) ? errs : [...errs, fieldErrors.forbidden(specPath, POD_UPDATE_FORBIDDEN)];
  errs.push(...validatePodSpec(n, specPath));

  // Compare with the mutable fields copied over from the old spec.
  const mutableCopied: PodSpec = { ...n };
  const withOldImages = (list: PodSpec['containers'] | undefined, from: PodSpec['containers'] | undefined): PodSpec['containers'] | undefined =>
    list && from && list.length === from.length
      ? list.map((c, i) => {
          const copy = { ...c };
          const image = from[i]!.image;
          if (image === undefined) delete copy.image;
          else copy.image = image;
          return copy;
        })
      : list;
  mutableCopied.containers = withOldImages(n.containers, o.containers) ?? n.containers;
  const init = withOldImages(n.initContainers, o.initContainers);
  if (init) mutableCopied.initContainers = init;
  copyOptional(mutableCopied, o, 'activeDeadlineSeconds');
  const oldTolerations = o.tolerations ?? [];
  const newTolerations = n.tolerations ?? [];
  const additionsOnly = oldTolerations.every((t) => newTolerations.some((u) => deepEqual(t, u)));
  if (additionsOnly) copyOptional(mutableCopied, o, 'tolerations');
  if ((o.terminationGracePeriodSeconds ?? 0) < 0 && n.terminationGracePeriodSeconds === 1) copyOptional(mutableCopied, o, 'terminationGracePeriodSeconds');
  if (!deepEqual(mutableCopied, o)) errs.push(fieldErrors.forbidden(specPath, POD_UPDATE_FORBIDDEN));
  return errs;
}

function copyOptional<K extends keyof PodSpec>(target: PodSpec, from: PodSpec, key: K): void {
  if (from[key] === undefined) delete target[key];
  else target[key] = from[key];
}
