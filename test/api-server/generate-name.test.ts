/**
 * A create with generateName whose generated name is taken is retried with
 * another name, as Kubernetes' api-server does (RetryGenerateName): a
 * controller creating 150,000 pods meets hundreds of such collisions and
 * cannot tell them from real conflicts. Seeded names (nameSeed) make the
 * collision certain: a fresh cluster with the same seed generates the same
 * sequence of names.
 */
import test from 'ava';
import { call, pod, startCluster } from './helpers.js';

const generated = (base: string) => ({ ...pod('unused'), metadata: { generateName: base, labels: { app: 'gen' } } });

test('a generated name that is taken is retried with the next one; an explicit name still conflicts', async (t) => {
  // What the seeded generator gives on a fresh cluster: the 1st and 2nd names of the base.
  const first = await startCluster(t, { nameSeed: 7 });
  const a = await call(first.url, 'POST', '/api/v1/namespaces/default/pods', generated('web-'));
  const b = await call(first.url, 'POST', '/api/v1/namespaces/default/pods', generated('web-'));
  t.is(a.status, 201);
  t.is(b.status, 201);
  const [nameA, nameB] = [a.body.metadata.name as string, b.body.metadata.name as string];
  t.not(nameA, nameB);

  // A second fresh cluster with the same seed: take the first name by hand, then generate.
  const second = await startCluster(t, { nameSeed: 7 });
  t.is((await call(second.url, 'POST', '/api/v1/namespaces/default/pods', pod(nameA))).status, 201);
  const retried = await call(second.url, 'POST', '/api/v1/namespaces/default/pods', generated('web-'));
  t.is(retried.status, 201, retried.text);
  t.is(retried.body.metadata.name, nameB, 'the collision on the first name was retried with the next one');
  t.is(retried.body.metadata.generateName, 'web-');

  // A name the client chose is never replaced: 409 AlreadyExists.
  const explicit = await call(second.url, 'POST', '/api/v1/namespaces/default/pods', pod(nameA));
  t.is(explicit.status, 409);
  t.like(explicit.body, { kind: 'Status', reason: 'AlreadyExists' });
  const list = await call(second.url, 'GET', '/api/v1/namespaces/default/pods');
  t.deepEqual((list.body.items as { metadata: { name: string } }[]).map((p) => p.metadata.name).sort(), [nameA, nameB].sort());
});
