/**
 * Decodes list items and watch events that the api-server sent as bytes
 * (ApiResponse encodedItems: the records encoding, see records.ts), each
 * message carrying the table entries its receiver lacked.
 *
 * The tables are kept once per thread and api-server run, shared by every
 * transport of the thread: a thread of 1,000 simulated kubelets holds one
 * copy of the strings, and their informers' objects share them. Each reply
 * or event batch starts where its receiver said it stood (a list request's
 * TableMark, or the watch's own previous batch); the thread's copy is at
 * least there, since every message sent to it is learnt from, in order, and
 * the tables only grow.
 */
import type { EncodedItems } from '../../actors/api-server/messages.js';
import { RecordTable, type TableMark } from './records.js';

/**
 * Tables of the api-servers this thread heard from most recently (a
 * restarted one starts new tables; tests run several clusters at once). A
 * watch whose table was dropped ends at its next batch, and lists again.
 */
const KEEP_TABLES = 16;
const tables = new Map<string, RecordTable>();
/** The table last learnt from on this thread: a new transport's first guess (a thread of kubelets talks to one api-server). */
let latest = '';

function tableFor(id: string): RecordTable {
  let t = tables.get(id);
  if (t) tables.delete(id); // re-inserted last: the least recently used goes first
  else {
    if (tables.size >= KEEP_TABLES) tables.delete(tables.keys().next().value!);
    t = new RecordTable(id);
  }
  tables.set(id, t);
  return t;
}

export interface ItemsDecoderOptions {
  /**
   * Items are API objects read without metadata.managedFields (skipped in
   * the bytes: RecordTable.readMany): for a receiver that drops them anyway,
   * as trimForCache and trimDecoded do. Default false: objects as the server has them.
   */
  readonly withoutManagedFields?: boolean;
}

export class ItemsDecoder {
  /** The tables of the api-server this decoder last heard from. */
  private table = '';
  private readonly withoutManagedFields: boolean;

  constructor(opts: ItemsDecoderOptions = {}) {
    this.withoutManagedFields = opts.withoutManagedFields ?? false;
  }

  /** What this thread holds of those tables, for a request to send along (a wrong guess only costs the whole table). */
  known(): TableMark | undefined {
    return tables.get(this.table || latest)?.mark();
  }

  /** Takes the message's table entries, whether or not its items are wanted (a later message starts after them). */
  learn(e: EncodedItems): RecordTable {
    const t = tableFor(e.table);
    this.table = latest = e.table;
    t.learn(e.stringsFrom, e.strings, e.structuresFrom, e.structures);
    return t;
  }

  /** learn, or false when the thread's copy is behind the message's entries (nothing learnt). */
  tryLearn(e: EncodedItems): boolean {
    const t = tableFor(e.table);
    if (e.stringsFrom > t.strings.length || e.structuresFrom > t.structures.length) return false;
    this.learn(e);
    return true;
  }

  decode<T = unknown>(e: EncodedItems): T[] {
    const t = this.learn(e);
    return e.count === 0 ? [] : (t.readMany(e.bytes, e.count, this.withoutManagedFields) as T[]);
  }
}
