/** Server-side printing: the columns Kubernetes 1.32 prints per kind, the pod STATUS logic, ages, and the Table document kubectl reads. */
import test from 'ava';
import { humanDuration, since, summarizePod, toTable } from '../../lib/api/printers/index.js';
import { RESOURCES, resolveResource } from '../../lib/api/resources/index.js';
import type { Node, NodeSystemInfo, Service } from '../../lib/api/types/core.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { ContainerStatus, Pod } from '../../lib/api/types/pod.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const agoIso = (ms: number): string => new Date(NOW - ms).toISOString();
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

// Cases in the spirit of apimachinery's duration tests: two to three significant figures.
const DURATIONS: [number, string][] = [
  [0, '0s'], [-1.5 * S, '0s'], [-2 * S, '<invalid>'], [1 * S, '1s'], [70 * S, '70s'], [119 * S, '119s'], [120 * S, '2m'],
  [182 * S, '3m2s'], [10 * M, '10m'], [70 * M, '70m'], [179 * M, '179m'], [3 * H, '3h'], [3 * H + 5 * M, '3h5m'],
  [8 * H, '8h'], [47 * H + 59 * M, '47h'], [48 * H, '2d'], [49 * H, '2d1h'], [8 * D, '8d'], [400 * D, '400d'],
  [2 * 365 * D, '2y'], [800 * D, '2y70d'], [8 * 365 * D, '8y'], [3000 * D, '8y'],
];
for (const [ms, want] of DURATIONS) {
  test(`humanDuration(${ms}ms) = ${want}`, (t) => {
    t.is(humanDuration(ms), want);
  });
}

test('an unset or zero timestamp is <unknown>', (t) => {
  t.is(since(undefined, NOW), '<unknown>');
  t.is(since(null, NOW), '<unknown>');
  t.is(since('0001-01-01T00:00:00Z', NOW), '<unknown>');
  t.is(since(agoIso(5 * S), NOW), '5s');
});

// Column names as `kubectl get -o wide` prints them in Kubernetes 1.32 (wide-only ones after the slash).
const COLUMNS: Record<string, [string[], string[]]> = {
  pods: [['Name', 'Ready', 'Status', 'Restarts', 'Age'], ['IP', 'Node', 'Nominated Node', 'Readiness Gates']],
  nodes: [['Name', 'Status', 'Roles', 'Age', 'Version'], ['Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']],
  namespaces: [['Name', 'Status', 'Age'], []],
  services: [['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age'], ['Selector']],
  endpoints: [['Name', 'Endpoints', 'Age'], []],
  events: [['Last Seen', 'Type', 'Reason', 'Object', 'Message'], ['Subobject', 'Source', 'First Seen', 'Count', 'Name']],
  configmaps: [['Name', 'Data', 'Age'], []],
  secrets: [['Name', 'Type', 'Data', 'Age'], []],
  deployments: [['Name', 'Ready', 'Up-to-date', 'Available', 'Age'], ['Containers', 'Images', 'Selector']],
  replicasets: [['Name', 'Desired', 'Current', 'Ready', 'Age'], ['Containers', 'Images', 'Selector']],
  daemonsets: [['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age'], ['Containers', 'Images', 'Selector']],
  jobs: [['Name', 'Status', 'Completions', 'Duration', 'Age'], ['Containers', 'Images', 'Selector']],
  leases: [['Name', 'Holder', 'Age'], []],
  poddisruptionbudgets: [['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age'], []],
  priorityclasses: [['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy'], []],
};

for (const r of RESOURCES) {
  test(`${r.plural}: columns and one cell per column`, (t) => {
    const expected = COLUMNS[r.plural];
    t.truthy(expected, 'every resource has expected columns here');
    t.deepEqual(r.printer.columns.filter((c) => c.priority === 0).map((c) => c.name), expected![0]);
    t.deepEqual(r.printer.columns.filter((c) => c.priority === 1).map((c) => c.name), expected![1]);
    t.is(r.printer.columns.filter((c) => c.format === 'name').length, 1);
    const obj = r.defaults({ metadata: { name: 'x', namespace: r.namespaced ? 'd' : undefined } } as KubeObject);
    t.is(r.printer.cells(obj, NOW).length, r.printer.columns.length);
  });
}

function cs(name: string, state: ContainerStatus['state'], extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name, state, ready: false, restartCount: 0, image: 'i', imageID: '', ...extra };
}

function pod(spec: Partial<NonNullable<Pod['spec']>>, status: Pod['status'], meta: Partial<Pod['metadata']> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'd', creationTimestamp: agoIso(10 * M), ...meta }, spec: { containers: [{ name: 'a' }], ...spec }, status };
}

const running = { running: { startedAt: agoIso(M) } };
const POD_STATES: [string, Pod, string, string][] = [
  ['new pod', pod({}, { phase: 'Pending' }), 'Pending', '0/1'],
  ['scheduling gated', pod({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), 'SchedulingGated', '0/1'],
  ['creating', pod({}, { phase: 'Pending', containerStatuses: [cs('a', { waiting: { reason: 'ContainerCreating' } })] }), 'ContainerCreating', '0/1'],
  ['running and ready', pod({}, { phase: 'Running', containerStatuses: [cs('a', running, { ready: true })] }), 'Running', '1/1'],
  ['running, not ready', pod({}, { phase: 'Running', containerStatuses: [cs('a', running)] }), 'Running', '0/1'],
  ['crash looping', pod({}, { phase: 'Running', containerStatuses: [cs('a', { waiting: { reason: 'CrashLoopBackOff' } })] }), 'CrashLoopBackOff', '0/1'],
  ['image pull backoff', pod({}, { phase: 'Pending', containerStatuses: [cs('a', { waiting: { reason: 'ImagePullBackOff' } })] }), 'ImagePullBackOff', '0/1'],
  ['completed', pod({}, { phase: 'Succeeded', containerStatuses: [cs('a', { terminated: { exitCode: 0, reason: 'Completed' } })] }), 'Completed', '0/1'],
  ['error', pod({}, { phase: 'Failed', containerStatuses: [cs('a', { terminated: { exitCode: 1, reason: 'Error' } })] }), 'Error', '0/1'],
  ['exit code without reason', pod({}, { phase: 'Failed', containerStatuses: [cs('a', { terminated: { exitCode: 2 } })] }), 'ExitCode:2', '0/1'],
  ['killed by signal', pod({}, { phase: 'Failed', containerStatuses: [cs('a', { terminated: { exitCode: 137, signal: 9 } })] }), 'Signal:9', '0/1'],
  ['evicted', pod({}, { phase: 'Failed', reason: 'Evicted' }), 'Evicted', '0/1'],
  [
    'one finished, one still running and ready',
    pod({ containers: [{ name: 'a' }, { name: 'b' }] }, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [cs('a', { terminated: { exitCode: 0, reason: 'Completed' } }), cs('b', running, { ready: true })] }),
    'Running',
    '1/2',
  ],
  [
    'one finished, one running, pod not ready',
    pod({ containers: [{ name: 'a' }, { name: 'b' }] }, { phase: 'Running', containerStatuses: [cs('a', { terminated: { exitCode: 0, reason: 'Completed' } }), cs('b', running, { ready: true })] }),
    'NotReady',
    '1/2',
  ],
  ['waiting for first init container', pod({ initContainers: [{ name: 'i1' }, { name: 'i2' }] }, { phase: 'Pending', initContainerStatuses: [cs('i1', { waiting: { reason: 'PodInitializing' } }), cs('i2', { waiting: {} })] }), 'Init:0/2', '0/1'],
  ['second init container running', pod({ initContainers: [{ name: 'i1' }, { name: 'i2' }] }, { phase: 'Pending', initContainerStatuses: [cs('i1', { terminated: { exitCode: 0 } }), cs('i2', running)] }), 'Init:1/2', '0/1'],
  ['init container crash looping', pod({ initContainers: [{ name: 'i1' }] }, { phase: 'Pending', initContainerStatuses: [cs('i1', { waiting: { reason: 'CrashLoopBackOff' } })] }), 'Init:CrashLoopBackOff', '0/1'],
  ['init container failed', pod({ initContainers: [{ name: 'i1' }] }, { phase: 'Pending', initContainerStatuses: [cs('i1', { terminated: { exitCode: 3 } })] }), 'Init:ExitCode:3', '0/1'],
  [
    'started sidecar counts towards READY',
    pod({ initContainers: [{ name: 's', restartPolicy: 'Always' }] }, { phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }], initContainerStatuses: [cs('s', running, { started: true, ready: true })], containerStatuses: [cs('a', running, { ready: true })] }),
    'Running',
    '2/2',
  ],
  ['terminating', pod({}, { phase: 'Running', containerStatuses: [cs('a', running, { ready: true })] }, { deletionTimestamp: agoIso(S) }), 'Terminating', '1/1'],
  ['deleted after finishing stays Completed', pod({}, { phase: 'Succeeded', containerStatuses: [cs('a', { terminated: { exitCode: 0, reason: 'Completed' } })] }, { deletionTimestamp: agoIso(S) }), 'Completed', '0/1'],
  ['on a lost node', pod({}, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: agoIso(S) }), 'Unknown', '0/1'],
];

for (const [what, p, status, ready] of POD_STATES) {
  test(`pod status: ${what} -> ${status} ${ready}`, (t) => {
    const s = summarizePod(p, NOW);
    t.is(s.status, status);
    t.is(s.ready, ready);
  });
}

test('restarts show the time of the last restart', (t) => {
  const p = pod({ containers: [{ name: 'a' }, { name: 'b' }] }, {
    phase: 'Running',
    containerStatuses: [
      cs('a', running, { restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: agoIso(5 * M) } } }),
      cs('b', running, { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: agoIso(65 * S) } } }),
    ],
  });
  t.is(summarizePod(p, NOW).restarts, '4 (65s ago)');
  t.is(summarizePod(pod({}, { phase: 'Running', containerStatuses: [cs('a', running, { restartCount: 2 })] }), NOW).restarts, '2');
});

test('pod wide cells: IP from podIPs, <none> for unset node, nominated node and gates; readiness gates counted', (t) => {
  const pods = resolveResource('pods')!;
  const p = pod({ nodeName: 'node-1', readinessGates: [{ conditionType: 'lb' }, { conditionType: 'x' }] }, { phase: 'Running', podIPs: [{ ip: '10.1.0.4' }], conditions: [{ type: 'lb', status: 'True' }] });
  t.deepEqual(pods.printer.cells(p, NOW).slice(4), ['10m', '10.1.0.4', 'node-1', '<none>', '1/2']);
  t.deepEqual(pods.printer.cells(pod({}, {}), NOW).slice(5), ['<none>', '<none>', '<none>', '<none>']);
});

test('node status and roles', (t) => {
  const nodes = resolveResource('nodes')!;
  const node = (labels: Record<string, string>, ready: 'True' | 'False' | undefined, unschedulable = false): Node => ({
    metadata: { name: 'n', labels, creationTimestamp: agoIso(3 * D) },
    spec: { unschedulable },
    status: { conditions: ready ? [{ type: 'Ready', status: ready }] : [], nodeInfo: { kubeletVersion: 'v1.32.0' } as NodeSystemInfo },
  });
  const cells = (n: Node) => nodes.printer.cells(n, NOW).slice(1, 5);
  t.deepEqual(cells(node({}, 'True')), ['Ready', '<none>', '3d', 'v1.32.0']);
  t.deepEqual(cells(node({ 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': 'true' }, 'False', true)), ['NotReady,SchedulingDisabled', 'control-plane,worker', '3d', 'v1.32.0']);
  t.deepEqual(cells(node({ 'kubernetes.io/role': 'infra' }, undefined)), ['Unknown', 'infra', '3d', 'v1.32.0']);
});

test('service external IP and ports by type', (t) => {
  const services = resolveResource('svc')!;
  const svc = (spec: Service['spec'], status?: Service['status']): (string | number | boolean | null)[] =>
    services.printer.cells({ metadata: { name: 's' }, spec, ...(status ? { status } : {}) } as KubeObject, NOW).slice(1, 5);
  t.deepEqual(svc({ type: 'ClusterIP', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ port: 80, protocol: 'TCP' }] }), ['ClusterIP', '10.0.0.1', '<none>', '80/TCP']);
  t.deepEqual(svc({ type: 'NodePort', clusterIPs: ['10.0.0.2'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }), ['NodePort', '10.0.0.2', '<none>', '80:30080/TCP,53/UDP']);
  t.deepEqual(svc({ type: 'LoadBalancer', clusterIPs: ['10.0.0.3'], ports: [] }), ['LoadBalancer', '10.0.0.3', '<pending>', '<none>']);
  t.deepEqual(svc({ type: 'LoadBalancer', clusterIPs: ['10.0.0.3'] }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { hostname: 'lb.example' }] } })[2], '1.2.3.4,lb.example');
  t.deepEqual(svc({ type: 'ExternalName', externalName: 'db.example.com' }).slice(0, 3), ['ExternalName', '<none>', 'db.example.com']);
});

test('endpoints list at most three addresses', (t) => {
  const ep = resolveResource('ep')!;
  const addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'].map((ip) => ({ ip }));
  t.is(ep.printer.cells({ metadata: { name: 'e' }, subsets: [{ addresses, ports: [{ port: 80 }] }] } as KubeObject, NOW)[1], '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...');
  t.is(ep.printer.cells({ metadata: { name: 'e' } }, NOW)[1], '<none>');
});

test('event row: last seen falls back to first seen; object is kind/name in lower case', (t) => {
  const events = resolveResource('ev')!;
  const cells = events.printer.cells(
    { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{c}' }, reason: 'Pulled', message: ' pulled \n', type: 'Normal', firstTimestamp: agoIso(90 * S), source: { component: 'kubelet', host: 'node-1' } } as KubeObject,
    NOW,
  );
  t.deepEqual(cells, ['90s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{c}', 'kubelet, node-1', 'pulled', '90s', 1, 'e1']);
});

test('deployment, job and daemonset rows', (t) => {
  const deploy = resolveResource('deploy')!;
  const d = deploy.defaults({ metadata: { name: 'web', creationTimestamp: agoIso(2 * H) }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:2' }] } } }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } } as KubeObject);
  t.deepEqual(deploy.printer.cells(d, NOW), ['web', '2/3', 3, 2, '120m', 'a,b', 'x:1,y:2', 'app=web']);
  const jobs = resolveResource('jobs')!;
  const job = { metadata: { name: 'pi' }, spec: { completions: 3, template: {} }, status: { succeeded: 3, startTime: agoIso(5 * M), completionTime: agoIso(2 * M), conditions: [{ type: 'Complete', status: 'True' }] } } as KubeObject;
  t.deepEqual(jobs.printer.cells(job, NOW).slice(1, 4), ['Complete', '3/3', '3m']);
  const parallel = { metadata: { name: 'p' }, spec: { parallelism: 4, template: {} }, status: { startTime: agoIso(30 * S) } } as KubeObject;
  t.deepEqual(jobs.printer.cells(parallel, NOW).slice(1, 4), ['Running', '0/1 of 4', '30s']);
  const ds = resolveResource('ds')!;
  const dsObj = { metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { nodeSelector: { zone: 'b', os: 'linux' }, containers: [] } } }, status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, numberMisscheduled: 0 } } as KubeObject;
  t.deepEqual(ds.printer.cells(dsObj, NOW).slice(1, 7), [3, 3, 2, 0, 0, 'os=linux,zone=b']);
});

test('toTable: a Table with PartialObjectMetadata rows by default, without managedFields', (t) => {
  const pods = resolveResource('pods')!;
  const p = pod({}, { phase: 'Pending' }, { uid: 'u1', managedFields: [{ manager: 'kubectl' }], labels: { a: 'b' } });
  const table = toTable(pods, [p], { now: NOW, listMeta: { resourceVersion: '42' } });
  t.is(table.kind, 'Table');
  t.is(table.apiVersion, 'meta.k8s.io/v1');
  t.deepEqual(table.metadata, { resourceVersion: '42' });
  t.is(table.columnDefinitions!.length, 9);
  t.deepEqual(Object.keys(table.columnDefinitions![0]!).sort(), ['description', 'format', 'name', 'priority', 'type']);
  t.deepEqual(table.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'p', namespace: 'd', creationTimestamp: agoIso(10 * M), uid: 'u1', labels: { a: 'b' } } });
  t.is(table.rows[0]!.conditions, undefined);
});

test('toTable: includeObject Object and None, no headers, and the Completed row condition', (t) => {
  const pods = resolveResource('pods')!;
  const done = pod({}, { phase: 'Succeeded' });
  const full = toTable(pods, [done], { now: NOW, includeObject: 'Object', noHeaders: true });
  t.is(full.columnDefinitions, null);
  t.deepEqual(full.rows[0]!.object, { ...done, apiVersion: 'v1', kind: 'Pod' });
  t.deepEqual(full.rows[0]!.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  const none = toTable(pods, [done], { now: NOW, includeObject: 'None' });
  t.false('object' in none.rows[0]!);
  t.deepEqual(toTable(pods, [], { now: NOW }).rows, []);
});
