/**
 * A call's write ops as one byte string, for the store actor's wire.
 *
 * Why: as a message, 500 ops of `{ op, key, encoded }` are 500 records with a
 * byte string each, which the actor runtime's fast frame writer refuses
 * (typed arrays), so msgpackr packs them one by one on the sender and builds
 * 500 objects and views again on the store thread: ~5 µs per write, a third
 * of the sender's time. One byte string is copied whole instead, and the store
 * reads the ops back with a few reads per op.
 *
 * Layout (little-endian), after the 4-byte magic "BOB1" and a uint32 op count:
 *
 *   u8   op: 0 create, 1 update, 2 put, 3 delete
 *   u8   flags: 1 = expectedRevision follows
 *   f64  expectedRevision (if flagged)
 *   u16  key length in bytes, then the key (UTF-8)
 *   not for delete:
 *   u32  value length
 *   u8   room: free bytes before the value
 *        the room, then the value: what encodeForStore produced
 *
 * The room lets the store build its log entry (header, key, value: see
 * log-entry.ts) in place in the received bytes, which it owns: no copy and
 * no allocation per write. The packer leaves HEADER_BYTES + key length - 2
 * (the value's own 2-byte mark is overwritten too); a store that needs
 * another size copies as it would anyway.
 *
 * Only ops whose value is already encoded (or deletes) fit. The store trusts
 * nothing here: unpackOpBatch refuses a malformed batch with
 * InvalidArgumentError, and each value then goes through prepareEncoded's
 * checks like any `encoded` op.
 */
import { PROTO_KEY_BYTES, SPLICE_OK, ENCODING_MSGPACK } from './codec.js';
import { ENCODED_HEADER_BYTES, ENCODED_MARK, encodeWithMsgpackr } from './encoded.js';
import { HEADER_BYTES } from './log-entry.js';
import { InvalidArgumentError } from './errors.js';
import type { ByteOutput } from '../msgpack/byte-output.js';
import { abortOutput, beginOutput, endOutput, outStamped } from './plain-writer.js';
import type { WriteOp, WriteOpKind, WriteResult } from './types.js';

const MAGIC = 0x31424f42; // "BOB1" read as uint32 LE
const KINDS: readonly WriteOpKind[] = ['create', 'update', 'put', 'delete'];
const KIND_CODES: Readonly<Record<WriteOpKind, number>> = { create: 0, update: 1, put: 2, delete: 3 };
const HAS_EXPECTED = 1;

/**
 * Whether every op can travel in a batch: deletes, or values given as
 * `encoded` bytes only, with a string key and a numeric expectedRevision if
 * any. Anything odd travels as ops, so that the store judges it as it is.
 */
export function batchable(ops: readonly WriteOp[]): boolean {
  for (const op of ops) {
    if (typeof op !== 'object' || op === null || typeof op.key !== 'string' || !Object.hasOwn(KIND_CODES, op.op)) return false;
    if (op.op !== 'delete' && (!(op.encoded instanceof Uint8Array) || (op as { value?: unknown }).value !== undefined)) return false;
    const expected = op.op === 'create' ? undefined : op.expectedRevision;
    if (expected !== undefined && typeof expected !== 'number') return false;
  }
  return true;
}

/** Ops packed, without the batch header: segments of several calls join into one batch (joinSegments). */
export interface OpSegment {
  readonly count: number;
  /** BATCH_HEADER free bytes, then the ops. */
  readonly bytes: Buffer;
}

const BATCH_HEADER = 8;

/**
 * Pack ops: deletes, ops with `encoded` (copied), and ops with `value`,
 * encoded here as encodeForStore would (straight into the segment for plain
 * data, plain-writer.ts). Throws InvalidArgumentError for an op that cannot
 * travel this way (see batchable; a value that cannot be encoded), before
 * anything is sent.
 */
export function packOps(ops: readonly WriteOp[]): OpSegment {
  const out = beginOutput();
  if (!out) return packOpsSlowly(ops); // a getter of a value being packed packs again: rare
  try {
    out.zeros(BATCH_HEADER);
    for (let i = 0; i < ops.length; i++) packOp(out, ops[i] as WriteOp, false);
  } catch (err) {
    abortOutput();
    throw err;
  }
  return { count: ops.length, bytes: endBatch(out) };
}

/** packOps when the writer is busy: every value through encodeForStore's msgpackr path, into a separate writer pass. */
function packOpsSlowly(ops: readonly WriteOp[]): OpSegment {
  const encoded = ops.map((op): WriteOp => (op.op === 'delete' || op.encoded !== undefined ? op : { ...op, value: undefined, encoded: encodeWithMsgpackr(op.value) }));
  const out = beginOutput();
  if (!out) throw new InvalidArgumentError('values cannot be packed while another pack is running (a getter that writes?)');
  try {
    out.zeros(BATCH_HEADER);
    for (const op of encoded) packOp(out, op, true);
  } catch (err) {
    abortOutput();
    throw err;
  }
  return { count: ops.length, bytes: endOutput() };
}

function packOp(out: ByteOutput, op: WriteOp, encodedOnly: boolean): void {
  if (typeof op !== 'object' || op === null || typeof op.key !== 'string' || !Object.hasOwn(KIND_CODES, op.op))
    throw new InvalidArgumentError(`an op must be { op: create | update | put | delete, key: string, ... }`);
  out.u8(KIND_CODES[op.op]);
  const expected = op.op === 'create' ? undefined : op.expectedRevision;
  if (expected !== undefined) {
    if (typeof expected !== 'number') throw new InvalidArgumentError(`bad expectedRevision ${String(expected)} for ${op.key}`);
    out.u8(HAS_EXPECTED);
    out.f64le(expected);
  } else out.u8(0);
  const k = Buffer.byteLength(op.key, 'utf8');
  if (k > 0xffff) throw new InvalidArgumentError(`key too long (${k} bytes)`);
  out.u16le(k);
  out.utf8(op.key, k);
  if (op.op === 'delete') return;
  const room = Math.max(0, HEADER_BYTES + k - ENCODED_HEADER_BYTES);
  if (op.encoded !== undefined) {
    if (!(op.encoded instanceof Uint8Array)) throw new InvalidArgumentError(`encoded must be bytes (from encodeForStore) for ${op.key}`);
    if ((op as { value?: unknown }).value !== undefined) throw new InvalidArgumentError(`give value or encoded for ${op.key}, not both`);
    out.u32le(op.encoded.length);
    outRoom(out, room);
    out.bytes(op.encoded);
    return;
  }
  if (encodedOnly) throw new InvalidArgumentError(`no encoded value for ${op.key}`);
  const lengthAt = out.pos;
  out.u32le(0);
  outRoom(out, room);
  const start = out.pos;
  out.u8(ENCODED_MARK);
  out.u8(ENCODING_MSGPACK);
  if (!(SPLICE_OK && outStamped(op.value) && !out.includes(start, PROTO_KEY_BYTES))) {
    // Not plain data (or stored as JSON): msgpackr's path, as encodeForStore takes it. Rewind and copy its bytes.
    const bytes = encodeWithMsgpackr(op.value);
    out.pos = start;
    out.bytes(bytes);
  }
  out.patchU32le(lengthAt, out.pos - start);
}

/**
 * Buffers of op batches, kept for the next batch once the store has answered
 * the call that carried them (releaseSegments).
 *
 * Why: a batch of 500 Pods is ~800 KB, and a new buffer that size is fresh
 * memory each time: the kernel zeroes every page as it is first written
 * (~0.15 ms a batch, a tenth of encoding it). A reply means the batch was
 * copied into the frame that carried it long ago, so its buffer is free.
 */
const spareBuffers: ArrayBuffer[] = [];
/** The buffers this pool made: only they go back to it. */
const pooled = new WeakSet<ArrayBuffer>();
/** Batches smaller than this are not worth keeping; at most this many are kept (a writer's calls in flight). */
const POOL_MIN_BYTES = 64 * 1024;
const POOL_MAX = 16;

/** The batch written since beginOutput, copied into a buffer of its own (a spare one when one fits); the writer is free again. */
function endBatch(out: ByteOutput): Buffer {
  const n = out.pos;
  if (n < POOL_MIN_BYTES) return endOutput();
  let buffer: ArrayBuffer | undefined;
  for (let i = spareBuffers.length - 1; i >= 0; i--)
    if ((spareBuffers[i] as ArrayBuffer).byteLength >= n) {
      buffer = spareBuffers.splice(i, 1)[0];
      break;
    }
  if (buffer === undefined) {
    // A quarter more than needed, so that the next batches of about this size fit.
    buffer = Buffer.allocUnsafeSlow(n + (n >> 2)).buffer as ArrayBuffer;
    pooled.add(buffer);
  }
  const bytes = Buffer.from(buffer, 0, n);
  out.buf.copy(bytes, 0, 0, n);
  abortOutput();
  return bytes;
}

/**
 * The store has answered the call that carried these segments: their
 * buffers may be written again. Only after an answer (not a timeout or a
 * failure to send, when a frame might still be waiting to copy them).
 */
export function releaseSegments(segments: readonly OpSegment[]): void {
  for (const s of segments) {
    const buffer = s.bytes.buffer as ArrayBuffer;
    if (pooled.has(buffer) && spareBuffers.length < POOL_MAX && !spareBuffers.includes(buffer)) spareBuffers.push(buffer);
  }
}

/** The room field and its bytes (zeros: no stale sender memory travels). Rooms past 255 bytes are not offered. */
function outRoom(out: ByteOutput, room: number): void {
  const n = room <= 0xff ? room : 0;
  out.u8(n);
  out.zeros(n);
}

/** One batch of segments (the first one's free header room is used when it is alone). */
export function joinSegments(segments: readonly OpSegment[]): Uint8Array {
  let count = 0;
  let size = BATCH_HEADER;
  for (const s of segments) {
    count += s.count;
    size += s.bytes.length - BATCH_HEADER;
  }
  let out: Buffer;
  if (segments.length === 1) out = (segments[0] as OpSegment).bytes;
  else {
    out = Buffer.allocUnsafe(size);
    let at = BATCH_HEADER;
    for (const s of segments) at += s.bytes.copy(out, at, BATCH_HEADER);
  }
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(count, 4);
  return out;
}

/**
 * Ops from unpackOpBatch carry, under this symbol (which no message can
 * carry), how many free bytes of the batch precede their `encoded` view: the
 * store may write its entry header there (roomBefore).
 */
const ROOM: unique symbol = Symbol('room before encoded');
type RoomyOp = WriteOp & { [ROOM]?: number };

/** Free bytes before `op.encoded` that the store may overwrite: only for ops unpacked from a batch, else 0. */
export function roomBefore(op: WriteOp): number {
  return (op as RoomyOp)[ROOM] ?? 0;
}

/** The ops of a batch; values are views into it (and the batch's free rooms are the store's to write: roomBefore). Throws InvalidArgumentError when it is not a well-formed batch. */
export function unpackOpBatch(batch: unknown): WriteOp[] {
  if (!(batch instanceof Uint8Array)) throw new InvalidArgumentError('an op batch must be bytes');
  const b = Buffer.isBuffer(batch) ? batch : Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength);
  const n = b.length;
  if (n < 8 || b.readUInt32LE(0) !== MAGIC) throw new InvalidArgumentError('not an op batch (bad magic)');
  const count = b.readUInt32LE(4);
  // Every op takes at least 4 bytes: a count beyond that is a lie, refused before allocating for it.
  if (count > (n - 8) / 4) throw new InvalidArgumentError(`op batch claims ${count} ops in ${n} bytes`);
  const ops: WriteOp[] = new Array(count);
  let pos = 8;
  for (let i = 0; i < count; i++) {
    const at = pos;
    if (pos + 2 > n) throw bad(i, at, 'truncated');
    const kind = KINDS[b[pos++] as number];
    if (kind === undefined) throw bad(i, at, `unknown op code ${b[at]}`);
    const flags = b[pos++] as number;
    if ((flags & ~HAS_EXPECTED) !== 0) throw bad(i, at, `unknown flags ${flags}`);
    let expected: number | undefined;
    if (flags & HAS_EXPECTED) {
      if (pos + 8 > n) throw bad(i, at, 'truncated');
      expected = b.readDoubleLE(pos);
      pos += 8;
    }
    if (pos + 2 > n) throw bad(i, at, 'truncated');
    const k = b.readUInt16LE(pos);
    pos += 2;
    if (pos + k > n) throw bad(i, at, 'truncated key');
    const key = b.toString('utf8', pos, pos + k);
    pos += k;
    if (kind === 'delete') {
      ops[i] = expected === undefined ? { op: kind, key } : { op: kind, key, expectedRevision: expected };
      continue;
    }
    if (pos + 5 > n) throw bad(i, at, 'truncated');
    const v = b.readUInt32LE(pos);
    const room = b[pos + 4] as number;
    pos += 5 + room;
    if (pos + v > n) throw bad(i, at, 'truncated value');
    const encoded = b.subarray(pos, pos + v);
    pos += v;
    let op: WriteOp;
    if (kind === 'create') {
      if (expected !== undefined) throw bad(i, at, 'a create has no expectedRevision');
      op = { op: kind, key, encoded };
    } else op = expected === undefined ? { op: kind, key, encoded } : { op: kind, key, encoded, expectedRevision: expected };
    (op as RoomyOp)[ROOM] = room;
    ops[i] = op;
  }
  if (pos !== n) throw new InvalidArgumentError(`op batch has ${n - pos} bytes after its ${count} ops`);
  return ops;
}

function bad(i: number, at: number, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`op batch: op ${i} at byte ${at}: ${why}`);
}

/**
 * Brief results of a batch, compact for the way back: two numbers per op
 * (revision, prevRevision; 0, 0 for a failed op) and the failed ops' results
 * in order. The sender has the ops, so it rebuilds each success (op, key,
 * no value) itself: 500 result records with their keys were most of a
 * reply's cost on both threads.
 */
export interface BriefResults {
  readonly revisions: number[];
  readonly failed: WriteResult[];
}

export function briefResults(results: readonly WriteResult[]): BriefResults {
  const revisions = new Array<number>(2 * results.length);
  const failed: WriteResult[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as WriteResult;
    if (r.ok) {
      revisions[2 * i] = r.revision;
      revisions[2 * i + 1] = r.prevRevision;
    } else {
      revisions[2 * i] = 0;
      revisions[2 * i + 1] = 0;
      failed.push(r);
    }
  }
  return { revisions, failed };
}

/** The brief WriteResults of `ops` from briefResults; throws when the reply does not fit the ops. */
export function expandBriefResults(ops: readonly WriteOp[], reply: BriefResults): WriteResult[] {
  const { revisions, failed } = reply;
  if (!Array.isArray(revisions) || !Array.isArray(failed) || revisions.length !== 2 * ops.length)
    throw new Error(`store reply does not fit ${ops.length} ops`);
  const out = new Array<WriteResult>(ops.length);
  let f = 0;
  for (let i = 0; i < ops.length; i++) {
    const revision = revisions[2 * i] as number;
    const op = ops[i] as WriteOp;
    if (revision > 0) out[i] = { ok: true, op: op.op, key: op.key, revision, value: undefined, prevRevision: revisions[2 * i + 1] as number };
    else if (f < failed.length) out[i] = failed[f++] as WriteResult;
    else throw new Error(`store reply does not fit ${ops.length} ops`);
  }
  return out;
}
