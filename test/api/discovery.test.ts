/** Discovery: legacy and aggregated documents list every resource with its verbs, short names and subresources; content negotiation; /version. */
import test from 'ava';
import {
  aggregatedContentType,
  aggregatedCore,
  aggregatedGroups,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  negotiateDiscovery,
  storageVersionHash,
  versionInfo,
  type APIResourceDiscovery,
} from '../../lib/api/discovery/index.js';
import { RESOURCES } from '../../lib/api/resources/index.js';

const EIGHT = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

test('/version reports 1.32 (the gcloud dispatcher picks kubectl by it) and a parseable gitVersion', (t) => {
  const v = versionInfo();
  t.is(v.major, '1');
  t.is(v.minor, '32');
  t.regex(v.gitVersion, /^v1\.32\.\d+(-[0-9A-Za-z.-]+)?$/);
  t.regex(v.platform, /^[a-z0-9]+\/[a-z0-9]+$/);
  t.is(versionInfo({ gitVersion: 'v1.32.7-berth' }).gitVersion, 'v1.32.7-berth');
});

test('the Accept headers kubectl sends select the aggregated version it wants', (t) => {
  const k132 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  const k127 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  t.is(negotiateDiscovery(k132), 'v2');
  t.is(negotiateDiscovery(k127), 'v2beta1');
  t.is(negotiateDiscovery('application/json, */*'), 'legacy');
  t.is(negotiateDiscovery(undefined), 'legacy');
  t.is(negotiateDiscovery('application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io'), 'v2');
  t.is(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList'), 'legacy');
  t.is(aggregatedContentType('v2'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
});

test('/api and /apis (legacy)', (t) => {
  t.deepEqual(apiVersions('127.0.0.1:6443'), { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] });
  const groups = apiGroupList();
  t.is(groups.kind, 'APIGroupList');
  t.deepEqual(groups.groups.map((g) => g.name), ['apps', 'batch', 'policy', 'coordination.k8s.io', 'scheduling.k8s.io']);
  t.deepEqual(groups.groups[0], { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
  t.is(apiGroup('batch')!.kind, 'APIGroup');
  t.is(apiGroup('networking.k8s.io'), undefined);
  t.deepEqual(apiResourceList('policy', 'v1')!.resources.map((r) => r.name), ['poddisruptionbudgets', 'poddisruptionbudgets/status']);
  t.is(apiResourceList('apps', 'v2'), undefined);
});

test('/api/v1 has pods/eviction in group policy v1 (kubectl drain looks for it there)', (t) => {
  const list = apiResourceList('', 'v1')!;
  t.is(list.groupVersion, 'v1');
  const byName = new Map(list.resources.map((r) => [r.name, r]));
  t.deepEqual(byName.get('pods/eviction'), { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
  t.deepEqual(byName.get('pods/log'), { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
  t.deepEqual(byName.get('pods/binding')!.verbs, ['create']);
  t.deepEqual(byName.get('pods/status')!.verbs, ['get', 'patch', 'update']);
  const pods = byName.get('pods')!;
  t.deepEqual([pods.kind, pods.singularName, pods.namespaced, pods.shortNames, pods.categories, pods.verbs], ['Pod', 'pod', true, ['po'], ['all'], EIGHT]);
  t.deepEqual(byName.get('namespaces')!.verbs, EIGHT.filter((v) => v !== 'deletecollection'));
  t.is(byName.get('secrets')!.shortNames, undefined);
  // Sorted by name, as the api-server lists them.
  const names = list.resources.map((r) => r.name);
  t.deepEqual(names, [...names].sort());
});

test('/apis/apps/v1 has deployments/scale as autoscaling/v1 Scale', (t) => {
  const list = apiResourceList('apps', 'v1')!;
  const scale = list.resources.find((r) => r.name === 'deployments/scale')!;
  t.deepEqual(scale, { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  t.truthy(list.resources.find((r) => r.name === 'replicasets/scale'));
  t.falsy(list.resources.find((r) => r.name === 'daemonsets/scale'));
});

test('storage version hashes are the ones a real cluster reports', (t) => {
  t.is(storageVersionHash('', 'v1', 'Pod'), 'xPOwRZ+Yhw8=');
  t.is(storageVersionHash('', 'v1', 'ConfigMap'), 'qFsyl6wFWjQ=');
  t.is(storageVersionHash('apps', 'v1', 'Deployment'), '8aSe+NMegvE=');
  t.is(storageVersionHash('coordination.k8s.io', 'v1', 'Lease'), 'gqkMMb/YqFM=');
  t.is(apiResourceList('', 'v1')!.resources.find((r) => r.name === 'nodes')!.storageVersionHash, 'XwShjMxG9Fs=');
});

function aggregatedResources(): Map<string, APIResourceDiscovery & { group: string; version: string }> {
  const out = new Map<string, APIResourceDiscovery & { group: string; version: string }>();
  for (const list of [aggregatedCore(), aggregatedGroups()]) {
    for (const item of list.items) {
      for (const v of item.versions) for (const r of v.resources) out.set(`${item.metadata.name ?? ''}/${r.resource}`, { ...r, group: item.metadata.name ?? '', version: v.version });
    }
  }
  return out;
}

test('aggregated discovery: shapes kubectl reads', (t) => {
  const core = aggregatedCore('v2');
  t.is(core.kind, 'APIGroupDiscoveryList');
  t.is(core.apiVersion, 'apidiscovery.k8s.io/v2');
  t.is(core.items.length, 1);
  t.deepEqual(core.items[0]!.metadata, { creationTimestamp: null });
  t.is(core.items[0]!.versions[0]!.freshness, 'Current');
  t.is(aggregatedGroups('v2beta1').apiVersion, 'apidiscovery.k8s.io/v2beta1');
  t.deepEqual(aggregatedGroups().items.map((i) => i.metadata.name), ['apps', 'batch', 'policy', 'coordination.k8s.io', 'scheduling.k8s.io']);
  const pods = aggregatedResources().get('/pods')!;
  t.deepEqual(pods.responseKind, { group: '', version: 'v1', kind: 'Pod' });
  t.is(pods.scope, 'Namespaced');
  t.deepEqual(pods.subresources!.find((s) => s.subresource === 'eviction'), { subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] });
  t.is(aggregatedResources().get('/nodes')!.scope, 'Cluster');
});

test('every resource of the table appears in both discovery forms with the same verbs, names and subresources', (t) => {
  const agg = aggregatedResources();
  for (const r of RESOURCES) {
    const legacy = apiResourceList(r.group, r.version)!.resources;
    const main = legacy.find((x) => x.name === r.plural)!;
    t.truthy(main, r.plural);
    const a = agg.get(`${r.group}/${r.plural}`)!;
    t.truthy(a, r.plural);
    t.deepEqual(a.verbs, main.verbs, r.plural);
    t.deepEqual(a.shortNames, main.shortNames, r.plural);
    t.deepEqual(a.categories, main.categories, r.plural);
    t.is(a.singularResource, main.singularName);
    t.is(a.scope === 'Namespaced', main.namespaced);
    const legacySubs = legacy.filter((x) => x.name.startsWith(`${r.plural}/`)).map((x) => `${x.name.split('/')[1]}:${x.kind}:${x.verbs.join(',')}`);
    const aggSubs = (a.subresources ?? []).map((s) => `${s.subresource}:${s.responseKind.kind}:${s.verbs.join(',')}`);
    t.deepEqual(aggSubs, legacySubs, r.plural);
  }
});

test('subresources the api-server must serve', (t) => {
  const agg = aggregatedResources();
  const subs = (key: string) => (agg.get(key)!.subresources ?? []).map((s) => s.subresource);
  t.deepEqual(subs('/pods'), ['binding', 'eviction', 'log', 'status']);
  t.deepEqual(subs('apps/deployments'), ['scale', 'status']);
  t.deepEqual(subs('apps/replicasets'), ['scale', 'status']);
  t.deepEqual(subs('apps/daemonsets'), ['status']);
  t.deepEqual(subs('batch/jobs'), ['status']);
  t.deepEqual(subs('/configmaps'), []);
});
