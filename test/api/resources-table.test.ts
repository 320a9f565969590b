/** The resource table: kubectl-style name resolution, URL routing, storage keys, field selectors and the validation wiring. */
import test from 'ava';
import {
  RESOURCES,
  groupVersions,
  resolveResource,
  resourceFor,
  resourceForKind,
  resourcesInCategory,
  storageKey,
  storagePrefix,
  type ResourceDef,
} from '../../lib/api/resources/index.js';
import { objectKey, resourcePrefix } from '../../lib/store/keys.js';
import { parseFieldSelectorFor } from '../../lib/api/selectors/fields.js';
import { errorString } from '../../lib/api/validation/field.js';
import type { Job } from '../../lib/api/types/cluster.js';
import type { Deployment } from '../../lib/api/types/apps.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';

const id = (r: ResourceDef | undefined): string | undefined => (r ? `${r.group}/${r.plural}` : undefined);

// Every spelling kubectl users type, with the resource Kubernetes resolves it to.
const NAMES: [string, string][] = [
  ['pods', '/pods'], ['pod', '/pods'], ['po', '/pods'], ['Pod', '/pods'], ['PODS', '/pods'],
  ['services', '/services'], ['svc', '/services'], ['service', '/services'],
  ['nodes', '/nodes'], ['no', '/nodes'], ['node', '/nodes'],
  ['namespaces', '/namespaces'], ['ns', '/namespaces'],
  ['endpoints', '/endpoints'], ['ep', '/endpoints'],
  ['events', '/events'], ['ev', '/events'], ['event', '/events'],
  ['configmaps', '/configmaps'], ['cm', '/configmaps'], ['ConfigMap', '/configmaps'],
  ['secrets', '/secrets'], ['secret', '/secrets'],
  ['deployments', 'apps/deployments'], ['deploy', 'apps/deployments'], ['Deployment', 'apps/deployments'],
  ['deployments.apps', 'apps/deployments'], ['deployment.apps', 'apps/deployments'], ['deploy.apps', 'apps/deployments'],
  ['deploy.v1.apps', 'apps/deployments'], ['deployments.v1.apps', 'apps/deployments'], ['Deployment.v1.apps', 'apps/deployments'],
  ['replicasets', 'apps/replicasets'], ['rs', 'apps/replicasets'], ['rs.apps', 'apps/replicasets'],
  ['daemonsets', 'apps/daemonsets'], ['ds', 'apps/daemonsets'], ['daemonset.v1.apps', 'apps/daemonsets'],
  ['jobs', 'batch/jobs'], ['job', 'batch/jobs'], ['jobs.batch', 'batch/jobs'], ['job.v1.batch', 'batch/jobs'],
  ['leases', 'coordination.k8s.io/leases'], ['lease', 'coordination.k8s.io/leases'],
  ['leases.coordination.k8s.io', 'coordination.k8s.io/leases'], ['leases.v1.coordination.k8s.io', 'coordination.k8s.io/leases'],
  ['priorityclasses', 'scheduling.k8s.io/priorityclasses'], ['pc', 'scheduling.k8s.io/priorityclasses'],
  ['PriorityClass', 'scheduling.k8s.io/priorityclasses'], ['pc.scheduling.k8s.io', 'scheduling.k8s.io/priorityclasses'],
];

for (const [name, want] of NAMES) {
  test(`"${name}" resolves to ${want}`, (t) => {
    t.is(id(resolveResource(name)), want);
  });
}

test('names that kubectl would not resolve stay unresolved', (t) => {
  for (const name of ['pods.apps', 'deploy.v2.apps', 'deployments.batch', 'foo', 'deploy.v1', 'po.v1.apps', '']) t.is(resolveResource(name), undefined, name);
});

test('URL routing is exact: group, version and plural', (t) => {
  t.is(id(resourceFor('', 'v1', 'pods')), '/pods');
  t.is(id(resourceFor('apps', 'v1', 'deployments')), 'apps/deployments');
  t.is(id(resourceFor('coordination.k8s.io', 'v1', 'leases')), 'coordination.k8s.io/leases');
  t.is(resourceFor('apps', 'v1', 'pods'), undefined);
  t.is(resourceFor('', 'v1', 'Pods'), undefined);
  t.is(resourceFor('apps', 'v1beta1', 'deployments'), undefined);
});

test('apiVersion and kind of a manifest find its resource', (t) => {
  t.is(id(resourceForKind('v1', 'Pod')), '/pods');
  t.is(id(resourceForKind('apps/v1', 'Deployment')), 'apps/deployments');
  t.is(id(resourceForKind('scheduling.k8s.io/v1', 'PriorityClass')), 'scheduling.k8s.io/priorityclasses');
  t.is(resourceForKind('v1', 'Deployment'), undefined);
});

test('every entry is internally consistent', (t) => {
  for (const r of RESOURCES) {
    t.is(r.apiVersion, r.group ? `${r.group}/${r.version}` : r.version);
    t.is(r.listKind, `${r.kind}List`);
    t.is(r.singular, r.kind.toLowerCase());
    t.true(r.plural.startsWith(r.singular.replace(/s$/, '')), r.plural);
    t.true(r.fieldSelectors.has('metadata.name'), r.plural);
    t.is(r.fieldSelectors.has('metadata.namespace'), r.namespaced && true, r.plural);
    t.true(r.verbs.includes('get') && r.verbs.includes('list') && r.verbs.includes('watch'), r.plural);
  }
  t.is(RESOURCES.length, 15);
});

test('short names are unique across the table', (t) => {
  const all = RESOURCES.flatMap((r) => [...r.shortNames]);
  t.deepEqual(all.length, new Set(all).size);
});

test('"all" is the category of pods, services and the workloads, as in Kubernetes', (t) => {
  t.deepEqual(resourcesInCategory('all').map((r) => r.plural).sort(), ['daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'services']);
});

test('group-versions served, core first', (t) => {
  t.deepEqual(groupVersions().map((g) => g.groupVersion), ['v1', 'apps/v1', 'batch/v1', 'policy/v1', 'coordination.k8s.io/v1', 'scheduling.k8s.io/v1']);
});

test('storage keys agree with the store\'s key layout', (t) => {
  for (const r of RESOURCES) {
    const ns = r.namespaced ? 'team-a' : undefined;
    t.is(storageKey(r, ns, 'x'), objectKey(r.group, r.plural, ns, 'x'));
    t.is(storagePrefix(r, ns), resourcePrefix(r.group, r.plural, ns));
    t.is(storagePrefix(r), resourcePrefix(r.group, r.plural));
  }
  t.is(storageKey(resolveResource('nodes')!, 'ignored', 'n1'), '/registry/core/nodes/n1');
});

function fieldMatch(r: ResourceDef, selector: string, obj: KubeObject): boolean | string {
  const sel = parseFieldSelectorFor(selector, r.fieldSelectors);
  return sel.ok ? sel.selector.matches(r.toFields(obj)) : sel.error;
}

const pod: Pod = {
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c' }], nodeName: 'node-1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' },
  status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }] },
};

test('pod field selectors: what kubectl describe node and drain send', (t) => {
  const pods = resolveResource('pods')!;
  t.true(fieldMatch(pods, 'spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed', pod) as boolean);
  t.false(fieldMatch(pods, 'spec.nodeName=node-2', pod) as boolean);
  t.true(fieldMatch(pods, 'metadata.name=p,metadata.namespace=default', pod) as boolean);
  t.true(fieldMatch(pods, 'spec.hostNetwork=false,status.podIP=10.0.0.1', pod) as boolean);
  t.true(fieldMatch(pods, 'status.nominatedNodeName=', pod) as boolean);
  t.is(fieldMatch(pods, 'spec.containers=x', pod), 'field label not supported: spec.containers');
});

test('event field selectors, including an empty involvedObject.namespace (cluster-scoped objects)', (t) => {
  const events = resolveResource('events')!;
  const ev = { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Node', name: 'n1', uid: 'u1' }, source: { component: 'kubelet' }, type: 'Normal' as const, reason: 'Starting' };
  t.true(fieldMatch(events, 'involvedObject.name=n1,involvedObject.namespace=,involvedObject.kind=Node,involvedObject.uid=u1', ev) as boolean);
  t.true(fieldMatch(events, 'source=kubelet,type=Normal,reason=Starting', ev) as boolean);
  t.false(fieldMatch(events, 'involvedObject.kind=Pod', ev) as boolean);
});

test('node, namespace, secret, replicaset and job field selectors', (t) => {
  t.true(fieldMatch(resolveResource('no')!, 'spec.unschedulable=true', { metadata: { name: 'n' }, spec: { unschedulable: true } } as KubeObject) as boolean);
  t.is(fieldMatch(resolveResource('no')!, 'metadata.namespace=x', { metadata: { name: 'n' } }), 'field label not supported: metadata.namespace');
  t.true(fieldMatch(resolveResource('ns')!, 'status.phase=Active', { metadata: { name: 'n' }, status: { phase: 'Active' } } as KubeObject) as boolean);
  t.true(fieldMatch(resolveResource('secrets')!, 'type=Opaque', { metadata: { name: 's', namespace: 'd' }, type: 'Opaque' } as KubeObject) as boolean);
  t.true(fieldMatch(resolveResource('rs')!, 'status.replicas=0', { metadata: { name: 'r', namespace: 'd' } }) as boolean);
  t.true(fieldMatch(resolveResource('jobs')!, 'status.successful=2', { metadata: { name: 'j', namespace: 'd' }, status: { succeeded: 2 } } as KubeObject) as boolean);
  t.is(fieldMatch(resolveResource('deploy')!, 'spec.replicas=1', { metadata: { name: 'd', namespace: 'd' } }), 'field label not supported: spec.replicas');
});

test('validation is wired: a Job without restartPolicy fails the way Kubernetes reports it', (t) => {
  const jobs = resolveResource('jobs')!;
  const job: Job = { metadata: { name: 'pi', namespace: 'default', uid: 'u-1' }, spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } } };
  const prepared = jobs.prepareForCreate(jobs.defaults(job));
  t.deepEqual(jobs.validate(prepared).map(errorString), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  const ok = { ...job, spec: { template: { spec: { restartPolicy: 'Never' as const, containers: [{ name: 'pi', image: 'perl' }] } } } };
  t.deepEqual(jobs.validate(jobs.prepareForCreate(jobs.defaults(ok))).map(errorString), []);
});

test('validation is wired: names follow each kind\'s rule', (t) => {
  const bad = (plural: string, obj: KubeObject): string[] => resolveResource(plural)!.validate(obj).map((e) => e.field);
  t.deepEqual(bad('ns', { metadata: { name: 'a.b' } }), ['metadata.name']); // namespaces are DNS labels
  t.deepEqual(bad('cm', { metadata: { name: 'a.b', namespace: 'default' } }), []); // configmaps are DNS subdomains
  t.deepEqual(bad('cm', { metadata: { name: 'x', namespace: 'default' }, data: { 'bad key': '' } } as KubeObject), ['data[bad key]']);
  t.deepEqual(bad('no', { metadata: { name: 'n', namespace: 'default' } }), ['metadata.namespace']);
  t.deepEqual(bad('leases', { metadata: { name: 'n' } }), ['metadata.namespace']);
  t.deepEqual(bad('pods', { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } } as KubeObject), ['spec.containers']);
});

test('update validation: immutable selector, and data of an immutable ConfigMap', (t) => {
  const deploy = resolveResource('deploy')!;
  const d: Deployment = {
    metadata: { name: 'web', namespace: 'default', resourceVersion: '1' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', v: '1' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  };
  const moved: Deployment = { ...d, spec: { ...d.spec!, selector: { matchLabels: { app: 'web', v: '1' } } } };
  t.deepEqual(deploy.validateUpdate(moved, d).map((e) => e.field), ['spec.selector']);
  const cms = resolveResource('cm')!;
  const cm = { metadata: { name: 'c', namespace: 'default', resourceVersion: '1' }, immutable: true, data: { a: '1' } };
  t.deepEqual(cms.validateUpdate({ ...cm, data: { a: '2' } } as KubeObject, cm as KubeObject).map((e) => e.field), ['data']);
  t.deepEqual(cms.validateUpdate(cm as KubeObject, cm as KubeObject), []);
});

test('strategy: a new Deployment starts at generation 1 with empty status; spec changes bump it, status is kept', (t) => {
  const deploy = resolveResource('deploy')!;
  const d = { metadata: { name: 'w', namespace: 'd' }, spec: { replicas: 1 }, status: { replicas: 9 } } as unknown as KubeObject;
  const created = deploy.prepareForCreate(d) as Deployment;
  t.is(created.metadata.generation, 1);
  t.deepEqual(created.status, {});
  const stored = { ...created, status: { replicas: 1, observedGeneration: 1 } } as Deployment;
  const sameSpec = deploy.prepareForUpdate({ ...stored, status: { replicas: 5 } } as KubeObject, stored) as Deployment;
  t.is(sameSpec.metadata.generation, 1);
  t.deepEqual(sameSpec.status, { replicas: 1, observedGeneration: 1 });
  const scaled = deploy.prepareForUpdate({ ...stored, spec: { ...stored.spec!, replicas: 3 } } as KubeObject, stored) as Deployment;
  t.is(scaled.metadata.generation, 2);
});

test('strategy: a new pod is Pending with its QoS class; a new namespace is Active with the kubernetes finalizer', (t) => {
  const p = resolveResource('pods')!.prepareForCreate(pod) as Pod;
  t.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
  const ns = resolveResource('ns')!.prepareForCreate({ metadata: { name: 'x' } }) as KubeObject & { spec: { finalizers: string[] }; status: unknown };
  t.deepEqual(ns.spec.finalizers, ['kubernetes']);
  t.deepEqual(ns.status, { phase: 'Active' });
});
