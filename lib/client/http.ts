/**
 * The HTTP transport: the Kubernetes REST dialect over node:http(s), for
 * anything outside the supervisor (a node joining from another machine, a
 * tool). Requests share a keep-alive agent; each watch gets a connection of
 * its own (a long-lived stream must not hold a pooled socket), read with
 * line framing.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ApiRequest, ApiResponse, WatchEventOut } from '../../actors/api-server/messages.js';
import { ApiError, TransportError, statusFromBody } from './errors.js';
import { LineSplitter } from './line-splitter.js';
import { httpCallOf } from './paths.js';
import { briefResponse } from '../../actors/api-server/brief.js';
import type { BatchOptions, Transport, TransportWatchHandlers, Watch } from './types.js';

export interface HttpTransportOptions {
  /** The server's URL, e.g. http://127.0.0.1:6443. */
  readonly server: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Sockets kept open to the server; default 8. */
  readonly maxSockets?: number;
  /** Per request (not watches); default 60 s. */
  readonly timeoutMs?: number;
  /** TLS: a CA bundle (PEM) to trust, and whether to verify (default true). */
  readonly ca?: string | Buffer;
  readonly rejectUnauthorized?: boolean;
  readonly userAgent?: string;
}

export class HttpTransport implements Transport {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly open = new Set<{ destroy(): void }>();

  constructor(private readonly opts: HttpTransportOptions) {
    this.url = new URL(opts.server);
    const tls = this.url.protocol === 'https:';
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 8, ca: opts.ca, rejectUnauthorized: opts.rejectUnauthorized ?? true };
    this.agent = tls ? new HttpsAgent(agentOpts) : new HttpAgent(agentOpts);
    this.request = tls ? (httpsRequest as typeof httpRequest) : httpRequest;
    this.headers = { Accept: 'application/json', 'User-Agent': opts.userAgent ?? 'berth-client' };
    if (opts.token) this.headers.Authorization = `Bearer ${opts.token}`;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  async call(req: ApiRequest): Promise<ApiResponse> {
    const { method, path, contentType } = httpCallOf(req);
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const res = await this.send(method, path, contentType, payload, this.agent, this.timeoutMs);
    const text = await readAll(res);
    const code = res.statusCode ?? 0;
    const type = res.headers['content-type'] ?? '';
    if (!type.startsWith('application/json')) {
      return code >= 200 && code < 300 ? { code, body: {}, text } : { code, body: statusFromBody(code, undefined), text };
    }
    try {
      const warnings = warningsOf(res.headersDistinct['warning']);
      return { code, body: JSON.parse(text) as ApiResponse['body'], ...(warnings ? { warnings } : {}) };
    } catch (err) {
      throw new TransportError(`${method} ${path}: undecodable response (HTTP ${code})`, err);
    }
  }

  /** HTTP has no batch: the calls run concurrently over the keep-alive sockets. */
  async batch(requests: readonly ApiRequest[], options: BatchOptions = {}): Promise<ApiResponse[]> {
    const out = await Promise.all(requests.map((r) => this.call(r)));
    return options.brief ? out.map(briefResponse) : out;
  }

  async watch(req: ApiRequest, handlers: TransportWatchHandlers): Promise<Watch> {
    const { path } = httpCallOf({ ...req, verb: 'watch' });
    // A connection of its own, never returned to the pool.
    const res = await this.send('GET', path, undefined, undefined, false, 0);
    const code = res.statusCode ?? 0;
    if (code !== 200) {
      const text = await readAll(res);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined; // not JSON: statusFromBody names the HTTP code instead
      }
      throw new ApiError(statusFromBody(code, body));
    }
    let stopped = false;
    const lines = new LineSplitter();
    const handle = { destroy: () => res.destroy() };
    this.open.add(handle);
    const end = (reason: Error): void => {
      this.open.delete(handle);
      if (stopped) return;
      stopped = true;
      handlers.onEnded(reason);
    };
    const deliver = (texts: string[]): boolean => {
      const events: WatchEventOut[] = [];
      for (const t of texts) {
        try {
          events.push(JSON.parse(t) as WatchEventOut);
        } catch (err) {
          res.destroy();
          end(new TransportError(`watch ${path}: undecodable event`, err));
          return false;
        }
      }
      if (events.length > 0 && !stopped) handlers.onEvents(events);
      return true;
    };
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (!stopped) deliver(lines.push(chunk));
    });
    res.on('end', () => {
      const last = lines.end();
      if (last && !deliver([last])) return;
      end(new TransportError(`watch ${path}: the server closed the stream`));
    });
    res.on('error', (err) => end(new TransportError(`watch ${path}: ${err.message}`, err)));
    res.on('close', () => end(new TransportError(`watch ${path}: the connection closed`)));
    return {
      stop: () => {
        stopped = true;
        this.open.delete(handle);
        res.destroy();
      },
    };
  }

  close(): void {
    for (const h of this.open) h.destroy();
    this.open.clear();
    this.agent.destroy();
  }

  private send(method: string, path: string, contentType: string | undefined, payload: string | undefined, agent: HttpAgent | false, timeoutMs: number): Promise<IncomingMessage> {
    const headers: Record<string, string | number> = { ...this.headers };
    if (payload !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const options: RequestOptions = {
      protocol: this.url.protocol,
      hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
      port: this.url.port,
      method,
      path,
      headers,
      agent,
    };
    if (agent === false && this.url.protocol === 'https:') Object.assign(options, { ca: this.opts.ca, rejectUnauthorized: this.opts.rejectUnauthorized ?? true });
    return new Promise((resolve, reject) => {
      const req = this.request(options, resolve);
      req.on('error', (err) => reject(new TransportError(`${method} ${path}: ${err.message}`, err)));
      if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      req.end(payload);
    });
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err) => reject(new TransportError(`reading the response: ${err.message}`, err)));
  });
}

/** The texts of `Warning: 299 - "..."` headers (RFC 7234 warn-text, as Kubernetes sends them), or undefined. */
export function warningsOf(headers: readonly string[] | undefined): string[] | undefined {
  if (!headers?.length) return undefined;
  const out: string[] = [];
  for (const h of headers) {
    const m = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(h);
    if (m) out.push(m[1]!.replace(/\\u([0-9a-fA-F]{4})|\\(.)/g, (_, hex: string | undefined, c: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : c!)));
  }
  return out.length ? out : undefined;
}
