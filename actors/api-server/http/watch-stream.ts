/**
 * A chunked HTTP watch: headers flushed at once (client-go waits for them
 * before it reads anything), one JSON event per line, each event's object a
 * one-row Table when the client asked for Tables. The watch ends when the
 * client goes away (res 'close', which Node fires where req 'close' does
 * not), at timeoutSeconds, or when the client falls behind.
 *
 * A client that stops reading must not make the server hold its events
 * without bound: once more than `maxBufferedBytes` wait in the socket, no
 * more events are queued; a 410 Expired ERROR event closes the stream (a
 * client that reads again sees it and lists again, as after a compaction),
 * and a client still not reading after a grace period has its connection
 * destroyed, freeing the buffer.
 */
import type { ServerResponse } from 'node:http';
import type { ResourceDef } from '../../../lib/api/resources/index.js';
import { toTable } from '../../../lib/api/printers/index.js';
import type { KubeObject, Status } from '../../../lib/api/types/meta.js';
import type { ServerContext } from '../context.js';
import type { ApiQuery, WatchEventOut } from '../messages.js';
import { resourceExpired } from '../../../lib/api/status.js';
import { failed } from '../objects.js';
import { openWatch, toWatchEvent, type CachedWatchEvent, type WatchHandle } from '../watch.js';
import type { ResponseShape } from './codec.js';

/** How long a dropped slow client has to read its ERROR event before its connection is destroyed. */
const DROP_GRACE_MS = 2_000;

/** An open HTTP watch as the front end sees it: how much it has waiting to be read. */
export interface OpenStream {
  readonly handle: WatchHandle;
  /** Bytes written but not yet taken by the client's socket. */
  buffered(): number;
}

export interface StreamOptions {
  /** A client this far behind (bytes waiting in its socket) is dropped; the bound is this plus one batch. */
  readonly maxBufferedBytes: number;
  readonly onOpen: (stream: OpenStream) => void;
  readonly onClose: (stream: OpenStream) => void;
  /** The client fell more than maxBufferedBytes behind and was dropped. */
  readonly onDropped: () => void;
}

export function serveWatch(
  ctx: ServerContext,
  def: ResourceDef,
  namespace: string | undefined,
  query: ApiQuery,
  shape: ResponseShape,
  res: ServerResponse,
  opts: StreamOptions,
): Status | undefined {
  let opened = false;
  const pending: CachedWatchEvent[][] = [];
  const write = (events: CachedWatchEvent[]): void => {
    if (!opened) {
      pending.push(events);
      return;
    }
    if (res.writableEnded || res.destroyed) return;
    // Checked before encoding: one batch (an initial list can be large) always goes out to a client that keeps up.
    if (res.writableLength > opts.maxBufferedBytes) return drop();
    let chunk = '';
    for (const c of events) {
      const e = toWatchEvent(ctx.cache, c);
      chunk += JSON.stringify(shape.table ? asTable(def, e, ctx.now(), shape) : e) + '\n';
    }
    res.write(chunk);
  };
  const drop = (): void => {
    opts.onDropped();
    const status = resourceExpired(`watch dropped: the client fell more than ${opts.maxBufferedBytes} bytes behind; list again`);
    res.end(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
    const grace = setTimeout(() => res.destroy(), DROP_GRACE_MS);
    grace.unref();
    res.once('close', () => clearTimeout(grace));
  };
  const handle = openWatch(ctx, def, namespace, query, write);
  if (failed(handle)) return handle;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  opened = true;
  const stream: OpenStream = { handle, buffered: () => (res.destroyed ? 0 : res.writableLength) };
  opts.onOpen(stream);
  for (const events of pending.splice(0)) write(events);
  const timeoutSeconds = Number(query.timeoutSeconds ?? 0);
  const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
  res.on('close', () => {
    if (timer) clearTimeout(timer);
    handle.stop();
    opts.onClose(stream);
  });
  return undefined;
}

function asTable(def: ResourceDef, e: WatchEventOut, now: number, shape: ResponseShape): unknown {
  if (e.type === 'BOOKMARK' || e.type === 'ERROR') return e;
  const obj = e.object as KubeObject;
  return { type: e.type, object: toTable(def, [obj], { now, includeObject: shape.includeObject, listMeta: { resourceVersion: obj.metadata.resourceVersion } }) };
}
