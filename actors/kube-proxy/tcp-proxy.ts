/**
 * kube-proxy's data path for process nodes: a TCP listener per frontend
 * (`ip:port`, all inside 127.0.0.0/8, so no root is needed) that forwards
 * each connection to the endpoint the routing table picks.
 *
 * - A frontend is listened on only while it has a ready endpoint: with
 *   none, a connection is refused, as Kubernetes rejects it.
 * - A listener that cannot be opened (EADDRINUSE: the listener of a
 *   crashed predecessor not yet released, or someone else's) is retried
 *   until it opens or is no longer wanted; nothing wedges.
 * - Connections are tracked by frontend and endpoint; when an endpoint
 *   leaves a frontend its connections are closed (drained), and a
 *   connection whose endpoint refuses is tried on the next one.
 * - Both halves of a connection close independently (allowHalfOpen), so a
 *   client may send its request, shut down its side, and still read.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { EndpointInfo } from './messages.js';
import { endpointKey, type Route } from './routes.js';

export interface TcpProxyOptions {
  /** The endpoint for a new connection (undefined: none ready). */
  readonly pick: (frontend: string, clientIP: string | undefined) => EndpointInfo | undefined;
  readonly retryListenMs: number;
  readonly connectAttempts: number;
  readonly warn: (msg: string, fields?: Record<string, unknown>) => void;
}

const MAX_RETRY_MS = 2_000;

interface Listener {
  readonly ip: string;
  readonly port: number;
  server: Server | null;
  retry: NodeJS.Timeout | null;
  failures: number;
}

interface Pair {
  readonly client: Socket;
  upstream: Socket | null;
  endpoint: string;
}

/**
 * The proxy each actor address runs on this thread. An actor that crashed
 * is restarted in place without its stop() being called; its successor
 * closes what it left open here, or the old listeners would hold the
 * ports (and route with a dead table) for good.
 */
const running = new Map<string, TcpProxy>();

export class TcpProxy {
  /** A new proxy for `owner` (the actor's address), after closing the one a crashed predecessor left. */
  static claim(owner: string, opts: TcpProxyOptions): TcpProxy {
    running.get(owner)?.close();
    const p = new TcpProxy(opts);
    running.set(owner, p);
    return p;
  }

  private readonly listeners = new Map<string, Listener>();
  /** frontend -> live connections. */
  private readonly conns = new Map<string, Set<Pair>>();
  private closed = false;
  private counts = { total: 0, rejected: 0, upstreamFailures: 0, drained: 0, listenFailures: 0 };

  constructor(private readonly opts: TcpProxyOptions) {}

  /** A route appeared or changed: listen while it has endpoints, and drain connections to endpoints it lost. */
  upsert(r: Route): void {
    if (r.endpoints.length > 0) this.listen(r.frontend, r.ip, r.port);
    else this.unlisten(r.frontend);
    this.drain(r.frontend, new Set(r.endpoints.map(endpointKey)));
  }

  remove(frontend: string): void {
    this.unlisten(frontend);
    this.drain(frontend, new Set());
  }

  close(): void {
    this.closed = true;
    for (const [owner, p] of running) if (p === this) running.delete(owner);
    for (const f of [...this.listeners.keys()]) this.unlisten(f);
    for (const f of [...this.conns.keys()]) this.drain(f, new Set());
  }

  isListening(frontend: string): boolean {
    return this.listeners.get(frontend)?.server?.listening === true;
  }

  stats(): { listening: number; retrying: number; listenFailures: number; open: number; total: number; rejected: number; upstreamFailures: number; drained: number } {
    let listening = 0;
    let retrying = 0;
    for (const l of this.listeners.values()) {
      if (l.server?.listening) listening++;
      else if (l.retry) retrying++;
    }
    let open = 0;
    for (const s of this.conns.values()) open += s.size;
    return { listening, retrying, open, ...this.counts };
  }

  private listen(frontend: string, ip: string, port: number): void {
    if (this.closed || this.listeners.has(frontend)) return;
    const l: Listener = { ip, port, server: null, retry: null, failures: 0 };
    this.listeners.set(frontend, l);
    this.open(frontend, l);
  }

  private open(frontend: string, l: Listener): void {
    l.retry = null;
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => this.accept(frontend, c));
    l.server = server;
    server.once('error', (err: NodeJS.ErrnoException) => {
      server.close();
      if (this.listeners.get(frontend) !== l) return;
      l.server = null;
      l.failures++;
      this.counts.listenFailures++;
      // Said once, then every 20th time: a port held for long is worth a line, not a flood.
      if (l.failures === 1 || l.failures % 20 === 0) {
        const why = err.code === 'EACCES' ? ' (ports below 1024 need root, CAP_NET_BIND_SERVICE or a lower net.ipv4.ip_unprivileged_port_start)' : '';
        this.opts.warn(`listen on ${frontend} failed: ${err.code}${why}; retrying`, { frontend, code: err.code, failures: l.failures });
      }
      // Doubling up to 2 s: quick while a crashed predecessor's listener is released, quiet when a port stays taken.
      const delay = Math.min(this.opts.retryListenMs * 2 ** Math.min(l.failures - 1, 10), MAX_RETRY_MS);
      l.retry = setTimeout(() => this.open(frontend, l), delay);
    });
    server.listen({ host: l.ip, port: l.port, exclusive: true });
  }

  private unlisten(frontend: string): void {
    const l = this.listeners.get(frontend);
    if (!l) return;
    this.listeners.delete(frontend);
    if (l.retry) clearTimeout(l.retry);
    l.server?.close();
  }

  /** Close every connection of `frontend` whose endpoint is not in `keep`. */
  private drain(frontend: string, keep: ReadonlySet<string>): void {
    const set = this.conns.get(frontend);
    if (!set) return;
    for (const p of [...set]) {
      if (keep.has(p.endpoint)) continue;
      this.counts.drained++;
      p.upstream?.destroy();
      p.client.destroy();
      set.delete(p);
    }
    if (set.size === 0) this.conns.delete(frontend);
  }

  private accept(frontend: string, client: Socket): void {
    this.counts.total++;
    client.setNoDelay(true);
    client.on('error', () => undefined); // a client reset is the end of its connection, nothing more
    const pair: Pair = { client, upstream: null, endpoint: '' };
    const clientIP = client.remoteAddress?.replace(/^::ffff:/, '');
    let set = this.conns.get(frontend);
    if (!set) this.conns.set(frontend, (set = new Set()));
    set.add(pair);
    const forget = (): void => {
      const s = this.conns.get(frontend);
      s?.delete(pair);
      if (s && s.size === 0) this.conns.delete(frontend);
    };
    client.once('close', () => {
      forget();
      // Ended normally, the upstream side is flushing what the client sent last; after a reset nothing is owed.
      if (pair.upstream && !pair.upstream.writableEnded) pair.upstream.destroy();
    });
    this.connectUpstream(frontend, pair, clientIP, this.opts.connectAttempts);
  }

  private connectUpstream(frontend: string, pair: Pair, clientIP: string | undefined, attemptsLeft: number): void {
    const { client } = pair;
    if (client.destroyed) return;
    const e = this.opts.pick(frontend, clientIP);
    if (!e || attemptsLeft <= 0) {
      this.counts.rejected++;
      client.resetAndDestroy();
      return;
    }
    pair.endpoint = endpointKey(e);
    const up = connect({ host: e.ip, port: e.port, allowHalfOpen: true });
    pair.upstream = up;
    let connected = false;
    up.once('connect', () => {
      connected = true;
      up.setNoDelay(true);
      client.pipe(up);
      up.pipe(client);
      client.resume();
    });
    up.on('error', () => {
      if (connected) return;
      this.counts.upstreamFailures++;
      // The endpoint refused before anything was sent: the next one may take it.
      this.connectUpstream(frontend, pair, clientIP, attemptsLeft - 1);
    });
    up.once('close', () => {
      if (connected && !client.writableEnded) client.destroy();
    });
  }
}
