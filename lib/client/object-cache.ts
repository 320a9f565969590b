/**
 * An informer's local cache: objects by "namespace/name" ("name" for
 * cluster-scoped ones). Objects are shared with every reader: read-only;
 * copy before changing one.
 */
import type { KubeObject } from '../api/types/meta.js';

/** The cache key of an object, as work queues carry it. */
export function keyOf(obj: Pick<KubeObject, 'metadata'>): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/** Splits a key back into namespace (undefined for cluster-scoped) and name. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export interface ReadonlyCache<T extends KubeObject> {
  get(key: string): Readonly<T> | undefined;
  getByName(namespace: string | undefined, name: string): Readonly<T> | undefined;
  list(): Readonly<T>[];
  /** Objects of one namespace. */
  listIn(namespace: string): Readonly<T>[];
  keys(): string[];
  readonly size: number;
}

export class ObjectCache<T extends KubeObject> implements ReadonlyCache<T> {
  private readonly items = new Map<string, T>();

  get(key: string): Readonly<T> | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string | undefined, name: string): Readonly<T> | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): Readonly<T>[] {
    return [...this.items.values()];
  }

  listIn(namespace: string): Readonly<T>[] {
    const out: T[] = [];
    for (const o of this.items.values()) if (o.metadata.namespace === namespace) out.push(o);
    return out;
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** The previous object under the same key, if any. */
  set(obj: T): T | undefined {
    const key = keyOf(obj);
    const prev = this.items.get(key);
    this.items.set(key, obj);
    return prev;
  }

  /** Cache `obj` under `key` (keyOf(obj), computed by the caller already). */
  setAt(key: string, obj: T): void {
    this.items.set(key, obj);
  }

  /** The removed object, if it was there. */
  delete(key: string): T | undefined {
    const prev = this.items.get(key);
    this.items.delete(key);
    return prev;
  }
}
