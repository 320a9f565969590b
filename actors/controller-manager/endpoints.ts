/**
 * The endpoints controller (Kubernetes' pkg/controller/endpoint).
 *
 * reconcile(namespace/name) of a Service:
 * - gone: its Endpoints of the same name are deleted;
 * - without a selector: left alone (someone else writes its Endpoints);
 * - else the Endpoints lists the matching pods that have an IP and are not
 *   finished: ready ones in `addresses`, the others in `notReadyAddresses`
 *   (all in `addresses` with publishNotReadyAddresses); terminating pods
 *   are left out unless publishNotReadyAddresses. Each address has ip,
 *   nodeName and targetRef (and hostname for a headless service's pods
 *   whose subdomain names it). Each service port resolves per pod:
 *   targetPort by name from the pod's containerPorts (same protocol), or
 *   by number; a pod without the named port is left out of that port.
 *   Addresses offering the same ports are grouped into one subset
 *   (RepackSubsets). Past 1,000 addresses the list is truncated (not-ready
 *   ones first) and annotated endpoints.kubernetes.io/over-capacity.
 *   Labels are the Service's (plus service.kubernetes.io/headless for
 *   headless services). Written only when something changed.
 */
import { isNotFound } from '../../lib/client/errors.js';
import { endpoints, pods, services } from '../../lib/api/resources/index.js';
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset, Service, ServicePort } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import { copy, semanticEqual } from './objects.js';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
/** Kubernetes' maxCapacity: an Endpoints lists at most this many addresses. */
export const MAX_ENDPOINTS = 1000;

/**
 * truncateEndpoints: past `max` addresses, not-ready ones go first; if the
 * ready ones alone are too many, only ready ones stay. Each subset keeps
 * its share (rounded up, so the last ones get less). True when truncated.
 */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_ENDPOINTS): boolean {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  if (ready + notReady <= max) return false;
  const cutReady = ready > max;
  const room = cutReady ? max : max - ready;
  const total = cutReady ? ready : notReady;
  let left = room;
  for (const s of subsets) {
    const mine = (cutReady ? s.addresses?.length : s.notReadyAddresses?.length) ?? 0;
    const take = Math.min(left, Math.ceil((mine / total) * room));
    if (cutReady) {
      s.addresses = (s.addresses ?? []).slice(0, take);
      delete s.notReadyAddresses;
      left -= s.addresses.length;
    } else {
      s.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, take);
      left -= s.notReadyAddresses.length;
    }
    if (s.addresses?.length === 0) delete s.addresses;
    if (s.notReadyAddresses?.length === 0) delete s.notReadyAddresses;
  }
  return true;
}

function selects(svc: Readonly<Service>, labels: Readonly<Record<string, string>> | undefined): boolean {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

function isReady(p: Readonly<Pod>): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** ShouldPodBeInEndpoints: an IP, not finished, and not terminating unless those are published. */
export function podInEndpoints(p: Readonly<Pod>, includeTerminating: boolean): boolean {
  const phase = p.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!p.status?.podIP && !(p.status?.podIPs?.length ?? 0)) return false;
  if (!includeTerminating && p.metadata.deletionTimestamp) return false;
  return true;
}

/** FindPort: the pod's port for a service port; undefined when the pod has no such named port. */
export function findPort(p: Readonly<Pod>, sp: Readonly<ServicePort>): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^[0-9]+$/.test(target)) return Number(target);
  const proto = sp.protocol ?? 'TCP';
  for (const c of p.spec?.containers ?? []) {
    for (const port of c.ports ?? []) if (port.name === target && (port.protocol ?? 'TCP') === proto) return port.containerPort;
  }
  return undefined;
}

interface Entry {
  readonly address: EndpointAddress;
  readonly ready: boolean;
}

/**
 * RepackSubsets: every address grouped with the exact set of ports it
 * offers; one subset per distinct set. Sorted for a stable result:
 * addresses by IP, ports by name and number, subsets by their first address.
 */
export function repackSubsets(offers: readonly { entry: Entry; port: EndpointPort | null }[]): EndpointSubset[] {
  const portKey = (p: EndpointPort | null): string => (p ? JSON.stringify([p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']) : '');
  const addrKey = (a: EndpointAddress): string => `${a.ip}|${a.targetRef?.uid ?? ''}`;
  const byAddr = new Map<string, { entry: Entry; ports: Map<string, EndpointPort | null> }>();
  for (const o of offers) {
    const k = addrKey(o.entry.address);
    let rec = byAddr.get(k);
    if (!rec) byAddr.set(k, (rec = { entry: o.entry, ports: new Map() }));
    rec.ports.set(portKey(o.port), o.port);
  }
  const groups = new Map<string, { ports: EndpointPort[]; entries: Entry[] }>();
  for (const rec of byAddr.values()) {
    const keys = [...rec.ports.keys()].sort();
    const gk = keys.join('\n');
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { ports: [...rec.ports.values()].filter((p): p is EndpointPort => p !== null), entries: [] }));
    g.entries.push(rec.entry);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress): number => compareIp(a.ip, b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready = g.entries.filter((e) => e.ready).map((e) => e.address).sort(byIp);
    const notReady = g.entries.filter((e) => !e.ready).map((e) => e.address).sort(byIp);
    const s: EndpointSubset = {};
    if (ready.length > 0) s.addresses = ready;
    if (notReady.length > 0) s.notReadyAddresses = notReady;
    if (g.ports.length > 0) s.ports = g.ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || (a.protocol ?? '').localeCompare(b.protocol ?? ''));
    out.push(s);
  }
  const first = (s: EndpointSubset): EndpointAddress => (s.addresses ?? s.notReadyAddresses)![0]!;
  return out.sort((a, b) => byIp(first(a), first(b)));
}

function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return 0;
  }
  return a.localeCompare(b);
}

/** The subsets `svc` should have over the namespace's `candidates`. */
export function desiredSubsets(svc: Readonly<Service>, candidates: readonly Readonly<Pod>[]): EndpointSubset[] {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const headless = svc.spec?.clusterIP === 'None';
  const offers: { entry: Entry; port: EndpointPort | null }[] = [];
  for (const p of candidates) {
    if (!selects(svc, p.metadata.labels) || !podInEndpoints(p, publish)) continue;
    const address: EndpointAddress = {
      ip: p.status?.podIP ?? p.status!.podIPs![0]!.ip,
      ...(p.spec?.hostname && p.spec.subdomain === svc.metadata.name && headless ? { hostname: p.spec.hostname } : {}),
      ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
    };
    const ready = publish || isReady(p);
    // A not-ready pod that will never run again (restartPolicy) is left out, as shouldPodBeInEndpoints.
    if (!ready && !mayBecomeReady(p)) continue;
    const entry = { address, ready };
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) {
      if (headless) offers.push({ entry, port: null });
      continue;
    }
    for (const sp of ports) {
      const port = findPort(p, sp);
      if (port === undefined) continue;
      offers.push({ entry, port: { ...(sp.name !== undefined ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) } });
    }
  }
  return repackSubsets(offers);
}

function mayBecomeReady(p: Readonly<Pod>): boolean {
  const phase = p.status?.phase;
  switch (p.spec?.restartPolicy) {
    case 'Never':
      return phase !== 'Failed' && phase !== 'Succeeded';
    case 'OnFailure':
      return phase !== 'Succeeded';
    default:
      return true;
  }
}

export class EndpointsController extends Controller {
  readonly name = 'endpoints';
  private readonly svcInformer;
  private readonly podInformer;
  private readonly epInformer;

  constructor(private readonly ctx: ControllerContext) {
    super(ctx);
    this.svcInformer = ctx.informers.for(services);
    this.podInformer = ctx.informers.for(pods);
    this.epInformer = ctx.informers.for(endpoints);
    this.svcInformer.addHandlers({
      onAdd: (s) => this.enqueue(s),
      onUpdate: (_o, s) => this.enqueue(s),
      onDelete: (s) => this.enqueue(s),
    });
    this.podInformer.addHandlers({
      onAdd: (p) => this.podChanged(undefined, p),
      onUpdate: (o, p) => this.podChanged(o, p),
      onDelete: (p) => this.podChanged(p, undefined),
    });
    // Someone else changed or deleted an Endpoints this controller owns: put it right.
    this.epInformer.addHandlers({
      onUpdate: (_o, e) => this.enqueue(e),
      onDelete: (e) => this.enqueue(e),
    });
  }

  /** The services selecting the pod before or after the change. */
  private podChanged(old: Readonly<Pod> | undefined, pod: Readonly<Pod> | undefined): void {
    const p = (pod ?? old)!;
    if (old && pod && old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    for (const svc of this.svcInformer.store.listIn(p.metadata.namespace ?? '')) {
      if (selects(svc, old?.metadata.labels) || selects(svc, pod?.metadata.labels)) this.enqueue(svc);
    }
  }

  async reconcile(key: string): Promise<void> {
    const svc = this.svcInformer.store.get(key);
    const current = this.epInformer.store.get(key);
    if (!svc) {
      if (!current) return;
      try {
        await this.ctx.api.delete(endpoints, current.metadata.name!, { namespace: current.metadata.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    const sel = svc.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) return;
    const namespace = svc.metadata.namespace!;
    const subsets = desiredSubsets(svc, this.podInformer.store.listIn(namespace));
    const truncated = truncateSubsets(subsets);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];
    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    if (
      current &&
      semanticEqual(current.subsets ?? [], subsets) &&
      semanticEqual(current.metadata.labels ?? {}, labels) &&
      semanticEqual(current.metadata.annotations ?? {}, annotations)
    ) {
      return;
    }
    if (!current) {
      const ep: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata.name, namespace, labels, ...(truncated ? { annotations } : {}) }, subsets };
      // AlreadyExists (the cache lags behind): the retry compares again once it arrives.
      await this.ctx.api.create(endpoints, ep, { namespace });
      return;
    }
    const next = copy(current) as Endpoints;
    next.metadata.labels = labels;
    next.metadata.annotations = annotations;
    if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
    next.subsets = subsets;
    await this.ctx.api.update(endpoints, next, { namespace });
  }

  /** Every cached service (a resync). */
  enqueueAll(): void {
    for (const k of this.svcInformer.store.keys()) this.enqueue(k);
  }
}
