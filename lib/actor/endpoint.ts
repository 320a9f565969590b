/**
 * One thread's door to the message plane: routing by address, per-destination
 * batching, request/reply bookkeeping, and frame decoding. Host workers and
 * the supervisor's own endpoint (address `supervisor`) both build on it.
 *
 * Hot path: `route` and `onFrame` run once per message.
 */
import type { Packr } from 'msgpackr';
import type { DeadLetter, HostId } from './control.js';
import { FrameError, decodeFrame, encodeFrame, envelopeProblem, messageType, type ReplyBody } from './codec.js';
import { ActorDownError, MessageRejectedError, RemoteError, RequestTimeoutError, UnroutableError } from './errors.js';
import type { TimerService } from './timers.js';
import { VirtualTimers } from './timers.js';
import type { Address, Message, Sender } from './types.js';

export interface Link {
  post(bytes: Uint8Array): void;
}

interface PendingRequest {
  readonly from: Address;
  readonly to: Address;
  readonly type: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: number;
}

export interface EndpointOptions {
  readonly hostId: HostId;
  readonly packr: Packr;
  readonly timers: TimerService;
  /** false: one frame per message (the benchmark's unbatched case). */
  readonly batch: boolean;
  readonly maxMessageBytes: number;
}

export const defaultRequestTimeoutMs = 30_000;
/** Envelopes per frame at most (4 items each): bounds frame size and lets two threads pipeline. */
const maxBatchItems = 1_024 * 4;

export abstract class Endpoint {
  readonly hostId: HostId;
  readonly timers: TimerService;
  protected readonly packr: Packr;
  /** Address -> the host it lives on. Set by the supervisor. */
  readonly routes = new Map<Address, HostId>();
  protected readonly links = new Map<HostId, Link>();
  /** Addresses whose host died and is not back yet: requests to them fail at once. */
  private readonly down = new Set<Address>();
  private readonly outbox = new Map<HostId, unknown[]>();
  private readonly pending = new Map<number, PendingRequest>();
  private nextReqId = 1;
  private turnScheduled = false;
  protected deadLetters: DeadLetter[] = [];
  private readonly batch: boolean;
  private readonly maxMessageBytes: number;
  /**
   * Envelopes sent to and received from each other thread, since the link
   * was (re)made: the virtual clock's quiescence check compares them.
   */
  readonly sentTo: Record<HostId, number> = Object.create(null) as Record<HostId, number>;
  readonly recvFrom: Record<HostId, number> = Object.create(null) as Record<HostId, number>;

  constructor(options: EndpointOptions) {
    this.hostId = options.hostId;
    this.packr = options.packr;
    this.timers = options.timers;
    this.batch = options.batch;
    this.maxMessageBytes = options.maxMessageBytes;
  }

  /** Deliver one envelope addressed to an actor of this thread. */
  protected abstract deliverLocal(to: Address, from: Address, reqId: number, body: unknown): void;
  /** Runs once per event-loop turn in which anything happened, after frames are flushed. */
  protected abstract afterTurn(): void;

  /** A new link is a new conversation: its counters start again. */
  setLink(host: HostId, link: Link | null): void {
    if (link) this.links.set(host, link);
    else this.links.delete(host);
    this.sentTo[host] = 0;
    this.recvFrom[host] = 0;
  }

  setRoutes(set: readonly (readonly [Address, HostId])[], del: readonly Address[]): void {
    for (const [address, host] of set) {
      this.routes.set(address, host);
      this.down.delete(address);
    }
    for (const address of del) this.routes.delete(address);
  }

  send(from: Address, to: Address, msg: Message): void {
    this.route(to, from, 0, msg);
  }

  request<R>(from: Address, to: Address, msg: Message, timeoutMs = defaultRequestTimeoutMs): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const reqId = this.nextReqId++;
      const timer = this.timers.schedule(from, timeoutMs, () => {
        if (this.pending.delete(reqId)) reject(new RequestTimeoutError(to, msg.type, timeoutMs));
      });
      this.pending.set(reqId, { from, to, type: msg.type, resolve: resolve as (v: unknown) => void, reject, timer });
      this.route(to, from, reqId, msg);
    });
  }

  reply(from: Address, to: Sender, body: ReplyBody): void {
    if (to.reqId <= 0) return;
    this.route(to.address, from, -to.reqId, body);
  }

  /** The host of these addresses died: fail every request waiting on them. */
  markDown(addresses: readonly Address[], reason: string): void {
    const set = new Set(addresses);
    for (const a of addresses) this.down.add(a);
    for (const [reqId, p] of this.pending) {
      if (!set.has(p.to)) continue;
      this.settle(reqId, { ok: false, code: 'ACTOR_DOWN', message: new ActorDownError(p.to, reason).message });
    }
  }

  /** Drop the requests an actor of this thread was waiting on: it is gone, nobody awaits them. */
  protected forgetRequestsOf(owner: Address): void {
    for (const [reqId, p] of this.pending) {
      if (p.from !== owner) continue;
      this.pending.delete(reqId);
      this.timers.cancel(p.timer);
    }
  }

  protected route(to: Address, from: Address, reqId: number, body: unknown): void {
    const host = this.routes.get(to);
    if (host === undefined || this.down.has(to)) {
      this.undeliverable(to, from, reqId, body, host === undefined ? 'unroutable' : 'actor down');
      return;
    }
    if (host === this.hostId) {
      // Same thread: still copy, so that actors never share objects.
      let copy: unknown;
      try {
        copy = this.packr.unpack(this.packr.pack(body));
      } catch (err) {
        this.undeliverable(to, from, reqId, body, `unencodable: ${(err as Error).message}`);
        return;
      }
      this.deliverLocal(to, from, reqId, copy);
      this.scheduleTurn();
      return;
    }
    let queue = this.outbox.get(host);
    if (!queue) {
      queue = [];
      this.outbox.set(host, queue);
    }
    queue.push(to, from, reqId, body);
    // A full batch goes at once, so the receiver decodes it while we encode the next.
    if (!this.batch || queue.length >= maxBatchItems) this.flushHost(host, queue);
    this.scheduleTurn();
  }

  /** A message that cannot go where it was sent: a request fails at once, anything else is a dead letter. */
  protected undeliverable(to: Address, from: Address, reqId: number, body: unknown, reason: string): void {
    if (reqId > 0 && this.pending.has(reqId) && this.isLocalSender(from)) {
      const err =
        reason === 'unroutable'
          ? { ok: false as const, code: 'UNROUTABLE', message: new UnroutableError(to).message }
          : reason === 'actor down'
            ? { ok: false as const, code: 'ACTOR_DOWN', message: new ActorDownError(to, reason).message }
            : { ok: false as const, code: 'MESSAGE_REJECTED', message: new MessageRejectedError(reason).message };
      this.settle(reqId, err);
      return;
    }
    this.deadLetter(from, to, messageType(body), reason);
    // A reply that cannot travel (oversized, unencodable) must still end the request: its
    // requester would otherwise wait for its timeout, which under the virtual clock never
    // fires while the embedder awaits the request (the full chaos run hung on a 24 MB list).
    // A short error reply goes instead; a requester that is down needs none.
    if (reqId < 0 && reason !== 'actor down' && reason !== 'unroutable' && (body as ReplyBody | null)?.ok !== false) {
      this.route(to, from, reqId, { ok: false, code: 'MESSAGE_REJECTED', message: `the reply from ${from} could not be sent: ${reason}` } satisfies ReplyBody);
    }
  }

  protected isLocalSender(from: Address): boolean {
    return this.routes.get(from) === this.hostId;
  }

  protected deadLetter(from: string, to: string, type: string, reason: string): void {
    this.deadLetters.push({ at: this.timers.now(), from, to, type, reason });
    this.scheduleTurn();
  }

  protected scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(this.endTurn);
  }

  private readonly endTurn = (): void => {
    this.turnScheduled = false;
    this.flushFrames();
    this.afterTurn();
  };

  /** Send every batched frame now (the supervisor does this before judging quiescence). */
  flushFrames(): void {
    // Until nothing is left: a reply refused while flushing queues its error reply (see
    // undeliverable), which must go in this turn, before the host reports its counters idle.
    for (let flushed = true; flushed; ) {
      flushed = false;
      for (const [host, queue] of this.outbox) {
        if (queue.length === 0) continue;
        this.flushHost(host, queue);
        flushed = true;
      }
    }
  }

  private flushHost(host: HostId, queue: unknown[]): void {
    const link = this.links.get(host);
    const items = queue.splice(0, queue.length);
    if (!link) {
      for (let i = 0; i < items.length; i += 4) {
        this.undeliverable(items[i] as Address, items[i + 1] as Address, items[i + 2] as number, items[i + 3], 'actor down');
      }
      return;
    }
    let bytes: Uint8Array | null = null;
    try {
      bytes = encodeFrame(this.packr, [this.timers.now(), ...items]);
    } catch {
      bytes = null; // some message is unencodable: find it below
    }
    if (bytes === null || (bytes.byteLength > this.maxMessageBytes && items.length > 4)) {
      this.flushSplit(host, link, items);
      return;
    }
    if (bytes.byteLength > this.maxMessageBytes) {
      this.undeliverable(items[0] as Address, items[1] as Address, items[2] as number, items[3], `oversized: ${bytes.byteLength} bytes > ${this.maxMessageBytes}`);
      return;
    }
    this.sentTo[host] = (this.sentTo[host] ?? 0) + items.length / 4;
    link.post(bytes);
  }

  /**
   * The slow path: a batch too large for one frame (many large messages), or
   * one that would not encode. Halve it until each part fits, so that large
   * batches cost a log factor of re-encoding, and one bad message fails alone.
   */
  private flushSplit(host: HostId, link: Link, items: unknown[]): void {
    if (items.length === 4) {
      let bytes: Uint8Array;
      try {
        bytes = encodeFrame(this.packr, [this.timers.now(), ...items]);
      } catch (err) {
        this.undeliverable(items[0] as Address, items[1] as Address, items[2] as number, items[3], `unencodable: ${(err as Error).message}`);
        return;
      }
      if (bytes.byteLength > this.maxMessageBytes) {
        this.undeliverable(items[0] as Address, items[1] as Address, items[2] as number, items[3], `oversized: ${bytes.byteLength} bytes > ${this.maxMessageBytes}`);
        return;
      }
      this.sentTo[host] = (this.sentTo[host] ?? 0) + 1;
      link.post(bytes);
      return;
    }
    const half = Math.floor(items.length / 8) * 4;
    for (const part of [items.slice(0, half), items.slice(half)]) {
      let bytes: Uint8Array | null;
      try {
        bytes = encodeFrame(this.packr, [this.timers.now(), ...part]);
      } catch {
        bytes = null;
      }
      if (bytes !== null && (bytes.byteLength <= this.maxMessageBytes || part.length === 4)) {
        if (bytes.byteLength > this.maxMessageBytes) {
          this.undeliverable(part[0] as Address, part[1] as Address, part[2] as number, part[3], `oversized: ${bytes.byteLength} bytes > ${this.maxMessageBytes}`);
          continue;
        }
        this.sentTo[host] = (this.sentTo[host] ?? 0) + part.length / 4;
        link.post(bytes);
      } else {
        this.flushSplit(host, link, part);
      }
    }
  }

  /** A frame from another thread. Bad frames and bad envelopes become dead letters; nothing throws. */
  onFrame(source: HostId, bytes: Uint8Array): void {
    let items: unknown[];
    try {
      if (bytes.byteLength > this.maxMessageBytes * 4) throw new FrameError(`oversized frame: ${bytes.byteLength} bytes`);
      items = decodeFrame(this.packr, bytes);
    } catch (err) {
      this.deadLetter(source, this.hostId, '?', err instanceof FrameError ? err.message : `undecodable: ${String(err)}`);
      return;
    }
    if (this.timers instanceof VirtualTimers) this.timers.observe(items[0] as number);
    const n = items.length;
    this.recvFrom[source] = (this.recvFrom[source] ?? 0) + (n - 1) / 4;
    for (let i = 1; i < n; i += 4) {
      const to = items[i],
        from = items[i + 1],
        reqId = items[i + 2],
        body = items[i + 3];
      const problem = envelopeProblem(to, from, reqId, body);
      if (problem !== null) {
        this.deadLetter(typeof from === 'string' ? from : source, typeof to === 'string' ? to : this.hostId, messageType(body), problem);
        continue;
      }
      if ((reqId as number) < 0) this.settle(-(reqId as number), body as ReplyBody);
      else this.deliverLocal(to as Address, from as Address, reqId as number, body);
    }
    this.scheduleTurn();
  }

  /** Resolve or reject a pending request with a reply body. */
  protected settle(reqId: number, body: ReplyBody): void {
    const p = this.pending.get(reqId);
    if (!p) return; // timed out already, or its actor is gone
    this.pending.delete(reqId);
    this.timers.cancel(p.timer);
    if (body && body.ok === true) p.resolve(body.value);
    else if (body && body.ok === false) p.reject(replyError(p.to, body.code, body.message));
    else p.reject(new RemoteError('BAD_REPLY', `malformed reply from ${p.to}`, p.to));
  }

  get pendingRequests(): number {
    return this.pending.size;
  }
}

function replyError(address: Address, code: string, message: string): Error {
  switch (code) {
    case 'ACTOR_DOWN': {
      const e = new ActorDownError(address, 'down');
      e.message = message;
      return e;
    }
    case 'UNROUTABLE':
      return new UnroutableError(address);
    case 'MESSAGE_REJECTED':
      return new MessageRejectedError(message);
    default:
      return new RemoteError(code, message, address);
  }
}
