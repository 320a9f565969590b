/**
 * The HTTP side of fieldValidation: repeated keys in a JSON body (only the
 * raw text shows them) and the `Warning` response headers that carry the
 * warnings, one header per warning, as Kubernetes sends them:
 * `Warning: 299 - "unknown field \"spec.replica\""` (kubectl prints
 * `Warning: unknown field "spec.replica"`).
 */
import { duplicateJsonFields } from '../../../lib/api/validation/duplicate-fields.js';

const JSON_BODY_TYPES = new Set(['', 'application/json', '*/*', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json']);

/**
 * Keys repeated in the body, when the body is JSON text and fieldValidation
 * is Strict or Warn (the default); undefined otherwise. YAML bodies need no
 * scan: their parser refuses repeated keys. Protobuf has no field names.
 */
export function bodyDuplicates(raw: Buffer, contentType: string | undefined, fieldValidation: string | undefined): string[] | undefined {
  if (fieldValidation === 'Ignore' || raw.length === 0) return undefined;
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!JSON_BODY_TYPES.has(t)) return undefined;
  const found = duplicateJsonFields(raw.toString('utf8'));
  return found.length > 0 ? found : undefined;
}

/** Total warning text sent per response, as Kubernetes caps it (4 Ki runes): a body with thousands of unknown fields must not make a huge header. */
const MAX_WARNING_TEXT = 4 * 1024;

/** `299 - "<text>"` per warning, up to the cap; quotes and backslashes escaped, and anything a header cannot carry. */
export function warningHeaders(warnings: readonly string[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (const w of warnings) {
    total += w.length;
    if (total > MAX_WARNING_TEXT) break;
    out.push(`299 - "${w.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`);
  }
  return out;
}
