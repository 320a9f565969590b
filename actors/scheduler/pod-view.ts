/**
 * The scheduler's view of a pod: only the fields it reads, taken on arrival
 * by its pod informer (the informer's transform). The scheduler keeps every
 * pod of the cluster; a whole pod (probes, env, volumes, container
 * statuses, conditions, IPs, kubectl's last-applied annotation) is several
 * times these fields, and at 150,000 pods that is most of its heap.
 *
 * Readers: pod-info.ts, shape-key.ts and resources.ts (the spec fields
 * below, containers' image, resources, ports and restartPolicy), scheduler.ts
 * (phase, deletion, nominatedNodeName, schedulerName, schedulingGates,
 * priority), runner.ts (the PodScheduled condition and annotations of
 * pending pods; terminationGracePeriodSeconds of preemption victims).
 * A new reader of another field adds it here.
 */
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { Container, Pod, PodSpec, PodStatus } from '../../lib/api/types/pod.js';
import { ownStrings } from '../../lib/client/trim.js';

const SPEC_FIELDS = [
  'nodeName', 'schedulerName', 'schedulingGates', 'priority', 'priorityClassName', 'preemptionPolicy', 'nodeSelector', 'affinity',
  'tolerations', 'topologySpreadConstraints', 'overhead', 'terminationGracePeriodSeconds',
] as const satisfies readonly (keyof PodSpec)[];

export function schedulerPodView<T extends KubeObject>(obj: T): T {
  const p = obj as unknown as Pod;
  const m = p.metadata;
  const pending = !p.spec?.nodeName;
  const metadata: Pod['metadata'] = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion };
  if (m.labels) metadata.labels = m.labels;
  // Annotations matter only while the pod waits (a change requeues it); bound pods may carry big ones.
  if (pending && m.annotations) metadata.annotations = m.annotations;
  if (m.deletionTimestamp) metadata.deletionTimestamp = m.deletionTimestamp;
  const s = p.spec;
  const spec: PodSpec = { containers: (s?.containers ?? []).map(schedulingPart) };
  if (s) {
    if (s.initContainers) spec.initContainers = s.initContainers.map(schedulingPart);
    for (const k of SPEC_FIELDS) if (s[k] !== undefined) (spec as unknown as Record<string, unknown>)[k] = s[k];
  }
  const view: Pod = { apiVersion: p.apiVersion, kind: p.kind, metadata, spec };
  const st = p.status;
  if (st) {
    const status: PodStatus = {};
    if (st.phase) status.phase = st.phase;
    if (st.nominatedNodeName) status.nominatedNodeName = st.nominatedNodeName;
    if (pending) {
      const scheduled = st.conditions?.filter((c) => c.type === 'PodScheduled');
      if (scheduled?.length) status.conditions = scheduled;
    }
    view.status = status;
  }
  // Strings last: fewer to re-home (trim.ts).
  return ownStrings(view) as unknown as T;
}

/** What the scheduler reads of a container. */
function schedulingPart(c: Container): Container {
  const out: Container = { name: c.name, image: c.image };
  if (c.resources) out.resources = c.resources;
  if (c.ports) out.ports = c.ports;
  if (c.restartPolicy) out.restartPolicy = c.restartPolicy;
  return out;
}
