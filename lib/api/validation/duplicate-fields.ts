// Duplicate keys in a JSON text. JSON.parse keeps the last of a repeated
// key without a word; Kubernetes' strict decoder reports each repeat as
// `duplicate field "metadata.name"` (fieldValidation Strict fails the
// request, Warn sends a warning, and the last value wins either way). Only
// the raw text shows them, so this scans it: a small tokenizer that only
// tracks object keys and list positions, run on text JSON.parse accepted.

import { renderPath } from './unknown-fields.js';

type Segment = string | number;

/** Keys an object may have before they are looked up in a Set rather than a list. */
const SMALL = 16;

/** The paths of repeated keys, in text order ("metadata.name", "spec.containers[0].image"). */
export function duplicateJsonFields(text: string): string[] {
  const out: string[] = [];
  const path: Segment[] = [];
  // Per open container: the keys seen (objects) or the next index (lists). Keys go in a plain
  // list while there are few (most objects), then in a Set, so a map of 100,000 keys stays linear.
  const frames: ({ keys: string[]; set?: Set<string> } | { index: number })[] = [];
  let i = 0;
  const n = text.length;
  // Whether the next string in the current object is a key.
  let expectKey = false;

  const readString = (): string => {
    const start = ++i;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x5c) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c === 0x22) break;
      i++;
    }
    const raw = text.slice(start, i);
    i++; // closing quote
    return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
  };

  /** Called before a value starts: a list element gets its index on the path. */
  const beginValue = (): void => {
    const top = frames[frames.length - 1];
    if (top && 'index' in top) path.push(top.index++);
  };
  /** Called after a value ends: drop what beginValue or the key pushed. */
  const endValue = (): void => {
    if (frames.length > 0) path.pop();
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x7b: // {
        beginValue();
        frames.push({ keys: [] });
        expectKey = true;
        i++;
        break;
      case 0x5b: // [
        beginValue();
        frames.push({ index: 0 });
        expectKey = false;
        i++;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        frames.pop();
        i++;
        endValue();
        break;
      case 0x2c: {
        // ,
        const top = frames[frames.length - 1];
        expectKey = top !== undefined && 'keys' in top;
        i++;
        break;
      }
      case 0x3a: // :
        i++;
        break;
      case 0x22: {
        // "
        if (expectKey) {
          const key = readString();
          const top = frames[frames.length - 1] as { keys: string[]; set?: Set<string> };
          if (top.set ? top.set.has(key) : top.keys.includes(key)) out.push(renderPath([...path, key]));
          else if (top.set) top.set.add(key);
          else if (top.keys.push(key) > SMALL) top.set = new Set(top.keys);
          path.push(key);
          expectKey = false;
        } else {
          beginValue();
          readString();
          endValue();
        }
        break;
      }
      case 0x20:
      case 0x0a:
      case 0x0d:
      case 0x09:
        i++;
        break;
      default: {
        // A number or a literal (true, false, null): up to the next delimiter.
        beginValue();
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
          i++;
        }
        endValue();
      }
    }
  }
  return out;
}
