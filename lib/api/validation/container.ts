// Container validation (names, images, ports, env, mounts, resources,
// probes), following k8s.io/kubernetes/pkg/apis/core/validation with its
// messages. Fields that Kubernetes' defaulting fills in (port protocol) are
// only checked when present: Berth validates after defaulting, but a
// missing optional field is not an error here.

import type { Container, Probe, ResourceList } from '../types/pod.js';
import { compareQuantities, parseQuantity } from '../quantity.js';
import { fieldErrors, type ErrorList, type FieldPath } from './field.js';
import { isDNS1123Label, isValidPortName, isValidPortNum } from './names.js';

export const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

export interface ContainerContext {
  /** Names already used by other containers of the pod (shared across init and regular containers). */
  readonly names: Set<string>;
  /** Volume names declared in the pod spec. */
  readonly volumes: ReadonlySet<string>;
}

// Every Pod create runs these over each container: paths, arrays and sets are
// made only where there is an error to report (or a list long enough to need a set).

export function validateContainer(c: Container, ctx: ContainerContext, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  if (!c.name) errs.push(fieldErrors.required(path.child('name')));
  else {
    for (let m = isDNS1123Label(c.name), j = 0; j < m.length; j++) errs.push(fieldErrors.invalid(path.child('name'), c.name, m[j]!));
    if (ctx.names.has(c.name)) errs.push(fieldErrors.duplicate(path.child('name'), c.name));
    else ctx.names.add(c.name);
  }
  if (!c.image) errs.push(fieldErrors.required(path.child('image')));
  else if (c.image !== c.image.trim()) errs.push(fieldErrors.invalid(path.child('image'), c.image, 'must not have leading or trailing whitespace'));
  if (c.ports) validateContainerPorts(c.ports, path, errs);
  if (c.env) validateEnv(c.env, path, errs);
  if (c.volumeMounts) validateVolumeMounts(c.volumeMounts, ctx.volumes, path, errs);
  const resources = c.resources;
  if (resources && (resources.limits || resources.requests)) {
    const r = validateResources(resources.limits, resources.requests, path.child('resources'));
    for (const e of r) errs.push(e);
  }
  for (const probe of PROBES) {
    const p = c[probe];
    if (p) validateProbe(p, path, probe, errs);
  }
  return errs;
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

function validateContainerPorts(ports: NonNullable<Container['ports']>, container: FieldPath, errs: ErrorList): void {
  for (let i = 0; i < ports.length; i++) {
    const port = ports[i]!;
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length > 0) for (const msg of msgs) errs.push(fieldErrors.invalid(itemPath(container, 'ports', i, 'name'), port.name, msg));
      // A valid name is a duplicate when an earlier port has it (an earlier equal name was valid too).
      else if (earlierPortNamed(ports, i, port.name)) errs.push(fieldErrors.duplicate(itemPath(container, 'ports', i, 'name'), port.name));
    }
    if (!port.containerPort) errs.push(fieldErrors.required(itemPath(container, 'ports', i, 'containerPort')));
    else for (let m = isValidPortNum(port.containerPort), j = 0; j < m.length; j++) errs.push(fieldErrors.invalid(itemPath(container, 'ports', i, 'containerPort'), port.containerPort, m[j]!));
    if (port.hostPort) for (let m = isValidPortNum(port.hostPort), j = 0; j < m.length; j++) errs.push(fieldErrors.invalid(itemPath(container, 'ports', i, 'hostPort'), port.hostPort, m[j]!));
    if (port.protocol !== undefined) {
      if ((port.protocol as string) === '') errs.push(fieldErrors.required(itemPath(container, 'ports', i, 'protocol')));
      else if (!(SUPPORTED_PORT_PROTOCOLS as readonly string[]).includes(port.protocol)) {
        errs.push(fieldErrors.notSupported(itemPath(container, 'ports', i, 'protocol'), port.protocol, SUPPORTED_PORT_PROTOCOLS));
      }
    }
  }
}

/** container.<list>[i].<field>: made only for an error. */
function itemPath(container: FieldPath, list: string, i: number, field: string): FieldPath {
  return container.child(list).index(i).child(field);
}

function earlierPortNamed(ports: NonNullable<Container['ports']>, before: number, name: string): boolean {
  for (let j = 0; j < before; j++) if (ports[j]!.name === name) return true;
  return false;
}

/** Kubernetes 1.32 validates env names "relaxed": printable ASCII other than '='. */
function validateEnv(env: NonNullable<Container['env']>, container: FieldPath, errs: ErrorList): void {
  for (let i = 0; i < env.length; i++) {
    const e = env[i]!;
    if (!e.name) errs.push(fieldErrors.required(container.child('env').index(i).child('name')));
    else if (!/^[\x20-\x7e]+$/.test(e.name) || e.name.includes('=')) {
      errs.push(
        fieldErrors.invalid(container.child('env').index(i).child('name'), e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='"),
      );
    }
  }
}

function validateVolumeMounts(mounts: NonNullable<Container['volumeMounts']>, volumes: ReadonlySet<string>, container: FieldPath, errs: ErrorList): void {
  for (let i = 0; i < mounts.length; i++) {
    const m = mounts[i]!;
    if (!m.name) errs.push(fieldErrors.required(itemPath(container, 'volumeMounts', i, 'name')));
    else if (!volumes.has(m.name)) errs.push(fieldErrors.notFound(itemPath(container, 'volumeMounts', i, 'name'), m.name));
    if (!m.mountPath) errs.push(fieldErrors.required(itemPath(container, 'volumeMounts', i, 'mountPath')));
    else if (earlierMountAt(mounts, i, m.mountPath)) errs.push(fieldErrors.invalid(itemPath(container, 'volumeMounts', i, 'mountPath'), m.mountPath, 'must be unique'));
  }
}

/** Whether an earlier mount has this path (as the set of paths seen so far would). */
function earlierMountAt(mounts: NonNullable<Container['volumeMounts']>, before: number, mountPath: string): boolean {
  for (let j = 0; j < before; j++) if (mounts[j]!.mountPath === mountPath) return true;
  return false;
}

/**
 * Quantities must parse and be non-negative, and a request may not exceed its
 * limit. (Kubernetes rejects an unparsable quantity earlier, at decode time,
 * with 400 "<Kind> in version ... cannot be handled as a <Kind>: <err>"; see
 * status.decodeError. Here it is reported as a field error on the quantity.)
 */
export function validateResources(limits: ResourceList | undefined, requests: ResourceList | undefined, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  // Every pod's create runs this: no per-call maps or paths unless there is an error to report.
  if (limits) checkQuantities(limits, path, 'limits', errs);
  if (requests) checkQuantities(requests, path, 'requests', errs);
  if (!limits || !requests) return errs;
  for (const name in requests) {
    if (!Object.hasOwn(requests, name) || !Object.hasOwn(limits, name)) continue;
    const rawRequest = requests[name]!;
    const rawLimit = limits[name]!;
    if (rawRequest === rawLimit) continue; // the same string is the same quantity
    const q = parseQuantity(rawRequest);
    const l = parseQuantity(rawLimit);
    if (q.ok && l.ok && compareQuantities(q.quantity, l.quantity) > 0) {
      errs.push(fieldErrors.invalid(path.child('requests').key(name), q.quantity.text, `must be less than or equal to ${name} limit of ${l.quantity.text}`));
    }
  }
  return errs;
}

/** Each quantity of `list` (path.<field>) parses and is not negative. */
function checkQuantities(list: ResourceList, path: FieldPath, field: 'limits' | 'requests', errs: ErrorList): void {
  for (const name in list) {
    if (!Object.hasOwn(list, name)) continue;
    const raw = list[name]!;
    const r = parseQuantity(raw);
    if (!r.ok) errs.push(fieldErrors.invalid(path.child(field).key(name), raw, r.error));
    else if (r.quantity.unscaled < 0n) errs.push(fieldErrors.invalid(path.child(field).key(name), r.quantity.text, 'must be greater than or equal to 0'));
  }
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const PROBE_COUNTS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const;

function validateProbe(p: Probe, container: FieldPath, field: (typeof PROBES)[number], errs: ErrorList): void {
  let handlers = 0;
  for (const h of PROBE_HANDLERS) {
    if (p[h] === undefined) continue;
    if (handlers > 0) errs.push(fieldErrors.forbidden(container.child(field).child(h), 'may not specify more than 1 handler type'));
    handlers++;
  }
  // Required comes first, as Kubernetes lists it (only when there are none, so never with the above).
  if (handlers === 0) errs.push(fieldErrors.required(container.child(field), 'must specify a handler type'));
  for (const f of PROBE_COUNTS) {
    const v = p[f];
    if (v !== undefined && v < 0) errs.push(fieldErrors.invalid(container.child(field).child(f), v, 'must be greater than or equal to 0'));
  }
  const port = p.httpGet?.port ?? p.tcpSocket?.port;
  if (port !== undefined) {
    const msgs = typeof port === 'number' ? isValidPortNum(port) : isValidPortName(port);
    for (let m = msgs, j = 0; j < m.length; j++) errs.push(fieldErrors.invalid(container.child(field).child(p.httpGet ? 'httpGet' : 'tcpSocket', 'port'), port, m[j]!));
  }
}
