/** The DNS wire format and name rules, without sockets. */
import test from 'ava';
import fc from 'fast-check';
import { lookup, parseName, type ServiceDirectory } from '../../lib/dns/records.js';
import { parseDnsAddress } from '../../lib/dns/resolver.js';
import { buildResponse, decodeResponse, encodeQuery, parseQuery, QTYPE, RCODE } from '../../lib/dns/wire.js';
import type { Endpoints, Service } from '../../lib/api/types/core.js';

test('a query is read back with its id, name in lower case, type and class; the answer echoes the question as sent', (t) => {
  const q = encodeQuery(0x1234, 'Web.Default.svc.Cluster.Local', QTYPE.A);
  const parsed = parseQuery(q);
  if (!parsed.ok) return t.fail(parsed.error);
  t.like(parsed.query, { id: 0x1234, rd: true, question: { name: 'web.default.svc.cluster.local', type: QTYPE.A, class: 1 } });
  const out = buildResponse(parsed.query, RCODE.NOERROR, [{ type: QTYPE.A, ip: '127.1.0.9', ttl: 5 }]);
  t.deepEqual(decodeResponse(out), { id: 0x1234, rcode: 0, aa: true, tc: false, answers: 1, ips: ['127.1.0.9'] });
  t.true(out.includes(Buffer.from('Web')), 'the question keeps its letter case');
});

test('answers that do not fit in 512 bytes of UDP are left out with TC set', (t) => {
  const parsed = parseQuery(encodeQuery(7, 'many.default.svc.cluster.local'));
  if (!parsed.ok) return t.fail();
  const answers = Array.from({ length: 40 }, (_, i) => ({ type: QTYPE.A, ip: `127.128.0.${i + 1}`, ttl: 5 }));
  t.like(decodeResponse(buildResponse(parsed.query, RCODE.NOERROR, answers, { maxBytes: 512 })), { tc: true, answers: 0 });
  t.like(decodeResponse(buildResponse(parsed.query, RCODE.NOERROR, answers)), { tc: false, answers: 40 });
});

test('malformed queries: FORMERR when the header is readable, nothing when not; responses are never answered', (t) => {
  t.like(parseQuery(Buffer.from([1, 2, 3])), { ok: false, id: undefined });
  const truncated = encodeQuery(9, 'web.default').subarray(0, 20);
  t.like(parseQuery(truncated), { ok: false, id: 9, rcode: RCODE.FORMERR });
  const pointer = Buffer.concat([encodeQuery(10, 'x').subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
  t.like(parseQuery(pointer), { ok: false, id: 10, rcode: RCODE.FORMERR });
  const response = Buffer.from(encodeQuery(11, 'web.default'));
  response[2] = response[2]! | 0x80;
  t.like(parseQuery(response), { ok: false, id: undefined });
  const update = Buffer.from(encodeQuery(12, 'web.default'));
  update[2] = (update[2]! & 0x87) | (5 << 3);
  t.like(parseQuery(update), { ok: false, id: 12, rcode: RCODE.NOTIMP });
});

test('any bytes at all: parseQuery returns a value and never throws', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
    const r = parseQuery(Buffer.from(bytes));
    return typeof r.ok === 'boolean';
  }), { numRuns: 2_000 });
  t.pass();
});

const svc = (name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'prod' }, spec });
const services = new Map<string, Service>([
  ['prod/web', svc('web', { clusterIP: '127.1.0.5', ports: [{ port: 80 }] })],
  ['prod/db', svc('db', { clusterIP: 'None', ports: [{ port: 5432 }] })],
  ['prod/ext', svc('ext', { type: 'ExternalName', externalName: 'db.example.org' })],
  ['prod/empty', svc('empty', { clusterIP: 'None', ports: [{ port: 80 }] })],
]);
const eps = new Map<string, Endpoints>([
  ['prod/db', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'prod' }, subsets: [
    { addresses: [{ ip: '127.128.0.7', hostname: 'db-0' }, { ip: '127.128.1.7', hostname: 'db-1' }], notReadyAddresses: [{ ip: '127.128.2.7' }], ports: [{ port: 5432 }] },
  ] }],
]);
const dir: ServiceDirectory = { service: (ns, n) => services.get(`${ns}/${n}`), endpoints: (ns, n) => eps.get(`${ns}/${n}`) };

test('cluster names: ClusterIP, headless to ready pod IPs, a headless pod by hostname, ExternalName as CNAME, NODATA and NXDOMAIN', (t) => {
  for (const name of ['web.prod.svc.cluster.local', 'web.prod.svc', 'web.prod']) t.like(lookup(dir, name, QTYPE.A), { rcode: RCODE.NOERROR, answers: [{ ip: '127.1.0.5' }] }, name);
  t.deepEqual(lookup(dir, 'db.prod.svc.cluster.local', QTYPE.A).answers.map((a) => (a.type === QTYPE.A ? a.ip : '')), ['127.128.0.7', '127.128.1.7']);
  t.like(lookup(dir, 'db-1.db.prod.svc.cluster.local', QTYPE.A), { rcode: RCODE.NOERROR, answers: [{ ip: '127.128.1.7' }] });
  t.like(lookup(dir, 'ext.prod', QTYPE.A), { rcode: RCODE.NOERROR, answers: [{ type: QTYPE.CNAME, target: 'db.example.org' }] });
  t.deepEqual(lookup(dir, 'web.prod.svc.cluster.local', QTYPE.AAAA), { rcode: RCODE.NOERROR, answers: [] }, 'the name exists, with no IPv6 address');
  for (const name of ['empty.prod.svc.cluster.local', 'nope.prod.svc.cluster.local', 'web.staging', 'db-9.db.prod.svc.cluster.local', 'db-0.web.prod.svc.cluster.local', 'example.org.uk', 'a.b.c.d.svc.cluster.local', 'cluster.local']) {
    t.is(lookup(dir, name, QTYPE.A).rcode, RCODE.NXDOMAIN, name);
  }
  t.like(lookup(dir, 'web.prod.svc.corp.example', QTYPE.A, { domain: 'corp.example' }), { answers: [{ ip: '127.1.0.5' }] }, 'another cluster domain');
  t.deepEqual(parseName('web.prod.'), { service: 'web', namespace: 'prod' });
});

test('BERTH_DNS is host:port; a bad value says what is wrong', (t) => {
  t.deepEqual(parseDnsAddress('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  t.throws(() => parseDnsAddress(undefined), { message: /BERTH_DNS is not set/ });
  t.throws(() => parseDnsAddress('localhost:53'), { message: /'localhost' is not an IPv4 address/ });
  t.throws(() => parseDnsAddress('127.0.0.1:0'), { message: /port must be 1-65535/ });
});
