/**
 * Strings the watch cache keeps for every object (its key, labels, and
 * selectable fields), stored so that they cost what they hold: repeated
 * values shared, and no string keeping a whole decoded message alive.
 */
import type { Fields } from '../../lib/api/selectors/index.js';

/**
 * Field and label values repeat across objects ('Running', 'default-scheduler',
 * a node's name, app=web): one string each instead of one per object. Names
 * are unique, so not interned; the table is bounded, so other unique values
 * (IPs, hashes) cannot grow it without limit: past the bound, values are
 * kept as they come.
 */
const INTERNED_MAX = 20_000;
const interned = new Map<string, string>();

/** `f` (fresh from toFields: changed in place, so it keeps the literal's compact layout) with shared values. */
export function internFields(f: Fields): Fields {
  const out = f as Record<string, string>;
  for (const k in out) out[k] = k === 'metadata.name' ? ownString(out[k]!) : intern(out[k]!);
  return out;
}

/** Labels with shared values (ownString past the bound); the object as it is when it has an own `__proto__` key. */
export function ownLabels(labels: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> | undefined {
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  for (const k in labels) {
    if (k === '__proto__') return labels;
    out[k] = intern(labels[k]!);
  }
  return out;
}

function intern(v: string): string {
  if (typeof v !== 'string') return v; // unvalidated data from the initial listing: kept as it is
  let s = interned.get(v);
  if (s === undefined) {
    s = ownString(v);
    if (interned.size < INTERNED_MAX) interned.set(s, s);
  }
  return s;
}

/**
 * `s` in storage of its own. msgpackr decodes a message's strings as slices
 * of one string holding all of them, so keeping one name from a decoded
 * request or event batch would keep the whole of it (measured: ~600 bytes a
 * Pod). Strings under 13 characters are never slices in V8; a longer one is
 * copied through a concatenation, which V8 flattens into a new string.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : (' ' + s).substring(1);
}

