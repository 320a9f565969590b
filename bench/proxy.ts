/**
 * Question: what does kube-proxy's TCP data path cost a connection, beside
 * a direct connection to the same pod measured in the same run?
 *
 * A store, an api-server and kube-proxy (`sockets: true`, on its own worker
 * thread, as `berth up` would run it) under a Supervisor; a Service with
 * one Endpoints address; the pod is a server in this thread on
 * 127.128.250.1. Each round measures, direct then proxied:
 * - throughput: 64 MiB written on one connection to a server that counts
 *   it and answers once it has all of it (MB/s = 10^6 bytes per second);
 * - round trip: 2,000 ping-pongs of 64 bytes on one open connection (p50, p99);
 * - connect + round trip: 300 new connections, each one ping-pong (p50),
 *   which adds the proxy's upstream connect.
 * Rows are medians over rounds; the ratio rows are proxied / direct.
 *
 * Run: npm run build && node dist/bench/proxy.js [--json] [--quick] [--rounds N] [--mib N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerChildSpec } from '../actors/api-server/spec.js';
import type { KubeProxyStats } from '../actors/kube-proxy/messages.js';
import { kubeProxyChildSpec } from '../actors/kube-proxy/spec.js';
import { storeChildSpec } from '../actors/store/spec.js';
import { Supervisor } from '../lib/actor/supervisor.js';
import type { Message } from '../lib/actor/types.js';
import { endpoints, services } from '../lib/api/resources/index.js';
import { ApiClient } from '../lib/client/client.js';
import { InProcessTransport } from '../lib/client/in-process.js';
import { Samples, log, percentile, printRows } from './lib/report.js';

const bench = 'proxy';
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
/** --quick (`berth bench --quick`, tests): one short round; figures are rough. */
const quick = process.argv.includes('--quick');
const ROUNDS = arg('--rounds', quick ? 1 : 5);
const MIB = arg('--mib', quick ? 8 : 64);
const PINGS = quick ? 200 : 2_000;
const CONNECTS = quick ? 30 : 300;
const POD = { host: '127.128.250.1', port: 9000 };
const SVC = { host: '127.1.250.1', port: 9000 };

/** The pod: 'S' + bytes: count them and answer 'k' at the end; 'P': echo each 64-byte ping. */
function startPod(): Promise<Server> {
  const server = createServer((c) => {
    c.setNoDelay(true);
    c.on('error', () => undefined);
    let mode = '';
    c.on('data', (d: Buffer) => {
      if (!mode) mode = String.fromCharCode(d[0]!);
      if (mode === 'P') c.write(d);
    });
    c.on('end', () => (mode === 'S' ? c.end('k') : c.end()));
  });
  return new Promise((resolve) => server.listen(POD.port, POD.host, () => resolve(server)));
}

function open(to: { host: string; port: number }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(to, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

async function throughput(to: { host: string; port: number }): Promise<number> {
  const s = await open(to);
  const chunk = Buffer.alloc(256 * 1024, 1);
  chunk[0] = 'S'.charCodeAt(0);
  const total = MIB * 1024 * 1024;
  const start = performance.now();
  const done = new Promise<void>((resolve) => s.on('data', () => resolve()));
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
    if (sent === 0) chunk[0] = 1;
  }
  s.end();
  await done;
  const ms = performance.now() - start;
  s.destroy();
  return total / 1e6 / (ms / 1000);
}

/** One 64-byte ping-pong on `s`, in ms. */
function ping(s: Socket, msg: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const start = performance.now();
    let got = 0;
    const onData = (d: Buffer): void => {
      got += d.length;
      if (got < msg.length) return;
      s.off('data', onData);
      resolve(performance.now() - start);
    };
    s.on('data', onData);
    s.write(msg);
  });
}

async function roundTrips(to: { host: string; port: number }): Promise<number[]> {
  const s = await open(to);
  const msg = Buffer.alloc(64, 'P');
  const out: number[] = [];
  for (let i = 0; i < PINGS; i++) out.push(await ping(s, msg));
  s.destroy();
  return out.sort((a, b) => a - b);
}

async function connectRoundTrips(to: { host: string; port: number }): Promise<number[]> {
  const msg = Buffer.alloc(64, 'P');
  const out: number[] = [];
  for (let i = 0; i < CONNECTS; i++) {
    const start = performance.now();
    const s = await open(to);
    await ping(s, msg);
    out.push(performance.now() - start);
    s.destroy();
  }
  return out.sort((a, b) => a - b);
}

const dir = mkdtempSync(join(tmpdir(), 'berth-bench-proxy-'));
const pod = await startPod();
const sup = await Supervisor.start({ children: [storeChildSpec({ path: dir }), apiServerChildSpec({ port: null }), kubeProxyChildSpec({ sockets: true })], logLevel: 'silent' });
try {
  const transport = new InProcessTransport(sup);
  sup.on('message', (m: Message) => void transport.handleNotice(m));
  const api = new ApiClient(transport, { fieldManager: 'bench' });
  await sup.request('kube-proxy', { type: 'proxy.ready' }, { timeoutMs: 20_000 });
  await api.create(services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bench', namespace: 'default' }, spec: { clusterIP: SVC.host, ports: [{ port: SVC.port, targetPort: POD.port }] } });
  await api.create(endpoints, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'bench', namespace: 'default' }, subsets: [{ addresses: [{ ip: POD.host }], ports: [{ port: POD.port }] }] });
  for (let i = 0; (await sup.request<KubeProxyStats>('kube-proxy', { type: 'proxy.stats' })).listening < 1; i++) {
    if (i > 500) throw new Error('kube-proxy did not listen on the ClusterIP in 5 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  log(`proxy: ${MIB} MiB per throughput sample, ${PINGS} round trips, ${CONNECTS} connects; ${ROUNDS} rounds`);
  const samples = new Samples(bench);
  const cases = [['direct', POD], ['proxied', SVC]] as const;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, to] of cases) {
      samples.add(`${name} throughput`, await throughput(to), 'MB/s', 'rate');
      const rtt = await roundTrips(to);
      samples.add(`${name} round trip`, percentile(rtt, 50) * 1_000, 'µs', 'p50');
      samples.add(`${name} round trip`, percentile(rtt, 99) * 1_000, 'µs', 'p99');
      const crt = await connectRoundTrips(to);
      samples.add(`${name} connect + round trip`, percentile(crt, 50) * 1_000, 'µs', 'p50');
    }
  }
  const rows = samples.rows();
  const value = (kase: string, metric: string): number => rows.find((x) => x.case === kase && x.metric === metric)!.value;
  rows.push(
    { bench, case: 'proxied / direct throughput', metric: 'ratio', value: value('proxied throughput', 'rate') / value('direct throughput', 'rate'), unit: 'x' },
    { bench, case: 'proxied / direct round trip', metric: 'p50 ratio', value: value('proxied round trip', 'p50') / value('direct round trip', 'p50'), unit: 'x' },
    { bench, case: 'proxy added round trip', metric: 'p50', value: value('proxied round trip', 'p50') - value('direct round trip', 'p50'), unit: 'µs' },
    { bench, case: 'proxy added connect + round trip', metric: 'p50', value: value('proxied connect + round trip', 'p50') - value('direct connect + round trip', 'p50'), unit: 'µs' },
  );
  printRows(rows);
  transport.close();
} finally {
  await sup.stop();
  pod.close();
  rmSync(dir, { recursive: true, force: true });
}
