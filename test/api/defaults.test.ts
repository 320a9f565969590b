/** Defaulting: what a real cluster fills in on create, checked against Kubernetes' documented defaults; purity and idempotence for every kind. */
import test from 'ava';
import {
  admitPod,
  admitPodPriority,
  defaultDaemonSet,
  defaultDeployment,
  defaultJob,
  defaultNamespace,
  defaultNode,
  defaultPod,
  defaultPodSpec,
  defaultPriorityClass,
  defaultPullPolicy,
  defaultSecret,
  defaultService,
  podQOSClass,
} from '../../lib/api/defaults/index.js';
import { RESOURCES } from '../../lib/api/resources/index.js';
import type { Deployment } from '../../lib/api/types/apps.js';
import type { PriorityClass } from '../../lib/api/types/cluster.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { Container, Pod } from '../../lib/api/types/pod.js';

const minimalDeployment: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
};

test('a minimal Deployment gets every default a real cluster shows', (t) => {
  t.deepEqual(defaultDeployment(minimalDeployment), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx',
              imagePullPolicy: 'Always',
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              resources: {},
            },
          ],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          securityContext: {},
          schedulerName: 'default-scheduler',
        },
      },
    },
  });
});

test('a Recreate Deployment gets no rollingUpdate; set values are kept', (t) => {
  const d = defaultDeployment({ ...minimalDeployment, spec: { ...minimalDeployment.spec!, replicas: 0, strategy: { type: 'Recreate' }, revisionHistoryLimit: 0 } });
  t.deepEqual(d.spec!.strategy, { type: 'Recreate' });
  t.is(d.spec!.replicas, 0);
  t.is(d.spec!.revisionHistoryLimit, 0);
});

test('templates get PodSpec defaults only; a Pod also gets enableServiceLinks and requests from limits', (t) => {
  const d = defaultDeployment(minimalDeployment);
  t.is(d.spec!.template.spec!.enableServiceLinks, undefined);
  const p = defaultPod({ metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'c', image: 'i:1', resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } } }] } });
  t.is(p.spec!.enableServiceLinks, true);
  t.deepEqual(p.spec!.containers[0]!.resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
});

const PULL: [string, 'Always' | 'IfNotPresent'][] = [
  ['nginx', 'Always'],
  ['nginx:latest', 'Always'],
  ['nginx:1.27', 'IfNotPresent'],
  ['registry.local:5000/team/app', 'Always'],
  ['registry.local:5000/team/app:v2', 'IfNotPresent'],
  ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
  ['nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'Always'],
];
for (const [image, policy] of PULL) {
  test(`imagePullPolicy for ${image} is ${policy}`, (t) => {
    t.is(defaultPullPolicy(image), policy);
  });
}

test('probes, HTTP handlers, ports, env field refs and volumes are defaulted', (t) => {
  const spec = defaultPodSpec({
    containers: [
      {
        name: 'c',
        image: 'i:1',
        ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        livenessProbe: { httpGet: { port: 8080 } },
        readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 3 },
        lifecycle: { preStop: { httpGet: { port: 80, path: '/quit' } } },
      },
    ],
    volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }, { name: 'h', hostPath: { path: '/tmp' } }],
  });
  const c = spec.containers[0]!;
  t.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }]);
  t.deepEqual(c.env![0]!.valueFrom!.fieldRef, { fieldPath: 'spec.nodeName', apiVersion: 'v1' });
  t.deepEqual(c.livenessProbe, { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  t.is(c.readinessProbe!.periodSeconds, 3);
  t.deepEqual(c.lifecycle!.preStop!.httpGet, { port: 80, path: '/quit', scheme: 'HTTP' });
  t.deepEqual(spec.volumes, [
    { name: 'scratch', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
    { name: 'h', hostPath: { path: '/tmp', type: '' } },
  ]);
});

test('host networking turns container ports into host ports (pods only)', (t) => {
  const p = defaultPod({ metadata: { name: 'p' }, spec: { hostNetwork: true, containers: [{ name: 'c', ports: [{ containerPort: 9100 }] }] } });
  t.deepEqual(p.spec!.containers[0]!.ports, [{ containerPort: 9100, hostPort: 9100, protocol: 'TCP' }]);
});

test('quantities are stored in canonical form', (t) => {
  const p = defaultPod({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1000m', memory: '1024Mi' } } }] } });
  t.deepEqual(p.spec!.containers[0]!.resources!.limits, { cpu: '1', memory: '1Gi' });
});

test('admission adds the not-ready and unreachable tolerations for 300s and the default service account', (t) => {
  const p = admitPod(defaultPod({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } }));
  t.is(p.spec!.serviceAccountName, 'default');
  t.deepEqual(p.spec!.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  // A pod that tolerates everything (empty key, operator Exists) gets nothing added.
  const all = admitPod({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], tolerations: [{ operator: 'Exists' }] } });
  t.deepEqual(all.spec!.tolerations, [{ operator: 'Exists' }]);
  // One that tolerates not-ready for NoExecute gets only the unreachable one.
  const one = admitPod({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }] } });
  t.deepEqual(one.spec!.tolerations!.map((x) => x.key), ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
});

test('priority admission: 0 and PreemptLowerPriority by default, else from the class, and its errors', (t) => {
  const p: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } };
  const none = admitPodPriority(p, []);
  t.true(none.ok && none.pod.spec!.priority === 0 && none.pod.spec!.preemptionPolicy === 'PreemptLowerPriority');
  const high: PriorityClass = { metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' };
  const global: PriorityClass = { metadata: { name: 'std' }, value: 10, globalDefault: true };
  const named = admitPodPriority({ ...p, spec: { ...p.spec!, priorityClassName: 'high' } }, [high, global]);
  t.true(named.ok && named.pod.spec!.priority === 1000 && named.pod.spec!.preemptionPolicy === 'Never');
  const byDefault = admitPodPriority(p, [high, global]);
  t.true(byDefault.ok && byDefault.pod.spec!.priorityClassName === 'std' && byDefault.pod.spec!.priority === 10);
  t.deepEqual(admitPodPriority({ ...p, spec: { ...p.spec!, priorityClassName: 'nope' } }, []), { ok: false, message: 'no PriorityClass with name nope was found' });
  const wrong = admitPodPriority({ ...p, spec: { ...p.spec!, priority: 5 } }, []);
  t.deepEqual(wrong, { ok: false, message: 'the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name' });
});

test('DaemonSet: RollingUpdate with maxUnavailable 1, maxSurge 0, 10 revisions', (t) => {
  const ds = defaultDaemonSet({ metadata: { name: 'd' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'c' }] } } } });
  t.deepEqual(ds.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  t.is(ds.spec!.revisionHistoryLimit, 10);
});

test('Job: one completion, one at a time, 6 retries, NonIndexed, not suspended; labels from the template', (t) => {
  const j = defaultJob({ metadata: { name: 'j' }, spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } } } });
  const s = j.spec!;
  t.deepEqual([s.completions, s.parallelism, s.backoffLimit, s.completionMode, s.suspend, s.podReplacementPolicy], [1, 1, 6, 'NonIndexed', false, 'TerminatingOrFailed']);
  t.deepEqual(j.metadata.labels, { app: 'pi' });
  // parallelism alone leaves completions unset; backoffLimitPerIndex lifts backoffLimit to MaxInt32.
  const wide = defaultJob({ metadata: { name: 'j' }, spec: { parallelism: 4, backoffLimitPerIndex: 1, template: {} } });
  t.deepEqual([wide.spec!.completions, wide.spec!.parallelism, wide.spec!.backoffLimit], [undefined, 4, 2147483647]);
  // The template's restartPolicy is defaulted like any PodSpec's (then rejected by Job validation).
  t.is(defaultJob({ metadata: { name: 'j' }, spec: { template: { spec: { containers: [] } } } }).spec!.template.spec!.restartPolicy, 'Always');
});

test('Service: ClusterIP, no affinity, TCP, targetPort = port, single stack, Cluster traffic policy', (t) => {
  const s = defaultService({ metadata: { name: 's' }, spec: { clusterIP: '10.96.0.5', selector: { app: 'a' }, ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] } });
  t.deepEqual(s.spec, {
    clusterIP: '10.96.0.5',
    clusterIPs: ['10.96.0.5'],
    selector: { app: 'a' },
    ports: [
      { port: 80, protocol: 'TCP', targetPort: 80 },
      { port: 53, protocol: 'UDP', targetPort: 'dns' },
    ],
    type: 'ClusterIP',
    sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster',
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
  });
  const lb = defaultService({ metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 443 }] } });
  t.is(lb.spec!.externalTrafficPolicy, 'Cluster');
  t.is(lb.spec!.allocateLoadBalancerNodePorts, true);
  const ext = defaultService({ metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
  t.deepEqual([ext.spec!.ipFamilies, ext.spec!.ipFamilyPolicy, ext.spec!.internalTrafficPolicy], [undefined, undefined, undefined]);
});

test('Namespace label, Secret type and stringData, Node allocatable, PriorityClass preemption', (t) => {
  const ns = defaultNamespace({ metadata: { name: 'team-a', labels: { x: 'y' } } });
  t.deepEqual(ns.metadata.labels, { x: 'y', 'kubernetes.io/metadata.name': 'team-a' });
  t.deepEqual(ns.status, { phase: 'Active' });
  const sec = defaultSecret({ metadata: { name: 's' }, stringData: { password: 'hunter2' }, data: { user: 'YWRtaW4=' } });
  t.deepEqual(sec, { metadata: { name: 's' }, type: 'Opaque', data: { user: 'YWRtaW4=', password: 'aHVudGVyMg==' } });
  const node = defaultNode({ metadata: { name: 'n' }, status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' } } });
  t.deepEqual(node.status!.allocatable, { cpu: '4', memory: '8Gi', pods: '110' });
  t.is(defaultPriorityClass({ metadata: { name: 'p' }, value: 1 }).preemptionPolicy, 'PreemptLowerPriority');
});

test('QoS class: BestEffort, Burstable, Guaranteed', (t) => {
  const pod = (resources: object): Pod => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources }] } });
  t.is(podQOSClass(pod({})), 'BestEffort');
  t.is(podQOSClass(pod({ requests: { cpu: '100m' } })), 'Burstable');
  t.is(podQOSClass(pod({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } })), 'Guaranteed');
  t.is(podQOSClass(pod({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } })), 'Guaranteed');
  t.is(podQOSClass(pod({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } })), 'Burstable');
  t.is(podQOSClass(pod({ limits: { cpu: '1' }, requests: { cpu: '1' } })), 'Burstable');
});

// ---- Properties every kind's defaulting must have ----

const SAMPLES: Record<string, KubeObject> = {
  Namespace: { metadata: { name: 'n' } },
  Node: { metadata: { name: 'n' }, status: { capacity: { cpu: '2000m' } } } as KubeObject,
  Pod: { metadata: { name: 'p', namespace: 'd' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 1 }], resources: { limits: { cpu: '1' } }, livenessProbe: { exec: { command: ['x'] } } }], volumes: [{ name: 'v' }] } } as KubeObject,
  Service: { metadata: { name: 's', namespace: 'd' }, spec: { type: 'NodePort', ports: [{ port: 1 }] } } as KubeObject,
  Endpoints: { metadata: { name: 'e', namespace: 'd' }, subsets: [{ ports: [{ port: 1 }] }] } as KubeObject,
  Event: { metadata: { name: 'e', namespace: 'd' }, involvedObject: {} } as KubeObject,
  ConfigMap: { metadata: { name: 'c', namespace: 'd' }, data: { a: 'b' } } as KubeObject,
  Secret: { metadata: { name: 's', namespace: 'd' }, stringData: { a: 'b' } } as KubeObject,
  Deployment: minimalDeployment,
  ReplicaSet: { metadata: { name: 'r', namespace: 'd' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'c' }] } } } } as KubeObject,
  DaemonSet: { metadata: { name: 'r', namespace: 'd' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'c' }] } } } } as KubeObject,
  Job: { metadata: { name: 'j', namespace: 'd' }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } } as KubeObject,
  Lease: { metadata: { name: 'l', namespace: 'd' }, spec: {} } as KubeObject,
  PodDisruptionBudget: { metadata: { name: 'b', namespace: 'd' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } } as KubeObject,
  PriorityClass: { metadata: { name: 'p' }, value: 1 } as KubeObject,
};

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

test('every kind has a sample here', (t) => {
  t.deepEqual(RESOURCES.map((r) => r.kind).sort(), Object.keys(SAMPLES).sort());
});

for (const r of RESOURCES) {
  test(`${r.kind} defaulting does not touch its input and is idempotent`, (t) => {
    const input = deepFreeze(structuredClone(SAMPLES[r.kind]!));
    const snapshot = structuredClone(input);
    const once = r.defaults(input); // would throw on a frozen object if it mutated the input
    t.deepEqual(input, snapshot);
    t.not(once, input);
    t.deepEqual(r.defaults(structuredClone(once)), once);
  });
}

test('defaulting keeps a "__proto__" label as an own property', (t) => {
  const labels = JSON.parse('{"__proto__": "x", "app": "web"}') as Record<string, string>;
  const d = defaultDeployment({ ...minimalDeployment, metadata: { name: 'w', labels } });
  t.true(Object.hasOwn(d.metadata.labels!, '__proto__'));
  t.is(Object.getPrototypeOf(d.metadata.labels), Object.prototype);
});

test('QoS class sums every container, init containers included, and counts only positive cpu and memory', (t) => {
  const c = (requests?: Record<string, string>, limits?: Record<string, string>): Container => ({ name: 'c', image: 'i', resources: { requests, limits } });
  const qos = (containers: Container[], initContainers?: Container[]): string => podQOSClass({ metadata: { name: 'p' }, spec: { containers, initContainers } });
  const both = (cpu: string, memory: string): Record<string, string> => ({ cpu, memory });
  t.is(qos([c(both('1', '1Gi'), both('1', '1Gi')), c(both('500m', '1Gi'), both('500m', '1Gi'))]), 'Guaranteed');
  t.is(qos([c(both('1', '1Gi'), both('1', '1Gi'))], [c(undefined, { cpu: '1' })]), 'Burstable', 'an init container without a memory limit');
  t.is(qos([c(undefined, both('1', '1Gi'))]), 'Burstable', 'limits without requests (defaulting copies them; this pod is raw)');
  t.is(qos([c({ cpu: '0' }, { cpu: '0', memory: '0' })]), 'BestEffort', 'zero counts as unset');
  t.is(qos([c({ storage: '1Gi' }, { 'example.com/gpu': '1' })]), 'BestEffort', 'only cpu and memory count');
  t.is(qos([c({ cpu: '1' }, both('1', '1Gi'))]), 'Burstable', 'a memory limit without a request');
  t.is(qos([c({ cpu: 'junk', memory: '1Gi' }, both('1', '1Gi'))]), 'Burstable', 'an unparsable request counts as unset');
  t.is(qos([]), 'BestEffort');
  t.is(qos([c(both('2', '2Gi'), both('2000m', '2048Mi')), c(both('1', '1Gi'), both('1', '1Gi'))]), 'Guaranteed', 'equal by value, not by text');
});

test('QoS class stays exact for quantities too large for floating-point sums', (t) => {
  const huge = (cpu: string, memory: string): Container => ({ name: 'c', image: 'i', resources: { requests: { cpu, memory }, limits: { cpu, memory } } });
  // 2^53 milli-units and beyond: equal only when exactly equal.
  t.is(podQOSClass({ metadata: { name: 'p' }, spec: { containers: [huge('9007199254740993m', '8Ei')] } }), 'Guaranteed');
  const differ: Container = { name: 'd', image: 'i', resources: { requests: { cpu: '9007199254740993m', memory: '1' }, limits: { cpu: '9007199254740992m', memory: '1' } } };
  t.is(podQOSClass({ metadata: { name: 'p' }, spec: { containers: [differ] } }), 'Burstable');
  // Sums that pass 2^53 only together.
  const half = '4503599627370497m';
  const twoHalves: Container[] = [huge(half, '1'), huge(half, '1')];
  const pod = { metadata: { name: 'p' }, spec: { containers: [{ ...twoHalves[0]!, resources: { requests: { cpu: half, memory: '1' }, limits: { cpu: '4503599627370496m', memory: '1' } } }, twoHalves[1]!] } };
  t.is(podQOSClass(pod), 'Burstable');
});
