/**
 * A watch over the cache for one request: the selection is compiled once,
 * each batch the cache fans out is filtered once for this watcher, and
 * objects moving in or out of the selection become ADDED or DELETED, as in
 * Kubernetes' cacheWatcher.
 *
 * Start points: no resourceVersion or "0" (or sendInitialEvents=true): an
 * ADDED for every object that matches now, then changes; "N": every change
 * after N, from the cache's event window, or 410 Expired when N is older
 * than the window. Bookmarks carry the cache's revision.
 */
import type { ResourceDef } from '../../lib/api/resources/index.js';
import { badRequest, tooOldResourceVersion } from '../../lib/api/status.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { CacheEvent, CacheWatcher, WatchCache } from './cache.js';
import { CachedObject } from './cached-object.js';
import type { ServerContext } from './context.js';
import type { ApiQuery, WatchEventOut } from './messages.js';
import { failed, type Outcome } from './objects.js';
import { selection, type Selection } from './selection.js';

/** A watch event as the cache hands it out: the object still as bytes (decode with `toWatchEvent`). */
export interface CachedWatchEvent {
  readonly type: WatchEventOut['type'];
  readonly item: CachedObject;
}

/** The event with its object decoded (shared with other watchers of the same batch: read-only). */
export function toWatchEvent(cache: WatchCache, e: CachedWatchEvent): WatchEventOut {
  return { type: e.type, object: cache.objectOf(e.item) };
}

export interface WatchHandle {
  readonly bookmarks: boolean;
  /** Send a BOOKMARK at the cache's revision. */
  bookmark(): void;
  stop(): void;
}

export function openWatch(
  ctx: ServerContext,
  def: ResourceDef,
  namespace: string | undefined,
  query: ApiQuery,
  sink: (events: CachedWatchEvent[]) => void,
): Outcome<WatchHandle> {
  const sel = selection(def, namespace, query);
  if (failed(sel)) return sel;
  const rvText = query.resourceVersion ?? '';
  const initial = rvText === '' || rvText === '0' || query.sendInitialEvents === 'true';
  let since = ctx.cache.revision;
  let replay: CacheEvent[] = [];
  if (!initial) {
    const rv = Number(rvText);
    if (!Number.isSafeInteger(rv) || rv < 0) return badRequest(`invalid resource version: ${rvText}`);
    const events = ctx.cache.eventsSince(sel.bucket, rv);
    if (events === 'expired') return tooOldResourceVersion(rv, ctx.cache.windowStart + 1);
    replay = events;
    since = Math.max(rv, 0);
  }
  const bookmarks = query.allowWatchBookmarks === 'true';
  let last = since;
  const watcher: CacheWatcher = {
    bucket: sel.bucket,
    ...(sel.trigger !== undefined ? { trigger: sel.trigger } : {}),
    onEvents(events) {
      const out = filterEvents(def, sel, events, last);
      if (events.length) last = Math.max(last, events[events.length - 1]!.revision);
      if (out.length) sink(out);
    },
  };
  // Synchronous from here to addWatcher: no event can slip between the replay and the live stream.
  const first: CachedWatchEvent[] = [];
  if (initial) {
    for (const item of ctx.cache.items(sel.bucket, sel.prefix)) if (sel.all || sel.matchesCached(item)) first.push({ type: 'ADDED', item });
    if (query.sendInitialEvents === 'true' && bookmarks) first.push(bookmarkEvent(def, ctx.cache.revision, true));
  } else {
    first.push(...filterEvents(def, sel, replay, since));
    if (replay.length) last = replay[replay.length - 1]!.revision;
  }
  if (initial) last = ctx.cache.revision;
  ctx.cache.addWatcher(watcher);
  if (first.length) sink(first);
  let stopped = false;
  return {
    bookmarks,
    bookmark() {
      if (!stopped && bookmarks) sink([bookmarkEvent(def, Math.max(last, ctx.cache.revision), false)]);
    },
    stop() {
      stopped = true;
      ctx.cache.removeWatcher(watcher);
    },
  };
}

function bookmarkEvent(def: ResourceDef, revision: number, initialEnd: boolean): CachedWatchEvent {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
  if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { type: 'BOOKMARK', item: CachedObject.held({ kind: def.kind, apiVersion: def.apiVersion, metadata }) };
}

function filterEvents(def: ResourceDef, sel: Selection, events: readonly CacheEvent[], after: number): CachedWatchEvent[] {
  const out: CachedWatchEvent[] = [];
  for (const e of events) {
    if (e.revision <= after) continue;
    if (!e.key.startsWith(sel.prefix)) continue;
    const now = e.type !== 'DELETED' && (sel.all || sel.matchesCached(e.item));
    const before = e.prev !== undefined && (sel.all || sel.matchesCached(e.prev));
    if (e.type === 'DELETED') {
      if (before) out.push({ type: 'DELETED', item: e.item });
    } else if (now && before) out.push({ type: 'MODIFIED', item: e.item });
    else if (now) out.push({ type: 'ADDED', item: e.item });
    else if (before) out.push({ type: 'DELETED', item: e.item });
  }
  void def;
  return out;
}
