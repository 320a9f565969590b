/**
 * get and list, served from the watch cache. Lists are consistent at the
 * cache's revision; paginated lists (limit/continue) keep the rest of the
 * first page's result as a snapshot, so every page belongs to the same
 * revision, and a continue token outlives its snapshot only as a 410.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceDef } from '../../lib/api/resources/index.js';
import { badRequest, notFound, resourceExpired, timeout } from '../../lib/api/status.js';
import type { KubeObject, List, ListMeta } from '../../lib/api/types/meta.js';
import type { CachedObject } from './cached-object.js';
import type { ServerContext } from './context.js';
import type { ApiQuery } from './messages.js';
import { gr, keyOf, type Outcome, failed } from './objects.js';
import { selection } from './selection.js';

export function getObject(ctx: ServerContext, def: ResourceDef, namespace: string | undefined, name: string): Outcome<KubeObject> {
  return ctx.cache.get(keyOf(def, namespace, name)) ?? notFound(gr(def), name);
}

/** A list whose items are still the cache's bytes: decoded, or sent as bytes, by the caller (handlers.ts). */
export type CachedList = Omit<List<KubeObject>, 'items'> & { readonly items: readonly CachedObject[] };

interface Snapshot {
  readonly items: readonly CachedObject[];
  readonly revision: number;
  readonly expires: number;
}

/** Remainders of paginated lists, by token id; bounded and expiring. */
export class ListSnapshots {
  private readonly map = new Map<string, Snapshot>();
  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly max = 200,
  ) {}

  put(items: readonly CachedObject[], revision: number, now: number): string {
    this.sweep(now);
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    const id = randomUUID();
    this.map.set(id, { items, revision, expires: now + this.ttlMs });
    return id;
  }

  get(id: string, now: number): Snapshot | undefined {
    this.sweep(now);
    return this.map.get(id);
  }

  sweep(now: number): void {
    for (const [id, s] of this.map) if (s.expires <= now) this.map.delete(id);
  }
}

interface ContinueToken {
  v: 'berth/1';
  rv: number;
  id: string;
  start: number;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(s: string): ContinueToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString()) as ContinueToken;
    if (t.v !== 'berth/1' || !Number.isSafeInteger(t.rv) || typeof t.id !== 'string' || !Number.isSafeInteger(t.start)) return undefined;
    return t;
  } catch {
    return undefined;
  }
}

const TOKEN_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

export async function listObjects(ctx: ServerContext, def: ResourceDef, namespace: string | undefined, query: ApiQuery): Promise<Outcome<CachedList>> {
  const sel = selection(def, namespace, query);
  if (failed(sel)) return sel;
  const limit = query.limit ? Number(query.limit) : 0;
  if (!Number.isSafeInteger(limit) || limit < 0) return badRequest(`invalid limit: ${query.limit}`);
  const list = (items: CachedObject[], meta: ListMeta): CachedList => ({ kind: def.listKind, apiVersion: def.apiVersion, metadata: meta, items });

  if (query.continue) {
    const token = decodeContinue(query.continue);
    if (!token) return badRequest(`invalid continue token: ${query.continue}`);
    const snap = ctx.snapshots.get(token.id, ctx.now());
    if (!snap) return resourceExpired(TOKEN_EXPIRED);
    return page(snap.items, token.start, limit, snap.revision, list, ctx, token.id);
  }

  if (query.resourceVersion && query.resourceVersion !== '0') {
    const rv = Number(query.resourceVersion);
    if (!Number.isSafeInteger(rv) || rv < 0) return badRequest(`invalid resourceVersion: ${query.resourceVersion}`);
    if (rv > ctx.cache.revision) {
      await ctx.cache.waitFor(rv, 3_000);
      if (rv > ctx.cache.revision) return timeout(`Too large resource version: ${rv}, current: ${ctx.cache.revision}`, 1);
    }
  }
  const revision = ctx.cache.revision;
  const all = ctx.cache.items(sel.bucket, sel.prefix);
  const items = sel.all ? all : all.filter((c) => sel.matchesCached(c));
  return page(items, 0, limit, revision, list, ctx);
}

function page(
  items: readonly CachedObject[],
  start: number,
  limit: number,
  revision: number,
  list: (items: CachedObject[], meta: ListMeta) => CachedList,
  ctx: ServerContext,
  snapshotId?: string,
): CachedList {
  if (limit <= 0 || start + limit >= items.length) return list(items.slice(start), { resourceVersion: String(revision) });
  const end = start + limit;
  // The first page stores the whole result once; later pages reuse it.
  const id = snapshotId ?? ctx.snapshots.put(items, revision, ctx.now());
  return list(items.slice(start, end), {
    resourceVersion: String(revision),
    continue: encodeContinue({ v: 'berth/1', rv: revision, id, start: end }),
    remainingItemCount: items.length - end,
  });
}

