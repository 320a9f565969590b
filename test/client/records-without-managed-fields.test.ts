/**
 * A node host's transport reads list items and watch events without
 * metadata.managedFields (RecordTable.readMany's withoutManagedFields): they
 * are skipped over in the bytes instead of built and dropped. What it reads
 * must be exactly the object as the server has it less that one field (what
 * stripManagedFields gives), however the object is written, and the values
 * after a skipped one must read as written.
 */
import test from 'ava';
import fc from 'fast-check';
import { plainValues } from '../helpers/plain-values.js';
import { ObjectCodec } from '../../actors/api-server/list-encoding.js';
import { RecordWriter } from '../../actors/api-server/record-writer.js';
import { ItemsDecoder } from '../../lib/client/items-decoder.js';
import { MAX_STRUCTURES, RecordTable } from '../../lib/client/records.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { pods } from '../../lib/api/resources/index.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { Message } from '../../lib/actor/types.js';
import { ApiClient } from '../../lib/client/client.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import { Informer } from '../../lib/client/informer.js';
import { stripManagedFields, trimDecoded } from '../../lib/client/trim.js';
import { eventually, startClients } from './helpers.js';

const key = fc.oneof(fc.constantFrom('name', 'uid', 'x', 'constructor', 'a.b/c', 'é', 'metadata', 'managedFields'), fc.string({ maxLength: 70 }));
const value = plainValues(key, ['Running', 'kubelet', 'FieldsV1']);
const dict = fc.dictionary(key.filter((k) => k !== '__proto__' && k !== 'managedFields'), value, { maxKeys: 5, noNullPrototype: true });

/** An API object: managedFields anywhere in its metadata or not at all, that key also deeper down, metadata not always an object. */
const apiObject = fc
  .record({
    before: dict,
    after: dict,
    managedFields: fc.option(value, { nil: undefined }),
    hasManagedFields: fc.boolean(),
    first: fc.boolean(),
    metadataIsObject: fc.nat(9),
    data: value,
  })
  .map(({ before, after, managedFields, hasManagedFields, first, metadataIsObject, data }) => {
    const metadata: Record<string, unknown> = first ? {} : { ...before };
    if (hasManagedFields) metadata['managedFields'] = managedFields;
    Object.assign(metadata, first ? before : {}, after);
    return {
      kind: 'Thing',
      metadata: metadataIsObject === 0 ? data : metadata,
      // Not the top level's metadata: read as any other key.
      spec: { metadata: { managedFields: data }, managedFields: data },
      data: { managedFields: data },
    };
  });

/** What the server has, less metadata.managedFields where metadata is an object. */
function expected(o: Record<string, unknown>): unknown {
  const m = o['metadata'];
  if (m === null || typeof m !== 'object' || Array.isArray(m) || !('managedFields' in m)) return o;
  const { managedFields: _dropped, ...rest } = m as Record<string, unknown>;
  return { ...o, metadata: rest };
}

test('objects read without managedFields equal the server\'s less that field, and the values after a skipped one read as written', (t) => {
  const codec = new ObjectCodec();
  const whole = new ItemsDecoder();
  const trimmed = new ItemsDecoder({ withoutManagedFields: true });
  fc.assert(
    fc.property(fc.array(apiObject, { minLength: 1, maxLength: 6 }), (objects) => {
      const parts = objects.map((o) => codec.encode(o)!);
      const got = trimmed.decode<Record<string, unknown>>(codec.items(parts, trimmed.known()));
      t.deepEqual(got, objects.map(expected));
      for (const o of got) {
        const m = o['metadata'];
        if (m !== null && typeof m === 'object' && !Array.isArray(m)) t.false(Object.prototype.hasOwnProperty.call(m, 'managedFields'));
      }
      // The same bytes read whole are the server's objects, managedFields included.
      t.deepEqual(whole.decode(codec.items(parts, whole.known())), objects);
    }),
    { numRuns: 150 },
  );
});

test('a Pod\'s managedFields are not read, whatever they hold, and the Pod reads as the trimmed cache would hold it', (t) => {
  const codec = new ObjectCodec();
  const decoder = new ItemsDecoder({ withoutManagedFields: true });
  const pod = (i: number): KubeObject & { spec: unknown; status: unknown } => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-${i}`,
      namespace: 'default',
      resourceVersion: String(10 + i),
      labels: { app: 'web' },
      managedFields: [
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: '2025-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } } },
        { manager: 'kubelet', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {} } } }, n: [i, -i, 2 ** 40, 1.5, 'é'.repeat(i), 'x'.repeat(200)] } },
      ],
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx:1.27' }] },
    status: { phase: 'Running', podIP: `10.1.0.${i}` },
  });
  const pods = Array.from({ length: 20 }, (_, i) => pod(i));
  const got = decoder.decode<KubeObject>(codec.items(pods.map((p) => codec.encode(p)!), decoder.known()));
  t.deepEqual(got, pods.map((p) => stripManagedFields(p)));
  t.is(got[3]!.metadata.managedFields, undefined);
  t.deepEqual(got[3]!.metadata.labels, { app: 'web' });
});

test('past the structure cap (objects written with their keys) managedFields are left out just the same', (t) => {
  const writer = new RecordWriter();
  // Fill the structure table: later new shapes are written as maps of their keys.
  for (let i = 0; i < MAX_STRUCTURES; i++) writer.write({ [`k${i}`]: i });
  const objects = [
    { kind: 'A', metadata: { name: 'a', fresh1: 1, managedFields: [{ manager: 'm', fresh2: { '.': {} } }] }, fresh3: true },
    { kind: 'B', fresh4: 1, metadata: { managedFields: null, name: 'b', fresh5: 'x' } },
    { kind: 'C', fresh6: 1, metadata: 'not an object', spec: { metadata: { managedFields: 1 } } },
  ];
  const bytes = Buffer.concat(objects.map((o) => writer.write(o)));
  const table = new RecordTable('t');
  table.learn(0, writer.strings, 0, writer.structures);
  t.deepEqual(table.readMany(bytes, 3, true), [
    { kind: 'A', metadata: { name: 'a', fresh1: 1 }, fresh3: true },
    { kind: 'B', fresh4: 1, metadata: { name: 'b', fresh5: 'x' } },
    objects[2],
  ]);
  t.deepEqual(table.readMany(bytes, 3), objects);
});

test('bytes that cannot be read fail the same when the bad part is skipped', (t) => {
  const writer = new RecordWriter();
  const obj = { kind: 'Pod', metadata: { name: 'p', managedFields: [{ manager: 'a-long-manager-name', time: '2025' }] }, status: { phase: 'Running' } };
  writer.write(obj);
  writer.write({ ...obj, metadata: { ...obj.metadata, name: 'q' } });
  const bytes = writer.write(obj);
  const full = new RecordTable('t');
  full.learn(0, writer.strings, 0, writer.structures);
  t.deepEqual(full.readOne(bytes), obj);
  // Cut short inside or after the skipped managedFields: an error, never a half-read object.
  for (let end = 1; end < bytes.length; end++) {
    t.throws(() => full.readMany(bytes.subarray(0, end), 1, true), undefined, `cut at ${end}`);
  }
  // A reader missing the string table entries the skipped part names says so.
  const behind = new RecordTable('t2');
  behind.learn(0, [], 0, writer.structures);
  t.throws(() => behind.readMany(bytes, 1, true), { message: /unknown string/ });
});

test('in-process, against a real api-server: an informer over a transport that reads without managedFields caches the server\'s objects less them, listed and watched', async (t) => {
  const { cluster, inProcess: writer } = await startClients(t, { port: null });
  const transport = new InProcessTransport(cluster.sup, { withoutManagedFields: true });
  const onMessage = (m: Message): void => void transport.handleNotice(m);
  cluster.sup.on('message', onMessage);
  t.teardown(() => {
    cluster.sup.off('message', onMessage);
    transport.close();
  });
  const client = new ApiClient(transport, { fieldManager: 'node-test' });
  const pod = (name: string, v: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'm', v } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } });
  await writer.create(pods, pod('listed', '1'), { namespace: 'default' });
  const informer = new Informer<Pod>(client, pods, { namespace: 'default', transform: trimDecoded });
  const seen: string[] = [];
  informer.addHandlers({ onAdd: (p) => void seen.push(`add ${p.metadata.name}`), onUpdate: (_o, p) => void seen.push(`update ${p.metadata.name} ${p.metadata.labels?.v}`) });
  informer.start();
  t.teardown(() => informer.stop());
  await informer.waitForSync();
  const watched = await writer.create(pods, pod('watched', '1'), { namespace: 'default' });
  await writer.update(pods, { ...watched, metadata: { ...watched.metadata, labels: { app: 'm', v: '2' } } });
  t.true(await eventually(() => seen.length === 3), seen.join(', '));
  t.deepEqual(seen, ['add listed', 'add watched', 'update watched 2']);
  for (const name of ['listed', 'watched']) {
    const server = await writer.get(pods, name, { namespace: 'default' });
    t.true((server.metadata.managedFields?.length ?? 0) > 0, 'the server records field owners');
    const cached = informer.store.getByName('default', name)!;
    t.false(Object.prototype.hasOwnProperty.call(cached.metadata, 'managedFields'), name);
    t.deepEqual(cached, stripManagedFields(server), `${name}: everything else as the server has it`);
  }
  // A list through that transport reads the same; other verbs answer the whole object.
  const listed = await client.list(pods, { namespace: 'default' });
  t.true(listed.items.every((p) => !Object.prototype.hasOwnProperty.call(p.metadata, 'managedFields')));
  t.true(((await client.get(pods, 'listed', { namespace: 'default' })).metadata.managedFields?.length ?? 0) > 0);
});
