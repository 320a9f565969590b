/**
 * Question: how fast is the api-server, in-process and over HTTP, compared
 * with the cost of the same work as plain JSON.stringify of the store's
 * objects (the baseline, measured in the same run)?
 *
 * - in-process create: 150,000 Pods through the api-server, in `api.batch`
 *   messages of 1,000 creates, 4 in flight (lib/client ApiClient.createMany
 *   over the in-process transport, from the embedding thread), durable;
 *   baseline: JSON.stringify of the same Pods; and the CPU time all threads
 *   spent per create (process.cpuUsage), steadier than the rate on a shared
 *   machine;
 * - the memory the api-server thread holds per Pod once they are created
 *   (V8 heap, and ArrayBuffer bytes outside it; after a full GC on that
 *   thread), and again after a list; baseline: the V8 heap the same Pods
 *   take as plain JS objects, as an in-process list returns them (measured
 *   on this thread, also after a full GC);
 * - in-process list of the 150,000 Pods (pages of 5,000: a message is capped
 *   at 16 MiB), the first one after the creates and then warm (tinybench);
 *   baseline: JSON.stringify of the listed objects;
 * - HTTP GET of single Pods with keep-alive: 64 requests in flight over 4
 *   connections (lib/client HttpTransport); baseline: JSON.stringify of one
 *   stored Pod per request;
 * - `kubectl get pods -A` (the real kubectl 1.32, fresh --cache-dir) over the
 *   150,000 Pods, as users run it (pages of 500) and with --chunk-size=0 (one
 *   request: kubectl's client-side throttle of 5 requests/s after a burst
 *   of 10 caps the paged form at ~60 s for 300 pages, whatever the server
 *   does); baseline: JSON.stringify of the 150,000 stored objects.
 *
 * Every round starts a fresh store + api-server; rounds interleave the
 * baselines with the measured work; rows are medians over rounds.
 *
 * Creates are answered briefly (ApiClient.createManyBrief: name, uid,
 * resourceVersion); --full-replies asks for every stored object back.
 * kubectl's share of --chunk-size=0 is measured against the same Table bytes
 * served by a trivial static server, and the server's share as one node GET.
 *
 * Run: npm run bench (all), or: npm run build && node dist/bench/api.js [--json] [--pods N] [--rounds N] [--full-replies]
 */
import { spawn, execFileSync } from 'node:child_process';
import { createServer, get as httpGet, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bench, type Statistics } from 'tinybench';
import { apiServerChildSpec } from '../actors/api-server/spec.js';
import type { ApiAddress, ApiRequestMessage, ApiStats } from '../actors/api-server/messages.js';
import { storeChildSpec } from '../actors/store/spec.js';
import { Supervisor } from '../lib/actor/supervisor.js';
import type { Message } from '../lib/actor/types.js';
import { namespaces, pods as podsResource } from '../lib/api/resources/index.js';
import type { KubeObject } from '../lib/api/types/meta.js';
import type { Pod } from '../lib/api/types/pod.js';
import { ApiClient } from '../lib/client/client.js';
import { ApiError } from '../lib/client/errors.js';
import { HttpTransport } from '../lib/client/http.js';
import { InProcessTransport } from '../lib/client/in-process.js';
import { makePod } from './fixtures/pod.js';
import { Samples, log, printRows, type BenchRow } from './lib/report.js';

const bench = 'api';
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const count = arg('pods', 150_000);
const rounds = arg('rounds', 3);
/** Ask for whole objects back from every create (as before `brief` existed). */
const fullReplies = process.argv.includes('--full-replies');
const batch = 1_000;
const inFlight = 4;
const listPage = 5_000;
const getCount = 20_000;
const getConcurrency = 64;
const sockets = 4;
const namespaceCount = 10;
const samples = new Samples(bench);
const sample = (kase: string, value: number, unit: string): void => samples.add(kase, value, unit);

// A full GC on demand, here and (api.stats collect) on the api-server's thread, which
// starts after this: the flag is process-wide and read when a context is created.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const nsOf = (i: number): string => `bench-${i % namespaceCount}`;
const input = (i: number): Pod => {
  const p = makePod(i, nsOf(i)) as unknown as Pod;
  // What a client sends: no server-owned metadata, no status.
  const { uid: _u, resourceVersion: _rv, creationTimestamp: _c, ...metadata } = p.metadata;
  return { ...p, metadata, status: undefined } as Pod;
};

function kubectlBinary(): string {
  const onPath = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
  return join(dirname(realpathSync(onPath)), 'kubectl.1.32');
}

function kubeconfig(dir: string, url: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: berth\n  cluster:\n    server: ${url}\ncontexts:\n- name: berth\n  context:\n    cluster: berth\n    user: berth\ncurrent-context: berth\nusers:\n- name: berth\n  user: {}\n`,
  );
  return path;
}

/** Runs kubectl, counting output lines; resolves with [ms, lines]. */
function kubectl(args: string[]): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(kubectlBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      for (let i = 0; i < c.length; i++) if (c[i] === 10) lines++;
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve([performance.now() - started, lines]) : reject(new Error(`kubectl exited ${code}: ${stderr}`))));
  });
}

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

function fetchAll(url: string, accept: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers: { accept } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Serves `table` for the pod list and proxies every other request (discovery) to the api-server. */
async function staticTableServer(table: Buffer, upstream: string): Promise<{ server: Server; url: string }> {
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/api/v1/pods')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': table.length });
      res.end(table);
      return;
    }
    const p = httpRequest({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    p.on('error', () => res.destroy());
    req.pipe(p);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

function resultOf(b: Bench, i: number): { latency: Statistics } {
  const r = b.tasks[i]!.result;
  if (r.state !== 'completed') throw new Error(`${b.tasks[i]!.name}: ${r.state}${'error' in r ? `: ${String(r.error)}` : ''}`);
  return r;
}

async function round(r: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-api-'));
  const sup = await Supervisor.start({
    children: [storeChildSpec({ path: join(dir, 'data') }), apiServerChildSpec({ port: 0, maxInFlight: 10_000 })],
    logLevel: 'warn',
  });
  const address = await sup.request<ApiAddress>('api-server', { type: 'api.address' }, { timeoutMs: 60_000 });
  const transport = new InProcessTransport(sup, { timeoutMs: 300_000 });
  sup.on('message', (m: Message) => void transport.handleNotice(m));
  const client = new ApiClient(transport);
  for (let n = 0; n < namespaceCount; n++) await client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsOf(n) } });

  const collected: ApiRequestMessage = { type: 'api.stats', collect: true };
  const heldByServer = (): Promise<ApiStats> => sup.request<ApiStats>('api-server', collected, { timeoutMs: 60_000 });
  const empty = await heldByServer();

  // Create, batched, in-process; then the baseline over the same inputs.
  const inputs = Array.from({ length: count }, (_, i) => input(i));
  let next = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + batch);
        const out = fullReplies ? await client.createMany(podsResource, inputs.slice(from, next)) : await client.createManyBrief(podsResource, inputs.slice(from, next));
        const bad = out.find((x) => x instanceof ApiError);
        if (bad) throw bad;
      }
    }),
  );
  sample(`in-process create, api.batch of 1,000, 4 in flight, ${fullReplies ? 'full' : 'brief'} replies`, (count * 1_000) / (performance.now() - started), 'pods/s');
  // CPU time of every thread of the process (client, api-server, store) per create: what the work
  // costs, steadier than the rate when other work shares the cores.
  const cpu = process.cpuUsage(cpuBefore);
  sample('in-process create: CPU per create, all threads', (cpu.user + cpu.system) / count, 'us');
  const b0 = performance.now();
  for (const p of inputs) JSON.stringify(p);
  sample('baseline: JSON.stringify of the same Pods', (count * 1_000) / (performance.now() - b0), 'pods/s');
  inputs.length = 0;
  const perPod = (a: number, b: number): number => (b - a) / count;
  const created = await heldByServer();
  sample('api-server thread: V8 heap per Pod held, after the creates', perPod(empty.heapUsedBytes, created.heapUsedBytes), 'B');
  sample('api-server thread: ArrayBuffer bytes per Pod held, after the creates', perPod(empty.arrayBufferBytes, created.arrayBufferBytes), 'B');

  // List in-process (pages), and its baseline over the listed objects, with tinybench.
  let listed: KubeObject[] = [];
  const listAll = async (): Promise<void> => {
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const page = await client.list(podsResource, { limit: listPage, continue: token });
      for (const o of page.items) items.push(o);
      token = page.metadata.continue || undefined;
    } while (token);
    if (items.length !== count) throw new Error(`listed ${items.length}`);
    listed = items;
  };
  gc();
  const before = process.memoryUsage().heapUsed;
  // The first list is timed on its own (tinybench's below come after it): it must not pay for work later lists skip.
  const first0 = performance.now();
  await listAll();
  sample(`in-process list of ${count.toLocaleString('en-US')} Pods, the first after the creates`, performance.now() - first0, 'ms');
  gc();
  sample('baseline: V8 heap per Pod of the same Pods as plain objects (an in-process list, held here)', perPod(before, process.memoryUsage().heapUsed), 'B');
  const afterList = await heldByServer();
  sample(
    'api-server thread: V8 heap + ArrayBuffer bytes per Pod held, after a list',
    perPod(empty.heapUsedBytes + empty.arrayBufferBytes, afterList.heapUsedBytes + afterList.arrayBufferBytes),
    'B',
  );
  const b = new Bench({ iterations: 3, time: 0, warmup: false });
  b.add('in-process list', listAll);
  b.add('baseline: JSON.stringify', () => void JSON.stringify(listed));
  await b.run();
  sample(`in-process list of ${count.toLocaleString('en-US')} Pods (pages of ${listPage.toLocaleString('en-US')})`, resultOf(b, 0).latency.p50, 'ms');
  // The server's share: select and page all of them, send one.
  const l0 = performance.now();
  await client.list(podsResource, { limit: 1 });
  sample(`in-process list, limit=1 (selection over all ${count.toLocaleString('en-US')}, one sent)`, performance.now() - l0, 'ms');
  sample(`baseline: JSON.stringify of the ${count.toLocaleString('en-US')} stored Pods`, resultOf(b, 1).latency.p50, 'ms');

  // HTTP GETs with keep-alive.
  const http = new ApiClient(new HttpTransport({ server: address.url!, maxSockets: sockets }));
  const names = listed.map((o) => [o.metadata.namespace!, o.metadata.name!] as const);
  let issued = 0;
  const g0 = performance.now();
  await Promise.all(
    Array.from({ length: getConcurrency }, async () => {
      while (issued < getCount) {
        const [ns, name] = names[(issued++ * 7919) % names.length]!;
        await http.get(podsResource, name, { namespace: ns });
      }
    }),
  );
  sample(`HTTP GET pod, keep-alive, ${getConcurrency} in flight over ${sockets} connections`, (getCount * 1_000) / (performance.now() - g0), 'req/s');
  const s0 = performance.now();
  for (let i = 0; i < getCount; i++) JSON.stringify(listed[(i * 7919) % listed.length]);
  sample('baseline: JSON.stringify of one stored Pod per request', (getCount * 1_000) / (performance.now() - s0), 'req/s');
  http.transport.close();
  listed = [];

  // kubectl get pods -A.
  const cache = mkdtempSync(join(tmpdir(), 'berth-bench-kcache-'));
  const [ms, lines] = await kubectl(['--kubeconfig', kubeconfig(dir, address.url!), '--cache-dir', cache, 'get', 'pods', '-A']);
  if (lines !== count + 1) throw new Error(`kubectl printed ${lines} lines`);
  sample(`kubectl 1.32 get pods -A over ${count.toLocaleString('en-US')} Pods (pages of 500)`, ms, 'ms');
  // kubectl throttles itself to 5 requests/s after a burst of 10: one page per request, so also in one request.
  const [ms1, lines1] = await kubectl(['--kubeconfig', kubeconfig(dir, address.url!), '--cache-dir', cache, 'get', 'pods', '-A', '--chunk-size=0']);
  if (lines1 !== count + 1) throw new Error(`kubectl printed ${lines1} lines`);
  sample(`kubectl 1.32 get pods -A --chunk-size=0 (one request)`, ms1, 'ms');
  // The server's share: the same request (kubectl's Accept: a Table) read whole by a node client.
  const t0 = performance.now();
  const table = await fetchAll(`${address.url!}/api/v1/pods`, TABLE_ACCEPT);
  sample(`server: GET /api/v1/pods as a Table, ${count.toLocaleString('en-US')} rows, read whole`, performance.now() - t0, 'ms');
  // kubectl's own share: the same bytes served as a static file (everything else proxied to the api-server).
  const stat = await staticTableServer(table, address.url!);
  const [ms2, lines2] = await kubectl(['--kubeconfig', kubeconfig(dir, stat.url), '--cache-dir', cache, 'get', 'pods', '-A', '--chunk-size=0']);
  if (lines2 !== count + 1) throw new Error(`kubectl printed ${lines2} lines`);
  sample('baseline: kubectl get pods -A --chunk-size=0 against the same Table as a static file', ms2, 'ms');
  await new Promise((r) => stat.server.close(r));
  rmSync(cache, { recursive: true, force: true });

  transport.close();
  await sup.stop();
  rmSync(dir, { recursive: true, force: true });
  log(`  round ${r + 1}/${rounds} done`);
}

log(`${bench}: the api-server in-process and over HTTP (${count.toLocaleString('en-US')} Pods; median of ${rounds} rounds; baselines in the same run)`);
for (let r = 0; r < rounds; r++) await round(r);
const rows: BenchRow[] = samples.rows();
printRows(rows);
