/**
 * The HTTP front end (node:http, or node:https with a certificate), in the
 * api-server actor's own thread: authentication (bearer tokens), limits
 * (body size -> 413, requests in flight -> 429), routing, body decoding,
 * content negotiation, watch streams, metrics. Every resource request goes
 * to the same `handle` the in-process `api.call` message uses.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { resourceFor } from '../../../lib/api/resources/index.js';
import { badRequest, requestEntityTooLarge, tooManyRequests, unauthorized, isStatus } from '../../../lib/api/status.js';
import type { Status } from '../../../lib/api/types/meta.js';
import type { ServerContext } from '../context.js';
import { handle } from '../handlers.js';
import type { ApiQuery, ApiRequest, ApiVerb, PatchType } from '../messages.js';
import { decodeBody, encode, maybeTable, patchTypeOf, responseShape } from './codec.js';
import { bodyDuplicates, warningHeaders } from './field-warnings.js';
import { serveNonResource, type Reply } from './endpoints.js';
import { serveLogs } from './log-stream.js';
import { explainReply, metricsReply, type Ask } from './berth-routes.js';
import { Metrics } from './metrics.js';
import { route, type ResourcePath } from './router.js';
import { serveWatch, type OpenStream } from './watch-stream.js';

export interface HttpOptions {
  readonly host: string;
  readonly port: number;
  readonly tokens: readonly string[];
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  readonly maxBodyBytes: number;
  readonly maxInFlight: number;
  /** A watch client with more than this waiting unread is dropped (410) and must list again. */
  readonly maxWatchBufferBytes: number;
  readonly isReady: () => boolean;
  /** Requests to other actors: /metrics asks the supervisor for every actor's stats, explain asks the scheduler. */
  readonly ask?: Ask;
}

const QUERY_KEYS: readonly (keyof ApiQuery)[] = [
  'labelSelector',
  'fieldSelector',
  'limit',
  'continue',
  'resourceVersion',
  'resourceVersionMatch',
  'timeoutSeconds',
  'allowWatchBookmarks',
  'sendInitialEvents',
  'fieldManager',
  'fieldValidation',
  'force',
  'dryRun',
  'gracePeriodSeconds',
  'propagationPolicy',
  'container',
  'follow',
  'tailLines',
];

/** Endpoints anyone may read, as Kubernetes' system:public-info-viewer. */
const PUBLIC = new Set(['health', 'version']);

export class HttpFrontEnd {
  readonly metrics = new Metrics(() => this.watchBufferedBytes());
  private server: Server | null = null;
  private inFlight = 0;
  private readonly watches = new Set<OpenStream>();
  /** SHA-256 of each token: equal lengths, so comparing leaks neither a token's length nor where it differs. */
  private readonly tokens: Buffer[];
  private address = '';

  constructor(
    private readonly ctx: ServerContext,
    private readonly opts: HttpOptions,
  ) {
    this.tokens = opts.tokens.map(sha256);
    const loopback = opts.host === '127.0.0.1' || opts.host === 'localhost' || opts.host === '::1';
    if (!loopback && this.tokens.length === 0) throw new Error(`binding ${opts.host} requires bearer tokens (--token-file): refusing to serve the API unauthenticated`);
  }

  async listen(): Promise<{ host: string; port: number; url: string }> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.serve(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.send(res, 500, 'application/json', JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: String(err), reason: 'InternalError', code: 500 }));
        else res.destroy();
      });
    };
    const tls = this.opts.tlsCertFile && this.opts.tlsKeyFile;
    this.server = tls ? createHttps({ cert: readFileSync(this.opts.tlsCertFile!), key: readFileSync(this.opts.tlsKeyFile!) }, handler) : createHttp(handler);
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    this.address = `${a.address}:${a.port}`;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return { host: a.address, port: a.port, url: `${tls ? 'https' : 'http'}://${host}:${a.port}` };
  }

  /** A bookmark to every watch that asked for them. */
  bookmarkAll(): void {
    for (const { handle } of this.watches) if (handle.bookmarks) handle.bookmark();
  }

  /** Bytes written to watch clients and not yet taken by their sockets, over all watches. */
  watchBufferedBytes(): number {
    let n = 0;
    for (const w of this.watches) n += w.buffered();
    return n;
  }

  get openWatches(): number {
    return this.watches.size;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const w of this.watches) w.handle.stop();
    this.watches.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private authorized(req: IncomingMessage): boolean {
    if (this.tokens.length === 0) return true;
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m) return false;
    const given = sha256(m[1]!);
    // Every token is compared (no early exit), so the time taken does not say which one matched.
    let ok = false;
    for (const t of this.tokens) ok = timingSafeEqual(t, given) || ok;
    return ok;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = requestUrl(req.url);
    if (!url) {
      req.resume();
      return this.status(res, badRequest(`invalid request URI: ${JSON.stringify((req.url ?? '').slice(0, 100))}`));
    }
    const r = route(url.pathname);
    if (!this.authorized(req) && !PUBLIC.has(r.kind)) {
      this.metrics.rejectedRequest('unauthorized');
      req.resume();
      return this.status(res, unauthorized('Unauthorized'));
    }
    if (r.kind !== 'resource') {
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') return this.status(res, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `the server does not allow this method on the requested resource`, reason: 'MethodNotAllowed', code: 405 });
      const reply =
        r.kind === 'metrics' ? await metricsReply(this.metrics.render(), this.opts.ask)
        : r.kind === 'explain' ? await explainReply(r.namespace, r.name, this.opts.ask)
        : serveNonResource(r, { accept: req.headers.accept, serverAddress: this.address, query: url.searchParams, ready: this.opts.isReady(), metrics: () => this.metrics.render() }, res);
      this.reply(res, reply);
      this.metrics.observe('GET', `/${r.kind}`, reply.code, (performance.now() - started) / 1000);
      return;
    }
    const query = queryOf(url.searchParams);
    const verb = verbOf(req.method ?? 'GET', r, url.searchParams);
    if (!verb) {
      req.resume();
      return this.status(res, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', code: 405 });
    }
    const metricResource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
    const shape = responseShape(req.headers.accept, url.searchParams.get('includeObject') ?? undefined);

    if (verb === 'get' && r.group === '' && r.resource === 'pods' && r.subresource === 'log' && r.name) {
      req.resume();
      const code = await serveLogs(this.ctx, r.namespace, r.name, url.searchParams, res);
      this.metrics.observe('GET', metricResource, code, (performance.now() - started) / 1000);
      return;
    }

    if (verb === 'watch') {
      req.resume();
      const def = resourceFor(r.group, r.version, r.resource);
      if (!def || r.subresource || !def.verbs.includes('watch')) return this.status(res, notFoundStatus());
      const failure = serveWatch(this.ctx, def, def.namespaced ? r.namespace : undefined, query, shape, res, {
        maxBufferedBytes: this.opts.maxWatchBufferBytes,
        onOpen: (w) => {
          this.watches.add(w);
          this.metrics.watchOpened(metricResource);
        },
        onClose: (w) => {
          // close() already let go of every watch; only count what was still open.
          if (this.watches.delete(w)) this.metrics.watchClosed(metricResource);
        },
        onDropped: () => this.metrics.watchDropped(metricResource),
      });
      if (failure) this.status(res, failure);
      this.metrics.observe('WATCH', metricResource, failure ? failure.code : 200, (performance.now() - started) / 1000);
      return;
    }

    if (this.inFlight >= this.opts.maxInFlight) {
      req.resume();
      this.metrics.rejectedRequest('max-in-flight');
      res.setHeader('Retry-After', '1');
      return this.status(res, tooManyRequests('Too many requests, please try again later.', 1));
    }
    this.inFlight++;
    let code = 500;
    try {
      let body: unknown;
      let duplicateFields: string[] | undefined;
      let patchType: PatchType | undefined;
      if (verb === 'patch') {
        const pt = patchTypeOf(req.headers['content-type']);
        if (isStatus(pt)) {
          req.resume();
          code = pt.code;
          return this.status(res, pt);
        }
        patchType = pt;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const raw = await this.readBody(req, res);
        if (!raw) {
          code = 413;
          return;
        }
        const decoded = decodeBody(raw, req.headers['content-type'], verb === 'patch');
        if (isStatus(decoded)) {
          code = decoded.code;
          return this.status(res, decoded);
        }
        body = decoded.value;
        if (verb === 'create' || verb === 'update' || verb === 'patch') duplicateFields = bodyDuplicates(raw, req.headers['content-type'], query.fieldValidation);
      }
      if (!query.fieldManager && ['create', 'update', 'patch'].includes(verb) && patchType !== 'apply') {
        query.fieldManager = managerFromUserAgent(req.headers['user-agent']);
      }
      const request: ApiRequest = { verb, group: r.group, version: r.version, resource: r.resource, namespace: r.namespace, name: r.name, subresource: r.subresource, body, patchType, query, duplicateFields };
      const out = await handle(this.ctx, request, { lazyItems: true });
      code = out.code;
      const def = r.subresource && r.subresource !== 'status' ? undefined : resourceFor(r.group, r.version, r.resource);
      const encoded = encode(maybeTable(def, out.body, shape, this.ctx.now()), shape);
      if (out.warnings) res.setHeader('Warning', warningHeaders(out.warnings));
      this.send(res, out.code, encoded.contentType, encoded.data);
    } finally {
      this.inFlight--;
      this.metrics.observe(verb.toUpperCase(), metricResource, code, (performance.now() - started) / 1000);
    }
  }

  /** The body, or null after answering 413. */
  private readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | null> {
    const max = this.opts.maxBodyBytes;
    const tooLarge = (): void => {
      res.setHeader('Connection', 'close');
      this.status(res, requestEntityTooLarge(`limit is ${max}`));
    };
    const declared = Number(req.headers['content-length'] ?? -1);
    if (declared > max) {
      req.resume();
      tooLarge();
      return Promise.resolve(null);
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on('data', (c: Buffer) => {
        if (over) return;
        size += c.length;
        if (size > max) {
          over = true;
          chunks.length = 0;
          tooLarge();
          resolve(null);
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        if (!over) resolve(Buffer.concat(chunks));
      });
      req.on('error', reject);
    });
  }

  private status(res: ServerResponse, s: Status): void {
    this.send(res, s.code, 'application/json', JSON.stringify(s));
  }

  private reply(res: ServerResponse, r: Reply): void {
    for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
    this.send(res, r.code, r.contentType, r.data);
  }

  private send(res: ServerResponse, code: number, contentType: string, data: string): void {
    if (res.headersSent) return;
    res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) });
    res.end(data);
  }
}

/** The request target's path and query, parsed without resolving anything. */
interface RequestTarget {
  readonly pathname: string;
  readonly searchParams: URLSearchParams;
}

/**
 * The request target (origin form: /path?query), or null when it is not
 * one. Not parsed with `new URL`, which resolves dot segments (so
 * ".../configmaps/.." would address the namespace, and "%2e%2e" too) and
 * reads "//x" as a host: a path with a "." or ".." segment, plain or
 * percent-encoded, is refused; empty segments are left to the router,
 * which skips them.
 */
function requestUrl(target: string | undefined): RequestTarget | null {
  const raw = target ?? '/';
  if (!raw.startsWith('/')) return null;
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  for (const seg of pathname.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      continue; // the router answers 404 for a segment that does not decode
    }
    if (decoded === '.' || decoded === '..') return null;
  }
  return { pathname, searchParams: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function notFoundStatus(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 };
}

function queryOf(params: URLSearchParams): ApiQuery {
  const q: Record<string, string> = {};
  for (const k of QUERY_KEYS) {
    const v = params.get(k);
    if (v !== null) q[k] = v;
  }
  return q as ApiQuery;
}

function verbOf(method: string, r: ResourcePath, params: URLSearchParams): ApiVerb | undefined {
  const watch = params.get('watch');
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (r.name) return 'get';
      return watch === 'true' || watch === '1' ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return r.name ? 'update' : undefined;
    case 'PATCH':
      return r.name ? 'patch' : undefined;
    case 'DELETE':
      return r.name ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/** Kubernetes' default field manager: the user agent up to the first '/' ("kubectl"). */
function managerFromUserAgent(ua: string | undefined): string {
  const m = (ua ?? '').split('/')[0]!.trim();
  return m.slice(0, 128) || 'unknown';
}
