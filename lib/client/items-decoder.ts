/**
 * Decodes list items that the api-server sent as bytes (ApiResponse
 * encodedItems: msgpack records against its shared structure table,
 * concatenated; see actors/api-server/list-encoding.ts). The decoder is
 * kept while the table is the same and has not grown, so msgpackr's
 * compiled record readers are reused across pages.
 */
import { Unpackr } from 'msgpackr';
import type { EncodedItems } from '../../actors/api-server/messages.js';

const MAX_SHARED_STRUCTURES = 32;

export class ItemsDecoder {
  private table = '';
  private known = -1;
  private unpackr: Unpackr | undefined;

  decode<T = unknown>(e: EncodedItems): T[] {
    if (!this.unpackr || e.table !== this.table || e.structures.length !== this.known) {
      this.unpackr = new Unpackr({ structures: e.structures.map((s) => [...s]), maxSharedStructures: MAX_SHARED_STRUCTURES });
      this.table = e.table;
      this.known = e.structures.length;
    }
    const items = e.count === 0 ? [] : (this.unpackr.unpackMultiple(e.bytes) as T[]);
    if (items.length !== e.count) throw new Error(`encoded list items: expected ${e.count}, decoded ${items.length}`);
    return items;
  }
}
