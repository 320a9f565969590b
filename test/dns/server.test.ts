/**
 * The cluster DNS actor over a real store and api-server, asked by Node's
 * own resolver (c-ares) the way a program in a container would, through
 * BERTH_DNS.
 */
import { createSocket } from 'node:dgram';
import test from 'ava';
import type { DnsAddress, DnsStats } from '../../actors/dns/messages.js';
import { DNS_MODULE, dnsChildSpec } from '../../actors/dns/spec.js';
import { endpoints, services } from '../../lib/api/resources/index.js';
import type { Service } from '../../lib/api/types/core.js';
import { clusterResolver } from '../../lib/dns/resolver.js';
import { DnsServer } from '../../lib/dns/server.js';
import { decodeResponse, encodeQuery } from '../../lib/dns/wire.js';
import { echoModule } from '../actor/helpers.js';
import { startCluster } from '../helpers/cluster.js';
import { endpointsOf, until } from '../kube-proxy/helpers.js';

async function dnsCluster(t: Parameters<typeof startCluster>[0]) {
  const c = await startCluster(t, { children: [dnsChildSpec()] });
  const address = await c.sup.request<DnsAddress>('dns', { type: 'dns.address' }, { timeoutMs: 20_000 });
  return { ...c, address, resolver: clusterResolver(address.env, { timeout: 2_000, tries: 2 }) };
}

const svc = (name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });

/** One UDP exchange; null when no answer came within `ms`. */
function udpAsk(port: number, packet: Buffer, ms = 1_000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve(null);
    }, ms);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.send(packet, port, '127.0.0.1');
  });
}

test('a Service name resolves to its ClusterIP in every form; an unknown one is NXDOMAIN; new Services are answered as soon as they exist', async (t) => {
  const c = await dnsCluster(t);
  t.regex(c.address.env, /^127\.0\.0\.1:\d+$/);
  const web = await c.api.create(services, svc('web', { ports: [{ port: 80 }] }));
  const ip = web.spec!.clusterIP!;
  await until(async () => (await c.resolver.resolve4('web.default.svc.cluster.local').catch(() => [])).length > 0, 5_000, 'record');
  t.deepEqual(await c.resolver.resolve4('web.default.svc.cluster.local'), [ip]);
  t.deepEqual(await c.resolver.resolve4('WEB.default.svc'), [ip]);
  t.deepEqual(await c.resolver.resolve4('web.default'), [ip]);
  const missing = await c.resolver.resolve4('nope.default.svc.cluster.local').then(() => 'resolved', (e: NodeJS.ErrnoException) => e.code);
  t.is(missing, 'ENOTFOUND', 'NXDOMAIN');
  const v6 = await c.resolver.resolve6('web.default.svc.cluster.local').then((r) => r.join(), (e: NodeJS.ErrnoException) => e.code);
  t.is(v6, 'ENODATA', 'the name exists without an IPv6 address');
  await c.api.delete(services, 'web', { namespace: 'default' });
  await until(async () => (await c.resolver.resolve4('web.default').then(() => 'ok', (e: NodeJS.ErrnoException) => e.code)) === 'ENOTFOUND', 5_000, 'record gone');
  t.pass();
});

test('a headless Service resolves to its ready pod IPs, over TCP when they do not fit in one UDP answer', async (t) => {
  const c = await dnsCluster(t);
  await c.api.create(services, svc('db', { clusterIP: 'None', ports: [{ port: 5432 }] }));
  await c.api.create(endpoints, endpointsOf('db', ['127.128.0.7', '127.128.1.7'], 5432, { notReady: ['127.128.2.7'] }));
  await until(async () => (await c.resolver.resolve4('db.default').catch(() => [])).length === 2, 5_000, 'headless record');
  t.deepEqual((await c.resolver.resolve4('db.default.svc.cluster.local')).sort(), ['127.128.0.7', '127.128.1.7']);

  const many = Array.from({ length: 60 }, (_, i) => `127.128.${i}.9`);
  await c.api.create(services, svc('big', { clusterIP: 'None', ports: [{ port: 80 }] }));
  await c.api.create(endpoints, endpointsOf('big', many, 80));
  await until(async () => (await c.resolver.resolve4('big.default').catch(() => [])).length === 60, 5_000, 'all 60 addresses');
  t.true((await c.sup.request<DnsStats>('dns', { type: 'dns.stats' })).truncated > 0, 'the UDP answer was truncated and the resolver asked again over TCP');
});

test('malformed packets do not stop the server: garbage is dropped, a broken question gets FORMERR, and the next query is answered', async (t) => {
  const c = await dnsCluster(t);
  await c.api.create(services, svc('web', { clusterIP: '127.1.241.5', ports: [{ port: 80 }] }));
  t.is(await udpAsk(c.address.port, Buffer.from('not dns'), 300), null, 'shorter than a header: no answer');
  const broken = Buffer.concat([encodeQuery(77, 'web.default').subarray(0, 12), Buffer.from([60, 1, 2])]);
  const formerr = await udpAsk(c.address.port, broken);
  t.like(formerr && decodeResponse(formerr), { id: 77, rcode: 1 });
  for (let i = 0; i < 50; i++) await udpAsk(c.address.port, Buffer.from(Array.from({ length: 40 }, (_, j) => (i * 31 + j * 7) & 255)), 20);
  await until(async () => (await c.resolver.resolve4('web.default').catch(() => [])).length === 1, 5_000, 'record');
  const ok = await udpAsk(c.address.port, encodeQuery(78, 'web.default.svc.cluster.local'));
  t.like(ok && decodeResponse(ok), { id: 78, rcode: 0, aa: true, ips: ['127.1.241.5'] });
  const stats = await c.sup.request<DnsStats>('dns', { type: 'dns.stats' });
  t.true(stats.dropped >= 1 && stats.errors >= 1, JSON.stringify(stats));
});

test('on a fixed port, a DNS server whose thread died comes back on the same port and answers', async (t) => {
  const probe = new DnsServer({ answer: () => ({ rcode: 3, answers: [] }) });
  const { port } = await probe.start();
  await probe.stop();
  const c = await startCluster(t, {
    children: [{ id: 'dns-host', group: [{ address: 'dns', module: DNS_MODULE, args: { port } }, { address: 'crasher', module: echoModule }] }],
  });
  const address = await c.sup.request<DnsAddress>('dns', { type: 'dns.address' }, { timeoutMs: 20_000 });
  t.is(address.port, port);
  await c.api.create(services, svc('web', { clusterIP: '127.1.241.9', ports: [{ port: 80 }] }));
  const resolver = clusterResolver(address.env, { timeout: 1_000, tries: 2 });
  await until(async () => (await resolver.resolve4('web.default').catch(() => [])).length === 1, 5_000, 'record');
  const restarted = new Promise((resolve) => c.sup.once('restart', resolve));
  c.sup.send('crasher', { type: 'exit' });
  await restarted;
  t.deepEqual(await c.sup.request<DnsAddress>('dns', { type: 'dns.address' }, { timeoutMs: 20_000 }), address);
  t.deepEqual(await resolver.resolve4('web.default'), ['127.1.241.9']);
});
