/**
 * The in-process transport: `api.*` messages to the api-server actor from
 * any actor (through its context) or the embedding thread (through the
 * supervisor). Watch events arrive as messages to the owner, which hands
 * every message to `handleNotice` first (as with StoreClient):
 *
 *   const transport = new InProcessTransport(ctx);
 *   receive(msg) { if (transport.handleNotice(msg)) return; ... }
 *   // or, in the embedding thread: sup.on('message', (m) => transport.handleNotice(m));
 */
import { randomUUID } from 'node:crypto';
import { API_SERVER_ADDRESS, type ApiNotice, type ApiRequest, type ApiRequestMessage, type ApiResponse } from '../../actors/api-server/messages.js';
import { isDownNotice, type Address, type Message, type RequestOptions } from '../actor/types.js';
import { ItemsDecoder } from './items-decoder.js';
import { ApiError, TransportError, statusFromBody } from './errors.js';
import type { BatchOptions, Transport, TransportWatchHandlers, Watch } from './types.js';

/** What can send requests: an actor's context, or the supervisor. */
export interface Requester {
  request<R = unknown, M extends Message = Message>(to: Address, msg: M, options?: RequestOptions): Promise<R>;
  send<M extends Message>(to: Address, msg: M): void;
  /** An actor's context has it (ActorContext.monitor): the api-server's restarts then reach handleNotice. */
  monitor?(address: Address): void;
}

export interface InProcessOptions {
  /** The api-server's address; default 'api-server'. */
  readonly address?: Address;
  /** Per request; default 60 s. */
  readonly timeoutMs?: number;
  /**
   * Listed and watched objects come without metadata.managedFields (never
   * decoded: ItemsDecoderOptions), for an owner whose informers drop them
   * anyway (trimDecoded, trimForCache) and that reads field ownership
   * nowhere. Objects of other verbs are as the server sent them. Default false.
   */
  readonly withoutManagedFields?: boolean;
}

export class InProcessTransport implements Transport {
  private readonly address: Address;
  private readonly timeoutMs: number;
  private readonly watches = new Map<string, TransportWatchHandlers>();
  /** Unique per transport, so two clients in one actor never share a watch id. */
  private readonly prefix = randomUUID().slice(0, 8);
  private nextWatch = 1;
  private readonly decoder: ItemsDecoder;
  private readonly ahead = new ListReadahead();

  constructor(
    private readonly requester: Requester,
    opts: InProcessOptions = {},
  ) {
    this.decoder = new ItemsDecoder({ withoutManagedFields: opts.withoutManagedFields });
    this.address = opts.address ?? API_SERVER_ADDRESS;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    // In the embedding thread the requester is the supervisor: a restarted api-server has
    // forgotten our watches and would never say so, so its 'restart' event ends them here.
    if (isEmitter(requester)) requester.on('restart', this.onRestart);
    // In an actor, a monitor does the same: the runtime posts a sys.down notice that handleNotice turns into endAll.
    requester.monitor?.(this.address);
  }

  private readonly onRestart = (e: { addresses?: readonly Address[]; children?: readonly string[] }): void => {
    if (e.addresses?.includes(this.address) || e.children?.includes(this.address)) this.endAll(new TransportError(`${this.address} restarted: its watches are gone`));
  };

  async call(request: ApiRequest): Promise<ApiResponse> {
    if (request.verb !== 'list') return this.send<ApiResponse>({ type: 'api.call', request });
    // Lists come as bytes, decoded here on the caller's thread (the server keeps each object's encoding).
    const ahead = this.ahead.take(request);
    let res = ahead ? await ahead : undefined;
    // Asked for ahead but failed, or its table entries are beyond this thread's copy (its table was dropped): ask now.
    if (!res || (res.encodedItems && !this.decoder.tryLearn(res.encodedItems))) {
      res = await this.sendList(request);
      if (res.encodedItems) this.decoder.learn(res.encodedItems);
    }
    // The next page is asked for before this one is decoded: the server selects and copies it meanwhile.
    this.readAhead(request, res);
    if (!res.encodedItems) return res;
    return { code: res.code, body: { ...res.body, items: this.decoder.decode(res.encodedItems) } };
  }

  private sendList(request: ApiRequest): Promise<ApiResponse> {
    const known = this.decoder.known();
    return this.send<ApiResponse>(known ? { type: 'api.call', request, listItems: 'encoded', known } : { type: 'api.call', request, listItems: 'encoded' });
  }

  /** After a page of a paginated list: ask for the next one now (a continue page is the same whenever it is asked for). */
  private readAhead(request: ApiRequest, res: ApiResponse): void {
    const token = res.code === 200 ? (res.body as { metadata?: { continue?: unknown } }).metadata?.continue : undefined;
    if (typeof token !== 'string' || token === '' || !request.query?.limit) return;
    const next: ApiRequest = { ...request, query: { ...request.query, continue: token } };
    // A failure is not the caller's yet: it asks again when it wants the page.
    this.ahead.put(
      next,
      this.sendList(next).catch(() => undefined),
    );
  }

  batch(requests: readonly ApiRequest[], options: BatchOptions = {}): Promise<ApiResponse[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return this.send<ApiResponse[]>(options.brief ? { type: 'api.batch', requests: [...requests], brief: true } : { type: 'api.batch', requests: [...requests] });
  }

  async watch(request: ApiRequest, handlers: TransportWatchHandlers): Promise<Watch> {
    const watchId = `${this.prefix}-${this.nextWatch++}`;
    // Registered before asking: the first events can arrive before the reply.
    this.watches.set(watchId, handlers);
    let res: ApiResponse;
    try {
      const known = this.decoder.known();
      res = await this.send<ApiResponse>(known ? { type: 'api.watch', watchId, request, encoded: true, known } : { type: 'api.watch', watchId, request, encoded: true });
    } catch (err) {
      this.watches.delete(watchId);
      throw err;
    }
    if (res.code !== 200) {
      this.watches.delete(watchId);
      throw new ApiError(statusFromBody(res.code, res.body));
    }
    return {
      stop: () => {
        if (!this.watches.delete(watchId)) return;
        this.requester.send<ApiRequestMessage>(this.address, { type: 'api.unwatch', watchId });
      },
    };
  }

  /** Give every message the owner receives here first; true when it was an api-server notice. */
  handleNotice(msg: Message): boolean {
    if (isDownNotice(msg)) {
      if (msg.address !== this.address) return false;
      this.endAll(new TransportError(`${this.address} went down (${msg.reason}): its watches are gone`));
      return true;
    }
    const notice = msg as ApiNotice;
    if (notice.type === 'api.watch-events') {
      const handlers = this.watches.get(notice.watchId);
      if (!notice.encoded) {
        handlers?.onEvents(notice.events);
        return true;
      }
      if (!handlers) {
        // A watch already stopped: its table entries are learnt all the same, since later messages to
        // this thread start after them. Entries it cannot take would fail the watch that needs them.
        this.decoder.tryLearn(notice.encoded.items);
        return true;
      }
      let objects: unknown[];
      try {
        objects = this.decoder.decode(notice.encoded.items);
      } catch (err) {
        // Bytes this thread cannot read (its copy of the tables is behind): the watch ends, and its informer lists again.
        this.watches.delete(notice.watchId);
        this.requester.send<ApiRequestMessage>(this.address, { type: 'api.unwatch', watchId: notice.watchId });
        handlers.onEnded(new TransportError(`watch ${notice.watchId}: undecodable events: ${err instanceof Error ? err.message : String(err)}`, err));
        return true;
      }
      handlers.onEvents(notice.encoded.types.map((type, i) => ({ type, object: objects[i] })));
      return true;
    }
    if (notice.type === 'api.watch-ended') {
      const handlers = this.watches.get(notice.watchId);
      this.watches.delete(notice.watchId);
      handlers?.onEnded(new ApiError(notice.status));
      return true;
    }
    return false;
  }

  /**
   * The api-server restarted or went away: every watch is gone with it.
   * Call when a request failed with ActorDownError, or from a supervisor
   * event; each watch's onEnded fires so informers re-list.
   */
  endAll(reason: Error): void {
    const all = [...this.watches.values()];
    this.watches.clear();
    for (const h of all) h.onEnded(reason);
  }

  close(): void {
    this.ahead.clear();
    if (isEmitter(this.requester)) this.requester.off('restart', this.onRestart);
    for (const watchId of this.watches.keys()) this.requester.send<ApiRequestMessage>(this.address, { type: 'api.unwatch', watchId });
    this.watches.clear();
  }

  private async send<R>(msg: ApiRequestMessage): Promise<R> {
    try {
      return await this.requester.request<R, ApiRequestMessage>(this.address, msg, { timeoutMs: this.timeoutMs });
    } catch (err) {
      throw new TransportError(`${msg.type} to ${this.address}: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  }
}

interface Emitter {
  on(event: 'restart', listener: (e: { addresses?: readonly Address[]; children?: readonly string[] }) => void): unknown;
  off(event: 'restart', listener: (e: { addresses?: readonly Address[]; children?: readonly string[] }) => void): unknown;
}

function isEmitter(r: Requester): r is Requester & Emitter {
  return typeof (r as Partial<Emitter>).on === 'function' && typeof (r as Partial<Emitter>).off === 'function';
}

/**
 * Next pages of paginated lists, asked for before the caller wants them, by
 * request. Bounded: a caller that stops paging leaves its next page here
 * until newer ones push it out.
 */
class ListReadahead {
  private static readonly MAX = 4;
  private readonly pages = new Map<string, Promise<ApiResponse | undefined>>();

  put(request: ApiRequest, reply: Promise<ApiResponse | undefined>): void {
    if (this.pages.size >= ListReadahead.MAX) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(requestKey(request), reply);
  }

  /** The page asked for ahead for exactly this request, once. */
  take(request: ApiRequest): Promise<ApiResponse | undefined> | undefined {
    if (this.pages.size === 0 || !request.query?.continue) return undefined;
    const key = requestKey(request);
    const reply = this.pages.get(key);
    if (reply) this.pages.delete(key);
    return reply;
  }

  clear(): void {
    this.pages.clear();
  }
}

/** What identifies a list request: everything but the order of its query's keys. */
function requestKey(r: ApiRequest): string {
  const q = r.query ?? {};
  const query = Object.keys(q)
    .filter((k) => q[k as keyof typeof q] !== undefined)
    .sort()
    .map((k) => [k, q[k as keyof typeof q]]);
  return JSON.stringify([r.group, r.version, r.resource, r.namespace ?? '', r.name ?? '', r.subresource ?? '', query]);
}
