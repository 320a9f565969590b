// The scheduler caches pods as its view (pod-view.ts): what it reads, not
// what it doesn't. A pod and its view must schedule alike.
import test from 'ava';
import type { Pod } from '../../lib/api/types/pod.js';
import { schedulerPodView } from '../../actors/scheduler/pod-view.js';
import { compilePod } from '../../actors/scheduler/pod-info.js';
import { Scheduler } from '../../actors/scheduler/scheduler.js';
import { node } from './helpers.js';

function fullPod(nodeName?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1', namespace: 'shop', uid: 'u1', resourceVersion: '7', labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'x'.repeat(2000) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs', controller: true }],
    },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      schedulerName: 'default-scheduler', priority: 10, preemptionPolicy: 'PreemptLowerPriority', terminationGracePeriodSeconds: 45,
      nodeSelector: { disk: 'ssd' },
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } } }] } },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
      initContainers: [{ name: 'init', image: 'busybox', resources: { requests: { cpu: '1' } }, restartPolicy: 'Always' }],
      containers: [{
        name: 'web', image: 'nginx:1.27', env: [{ name: 'A', value: 'b' }], command: ['nginx'],
        ports: [{ containerPort: 80, hostPort: 8080 }], resources: { requests: { cpu: '250m', memory: '64Mi' } },
        readinessProbe: { httpGet: { path: '/', port: 80 } }, volumeMounts: [{ name: 'v', mountPath: '/v' }],
      }],
      volumes: [{ name: 'v', emptyDir: {} }],
    },
    status: {
      phase: nodeName ? 'Running' : 'Pending',
      podIP: '10.0.0.1',
      conditions: [{ type: 'PodScheduled', status: nodeName ? 'True' : 'False', reason: nodeName ? undefined : 'Unschedulable' }, { type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'nginx:1.27', imageID: 'sha', state: { running: { startedAt: '2025-01-01T00:00:00Z' } } }],
    },
  };
}

test('a bound pod keeps what scheduling reads and drops the rest (annotations, env, probes, volumes, container statuses, conditions)', (t) => {
  const full = fullPod('n1');
  const view = schedulerPodView(structuredClone(full));
  t.deepEqual(view.metadata, { name: 'web-1', namespace: 'shop', uid: 'u1', resourceVersion: '7', labels: { app: 'web' } });
  t.deepEqual(view.status, { phase: 'Running' });
  t.deepEqual(view.spec!.containers, [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '250m', memory: '64Mi' } }, ports: [{ containerPort: 80, hostPort: 8080 }] }]);
  t.deepEqual(view.spec!.initContainers, [{ name: 'init', image: 'busybox', resources: { requests: { cpu: '1' } }, restartPolicy: 'Always' }]);
  t.is(view.spec!.volumes, undefined);
  t.is(view.spec!.terminationGracePeriodSeconds, 45, 'preemption passes it on to its victims');
  t.true(JSON.stringify(view).length * 3 < JSON.stringify(full).length);
});

test('a pending pod keeps its annotations and its PodScheduled condition (requeue on change; the unschedulable message)', (t) => {
  const view = schedulerPodView(structuredClone(fullPod()));
  t.truthy(view.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);
  t.deepEqual(view.status!.conditions?.map((c) => c.type), ['PodScheduled']);
});

test('a pod and its view compile to the same shape and get the same placement', (t) => {
  const prio = () => 10;
  for (const n of [undefined, 'n1']) t.is(compilePod(schedulerPodView(structuredClone(fullPod(n))), prio).shape, compilePod(fullPod(n), prio).shape);
  const place = (p: Pod): string[] => {
    const s = new Scheduler({ now: () => 0 });
    for (const name of ['a', 'b', 'c']) s.addNode(node(name, { cpu: '4', labels: { disk: name === 'c' ? 'hdd' : 'ssd' } }));
    return s.feasibleNodes(p);
  };
  t.deepEqual(place(schedulerPodView(structuredClone(fullPod()))), place(fullPod()));
  t.deepEqual(place(fullPod()), ['a', 'b']);
});
