// Pod defaulting as k8s.io/kubernetes/pkg/apis/core/v1 applies it
// (SetDefaults_Container, SetDefaults_PodSpec, SetDefaults_Pod, probes,
// HTTP handlers, volumes and ports, all driven by zz_generated.defaults.go).
//
// Two levels, as in Kubernetes: `defaultPodSpec` is what every pod
// template gets (Deployment, ReplicaSet, DaemonSet, Job); `defaultPod` adds
// what only a real Pod gets (enableServiceLinks, requests copied from
// limits, host ports under hostNetwork), because defaulting those in
// templates would change templates stored by older servers.

import type { Container, Pod, PodSpec, Probe, Volume } from '../types/pod.js';
import { parseQuantity } from '../quantity.js';
import { clone, ensure } from './clone.js';

export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** 0644, the default file mode of secret, configMap, downwardAPI and projected volumes. */
export const DEFAULT_VOLUME_MODE = 0o644;

/**
 * The image's tag the way Kubernetes' parsers.ParseImageName sees it:
 * "latest" when the reference has neither tag nor digest, "" when it has
 * only a digest. A ':' before the last '/' belongs to a registry port.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

/** Always for ":latest" (or no tag and no digest), IfNotPresent otherwise. */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  return imageTag(image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  // Kubernetes defaults a zero value, not only a missing one.
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHttpGet(p.httpGet);
}

function defaultHttpGet(h: { path?: string; scheme?: 'HTTP' | 'HTTPS' } | undefined): void {
  if (!h) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

/** Quantities in their canonical form ("1000m" -> "1"), as the api-server serializes them. Unparseable ones stay for validation to report. */
function normalizeResourceList(list: Record<string, string> | undefined): void {
  if (!list) return;
  for (const k in list) {
    if (!Object.hasOwn(list, k)) continue;
    // normalizeQuantity, without its result object: parsed quantities are shared (quantity.ts).
    const n = parseQuantity(list[k]!);
    if (n.ok) list[k] = n.quantity.text;
  }
}

function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = DEFAULT_TERMINATION_MESSAGE_PATH;
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of c.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
  }
  // resources is a struct in Go, so it is always present on the wire, if only as {}.
  const r = ensure(c, 'resources');
  normalizeResourceList(r.limits);
  normalizeResourceList(r.requests);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHttpGet(c.lifecycle?.postStart?.httpGet);
  defaultHttpGet(c.lifecycle?.preStop?.httpGet);
}

const VOLUME_SOURCE_KEYS_WITH_MODE = ['secret', 'configMap', 'downwardAPI', 'projected'] as const;

function defaultVolume(v: Volume): void {
  // A volume with no source is an emptyDir.
  if (Object.keys(v).every((k) => k === 'name')) v.emptyDir = {};
  for (const k of VOLUME_SOURCE_KEYS_WITH_MODE) {
    const src = v[k];
    if (src && src.defaultMode === undefined) src.defaultMode = DEFAULT_VOLUME_MODE;
  }
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
}

/** In place: the defaults every PodSpec gets, including those in workload templates. */
export function defaultPodSpecInPlace(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!spec.securityContext) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  }
  if (!spec.schedulerName) spec.schedulerName = DEFAULT_SCHEDULER_NAME;
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  normalizeResourceList(spec.overhead);
}

/** requests[k] = limits[k] for every limit without a request (Pods only, not templates). */
function requestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits) return;
  const r = ensure(c, 'resources');
  const requests = ensure(r, 'requests');
  for (const k in limits) if (Object.hasOwn(limits, k) && requests[k] === undefined) requests[k] = limits[k]!;
}

/** In place: Pod-only defaults on top of the PodSpec ones. */
export function defaultPodInPlace(pod: Pod): void {
  const spec = ensure(pod, 'spec');
  if (!spec.containers) spec.containers = [];
  for (const c of spec.containers) requestsFromLimits(c);
  for (const c of spec.initContainers ?? []) requestsFromLimits(c);
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  if (spec.hostNetwork) {
    // Under host networking a container port is a host port.
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  defaultPodSpecInPlace(spec);
}

/** A defaulted copy of a pod (the input is not modified). */
export function defaultPod(pod: Pod): Pod {
  const out = clone(pod);
  defaultPodInPlace(out);
  return out;
}

/** A defaulted copy of a PodSpec as found in a workload's template. */
export function defaultPodSpec(spec: PodSpec): PodSpec {
  const out = clone(spec);
  defaultPodSpecInPlace(out);
  return out;
}
