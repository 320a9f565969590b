/** The api-server over HTTP: verbs, status codes, watch, pagination, limits, auth. */
import test from 'ava';
import { call, deployment, pod, startCluster } from './helpers.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

test('default namespaces exist at start; create, get and list a pod with uid, timestamps and resourceVersion', async (t) => {
  const { url } = await startCluster(t);
  const ns = await call(url, 'GET', '/api/v1/namespaces');
  t.deepEqual(ns.body.items.map((n: any) => n.metadata.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  const created = await call(url, 'POST', '/api/v1/namespaces/default/pods', pod('web'));
  t.is(created.status, 201);
  t.regex(created.body.metadata.uid, /^[0-9a-f-]{36}$/);
  t.regex(created.body.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is(created.body.status.phase, 'Pending');
  t.is(created.body.spec.restartPolicy, 'Always');
  const got = await call(url, 'GET', '/api/v1/namespaces/default/pods/web');
  t.is(got.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
  const list = await call(url, 'GET', '/api/v1/pods');
  t.is(list.body.kind, 'PodList');
  t.true(Number(list.body.metadata.resourceVersion) >= Number(created.body.metadata.resourceVersion));
  t.deepEqual(list.body.items.map((p: any) => p.metadata.name), ['web']);
  const again = await call(url, 'POST', '/api/v1/namespaces/default/pods', pod('web'));
  t.is(again.status, 409);
  t.is(again.body.reason, 'AlreadyExists');
  t.is(again.body.message, 'pods "web" already exists');
});

test('generateName, namespace existence, 404 messages', async (t) => {
  const { url } = await startCluster(t);
  const gen = await call(url, 'POST', '/api/v1/namespaces/default/pods', { ...pod(''), metadata: { generateName: 'job-' } });
  t.is(gen.status, 201);
  t.regex(gen.body.metadata.name, /^job-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  const missingNs = await call(url, 'POST', '/api/v1/namespaces/nope/pods', pod('x'));
  t.is(missingNs.status, 404);
  t.is(missingNs.body.message, 'namespaces "nope" not found');
  const missing = await call(url, 'GET', '/apis/apps/v1/namespaces/default/deployments/web');
  t.is(missing.status, 404);
  t.is(missing.body.message, 'deployments.apps "web" not found');
  const unknown = await call(url, 'GET', '/api/v1/foos');
  t.is(unknown.status, 404);
});

test('update: 409 on a stale resourceVersion, generation bumps on spec changes only', async (t) => {
  const { url } = await startCluster(t);
  const base = '/apis/apps/v1/namespaces/default/deployments';
  const d = (await call(url, 'POST', base, deployment('web'))).body;
  t.is(d.metadata.generation, 1);
  t.is(d.spec.strategy.rollingUpdate.maxSurge, '25%');
  const labelled = await call(url, 'PUT', `${base}/web`, { ...d, metadata: { ...d.metadata, labels: { a: 'b' } } });
  t.is(labelled.status, 200);
  t.is(labelled.body.metadata.generation, 1);
  const stale = await call(url, 'PUT', `${base}/web`, { ...d, spec: { ...d.spec, replicas: 5 } });
  t.is(stale.status, 409);
  t.is(stale.body.reason, 'Conflict');
  t.is(stale.body.message, 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again');
  const scaled = await call(url, 'PUT', `${base}/web`, { ...labelled.body, spec: { ...labelled.body.spec, replicas: 5 } });
  t.is(scaled.body.metadata.generation, 2);
  t.true(Number(scaled.body.metadata.resourceVersion) > Number(labelled.body.metadata.resourceVersion));
});

test('422 Invalid with field paths and Kubernetes messages', async (t) => {
  const { url } = await startCluster(t);
  const bad = await call(url, 'POST', '/api/v1/namespaces/default/pods', {
    ...pod('Bad_Name'),
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: 'lots' } } }] },
  });
  t.is(bad.status, 422);
  t.is(bad.body.reason, 'Invalid');
  t.regex(bad.body.message, /^Pod "Bad_Name" is invalid: /);
  const fields = bad.body.details.causes.map((c: any) => c.field);
  t.true(fields.includes('metadata.name'));
  t.true(fields.some((f: string) => f.startsWith('spec.containers[0].resources.requests')), JSON.stringify(fields));
});

test('patch: strategic (merge by key, $setElementOrder), merge, json, and the scale subresource', async (t) => {
  const { url } = await startCluster(t);
  const base = '/apis/apps/v1/namespaces/default/deployments';
  await call(url, 'POST', base, deployment('web'));
  const smp = await call(
    url,
    'PATCH',
    `${base}/web`,
    { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }], containers: [{ name: 'side', image: 'busybox' }] } } } },
    { 'content-type': 'application/strategic-merge-patch+json' },
  );
  t.is(smp.status, 200);
  t.deepEqual(smp.body.spec.template.spec.containers.map((c: any) => c.name), ['web', 'side']);
  t.is(smp.body.metadata.generation, 2);
  const merge = await call(url, 'PATCH', `${base}/web`, { metadata: { labels: { tier: 'front' } } }, { 'content-type': 'application/merge-patch+json' });
  t.deepEqual(merge.body.metadata.labels, { tier: 'front' });
  const json = await call(url, 'PATCH', `${base}/web`, [{ op: 'replace', path: '/spec/replicas', value: 4 }], { 'content-type': 'application/json-patch+json' });
  t.is(json.body.spec.replicas, 4);
  const failedTest = await call(url, 'PATCH', `${base}/web`, [{ op: 'test', path: '/spec/replicas', value: 9 }], { 'content-type': 'application/json-patch+json' });
  t.is(failedTest.status, 422);
  const scale = await call(url, 'PATCH', `${base}/web/scale`, { spec: { replicas: 7 } }, { 'content-type': 'application/merge-patch+json' });
  t.is(scale.status, 200);
  t.like(scale.body, { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 7 }, status: { selector: 'app=web' } });
  t.is((await call(url, 'GET', `${base}/web`)).body.spec.replicas, 7);
  const negative = await call(url, 'PUT', `${base}/web/scale`, { ...scale.body, spec: { replicas: -1 } });
  t.is(negative.status, 422);
});

test('server-side apply creates (201), merges, records managers, and reports conflicts unless forced', async (t) => {
  const { url } = await startCluster(t);
  const path = '/apis/apps/v1/namespaces/default/deployments/ssa';
  const apply = (body: unknown, manager: string, force = false) =>
    call(url, 'PATCH', `${path}?fieldManager=${manager}${force ? '&force=true' : ''}`, body, { 'content-type': 'application/apply-patch+yaml' });
  const first = await apply(deployment('ssa', 2), 'alice');
  t.is(first.status, 201);
  t.true(first.body.metadata.managedFields.some((m: any) => m.manager === 'alice' && m.operation === 'Apply'));
  // Another manager only adds a label: a merge, nothing wiped.
  const second = await apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa', labels: { team: 'b' } } }, 'bob');
  t.is(second.status, 200);
  t.is(second.body.spec.replicas, 2);
  t.deepEqual(second.body.metadata.labels, { team: 'b' });
  const conflicting = await apply(deployment('ssa', 5), 'bob');
  t.is(conflicting.status, 409);
  t.is(conflicting.body.message, 'Apply failed with 1 conflict: conflict with "alice" using apps/v1: .spec.replicas');
  const forced = await apply(deployment('ssa', 5), 'bob', true);
  t.is(forced.status, 200);
  t.is(forced.body.spec.replicas, 5);
  // alice re-applies without the field she lost: nothing of bob's is removed.
  const noManager = await call(url, 'PATCH', path, {}, { 'content-type': 'application/apply-patch+yaml' });
  t.is(noManager.status, 400);
});

test('finalizers hold a deleted object until the last one is removed; unscheduled pods go at once, bound pods gracefully', async (t) => {
  const { url } = await startCluster(t);
  const cm = '/api/v1/namespaces/default/configmaps';
  await call(url, 'POST', cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] }, data: { a: '1' } });
  const del = await call(url, 'DELETE', `${cm}/held`);
  t.is(del.status, 200);
  t.truthy(del.body.metadata.deletionTimestamp);
  t.is((await call(url, 'GET', `${cm}/held`)).status, 200);
  const released = await call(url, 'PATCH', `${cm}/held`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
  t.is(released.status, 200);
  t.is((await call(url, 'GET', `${cm}/held`)).status, 404);

  const pods = '/api/v1/namespaces/default/pods';
  await call(url, 'POST', pods, pod('loose'));
  t.is((await call(url, 'DELETE', `${pods}/loose`)).status, 200);
  t.is((await call(url, 'GET', `${pods}/loose`)).status, 404);

  await call(url, 'POST', pods, pod('bound'));
  const bind = await call(url, 'POST', `${pods}/bound/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { kind: 'Node', name: 'node-1' } });
  t.is(bind.status, 201);
  const rebind = await call(url, 'POST', `${pods}/bound/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { kind: 'Node', name: 'node-2' } });
  t.is(rebind.status, 409);
  const graceful = await call(url, 'DELETE', `${pods}/bound`);
  t.is(graceful.body.metadata.deletionGracePeriodSeconds, 30);
  t.is((await call(url, 'GET', `${pods}/bound`)).status, 200);
  const confirmed = await call(url, 'DELETE', `${pods}/bound`, { gracePeriodSeconds: 0 });
  t.is(confirmed.status, 200);
  t.is((await call(url, 'GET', `${pods}/bound`)).status, 404);
});

test('ClusterIPs come from 127.1.0.0/16, are unique, are freed on delete, and survive a restart', async (t) => {
  const first = await startCluster(t);
  const svc = (name: string, clusterIP?: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) } });
  const base = '/api/v1/namespaces/default/services';
  const a = (await call(first.url, 'POST', base, svc('a'))).body.spec.clusterIP;
  t.regex(a, /^127\.1\.\d+\.\d+$/);
  const taken = await call(first.url, 'POST', base, svc('b', a));
  t.is(taken.status, 422);
  t.regex(taken.body.message, /provided IP is already allocated/);
  const outside = await call(first.url, 'POST', base, svc('c', '10.0.0.1'));
  t.is(outside.status, 422);
  await first.sup.stop();
  const second = await startCluster(t, {}, first.dir);
  const again = await call(second.url, 'POST', base, svc('d', a));
  t.is(again.status, 422, 'the allocation survived the restart');
  t.is((await call(second.url, 'DELETE', `${base}/a`)).status, 200);
  const reuse = await call(second.url, 'POST', base, svc('e', a));
  t.is(reuse.status, 201);
});

test('watch: a resourceVersion resumes without replaying existing objects; selectors turn changes into ADDED/DELETED; bookmarks', async (t) => {
  const { url } = await startCluster(t, { bookmarkIntervalMs: 200 });
  const pods = '/api/v1/namespaces/default/pods';
  await call(url, 'POST', pods, pod('old'));
  const rv = (await call(url, 'GET', pods)).body.metadata.resourceVersion;
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const res = await fetch(`${url}${pods}?watch=true&resourceVersion=${rv}&labelSelector=tier%3Dfront&allowWatchBookmarks=true`, { signal: controller.signal });
  t.is(res.status, 200);
  const lines: any[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body!) {
      buf += decoder.decode(chunk as Uint8Array, { stream: true });
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    }
  })().catch(() => undefined);
  await call(url, 'POST', pods, pod('p', { metadata: { name: 'p', labels: { tier: 'front' } } }));
  await call(url, 'POST', pods, pod('q'));
  await call(url, 'PATCH', `${pods}/q`, { metadata: { labels: { tier: 'front' } } }, { 'content-type': 'application/merge-patch+json' });
  await call(url, 'PATCH', `${pods}/p`, { metadata: { labels: { tier: 'back' } } }, { 'content-type': 'application/merge-patch+json' });
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && !(lines.filter((l) => l.type !== 'BOOKMARK').length >= 3 && lines.some((l) => l.type === 'BOOKMARK'))) await new Promise((r) => setTimeout(r, 20));
  controller.abort();
  await reading;
  const events = lines.filter((l) => l.type !== 'BOOKMARK').map((l) => `${l.type} ${l.object.metadata.name}`);
  t.deepEqual(events, ['ADDED p', 'ADDED q', 'DELETED p']);
  t.true(lines.some((l) => l.type === 'BOOKMARK' && Number(l.object.metadata.resourceVersion) >= Number(rv)));
});

test('watch from a resourceVersion older than the cache window: 410 Expired', async (t) => {
  const { url } = await startCluster(t, { watchWindow: 3 });
  for (let i = 0; i < 6; i++) await call(url, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } });
  const res = await call(url, 'GET', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1');
  t.is(res.status, 410);
  t.is(res.body.reason, 'Expired');
  t.regex(res.body.message, /^too old resource version: 1 \(\d+\)$/);
});

test('pagination: limit and continue are consistent at the first page revision', async (t) => {
  const { url } = await startCluster(t);
  const base = '/api/v1/namespaces/default/configmaps';
  for (let i = 0; i < 5; i++) await call(url, 'POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } });
  const p1 = await call(url, 'GET', `${base}?limit=2`);
  t.deepEqual(p1.body.items.map((c: any) => c.metadata.name), ['c0', 'c1']);
  t.is(p1.body.metadata.remainingItemCount, 3);
  await call(url, 'DELETE', `${base}/c3`);
  const p2 = await call(url, 'GET', `${base}?limit=2&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
  t.deepEqual(p2.body.items.map((c: any) => c.metadata.name), ['c2', 'c3']);
  t.is(p2.body.metadata.resourceVersion, p1.body.metadata.resourceVersion);
  const p3 = await call(url, 'GET', `${base}?limit=2&continue=${encodeURIComponent(p2.body.metadata.continue)}`);
  t.deepEqual(p3.body.items.map((c: any) => c.metadata.name), ['c4']);
  t.is(p3.body.metadata.continue, undefined);
  const bogus = await call(url, 'GET', `${base}?limit=2&continue=${Buffer.from(JSON.stringify({ v: 'berth/1', rv: 1, id: 'gone', start: 2 })).toString('base64url')}`);
  t.is(bogus.status, 410);
});

test('Table responses for lists, single objects and field/label selected lists', async (t) => {
  const { url } = await startCluster(t);
  await call(url, 'POST', '/api/v1/namespaces/default/pods', pod('a'));
  await call(url, 'POST', '/api/v1/namespaces/default/pods', pod('b'));
  const table = await call(url, 'GET', '/api/v1/pods?labelSelector=app%20in%20(a)', undefined, { accept: TABLE });
  t.is(table.body.kind, 'Table');
  t.deepEqual(table.body.columnDefinitions.map((c: any) => c.name).slice(0, 5), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
  t.deepEqual(table.body.rows.map((r: any) => [r.cells[0], r.object.metadata.namespace]), [['a', 'default']]);
  const fs = await call(url, 'GET', '/api/v1/pods?fieldSelector=metadata.name!%3Da', undefined, { accept: TABLE });
  t.deepEqual(fs.body.rows.map((r: any) => r.cells[0]), ['b']);
  const badField = await call(url, 'GET', '/api/v1/pods?fieldSelector=spec.bogus%3D1');
  t.is(badField.status, 400);
});

test('limits and auth: 413 over 3 MiB, 401 without a token, 429 beyond the in-flight cap', async (t) => {
  const { url } = await startCluster(t, { tokens: ['s3cret'], maxInFlight: 1 });
  const auth = { authorization: 'Bearer s3cret' };
  t.is((await call(url, 'GET', '/api/v1/pods')).status, 401);
  t.is((await call(url, 'GET', '/api/v1/pods', undefined, { authorization: 'Bearer wrong' })).status, 401);
  t.is((await call(url, 'GET', '/version')).status, 200);
  t.is((await call(url, 'GET', '/api/v1/pods', undefined, auth)).status, 200);
  const big = { ...pod('big'), metadata: { name: 'big', annotations: { x: 'y'.repeat(3 * 1024 * 1024) } } };
  const tooLarge = await call(url, 'POST', '/api/v1/namespaces/default/pods', big, auth);
  t.is(tooLarge.status, 413);
  t.is(tooLarge.body.reason, 'RequestEntityTooLarge');
  const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => call(url, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `b${i}` } }, auth)));
  t.true(burst.some((r) => r.status === 429), burst.map((r) => r.status).join(','));
  t.true(burst.some((r) => r.status === 201));
  t.is((await call(url, 'GET', '/api/v1/pods', undefined, auth)).status, 200, 'still serving');
});

test('metrics, health, version, discovery and openapi endpoints', async (t) => {
  const { url } = await startCluster(t);
  await call(url, 'GET', '/api/v1/namespaces');
  const metrics = await call(url, 'GET', '/metrics');
  t.regex(metrics.text, /apiserver_request_total\{code="200",resource="namespaces",verb="LIST"\} 1/);
  t.regex(metrics.text, /apiserver_request_duration_seconds_bucket\{resource="namespaces",verb="LIST",le="\+Inf"\} 1/);
  for (const p of ['/healthz', '/livez', '/readyz']) t.is((await call(url, 'GET', p)).text, 'ok');
  t.like((await call(url, 'GET', '/version')).body, { major: '1', minor: '32' });
  const agg = await call(url, 'GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
  t.is(agg.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  t.true(agg.body.items.some((g: any) => g.metadata.name === 'apps'));
  const legacy = await call(url, 'GET', '/api/v1');
  t.true(legacy.body.resources.some((r: any) => r.name === 'pods/eviction' && r.group === 'policy'));
  const v3 = await call(url, 'GET', '/openapi/v3');
  t.truthy(v3.body.paths['apis/apps/v1']);
  t.is((await call(url, 'GET', '/openapi/v2')).status, 404);
});
