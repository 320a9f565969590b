// Table-driven tests per plugin: which nodes a pod fits, and the message
// kube-scheduler would give when none does. Each case is headed by what it proves.
import test from 'ava';
import type { Node } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { Scheduler } from '../../actors/scheduler/scheduler.js';
import { ReferenceScheduler } from '../../actors/scheduler/reference.js';
import { bound, node, pod } from './helpers.js';

interface Case {
  readonly proves: string;
  readonly nodes: Node[];
  readonly existing?: Pod[];
  readonly pod: Pod;
  readonly feasible: string[];
  readonly message?: string;
}

const zoned = (name: string, zone: string, o = {}) => node(name, { labels: { zone }, ...o });

const cases: Case[] = [
  { proves: 'NodeName: only the named node', nodes: [node('a'), node('b')], pod: pod('p', { nodeName: 'b' }), feasible: ['b'] },
  {
    proves: 'NodeUnschedulable: cordoned nodes are skipped unless tolerated',
    nodes: [node('a', { unschedulable: true }), node('b')], pod: pod('p'), feasible: ['b'],
  },
  {
    proves: 'NodeUnschedulable: the unschedulable taint toleration lets a pod in',
    nodes: [node('a', { unschedulable: true })], pod: pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }), feasible: ['a'],
  },
  {
    proves: 'NodeResourcesFit: cpu, memory, pods, extended resources; every shortfall reported',
    nodes: [node('a', { cpu: '1' }), node('b', { memory: '1Gi' }), node('c', { pods: 1 }), node('d', { extra: { 'nvidia.com/gpu': '1' } })],
    existing: [bound(pod('x'), 'c')],
    pod: pod('p', { cpu: '2', memory: '2Gi', extra: { 'nvidia.com/gpu': '1' } }), feasible: ['d'],
  },
  {
    proves: 'NodeAffinity: nodeSelector',
    nodes: [node('a', { labels: { disk: 'ssd' } }), node('b')], pod: pod('p', { nodeSelector: { disk: 'ssd' } }), feasible: ['a'],
  },
  {
    proves: 'NodeAffinity: In, NotIn, Exists, DoesNotExist, Gt, Lt; terms ORed',
    nodes: [node('a', { labels: { gen: '5', zone: 'z1' } }), node('b', { labels: { gen: '3', zone: 'z2' } }), node('c', { labels: { gen: '9' } })],
    pod: pod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }, { key: 'zone', operator: 'In', values: ['z1'] }] },
      { matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['4'] }, { key: 'zone', operator: 'NotIn', values: ['z1'] }, { key: 'zone', operator: 'Exists' }] },
    ] } } } }),
    feasible: ['a', 'b'],
  },
  {
    proves: 'NodeAffinity: DoesNotExist and matchFields metadata.name',
    nodes: [node('a', { labels: { gpu: 'y' } }), node('b'), node('c')],
    pod: pod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] },
    ] } } } }),
    feasible: ['b'],
  },
  {
    proves: 'TaintToleration: NoSchedule and NoExecute block, PreferNoSchedule does not, tolerations match',
    nodes: [
      node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      node('b', { taints: [{ key: 'x', effect: 'NoExecute' }] }),
      node('c', { taints: [{ key: 'y', effect: 'PreferNoSchedule' }] }),
      node('d', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    ],
    pod: pod('p', { tolerations: [{ key: 'x', operator: 'Exists' }] }),
    feasible: ['b', 'c'],
  },
  {
    proves: 'NodePorts: a host port in use on 0.0.0.0 conflicts',
    nodes: [node('a'), node('b')], existing: [bound(pod('x', { hostPort: 8080 }), 'a')], pod: pod('p', { hostPort: 8080 }), feasible: ['b'],
  },
  {
    proves: 'InterPodAffinity: required anti-affinity by hostname',
    nodes: [node('a'), node('b')], existing: [bound(pod('x', { labels: { app: 'web' } }), 'a')],
    pod: pod('p', { labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } }] } } }),
    feasible: ['b'],
  },
  {
    proves: "InterPodAffinity: an existing pod's anti-affinity repels the incoming pod (symmetry)",
    nodes: [zoned('a', 'z1'), zoned('b', 'z1'), zoned('c', 'z2')],
    existing: [bound(pod('x', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'db' } } }] } } }), 'a')],
    pod: pod('p', { labels: { app: 'db' } }), feasible: ['c'],
    message: undefined,
  },
  {
    proves: 'InterPodAffinity: required affinity to a zone with a matching pod',
    nodes: [zoned('a', 'z1'), zoned('b', 'z1'), zoned('c', 'z2'), node('d')],
    existing: [bound(pod('x', { labels: { app: 'cache' } }), 'b')],
    pod: pod('p', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'cache' } } }] } } }),
    feasible: ['a', 'b'],
  },
  {
    proves: 'InterPodAffinity: the first pod of a self-affine group may go anywhere with the key',
    nodes: [zoned('a', 'z1'), node('b')],
    pod: pod('p', { labels: { app: 'g' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'g' } } }] } } }),
    feasible: ['a'],
  },
  {
    proves: 'PodTopologySpread: maxSkew 1 over zones sends the pod to the emptier zone; nodes without the key fail',
    nodes: [zoned('a', 'z1'), zoned('b', 'z2'), node('c')],
    existing: [bound(pod('x', { labels: { app: 's' } }), 'a')],
    pod: pod('p', { labels: { app: 's' }, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 's' } } }] }),
    feasible: ['b'],
  },
  {
    proves: 'PodTopologySpread: minDomains above the domain count makes the global minimum 0',
    nodes: [zoned('a', 'z1'), zoned('b', 'z2')],
    existing: [bound(pod('x', { labels: { app: 's' } }), 'a'), bound(pod('y', { labels: { app: 's' } }), 'b')],
    pod: pod('p', { labels: { app: 's' }, topologySpreadConstraints: [{ maxSkew: 1, minDomains: 3, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 's' } } }] }),
    feasible: [],
    message: "0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
  },
  {
    proves: 'FitError: reasons counted per node, sorted as strings; preemption part says which nodes could not be helped',
    nodes: [
      node('n1', { cpu: '1' }), node('n2', { cpu: '1' }), node('n3', { cpu: '1' }),
      node('g1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      node('g2', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    ],
    pod: pod('p', { cpu: '2' }),
    feasible: [],
    message: '0/5 nodes are available: 2 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient cpu. preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
  },
  {
    proves: 'FitError: several shortfalls on one node all count',
    nodes: [node('a', { cpu: '1', memory: '1Gi', pods: 1 })],
    existing: [bound(pod('x'), 'a')],
    pod: pod('p', { cpu: '2', memory: '2Gi', extra: { 'nvidia.com/gpu': '1' } }),
    feasible: [],
    message: '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Insufficient nvidia.com/gpu, 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  },
];

for (const c of cases) {
  test(c.proves, (t) => {
    const s = new Scheduler();
    const ref = new ReferenceScheduler();
    for (const n of c.nodes) { s.addNode(n); ref.addNode(n); }
    for (const p of c.existing ?? []) { s.addPod(p); ref.addPod(p, p.spec!.nodeName!); }
    t.deepEqual(s.feasibleNodes(c.pod), c.feasible, 'fast');
    t.deepEqual([...ref.schedule(c.pod).feasible], c.feasible, 'reference');
    if (c.message !== undefined) {
      s.addPod(c.pod);
      const d = s.scheduleBatch();
      t.is(d.failures[0]?.condition.message, c.message);
    }
  });
}
