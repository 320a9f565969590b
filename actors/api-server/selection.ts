/**
 * A list or watch request's selection: namespace prefix, label selector and
 * field selector, compiled once and applied to each object.
 */
import type { ResourceDef } from '../../lib/api/resources/index.js';
import { storagePrefix } from '../../lib/api/resources/index.js';
import { parseFieldSelectorFor, parseSelector, type FieldSelector, type Selector } from '../../lib/api/selectors/index.js';
import { badRequest } from '../../lib/api/status.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { CachedObject } from './cached-object.js';
import type { ApiQuery } from './messages.js';
import type { Outcome } from './objects.js';
import { WATCH_TRIGGERS } from './watch-triggers.js';

export interface Selection {
  readonly bucket: string;
  /** Key prefix: the bucket, or the namespace's part of it. */
  readonly prefix: string;
  readonly namespace?: string;
  /** The value the field selector pins the bucket's indexed trigger field to (watch-triggers.ts), if it does. */
  readonly trigger?: string;
  matches(obj: KubeObject): boolean;
  /** The same test on a cached object's labels and fields, without decoding it. */
  matchesCached(c: CachedObject): boolean;
  /** Whether every object under `prefix` matches (no label or field selector): lists need not test each. */
  readonly all: boolean;
}

export function selection(def: ResourceDef, namespace: string | undefined, query: ApiQuery): Outcome<Selection> {
  let labels: Selector | undefined;
  if (query.labelSelector) {
    const r = parseSelector(query.labelSelector);
    if (!r.ok) return badRequest(`unable to parse requirement: ${r.error}`);
    if (!r.selector.isEmpty()) labels = r.selector;
  }
  let fields: FieldSelector | undefined;
  if (query.fieldSelector) {
    const r = parseFieldSelectorFor(query.fieldSelector, def.fieldSelectors);
    if (!r.ok) return badRequest(r.error);
    if (!r.selector.isEmpty()) fields = r.selector;
  }
  const ns = def.namespaced ? namespace || undefined : undefined;
  const bucket = storagePrefix(def);
  const prefix = storagePrefix(def, ns);
  const triggerField = WATCH_TRIGGERS.get(bucket)?.field;
  const trigger = triggerField && fields ? fields.requiresExactMatch(triggerField) : undefined;
  return {
    bucket,
    prefix,
    namespace: ns,
    ...(trigger !== undefined ? { trigger } : {}),
    all: !labels && !fields,
    matches(obj) {
      if (ns !== undefined && obj.metadata.namespace !== ns) return false;
      if (labels && !labels.matches(obj.metadata.labels)) return false;
      if (fields && !fields.matches(def.toFields(obj))) return false;
      return true;
    },
    // The namespace is the key's (every caller takes keys under `prefix`); fields
    // are the resource's own (ResourceDef.toFields), computed when the object was cached.
    matchesCached(c) {
      if (labels && !labels.matches(c.labels)) return false;
      if (fields && !fields.matches(c.fields ?? {})) return false;
      return true;
    },
  };
}
