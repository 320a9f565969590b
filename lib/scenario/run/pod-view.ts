/**
 * The runner's view of a pod: only the fields it reads, taken on arrival by
 * the observer's informer (its transform). The runner shares its thread
 * with the supervisor and keeps every pod of the run; a whole pod (images,
 * probes, container statuses...) is several times these fields.
 *
 * Readers: observer.ts (phase, readiness, node, requests through
 * podRequests), placement-checks.ts (tolerations, spread constraints,
 * nodeSelector, node affinity), actions.ts and conditions.ts (owner
 * references). A new reader of another field adds it here.
 */
import type { KubeObject } from '../../api/types/meta.js';
import type { Container, Pod, PodSpec, PodStatus } from '../../api/types/pod.js';
import { ownStrings } from '../../client/trim.js';

export function podView<T extends KubeObject>(obj: T): T {
  const p = obj as unknown as Pod;
  const m = p.metadata;
  const metadata: Pod['metadata'] = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion };
  if (m.labels) metadata.labels = m.labels;
  if (m.ownerReferences) metadata.ownerReferences = m.ownerReferences;
  if (m.deletionTimestamp) metadata.deletionTimestamp = m.deletionTimestamp;
  const s = p.spec;
  const spec: PodSpec = { containers: (s?.containers ?? []).map(requestsOf) };
  if (s?.initContainers) spec.initContainers = s.initContainers.map(requestsOf);
  if (s?.overhead) spec.overhead = s.overhead;
  if (s?.nodeName) spec.nodeName = s.nodeName;
  if (s?.nodeSelector) spec.nodeSelector = s.nodeSelector;
  if (s?.affinity?.nodeAffinity) spec.affinity = { nodeAffinity: s.affinity.nodeAffinity };
  if (s?.tolerations) spec.tolerations = s.tolerations;
  if (s?.topologySpreadConstraints) spec.topologySpreadConstraints = s.topologySpreadConstraints;
  const view: Pod = { apiVersion: p.apiVersion, kind: p.kind, metadata, spec };
  const st = p.status;
  if (st) {
    const status: PodStatus = {};
    if (st.phase) status.phase = st.phase;
    const ready = st.conditions?.filter((c) => c.type === 'Ready');
    if (ready?.length) status.conditions = ready;
    view.status = status;
  }
  // Strings last: fewer to re-home (trim.ts).
  return ownStrings(view) as unknown as T;
}

/** What podRequests reads of a container. */
function requestsOf(c: Container): Container {
  const out: Container = { name: c.name };
  if (c.resources) out.resources = c.resources;
  if (c.restartPolicy) out.restartPolicy = c.restartPolicy;
  return out;
}
