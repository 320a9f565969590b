/**
 * A chunked HTTP watch: headers flushed at once (client-go waits for them
 * before it reads anything), one JSON event per line, each event's object a
 * one-row Table when the client asked for Tables. The watch ends when the
 * client goes away (res 'close', which Node fires where req 'close' does
 * not), at timeoutSeconds, or when the client falls far behind.
 */
import type { ServerResponse } from 'node:http';
import type { ResourceDef } from '../../../lib/api/resources/index.js';
import { toTable } from '../../../lib/api/printers/index.js';
import type { KubeObject, Status } from '../../../lib/api/types/meta.js';
import type { ServerContext } from '../context.js';
import type { ApiQuery, WatchEventOut } from '../messages.js';
import { failed } from '../objects.js';
import { openWatch, type WatchHandle } from '../watch.js';
import type { ResponseShape } from './codec.js';

/** A client this far behind (bytes buffered) is cut off; it will list and watch again. */
const MAX_BUFFERED = 64 * 1024 * 1024;

export interface StreamOptions {
  readonly onOpen: (handle: WatchHandle) => void;
  readonly onClose: (handle: WatchHandle) => void;
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
  const pending: WatchEventOut[][] = [];
  const write = (events: WatchEventOut[]): void => {
    if (!opened) {
      pending.push(events);
      return;
    }
    if (res.writableEnded || res.destroyed) return;
    let chunk = '';
    for (const e of events) chunk += JSON.stringify(shape.table ? asTable(def, e, ctx.now(), shape) : e) + '\n';
    res.write(chunk);
    if (res.writableLength > MAX_BUFFERED) res.end();
  };
  const handle = openWatch(ctx, def, namespace, query, write);
  if (failed(handle)) return handle;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  opened = true;
  for (const events of pending.splice(0)) write(events);
  opts.onOpen(handle);
  const timeoutSeconds = Number(query.timeoutSeconds ?? 0);
  const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
  res.on('close', () => {
    if (timer) clearTimeout(timer);
    handle.stop();
    opts.onClose(handle);
  });
  return undefined;
}

function asTable(def: ResourceDef, e: WatchEventOut, now: number, shape: ResponseShape): unknown {
  if (e.type === 'BOOKMARK' || e.type === 'ERROR') return e;
  const obj = e.object as KubeObject;
  return { type: e.type, object: toTable(def, [obj], { now, includeObject: shape.includeObject, listMeta: { resourceVersion: obj.metadata.resourceVersion } }) };
}
