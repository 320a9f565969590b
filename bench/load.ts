/**
 * Question: does the api-server hold Kubernetes' API latency SLO (p99 under
 * 1 s for single-object calls) under 200 concurrent HTTP clients doing a
 * mix of reads, writes and watches, answer 429 (not errors) when pushed
 * past its in-flight cap, and keep its memory bounded?
 *
 * The server is `berth up` (store, api-server, controller-manager,
 * scheduler) in a child process, loaded with a few thousand ConfigMaps and
 * Pods. Phases, in the same run:
 * - baseline: the same clients on GET /readyz (HTTP and the actor's thread,
 *   no cache, no store), for a quarter of the duration;
 * - load: 200 clients, each with its own keep-alive agent, in a loop of
 *   get 40%, list (limit=50) 10%, create 12.5%, update (get + put) 10%,
 *   merge patch 15%, delete (of its own creations) 12.5%, so the data set
 *   stays the same size and memory growth means retention, not more data;
 *   beside them 20 watchers that re-watch
 *   every 30 s; --duration seconds (default 20; 60 for the figure in the
 *   README: --duration 60);
 * - overload: 2,000 creates at once on fresh connections, past the default
 *   in-flight cap of 400: each must be answered 201 or 429, never 5xx or a
 *   broken connection.
 * RSS is the server process's (VmRSS) after loading and after each phase.
 *
 * Run: npm run bench (all), or: npm run build && node dist/bench/load.js [--json] [--duration S] [--clients N] [--objects N] [--quick]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, percentile, printRows, type BenchRow } from './lib/report.js';

const bench = 'load';
const quick = process.argv.includes('--quick');
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const durationS = arg('duration', quick ? 5 : 20);
const clients = arg('clients', 200);
const objects = arg('objects', quick ? 500 : 3_000);
const watchers = 20;
const overloadBurst = 2_000;
const NAMESPACES = 10;

interface Answer {
  readonly status: number;
  readonly body: string;
}

function call(port: number, agent: Agent | false, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: data === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(data) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.end(data);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The server process's resident memory in MB: all of it, anonymous (heaps), file-backed (mostly LMDB's map). */
function rssMb(pid: number, field: 'VmRSS' | 'RssAnon' | 'RssFile' = 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startUp(dir: string, port: number): Promise<ChildProcess> {
  const main = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));
  const child = spawn(process.execPath, [main, 'up', '--data', dir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('serving on')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`berth up exited (${code}): ${out}`)));
  });
  return child;
}

const configMap = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'load' } }, data: { payload: 'x'.repeat(1_000) } });
const pod = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'load' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } });
const nsOf = (i: number): string => `load-${i % NAMESPACES}`;

async function populate(port: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  for (let n = 0; n < NAMESPACES; n++) await call(port, agent, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsOf(n) } });
  const work = Array.from({ length: objects }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let i = work.shift(); i !== undefined; i = work.shift()) {
        const isPod = i % 6 === 0;
        const r = await call(port, agent, 'POST', `/api/v1/namespaces/${nsOf(i)}/${isPod ? 'pods' : 'configmaps'}`, isPod ? pod(`seed-${i}`) : configMap(`seed-${i}`));
        if (r.status !== 201) throw new Error(`populate ${i}: ${r.status} ${r.body.slice(0, 200)}`);
      }
    }),
  );
  agent.destroy();
}

class Tally {
  readonly latency = new Map<string, number[]>();
  /** [start time, ms] of each answered single-object call, to tell warm-up from steady state. */
  readonly timeline: [number, number][] = [];
  readonly codes = new Map<number, number>();
  /** "op code" -> count, for the answers that are not 2xx. */
  readonly failures = new Map<string, number>();
  errors = 0;
  requests = 0;
  add(op: string, ms: number, status: number): void {
    this.requests++;
    this.codes.set(status, (this.codes.get(status) ?? 0) + 1);
    if (status < 200 || status >= 300) {
      this.failures.set(`${op} ${status}`, (this.failures.get(`${op} ${status}`) ?? 0) + 1);
      return;
    }
    (this.latency.get(op) ?? this.latency.set(op, []).get(op)!).push(ms);
    if (op !== 'list' && op !== 'readyz') this.timeline.push([Date.now() - ms, ms]);
  }
  count(pred: (code: number) => boolean): number {
    let n = 0;
    for (const [c, k] of this.codes) if (pred(c)) n += k;
    return n;
  }
  sorted(ops: readonly string[]): number[] {
    return ops.flatMap((o) => this.latency.get(o) ?? []).sort((a, b) => a - b);
  }
}

/** A seeded ConfigMap in the client's namespace (seed i lives in nsOf(i); every sixth seed is a Pod). */
function seedConfigMap(id: number): string {
  const i = Math.floor(Math.random() * (objects / NAMESPACES)) * NAMESPACES + (id % NAMESPACES);
  return `seed-${i % 6 !== 0 ? i : i >= NAMESPACES ? i - NAMESPACES : i + NAMESPACES}`;
}

/** One client: its own keep-alive connection, requests back to back until `until`. */
async function client(id: number, port: number, until: number, tally: Tally): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const mine: string[] = [];
  let seq = 0;
  const timed = async (op: string, method: string, path: string, body?: unknown, type?: string): Promise<Answer | null> => {
    const t0 = performance.now();
    try {
      const r = await call(port, agent, method, path, body, type);
      tally.add(op, performance.now() - t0, r.status);
      return r;
    } catch {
      tally.errors++;
      return null;
    }
  };
  while (Date.now() < until) {
    const ns = nsOf(id);
    const target = seedConfigMap(id);
    const p = Math.random();
    if (p < 0.4) await timed('get', 'GET', `/api/v1/namespaces/${ns}/configmaps/${target}`);
    else if (p < 0.5) await timed('list', 'GET', `/api/v1/namespaces/${ns}/configmaps?limit=50`);
    else if (p < 0.625) {
      const name = `c-${id}-${seq++}`;
      const r = await timed('create', 'POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(name));
      if (r?.status === 201) mine.push(name);
    } else if (p < 0.725) {
      const cur = await timed('get', 'GET', `/api/v1/namespaces/${ns}/configmaps/${target}`);
      if (cur?.status === 200) {
        const obj = JSON.parse(cur.body) as { metadata: { labels?: Record<string, string> } };
        obj.metadata.labels = { ...obj.metadata.labels, touched: String(seq++) };
        await timed('update', 'PUT', `/api/v1/namespaces/${ns}/configmaps/${target}`, obj);
      }
    } else if (p < 0.875) await timed('patch', 'PATCH', `/api/v1/namespaces/${ns}/configmaps/${target}`, { metadata: { annotations: { [`load/${id}`]: String(seq++) } } }, 'application/merge-patch+json');
    else if (mine.length) await timed('delete', 'DELETE', `/api/v1/namespaces/${ns}/configmaps/${mine.shift()!}`);
  }
  agent.destroy();
}

/** A watcher that reads events until `until`, re-watching every 30 s as client-go does. */
async function watcher(id: number, port: number, until: number, counts: { events: number; errors: number; opened: number }): Promise<void> {
  while (Date.now() < until) {
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: `/api/v1/namespaces/${nsOf(id)}/configmaps?watch=true&timeoutSeconds=30&resourceVersion=0`, agent: false }, (res) => {
        if (res.statusCode === 200) counts.opened++;
        res.on('data', (c: Buffer) => {
          for (let i = 0; i < c.length; i++) if (c[i] === 10) counts.events++;
        });
        res.on('close', () => resolve());
      });
      req.on('error', () => {
        // Our own hang-up at the end of the run is not a failure.
        if (Date.now() < until) counts.errors++;
        resolve();
      });
      req.end();
      const stop = setTimeout(() => req.destroy(), Math.max(0, until - Date.now()));
      stop.unref();
    });
  }
}

async function baseline(port: number, seconds: number): Promise<Tally> {
  const tally = new Tally();
  const until = Date.now() + seconds * 1_000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      while (Date.now() < until) {
        const t0 = performance.now();
        try {
          const r = await call(port, agent, 'GET', '/readyz');
          tally.add('readyz', performance.now() - t0, r.status);
        } catch {
          tally.errors++;
        }
      }
      agent.destroy();
    }),
  );
  return tally;
}

async function overload(port: number): Promise<Tally> {
  const tally = new Tally();
  await Promise.all(
    Array.from({ length: overloadBurst }, async (_, i) => {
      const t0 = performance.now();
      try {
        const r = await call(port, false, 'POST', `/api/v1/namespaces/${nsOf(i)}/configmaps`, configMap(`burst-${i}`));
        tally.add('create', performance.now() - t0, r.status);
      } catch {
        tally.errors++;
      }
    }),
  );
  return tally;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-load-'));
  const port = await freePort();
  const child = await startUp(dir, port);
  const rows: BenchRow[] = [];
  const row = (kase: string, metric: string, value: number, unit: string): void => void rows.push({ bench, case: kase, metric, value, unit });
  try {
    log(`load: berth up (pid ${child.pid}) on port ${port}; ${objects} objects, ${clients} clients + ${watchers} watchers, ${durationS} s`);
    await populate(port);
    const rssLoaded = rssMb(child.pid!);
    const anonLoaded = rssMb(child.pid!, 'RssAnon');
    const fileLoaded = rssMb(child.pid!, 'RssFile');

    const base = await baseline(port, Math.max(2, durationS / 4));
    const b = base.sorted(['readyz']);
    row('baseline GET /readyz', 'p50', percentile(b, 50), 'ms');
    row('baseline GET /readyz', 'p99', percentile(b, 99), 'ms');
    row('baseline GET /readyz', 'throughput', base.requests / Math.max(2, durationS / 4), 'req/s');

    const tally = new Tally();
    const watch = { events: 0, errors: 0, opened: 0 };
    const started = Date.now();
    const until = started + durationS * 1_000;
    let rssPeak = rssLoaded;
    // RSS at each quarter of the run too, to tell a plateau from steady growth.
    const quarters: number[] = [];
    const sampler = setInterval(() => {
      const now = rssMb(child.pid!);
      rssPeak = Math.max(rssPeak, now);
      if (Date.now() >= started + ((quarters.length + 1) * durationS * 1_000) / 4 - 250 && quarters.length < 3) quarters.push(now);
    }, 500);
    await Promise.all([...Array.from({ length: clients }, (_, i) => client(i, port, until, tally)), ...Array.from({ length: watchers }, (_, i) => watcher(i, port, until, watch))]);
    clearInterval(sampler);
    const elapsed = (Date.now() - started) / 1_000;
    const single = tally.sorted(['get', 'create', 'update', 'patch', 'delete']);
    row('load: single-object calls', 'p50', percentile(single, 50), 'ms');
    row('load: single-object calls', 'p99', percentile(single, 99), 'ms');
    // The second half alone: the first seconds carry 200 connections and 20 initial watch lists opening at once.
    const half = started + (durationS * 1_000) / 2;
    const steady = tally.timeline.filter(([t0]) => t0 >= half).map(([, ms]) => ms).sort((a, b) => a - b);
    row('load: single-object calls, 2nd half', 'p50', percentile(steady, 50), 'ms');
    row('load: single-object calls, 2nd half', 'p99', percentile(steady, 99), 'ms');
    for (const op of ['get', 'create', 'update', 'patch', 'delete', 'list']) {
      const s = tally.sorted([op]);
      row(`load: ${op}`, 'p50', percentile(s, 50), 'ms');
      row(`load: ${op}`, 'p99', percentile(s, 99), 'ms');
    }
    row('load', 'throughput', tally.requests / elapsed, 'req/s');
    row('load', 'requests', tally.requests, 'req');
    row('load', '429', tally.count((c) => c === 429), 'req');
    row('load', '5xx', tally.count((c) => c >= 500), 'req');
    row('load', 'connection errors', tally.errors, 'req');
    for (const [what, n] of [...tally.failures].sort()) if (!what.endsWith(' 429')) row('load: answered', what, n, 'req');
    row('load: watches', 'opened', watch.opened, 'watches');
    row('load: watches', 'events', watch.events, 'events');
    row('load: watches', 'errors', watch.errors, 'watches');
    const rssAfterLoad = rssMb(child.pid!);
    const anonAfterLoad = rssMb(child.pid!, 'RssAnon');
    const fileAfterLoad = rssMb(child.pid!, 'RssFile');

    const over = await overload(port);
    row(`overload: ${overloadBurst} creates at once`, '201', over.count((c) => c === 201), 'req');
    row(`overload: ${overloadBurst} creates at once`, '429', over.count((c) => c === 429), 'req');
    row(`overload: ${overloadBurst} creates at once`, '5xx', over.count((c) => c >= 500), 'req');
    row(`overload: ${overloadBurst} creates at once`, 'connection errors', over.errors, 'req');
    const rssAfter = rssMb(child.pid!);
    row('server RSS', 'loaded', rssLoaded, 'MB');
    quarters.forEach((mb, i) => row('server RSS', `at ${(i + 1) * 25}% of the load`, mb, 'MB'));
    row('server RSS', 'peak under load', rssPeak, 'MB');
    row('server RSS', 'after load', rssAfterLoad, 'MB');
    row('server RSS anonymous (heaps)', 'loaded', anonLoaded, 'MB');
    row('server RSS anonymous (heaps)', 'after load', anonAfterLoad, 'MB');
    row('server RSS file-backed (LMDB map)', 'loaded', fileLoaded, 'MB');
    row('server RSS file-backed (LMDB map)', 'after load', fileAfterLoad, 'MB');
    row('server RSS', 'after overload', rssAfter, 'MB');
    printRows(rows);
    const p99 = percentile(single, 99);
    log(`\nsingle-object p99 ${p99.toFixed(0)} ms (SLO: under 1,000 ms): ${p99 < 1_000 ? 'held' : 'NOT held'}; 5xx ${tally.count((c) => c >= 500) + over.count((c) => c >= 500)}; overload answered ${over.count((c) => c === 429)} x 429`);
    if (tally.count((c) => c >= 500) + over.count((c) => c >= 500) > 0) process.exitCode = 1;
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
