/**
 * References from the timeline and expectations to what the scenario
 * defines: objects by kind and name, pods by label selector, nodes by name,
 * pools and zones. Each is checked against `Known` and reported where written.
 */
import { parseSelector } from '../api/selectors/index.js';
import { RESOURCES, resourceForKind } from '../api/resources/index.js';
import { fail, readString, type Cursor, type MapView } from './reader.js';
import type { Known } from './known.js';
import { didYouMean } from './suggest.js';
import type { ObjectRef } from './types.js';

const SERVED_KINDS = [...new Set(RESOURCES.map((r) => r.kind))];
export const OBJECT_REF_KEYS = ['apiVersion', 'kind', 'name', 'namespace'] as const;

/**
 * Reads kind/name/namespace/apiVersion from a mapping the caller already
 * opened (so it can allow its own keys too). `defaultKind` applies when kind is absent.
 */
export function readObjectRef(m: MapView, known: Known, defaultKind?: string): ObjectRef | undefined {
  const kindAt = defaultKind === undefined ? m.require('kind') : m.get('kind');
  const kind = kindAt ? readString(kindAt, 'a kind like Deployment') : defaultKind;
  const nameAt = m.require('name');
  const name = nameAt && readString(nameAt, 'a name');
  const nsAt = m.get('namespace');
  const namespace = nsAt && readString(nsAt, 'a namespace name');
  const avAt = m.get('apiVersion');
  const apiVersion = avAt && readString(avAt, 'an apiVersion');
  if (kind === undefined || name === undefined || (nsAt && namespace === undefined) || (avAt && apiVersion === undefined)) return undefined;
  const served = RESOURCES.find((r) => r.kind === kind && (apiVersion === undefined || r.apiVersion === apiVersion));
  if (!served) {
    if (apiVersion !== undefined && RESOURCES.some((r) => r.kind === kind)) {
      return fail(avAt!, 'reference', `${kind} is served as ${RESOURCES.find((r) => r.kind === kind)!.apiVersion}, not ${apiVersion}`);
    }
    return fail(kindAt ?? m.at, 'reference', `kind ${kind} is not served by the api-server${didYouMean(kind, SERVED_KINDS)}`);
  }
  const ns = served.namespaced ? (namespace ?? 'default') : undefined;
  if (!known.resolvable(kind, ns, name)) {
    const what = kind === 'Node' ? 'no node of the cluster' : `no ${kind} the scenario defines${ns ? ` in namespace ${ns}` : ''}`;
    return fail(nameAt!, 'reference', `${name} names ${what}${didYouMean(name, known.namesOf(kind))}`);
  }
  return { apiVersion: resourceForKind(served.apiVersion, kind)!.apiVersion, kind, name, ...(ns ? { namespace: ns } : {}) };
}

/** A label selector string ("app=web,tier in (a,b)") that must select some workload's pods. */
export function readPodSelector(c: Cursor, known: Known, namespace?: string): string | undefined {
  const s = readString(c, 'a label selector like app=web');
  if (s === undefined) return undefined;
  const r = parseSelector(s);
  if (!r.ok) return fail(c, 'value', `bad label selector: ${r.error}`);
  if (!known.selectsPods(s, namespace)) return fail(c, 'reference', `selects no pods of the scenario's workloads${namespace ? ` in namespace ${namespace}` : ''}`);
  return s;
}

export function readPoolRef(c: Cursor, known: Known): string | undefined {
  const p = readString(c, 'a node pool name');
  if (p === undefined) return undefined;
  if (!known.hasPool(p)) return fail(c, 'reference', `no node pool named ${p}${didYouMean(p, known.poolNames())}`);
  return p;
}

export function readZoneRef(c: Cursor, known: Known): string | undefined {
  const z = readString(c, 'a zone name');
  if (z === undefined) return undefined;
  if (!known.hasZone(z)) return fail(c, 'reference', `no node pool has zone ${z}${didYouMean(z, known.zones)}`);
  return z;
}

export function readNodeRef(c: Cursor, known: Known): string | undefined {
  const n = readString(c, 'a node name');
  if (n === undefined) return undefined;
  if (!known.hasNode(n)) return fail(c, 'reference', `no node named ${n} (nodes are named <pool>-<index>, from 0)`);
  return n;
}

/** A namespace field shared by selector-based entries. */
export function readNamespace(m: MapView): { ok: boolean; namespace?: string } {
  const at = m.get('namespace');
  if (!at) return { ok: true };
  const ns = readString(at, 'a namespace name');
  return ns === undefined ? { ok: false } : { ok: true, namespace: ns };
}

