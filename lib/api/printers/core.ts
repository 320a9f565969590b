// Rows for the core/v1 kinds other than Pod, plus Lease and PriorityClass,
// following pkg/printers/internalversion: node STATUS ("Ready",
// "NotReady,SchedulingDisabled", "Unknown") and ROLES from
// node-role.kubernetes.io/<role> labels, service EXTERNAL-IP and PORT(S),
// the first three endpoints, and the event row (LAST SEEN from the series,
// the last timestamp or the first one, OBJECT as kind/name).

import type { ConfigMap, Endpoints, Event, Namespace, Node, Secret, Service } from '../types/core.js';
import type { Lease, PriorityClass } from '../types/cluster.js';
import { since } from './duration.js';
import { AGE_COLUMN, NAME_COLUMN, col, formatLabels, type Printer, type TableCell } from './types.js';

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';

/** Roles from `node-role.kubernetes.io/<role>` label keys and the legacy `kubernetes.io/role=<role>`, sorted, unique. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === LEGACY_ROLE_LABEL && v) roles.add(v);
  }
  return [...roles].sort();
}

/** "Ready", "NotReady" or "Unknown" from the Ready condition, then ",SchedulingDisabled" if cordoned. */
export function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeAddress(node: Node, type: 'InternalIP' | 'ExternalIP'): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

export const nodePrinter: Printer<Node> = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node.', { wide: true }),
    col('External-IP', 'string', 'List of addresses reachable to the node.', { wide: true }),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release.', { wide: true }),
    col('Kernel-Version', 'string', 'Kernel Version reported by the node from `uname -r`.', { wide: true }),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API.', { wide: true }),
  ],
  cells(node: Node, now: number): TableCell[] {
    const info = node.status?.nodeInfo;
    const roles = nodeRoles(node).join(',');
    return [
      node.metadata.name ?? '',
      nodeStatus(node),
      roles || '<none>',
      since(node.metadata.creationTimestamp, now),
      info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((x) => x))].sort();
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function servicePorts(svc: Service): string {
  const ports = (svc.spec?.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`));
  return ports.length > 0 ? ports.join(',') : '<none>';
}

export const servicePrinter: Printer<Service> = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    AGE_COLUMN,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', { wide: true }),
  ],
  cells(svc: Service, now: number): TableCell[] {
    const clusterIP = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP ?? '<none>';
    return [
      svc.metadata.name ?? '',
      svc.spec?.type ?? 'ClusterIP',
      clusterIP || '<none>',
      serviceExternalIP(svc),
      servicePorts(svc),
      since(svc.metadata.creationTimestamp, now),
      formatLabels(svc.spec?.selector),
    ];
  },
};

/** formatEndpoints: up to three ip:port entries, then " + N more...". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (s: string): void => {
    if (list.length === max) more = true;
    else list.push(s);
  };
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) add(a.ip);
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) add(a.ip.includes(':') ? `[${a.ip}]:${p.port}` : `${a.ip}:${p.port}`);
    }
  }
  const text = list.join(',');
  return more ? `${text} + ${count - max} more...` : text;
}

export const endpointsPrinter: Printer<Endpoints> = {
  columns: [NAME_COLUMN, col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), AGE_COLUMN],
  cells: (ep, now) => [ep.metadata.name ?? '', formatEndpoints(ep), since(ep.metadata.creationTimestamp, now)],
};

export const eventPrinter: Printer<Event> = {
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning).'),
    col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'The part of the object the event is about, e.g. a container of a pod.', { wide: true }),
    col('Source', 'string', 'The component reporting this event.', { wide: true }),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded.', { wide: true }),
    col('Count', 'string', 'The number of times this event has occurred.', { wide: true }),
    { ...NAME_COLUMN, priority: 1 },
  ],
  cells(ev: Event, now: number): TableCell[] {
    const first = ev.firstTimestamp ? since(ev.firstTimestamp, now) : since(ev.eventTime, now);
    let last = ev.lastTimestamp ? since(ev.lastTimestamp, now) : first;
    let count = ev.count ?? 0;
    if (ev.series) {
      last = since(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) count = 1; // singleton events from the events.k8s.io API carry no count
    const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
    const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
    const component = ev.source?.component || ev.reportingComponent || '';
    const instance = ev.source?.host || ev.reportingInstance || '';
    return [
      last,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      ev.involvedObject?.fieldPath ?? '',
      instance ? `${component}, ${instance}` : component,
      (ev.message ?? '').trim(),
      first,
      count,
      ev.metadata.name ?? '',
    ];
  },
};

export const namespacePrinter: Printer<Namespace> = {
  columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  cells: (ns, now) => [ns.metadata.name ?? '', ns.status?.phase ?? '', since(ns.metadata.creationTimestamp, now)],
};

export const configMapPrinter: Printer<ConfigMap> = {
  columns: [NAME_COLUMN, col('Data', 'string', 'Number of keys in data and binaryData.'), AGE_COLUMN],
  cells: (cm, now) => [
    cm.metadata.name ?? '',
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    since(cm.metadata.creationTimestamp, now),
  ],
};

export const secretPrinter: Printer<Secret> = {
  columns: [NAME_COLUMN, col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Number of keys in data.'), AGE_COLUMN],
  cells: (s, now) => [s.metadata.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, since(s.metadata.creationTimestamp, now)],
};

export const leasePrinter: Printer<Lease> = {
  columns: [NAME_COLUMN, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), AGE_COLUMN],
  cells: (l, now) => [l.metadata.name ?? '', l.spec?.holderIdentity ?? '', since(l.metadata.creationTimestamp, now)],
};

export const priorityClassPrinter: Printer<PriorityClass> = {
  columns: [
    NAME_COLUMN,
    col('Value', 'integer', 'The integer value of this priority class.'),
    col('Global-Default', 'boolean', 'Whether this priority class is the default for pods without a priorityClassName.'),
    AGE_COLUMN,
    col('PreemptionPolicy', 'string', 'The policy for preempting pods with lower priority.'),
  ],
  cells: (pc, now) => [pc.metadata.name ?? '', pc.value ?? 0, pc.globalDefault ?? false, since(pc.metadata.creationTimestamp, now), pc.preemptionPolicy ?? ''],
};
