/** Strategic merge patch: Kubernetes' exact-order test cases, the patches kubectl sends, directives and errors. */
import test from 'ava';
import { applyStrategicMergePatch } from '../../lib/api/patch/strategic.js';
import { deploymentSchema, nodeSchema, podSchema, serviceSchema, type PatchSchema } from '../../lib/api/patch/metadata.js';
import type { JsonObject } from '../../lib/api/patch/json-value.js';

/** The schema of apimachinery's test type (mergeItem). */
const testSchema: PatchSchema = {
  mergingList: { strategy: 'merge', mergeKey: 'name' },
  mergingIntList: { strategy: 'merge' },
  nonMergingList: {},
  retainKeysMap: { strategy: 'retainKeys' },
  simpleMap: {},
};

function apply(current: object, patch: unknown, schema: PatchSchema = testSchema): JsonObject {
  const r = applyStrategicMergePatch(current, patch, schema);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const items = (...names: (number | [number, JsonObject])[]): JsonObject[] =>
  names.map((n) => (Array.isArray(n) ? { name: n[0], ...n[1] } : { name: n }));

test('apimachinery raw cases: $setElementOrder with server-only items (exact order)', (t) => {
  // "set elements order in a list with server-only items", "... 2", "... 3"
  t.deepEqual(apply({ mergingList: items(1, 3, 4, 2, 9) }, { '$setElementOrder/mergingList': items(4, 2, 3, 1) }).mergingList, items(4, 2, 3, 1, 9));
  t.deepEqual(apply({ mergingList: items(1, 2, 9, 3, 4) }, { '$setElementOrder/mergingList': items(2, 1, 4, 3) }).mergingList, items(2, 1, 9, 4, 3));
  t.deepEqual(apply({ mergingList: items(1, 2, 7, 9, 8, 3, 4) }, { '$setElementOrder/mergingList': items(2, 1, 4, 3) }).mergingList, items(2, 1, 7, 9, 8, 4, 3));
  t.deepEqual(apply({ mergingIntList: [1, 2, 7, 9, 8, 3, 4] }, { '$setElementOrder/mergingIntList': [2, 1, 4, 3] }).mergingIntList, [2, 1, 7, 9, 8, 4, 3]);
});

test('apimachinery raw cases: add, change and delete while preserving order', (t) => {
  const current = { mergingList: items([1, { other: 'a' }], [2, { value: 2, other: 'b' }], [3, { value: 3 }]) };
  t.deepEqual(apply(current, { '$setElementOrder/mergingList': items(2, 1), mergingList: [{ name: 3, $patch: 'delete' }] }).mergingList, items([2, { value: 2, other: 'b' }], [1, { other: 'a' }]));
  t.deepEqual(
    apply(current, { '$setElementOrder/mergingList': items(2, 3, 1), mergingList: [{ name: 3, value: 'x' }] }).mergingList,
    items([2, { value: 2, other: 'b' }], [3, { value: 'x' }], [1, { other: 'a' }]),
  );
  t.deepEqual(
    apply(current, { '$setElementOrder/mergingList': items(4, 2, 1), mergingList: [{ name: 4, value: 4 }, { name: 3, $patch: 'delete' }] }).mergingList,
    items([4, { value: 4 }], [2, { value: 2, other: 'b' }], [1, { other: 'a' }]),
  );
  t.deepEqual(apply({ mergingIntList: [1, 2] }, { '$setElementOrder/mergingIntList': [3, 1, 2], mergingIntList: [3] }).mergingIntList, [3, 1, 2]);
  t.deepEqual(apply({ mergingIntList: [1, 2] }, { '$setElementOrder/mergingIntList': [1, 4, 2, 3], mergingIntList: [4, 3] }).mergingIntList, [1, 4, 2, 3]);
  t.deepEqual(apply({ mergingIntList: [1, 2, 3] }, { '$setElementOrder/mergingIntList': [2, 1], '$deleteFromPrimitiveList/mergingIntList': [3] }).mergingIntList, [2, 1]);
  t.deepEqual(
    apply({ mergingIntList: [1, 2, 3] }, { '$setElementOrder/mergingIntList': [4, 2, 1], mergingIntList: [4], '$deleteFromPrimitiveList/mergingIntList': [3] }).mergingIntList,
    [4, 2, 1],
  );
  // Duplicates keep their relative order and gather at the first position of their key.
  t.deepEqual(
    apply({ mergingList: items(1, [2, { value: 'dup1' }], 3, [2, { value: 'dup2' }], 4) }, { '$setElementOrder/mergingList': items(2, 1, 4, 3, 2) }).mergingList,
    items([2, { value: 'dup1' }], [2, { value: 'dup2' }], 1, 4, 3),
  );
});

test('without $setElementOrder: patch order among patch items, live order among the rest', (t) => {
  // The preserve-order design's example: live B C A, patch A' B' D -> C A' B' D.
  const live = { mergingList: [{ name: 'B' }, { name: 'C' }, { name: 'A' }] };
  const patch = { mergingList: [{ name: 'A', v: 1 }, { name: 'B', v: 1 }, { name: 'D' }] };
  t.deepEqual(apply(live, patch).mergingList, [{ name: 'C' }, { name: 'A', v: 1 }, { name: 'B', v: 1 }, { name: 'D' }]);
  // A lone new item goes before the remaining server-only items (Kubernetes' mergeSortedSlice).
  t.deepEqual(apply({ mergingList: items(1, 2) }, { mergingList: items(3) }).mergingList, items(3, 1, 2));
  t.deepEqual(apply({ mergingIntList: ['a'] }, { mergingIntList: ['b', 'a'] }).mergingIntList, ['b', 'a']);
});

test('apimachinery raw cases: $retainKeys', (t) => {
  t.deepEqual(apply({ retainKeysMap: { value: 'foo' } }, { retainKeysMap: { $retainKeys: ['other'], other: 'bar' } }), { retainKeysMap: { other: 'bar' } });
  t.deepEqual(apply({ retainKeysMap: { name: 'foo', other: 'a' } }, { retainKeysMap: { $retainKeys: ['name', 'value'], value: 'bar' } }), { retainKeysMap: { name: 'foo', value: 'bar' } });
  t.deepEqual(apply({ retainKeysMap: { name: 'foo', value: 'bar', other: 'a' } }, { retainKeysMap: { $retainKeys: ['name'], value: null } }), { retainKeysMap: { name: 'foo' } });
  t.deepEqual(applyStrategicMergePatch({ retainKeysMap: {} }, { retainKeysMap: { $retainKeys: ['name'], value: 'x' } }, testSchema), { ok: false, error: 'invalid patch format of retainKeys' });
});

test('kubectl apply (client-side) on a Deployment', (t) => {
  const live = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', annotations: { a: 'b' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], terminationMessagePath: '/dev/termination-log' }] },
      },
    },
  };
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}' } },
    spec: { replicas: 3, template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.28', name: 'nginx' }] } } },
  };
  const out = apply(live, patch, deploymentSchema) as typeof live;
  t.is(out.spec.replicas, 3);
  t.deepEqual(out.metadata.annotations, { a: 'b', 'kubectl.kubernetes.io/last-applied-configuration': '{...}' });
  t.deepEqual(out.spec.template.spec.containers, [{ ...live.spec.template.spec.containers[0]!, image: 'nginx:1.28' }]);
  t.is(live.spec.template.spec.containers[0]!.image, 'nginx:1.27', 'input untouched');

  const recreate = apply(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }, deploymentSchema) as typeof live;
  t.deepEqual(recreate.spec.strategy, { type: 'Recreate' });
});

test('kubectl cordon / uncordon', (t) => {
  const node = { kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } };
  t.deepEqual(apply(node, { spec: { unschedulable: true } }, nodeSchema), { ...node, spec: { podCIDR: '10.0.0.0/24', unschedulable: true } });
  t.deepEqual(apply({ ...node, spec: { unschedulable: true } }, { spec: { unschedulable: null } }, nodeSchema), { ...node, spec: {} });
});

test('pod lists merge by their Kubernetes keys; untagged lists are replaced', (t) => {
  const pod = {
    metadata: { name: 'p', finalizers: ['a'], ownerReferences: [{ uid: 'u1', name: 'rs' }] },
    spec: {
      containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }], volumeMounts: [{ mountPath: '/a', name: 'v' }] }],
      tolerations: [{ key: 'k', operator: 'Exists' }],
      volumes: [{ name: 'v', emptyDir: {} }],
    },
  };
  const out = apply(pod, {
    metadata: { finalizers: ['b'], ownerReferences: [{ uid: 'u1', controller: true }] },
    spec: {
      containers: [{ name: 'c', env: [{ name: 'B', value: '2' }], ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ mountPath: '/b', name: 'v' }] }],
      tolerations: [{ key: 'x', operator: 'Exists' }],
      volumes: [{ name: 'v', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } }],
    },
  }, podSchema) as typeof pod;
  t.deepEqual(out.metadata.finalizers, ['b', 'a']);
  t.deepEqual(out.metadata.ownerReferences, [{ uid: 'u1', name: 'rs', controller: true }]);
  const c = out.spec.containers[0]!;
  t.deepEqual(c.env, [{ name: 'B', value: '2' }, { name: 'A', value: '1' }]);
  t.deepEqual(c.ports, [{ containerPort: 80, name: 'http' }]);
  t.deepEqual(c.volumeMounts.map((m) => m.mountPath), ['/b', '/a']);
  t.deepEqual(out.spec.tolerations, [{ key: 'x', operator: 'Exists' }], 'tolerations have no merge key: replaced');
  t.deepEqual(out.spec.volumes, [{ name: 'v', configMap: { name: 'cm' } }], '$retainKeys drops the old volume source');
});

test('service ports merge by port; node taints are replaced', (t) => {
  const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
  t.deepEqual((apply(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, serviceSchema).spec as JsonObject).ports, [{ port: 80, targetPort: 9090 }, { port: 443 }]);
  const node = { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } };
  t.deepEqual(apply(node, { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } }, nodeSchema), { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } });
});

test('$patch directives on maps and lists', (t) => {
  const live = { simpleMap: { a: '1', b: '2' }, mergingList: items(1, 2), other: { x: 1 } };
  t.deepEqual(apply(live, { simpleMap: { $patch: 'replace', c: '3' } }).simpleMap, { c: '3' });
  t.deepEqual(apply(live, { other: { $patch: 'delete' } }).other, {});
  t.deepEqual(apply(live, { mergingList: [{ name: 5 }, { $patch: 'replace' }] }).mergingList, items(5));
  t.deepEqual(apply(live, { mergingList: [{ name: 1, $patch: 'delete' }] }).mergingList, items(2));
  t.deepEqual(apply(live, { $patch: 'replace', only: true }), { only: true });
  t.deepEqual(applyStrategicMergePatch(live, { simpleMap: { $patch: 'merge' } }, testSchema), { ok: false, error: 'unknown patch type: merge in map: map[$patch:merge]' });
  t.deepEqual(applyStrategicMergePatch(live, { mergingList: [{ $patch: 'merge', name: 1 }] }, testSchema), { ok: false, error: 'merging lists cannot yet be specified in the patch' });
});

test('values new to the object are stored with their directives resolved', (t) => {
  const out = apply({}, { mergingList: [{ name: 1, $patch: 'delete' }, { name: 2 }], nested: { $patch: 'replace', a: 1, b: null } });
  t.deepEqual(out, { mergingList: items(2), nested: { a: 1 } });
  const pod = apply({ spec: {} }, { spec: { containers: [{ name: 'c', '$setElementOrder/env': [{ name: 'A' }], env: [{ name: 'A' }] }] } }, podSchema);
  t.deepEqual(pod, { spec: { containers: [{ name: 'c', env: [{ name: 'A' }] }] } });
});

test('errors are Kubernetes\' messages', (t) => {
  const live = { mergingList: items(1), mergingIntList: [1] };
  t.deepEqual(applyStrategicMergePatch(live, { mergingList: [{ value: 1 }] }, testSchema), { ok: false, error: 'map: map[value:1] does not contain declared merge key: name' });
  t.deepEqual(applyStrategicMergePatch(live, { mergingIntList: [[1]] }, testSchema), { ok: false, error: 'lists of lists are not supported' });
  t.deepEqual(applyStrategicMergePatch(live, { '$deleteFromPrimitiveListX/mergingIntList': [1] }, testSchema), { ok: false, error: 'invalid patch format of primitive list' });
  t.deepEqual(applyStrategicMergePatch(live, { '$setElementOrder/mergingList': 'x' }, testSchema), { ok: false, error: 'expected a []interface {}, but received a string' });
  t.deepEqual(applyStrategicMergePatch(live, { '$setElementOrder/mergingList': items(1), mergingList: items(2) }, testSchema), {
    ok: false,
    error: "The order in patch list:\n[map[name:2]]\n doesn't match $setElementOrder list:\n[map[name:1]]\n",
  });
  t.deepEqual(applyStrategicMergePatch(live, [1], testSchema), { ok: false, error: 'json: cannot unmarshal array into Go value of type map[string]interface {}' });
});

test('the live object is never changed (every directive), and what the patch does not touch is shared, not copied', (t) => {
  const live = {
    metadata: { name: 'p', labels: { a: '1' } as Record<string, string>, finalizers: ['f1', 'f2'] },
    spec: { containers: [{ name: 'c', image: 'v1', ports: [{ containerPort: 80 }] }], nodeName: 'n1' },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }],
      containerStatuses: [{ name: 'c', ready: false }],
    },
  };
  Object.defineProperty(live.metadata.labels, '__proto__', { value: 'x', enumerable: true, writable: true, configurable: true });
  const before = structuredClone(live);
  const patches: unknown[] = [
    { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', ready: true }] } },
    { status: { conditions: [{ type: 'PodScheduled', $patch: 'delete' }] } },
    { status: { '$setElementOrder/conditions': [{ type: 'PodScheduled' }, { type: 'Ready' }], conditions: [{ type: 'Ready', status: 'True' }] } },
    { status: { $retainKeys: ['phase'], phase: 'Failed' } },
    { spec: { containers: [{ name: 'c', image: 'v2', ports: [{ containerPort: 81 }] }] } },
    { metadata: { labels: { a: null, b: '2' } } },
    { spec: { containers: [{ name: 'd', image: 'x' }, { $patch: 'replace' }] } },
    { status: { $patch: 'replace', phase: 'Succeeded' } },
    { metadata: { '$deleteFromPrimitiveList/finalizers': ['f1'] } },
  ];
  for (const p of patches) apply(live, JSON.parse(JSON.stringify(p)), podSchema);
  t.deepEqual(live, before);
  t.is(Object.getOwnPropertyDescriptor(live.metadata.labels, '__proto__')?.value, 'x');

  const out = apply(live, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, podSchema) as unknown as typeof live;
  t.is(out.spec, live.spec, 'spec untouched: shared');
  t.is(out.metadata, live.metadata);
  t.not(out.status, live.status);
  t.is(out.status.containerStatuses, live.status.containerStatuses, 'a list the patch does not name is shared');
  t.not(out.status.conditions, live.status.conditions);
  t.deepEqual(out.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);
  t.is(out.status.conditions[1], live.status.conditions[1], 'an item the patch does not name is shared');
  t.is(Object.getPrototypeOf(apply(live, { metadata: { labels: { b: '2' } } }, podSchema).metadata), Object.prototype);
  t.is(Object.getOwnPropertyDescriptor((apply(live, { metadata: { labels: { b: '2' } } }, podSchema).metadata as { labels: object }).labels, '__proto__')?.value, 'x');
});
