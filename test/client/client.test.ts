/**
 * The client against a real store + api-server: every verb, over both
 * transports, gives the same answers (after removing what differs by
 * nature: uids, resourceVersions, timestamps, the namespace's name).
 */
import test from 'ava';
import { namespaces, pods } from '../../lib/api/resources/index.js';
import type { Namespace } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { ApiClient } from '../../lib/client/client.js';
import { ApiError, isAlreadyExists, isConflict, isInvalid, isNotFound } from '../../lib/client/errors.js';
import type { WatchEvent } from '../../lib/client/types.js';
import { LineSplitter } from '../../lib/client/line-splitter.js';
import { httpCallOf } from '../../lib/client/paths.js';
import { eventually, startClients } from './helpers.js';

const pod = (name: string, labels: Record<string, string>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
});

const VOLATILE = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'time', 'continue']);

function normalize(value: unknown, ns: string): unknown {
  return JSON.parse(JSON.stringify(value, (k, v: unknown) => (VOLATILE.has(k) ? '*' : v)).replaceAll(ns, 'NS').replace(/\(\d+\)/g, '(N)'));
}

async function outcome<T>(work: Promise<T>): Promise<unknown> {
  try {
    return { ok: await work };
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, reason: err.reason, message: err.message };
    throw err;
  }
}

/** One script of calls; returns the transcript of answers. */
async function script(c: ApiClient, ns: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const note = async (label: string, work: Promise<unknown>): Promise<unknown> => {
    const r = await outcome(work);
    out.push([label, r]);
    return r;
  };
  await c.create<Namespace>(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await note('create a', c.create(pods, pod('a', { app: 'a' }), { namespace: ns }));
  await note('create b', c.create(pods, pod('b', { app: 'b', tier: 'x' }), { namespace: ns }));
  await note('create a again', c.create(pods, pod('a', { app: 'a' }), { namespace: ns }));
  await note('create invalid', c.create(pods, pod('Not_A_Name', {}), { namespace: ns }));
  await note('get a', c.get(pods, 'a', { namespace: ns }));
  await note('get missing', c.get(pods, 'missing', { namespace: ns }));
  await note('list all', c.list(pods, { namespace: ns }));
  await note('list app=a', c.list(pods, { namespace: ns, labelSelector: 'app=a' }));
  await note('list app in (a,b),tier', c.list(pods, { namespace: ns, labelSelector: 'app in (a,b),tier' }));
  await note('list metadata.name!=a', c.list(pods, { namespace: ns, fieldSelector: 'metadata.name!=a' }));
  const first = await c.list(pods, { namespace: ns, limit: 1 });
  out.push(['page 1', first]);
  await note('page 2', c.list(pods, { namespace: ns, limit: 1, continue: first.metadata.continue }));
  const a = await c.get(pods, 'a', { namespace: ns });
  const updated = await c.update(pods, { ...a, metadata: { ...a.metadata, labels: { app: 'a', v: '2' } } });
  out.push(['update', normalize(updated, ns)]);
  await note('update stale', c.update(pods, { ...a, metadata: { ...a.metadata, labels: { stale: 'yes' } } }));
  await note('updateStatus', c.updateStatus(pods, { ...updated, status: { phase: 'Running' } }));
  await note('patch merge', c.patch(pods, 'a', 'merge', { metadata: { labels: { merged: 'yes' } } }, { namespace: ns }));
  await note('patch strategic', c.patch(pods, 'a', 'strategic', { spec: { containers: [{ name: 'main', image: 'nginx:1.28' }] } }, { namespace: ns }));
  await note('patch json', c.patch(pods, 'a', 'json', [{ op: 'add', path: '/metadata/annotations', value: { note: 'json' } }], { namespace: ns }));
  await note('patch apply', c.patch(pods, 'c', 'apply', pod('c', { app: 'c' }), { namespace: ns, fieldManager: 'applier' }));
  await note('patch status', c.patch(pods, 'a', 'merge', { status: { phase: 'Succeeded' } }, { namespace: ns, subresource: 'status' }));
  await note('delete b', c.delete(pods, 'b', { namespace: ns, gracePeriodSeconds: 0 }));
  await note('get b after delete', c.get(pods, 'b', { namespace: ns }));
  await note('delete missing', c.delete(pods, 'missing', { namespace: ns }));
  const listed = await c.list(pods, { namespace: ns });
  const events: WatchEvent<Pod>[] = [];
  const w = await c.watch(pods, { namespace: ns, resourceVersion: listed.metadata.resourceVersion }, { onEvents: (e) => events.push(...e) });
  await c.create(pods, pod('d', { app: 'd' }), { namespace: ns });
  await c.delete(pods, 'd', { namespace: ns, gracePeriodSeconds: 0 });
  await eventually(() => events.length >= 2);
  w.stop();
  out.push(['watch', events.map((e) => `${e.type} ${e.type === 'ERROR' ? e.object.message : (e.object.metadata as { name: string }).name}`)]);
  await note('watch too old', c.watch(pods, { namespace: ns, resourceVersion: '1' }, { onEvents: () => undefined }).then((x) => (x.stop(), 'started')));
  return out.map((x) => normalize(x, ns));
}

test('both transports give the same answers to the same calls', async (t) => {
  const { inProcess, http } = await startClients(t, { watchWindow: 5 });
  const a = await script(inProcess, 'client-inproc');
  const b = await script(http!, 'client-http');
  t.deepEqual(a, b);
  // And the answers are the right ones.
  const get = (label: string): any => (a.find((x) => (x as unknown[])[0] === label) as unknown[])[1];
  t.like(get('create a again'), { code: 409, reason: 'AlreadyExists' });
  t.like(get('create invalid'), { code: 422, reason: 'Invalid' });
  t.like(get('get missing'), { code: 404, reason: 'NotFound', message: 'pods "missing" not found' });
  t.deepEqual(get('list app=a').ok.items.map((p: Pod) => p.metadata.name), ['a']);
  t.deepEqual(get('list app in (a,b),tier').ok.items.map((p: Pod) => p.metadata.name), ['b']);
  t.deepEqual(get('list metadata.name!=a').ok.items.map((p: Pod) => p.metadata.name), ['b']);
  t.is(get('page 1').items.length, 1);
  t.is(get('page 1').metadata.remainingItemCount, 1);
  t.deepEqual(get('page 2').ok.items.map((p: Pod) => p.metadata.name), ['b']);
  t.deepEqual(get('update').metadata.labels, { app: 'a', v: '2' });
  t.like(get('update stale'), { code: 409, reason: 'Conflict' });
  t.is(get('updateStatus').ok.status.phase, 'Running');
  t.is(get('patch merge').ok.metadata.labels.merged, 'yes');
  t.is(get('patch strategic').ok.spec.containers[0].image, 'nginx:1.28');
  t.is(get('patch json').ok.metadata.annotations.note, 'json');
  t.is(get('patch apply').ok.metadata.name, 'c');
  t.is(get('patch status').ok.status.phase, 'Succeeded');
  t.like(get('get b after delete'), { code: 404 });
  t.like(get('delete missing'), { code: 404, reason: 'NotFound' });
  t.deepEqual(get('watch'), ['ADDED d', 'DELETED d']);
  t.like(get('watch too old'), { code: 410, reason: 'Expired' });
});

test('server warnings reach onWarning over both transports; fieldValidation is sent', async (t) => {
  const { inProcess, http } = await startClients(t);
  for (const [name, base] of [['in-process', inProcess], ['http', http!]] as const) {
    const warnings: string[] = [];
    const c = new ApiClient(base.transport, { fieldManager: 'berth-test', onWarning: (w) => warnings.push(w) });
    const odd = (n: string): Pod => ({ ...pod(n, {}), spec: { ...pod(n, {}).spec, bogus: 'x' } as Pod['spec'] });
    await c.create(pods, odd(`${name}-warn`), { namespace: 'default' }); // Warn is the default, as in Kubernetes
    t.deepEqual(warnings, ['unknown field "spec.bogus"'], name);
    await c.create(pods, odd(`${name}-quiet`), { namespace: 'default', fieldValidation: 'Ignore' });
    t.is(warnings.length, 1, `${name}: Ignore sends no warning`);
    const strict = await t.throwsAsync(c.create(pods, odd(`${name}-strict`), { namespace: 'default', fieldValidation: 'Strict' }));
    t.regex(strict.message, /unknown field "spec.bogus"/, name);
    await c.createMany(pods, [odd(`${name}-many`)], { namespace: 'default' });
    t.is(warnings.length, 2, `${name}: a batch answer's warnings too`);
  }
});

test('error predicates read the Status reason', async (t) => {
  const { inProcess } = await startClients(t, { port: null });
  const err = await t.throwsAsync(inProcess.get(pods, 'nope', { namespace: 'default' }), { instanceOf: ApiError });
  t.true(isNotFound(err));
  t.false(isConflict(err) || isAlreadyExists(err) || isInvalid(err));
  t.is(err!.status.kind, 'Status');
});

test('createMany sends one api.batch and answers each create', async (t) => {
  const { inProcess } = await startClients(t, { port: null });
  const objs = Array.from({ length: 50 }, (_, i) => pod(`batch-${i}`, { batch: 'yes' }));
  objs.push(pod('batch-0', {})); // a duplicate in the same batch
  const results = await inProcess.createMany(pods, objs, { namespace: 'default' });
  t.is(results.filter((r) => !(r instanceof ApiError)).length, 50);
  t.true(isAlreadyExists(results[50]));
  t.is((await inProcess.list(pods, { namespace: 'default', labelSelector: 'batch=yes' })).items.length, 50);
});

test('paths spell requests the Kubernetes way', (t) => {
  t.deepEqual(httpCallOf({ verb: 'list', group: '', version: 'v1', resource: 'pods', query: { labelSelector: 'a=b', limit: '5' } }), { method: 'GET', path: '/api/v1/pods?labelSelector=a%3Db&limit=5' });
  t.deepEqual(httpCallOf({ verb: 'patch', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns', name: 'd', subresource: 'scale', patchType: 'strategic' }), {
    method: 'PATCH',
    path: '/apis/apps/v1/namespaces/ns/deployments/d/scale',
    contentType: 'application/strategic-merge-patch+json',
  });
  t.is(httpCallOf({ verb: 'watch', group: '', version: 'v1', resource: 'pods', namespace: 'x' }).path, '/api/v1/namespaces/x/pods?watch=true');
});

test('watch lines split across chunks are framed whole', (t) => {
  const s = new LineSplitter();
  t.deepEqual(s.push('{"a":1}\n{"b"'), ['{"a":1}']);
  t.deepEqual(s.push(':2}\n\n{"c":3}'), ['{"b":2}']);
  t.is(s.end(), '{"c":3}');
});
