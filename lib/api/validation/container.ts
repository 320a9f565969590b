// Container validation (names, images, ports, env, mounts, resources,
// probes), following k8s.io/kubernetes/pkg/apis/core/validation with its
// messages. Fields that Kubernetes' defaulting fills in (port protocol) are
// only checked when present: Berth validates after defaulting, but a
// missing optional field is not an error here.

import type { Container, Probe, ResourceList } from '../types/pod.js';
import { compareQuantities, parseQuantity, type Quantity } from '../quantity.js';
import { fieldErrors, type ErrorList, type FieldPath } from './field.js';
import { isDNS1123Label, isValidPortName, isValidPortNum } from './names.js';

export const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

export interface ContainerContext {
  /** Names already used by other containers of the pod (shared across init and regular containers). */
  readonly names: Set<string>;
  /** Volume names declared in the pod spec. */
  readonly volumes: ReadonlySet<string>;
}

export function validateContainer(c: Container, ctx: ContainerContext, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  const namePath = path.child('name');
  if (!c.name) errs.push(fieldErrors.required(namePath));
  else {
    for (const msg of isDNS1123Label(c.name)) errs.push(fieldErrors.invalid(namePath, c.name, msg));
    if (ctx.names.has(c.name)) errs.push(fieldErrors.duplicate(namePath, c.name));
    else ctx.names.add(c.name);
  }
  if (!c.image) errs.push(fieldErrors.required(path.child('image')));
  else if (c.image !== c.image.trim()) errs.push(fieldErrors.invalid(path.child('image'), c.image, 'must not have leading or trailing whitespace'));
  errs.push(...validateContainerPorts(c.ports ?? [], path.child('ports')));
  errs.push(...validateEnv(c.env ?? [], path.child('env')));
  errs.push(...validateVolumeMounts(c, ctx.volumes, path.child('volumeMounts')));
  errs.push(...validateResources(c.resources?.limits, c.resources?.requests, path.child('resources')));
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const p = c[probe];
    if (p) errs.push(...validateProbe(p, path.child(probe)));
  }
  return errs;
}

function validateContainerPorts(ports: NonNullable<Container['ports']>, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = path.index(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length > 0) for (const msg of msgs) errs.push(fieldErrors.invalid(p.child('name'), port.name, msg));
      else if (names.has(port.name)) errs.push(fieldErrors.duplicate(p.child('name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(fieldErrors.required(p.child('containerPort')));
    else for (const msg of isValidPortNum(port.containerPort)) errs.push(fieldErrors.invalid(p.child('containerPort'), port.containerPort, msg));
    if (port.hostPort) for (const msg of isValidPortNum(port.hostPort)) errs.push(fieldErrors.invalid(p.child('hostPort'), port.hostPort, msg));
    if (port.protocol !== undefined) {
      if ((port.protocol as string) === '') errs.push(fieldErrors.required(p.child('protocol')));
      else if (!(SUPPORTED_PORT_PROTOCOLS as readonly string[]).includes(port.protocol)) {
        errs.push(fieldErrors.notSupported(p.child('protocol'), port.protocol, SUPPORTED_PORT_PROTOCOLS));
      }
    }
  });
  return errs;
}

/** Kubernetes 1.32 validates env names "relaxed": printable ASCII other than '='. */
function validateEnv(env: NonNullable<Container['env']>, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  env.forEach((e, i) => {
    const p = path.index(i).child('name');
    if (!e.name) errs.push(fieldErrors.required(p));
    else if (!/^[\x20-\x7e]+$/.test(e.name) || e.name.includes('=')) {
      errs.push(fieldErrors.invalid(p, e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='"));
    }
  });
  return errs;
}

function validateVolumeMounts(c: Container, volumes: ReadonlySet<string>, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  const paths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = path.index(i);
    if (!m.name) errs.push(fieldErrors.required(p.child('name')));
    else if (!volumes.has(m.name)) errs.push(fieldErrors.notFound(p.child('name'), m.name));
    if (!m.mountPath) errs.push(fieldErrors.required(p.child('mountPath')));
    else if (paths.has(m.mountPath)) errs.push(fieldErrors.invalid(p.child('mountPath'), m.mountPath, 'must be unique'));
    else paths.add(m.mountPath);
  });
  return errs;
}

/**
 * Quantities must parse and be non-negative, and a request may not exceed its
 * limit. (Kubernetes rejects an unparsable quantity earlier, at decode time,
 * with 400 "<Kind> in version ... cannot be handled as a <Kind>: <err>"; see
 * status.decodeError. Here it is reported as a field error on the quantity.)
 */
export function validateResources(limits: ResourceList | undefined, requests: ResourceList | undefined, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  const parsed = (list: ResourceList | undefined, p: FieldPath): Map<string, Quantity> => {
    const out = new Map<string, Quantity>();
    for (const name of Object.keys(list ?? {})) {
      const raw = list![name]!;
      const r = parseQuantity(raw);
      if (!r.ok) {
        errs.push(fieldErrors.invalid(p.key(name), raw, r.error));
        continue;
      }
      if (r.quantity.unscaled < 0n) errs.push(fieldErrors.invalid(p.key(name), r.quantity.text, 'must be greater than or equal to 0'));
      out.set(name, r.quantity);
    }
    return out;
  };
  const lim = parsed(limits, path.child('limits'));
  const req = parsed(requests, path.child('requests'));
  for (const [name, q] of req) {
    const l = lim.get(name);
    if (l && compareQuantities(q, l) > 0) {
      errs.push(fieldErrors.invalid(path.child('requests').key(name), q.text, `must be less than or equal to ${name} limit of ${l.text}`));
    }
  }
  return errs;
}

function validateProbe(p: Probe, path: FieldPath): ErrorList {
  const errs: ErrorList = [];
  const handlers = (['exec', 'httpGet', 'tcpSocket', 'grpc'] as const).filter((h) => p[h] !== undefined);
  if (handlers.length === 0) errs.push(fieldErrors.required(path, 'must specify a handler type'));
  for (const extra of handlers.slice(1)) errs.push(fieldErrors.forbidden(path.child(extra), 'may not specify more than 1 handler type'));
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = p[f];
    if (v !== undefined && v < 0) errs.push(fieldErrors.invalid(path.child(f), v, 'must be greater than or equal to 0'));
  }
  const port = p.httpGet?.port ?? p.tcpSocket?.port;
  if (port !== undefined) {
    const portPath = path.child(p.httpGet ? 'httpGet' : 'tcpSocket', 'port');
    const msgs = typeof port === 'number' ? isValidPortNum(port) : isValidPortName(port);
    for (const msg of msgs) errs.push(fieldErrors.invalid(portPath, port, msg));
  }
  return errs;
}
