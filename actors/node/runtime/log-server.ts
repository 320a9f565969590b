/**
 * The kubelet's HTTP endpoint for container logs (a real kubelet serves
 * `/containerLogs/<ns>/<pod>/<container>` on port 10250): the api-server's
 * pods/log proxies here. Bound to the node's InternalIP (a loopback
 * address) on a free port, advertised in the Node's
 * status.daemonEndpoints.kubeletEndpoint.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogOptions } from './log-read.js';
import { render, select } from './log-read.js';
import type { LogRead } from './types.js';

export type LogLookup = (namespace: string, pod: string, container: string, o: LogOptions) => LogRead | { readonly error: string; readonly code: number };

/** Query parameters as pods/log takes them; an error names the bad one. */
export function logOptions(q: URLSearchParams, now: number): LogOptions | { error: string } {
  const bool = (k: string): boolean => q.get(k) === 'true' || q.get(k) === '1';
  const int = (k: string): number | undefined | { error: string } => {
    const v = q.get(k);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    return Number.isInteger(n) ? n : { error: `${k}: "${v}" is not an integer` };
  };
  const tail = int('tailLines');
  const limit = int('limitBytes');
  const since = int('sinceSeconds');
  for (const x of [tail, limit, since]) if (typeof x === 'object') return x;
  let sinceMs = typeof since === 'number' ? now - since * 1000 : undefined;
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) return { error: `sinceTime: "${sinceTime}" is not an RFC 3339 time` };
    sinceMs = t;
  }
  const o: { -readonly [K in keyof LogOptions]: LogOptions[K] } = { follow: bool('follow'), previous: bool('previous'), timestamps: bool('timestamps') };
  if (typeof tail === 'number' && tail >= 0) o.tailLines = tail;
  if (typeof limit === 'number' && limit > 0) o.limitBytes = limit;
  if (sinceMs !== undefined) o.sinceMs = sinceMs;
  return o;
}

export class KubeletServer {
  private server: Server | null = null;
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly lookup: LogLookup) {}

  async listen(host: string): Promise<number> {
    const server = createServer((req, res) => this.serve(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  close(): void {
    for (const res of this.open) res.end();
    this.open.clear();
    this.server?.close();
    this.server?.closeAllConnections();
    this.server = null;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://kubelet.invalid');
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return text(res, 404, `not found: ${url.pathname}\n`);
    const o = logOptions(url.searchParams, Date.now());
    if ('error' in o) return text(res, 400, `${o.error}\n`);
    const [ns, pod, container] = m.slice(1).map(decodeURIComponent) as [string, string, string];
    const found = this.lookup(ns, pod, container, o);
    if ('error' in found) return text(res, found.code, found.error);
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
    let budget = o.limitBytes ?? Infinity;
    const send = (s: string): boolean => {
      if (budget <= 0) return false;
      const b = Buffer.from(s);
      const part = b.length > budget ? b.subarray(0, budget) : b;
      budget -= part.length;
      res.write(part);
      return budget > 0;
    };
    for (const line of select(found.lines, o)) if (!send(line)) return void res.end();
    if (!o.follow || !found.follow) return void res.end();
    this.open.add(res);
    let stop: () => void = () => undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      stop();
      this.open.delete(res);
      res.end();
    };
    stop = found.follow({
      line: (l) => {
        if (!send(render(l, o.timestamps))) finish();
      },
      end: finish,
    });
    if (done) stop();
    res.on('close', finish);
  }
}

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
