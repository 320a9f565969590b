/**
 * The message codec: msgpackr with shared structures.
 *
 * Every thread builds its Packr from the same seed list, frozen with
 * `maxSharedStructures` = its length, so any thread can decode any other's
 * bytes (two sides that grow their own lists cannot: see
 * ../shared/notes/libraries-on-node20.md). Shapes outside the seed travel as
 * records defined inline, once per frame, which a batch amortizes.
 *
 * Frames of plain data are written by codec-writer.ts: the same bytes as
 * msgpackr's pack, for ~40% less CPU (encoding was most of a Pod burst's
 * sending thread); anything else is packed by msgpackr. Decoding is msgpackr's.
 *
 * A frame is one msgpack array: the sender's clock reading, then envelopes
 * flattened as `[now, to, from, reqId, body, to, from, reqId, body, ...]`;
 * reqId is 0 for a plain send, > 0 for a request, < 0 for the reply to
 * request -reqId. The clock reading carries virtual time along causality.
 *
 * msgpackr decodes an own key named `__proto__` as `__proto_` (its guard
 * against prototype pollution); layers that carry such user keys escape them.
 */
import { Packr } from 'msgpackr';
import { createFrameWriter, writerSupports, type FrameWriter } from './codec-writer.js';
import type { Address } from './types.js';

/** Seed shapes: the runtime's own plus whatever the embedder adds. Order matters; never reorder. */
export const runtimeStructures: readonly (readonly string[])[] = [
  ['type'],
  ['ok', 'value'],
  ['ok', 'code', 'message'],
  ['type', 'n'],
  ['type', 'payload'],
  ['name', 'namespace'],
  ['name', 'namespace', 'uid', 'resourceVersion'],
  ['key', 'value'],
];

export interface CodecOptions {
  /** Extra seed shapes, identical in every thread (passed in workerData). */
  readonly structures?: readonly (readonly string[])[];
}

export function seedStructures(options: CodecOptions = {}): string[][] {
  return [...runtimeStructures, ...(options.structures ?? [])].map((s) => [...s]);
}

/**
 * The fast frame writer of each Packr made here (same seed, same bytes as its
 * pack: see codec-writer.ts). A Packr made elsewhere packs with msgpackr.
 */
const frameWriters = new WeakMap<Packr, FrameWriter>();

export function createPackr(seed: readonly (readonly string[])[]): Packr {
  const structures = seed.map((s) => [...s]);
  const packr = new Packr({
    // Loaded through getStructures (not the `structures` option) so that msgpackr
    // marks them shared: a frame that redefines a shared id inline (garbage, or
    // a foreign packr's records) is then undone after that frame, instead of
    // poisoning every later decode.
    getStructures: () => structures.map((s) => [...s]),
    maxSharedStructures: structures.length,
    // Frozen: never save shapes discovered at run time; they travel inline.
    saveStructures: () => false,
  });
  if (writerSupports(structures)) frameWriters.set(packr, createFrameWriter(structures));
  return packr;
}

/** A reply body: the value, or an error with a stable code. */
export type ReplyBody = { ok: true; value: unknown } | { ok: false; code: string; message: string };

/** The clock reading, then flattened envelopes: [to, from, reqId, body] repeated. */
export type FrameItems = unknown[];

/** Encode a batch into bytes of its own, so it can be transferred. */
export function encodeFrame(packr: Packr, items: FrameItems): Uint8Array {
  const fast = frameWriters.get(packr)?.write(items);
  if (fast) return fast;
  // Not plain data (a Date, a Map, typed arrays...): msgpackr's pack, with its extensions.
  const packed = packr.pack(items);
  // pack() returns a view into a reused buffer: copy, or a transfer would
  // detach bytes that later frames are written into.
  return Uint8Array.prototype.slice.call(packed);
}

export class FrameError extends Error {}

/** Decode a frame, checking its shape; throws FrameError when it is not a frame. */
export function decodeFrame(packr: Packr, bytes: Uint8Array): FrameItems {
  let items: unknown;
  try {
    items = packr.unpack(bytes);
  } catch (err) {
    throw new FrameError(`undecodable frame (${bytes.byteLength} bytes): ${(err as Error).message}`);
  }
  if (!Array.isArray(items) || items.length % 4 !== 1 || typeof items[0] !== 'number') {
    throw new FrameError('frame is not a clock reading followed by envelopes');
  }
  return items;
}

/** Why one decoded envelope cannot be delivered, or null when it can. */
export function envelopeProblem(to: unknown, from: unknown, reqId: unknown, body: unknown): string | null {
  if (typeof to !== 'string' || typeof from !== 'string') return 'envelope without string addresses';
  if (typeof reqId !== 'number' || !Number.isInteger(reqId)) return 'envelope without an integer reqId';
  if (typeof body !== 'object' || body === null) return 'message is not an object';
  if (reqId >= 0 && typeof (body as { type?: unknown }).type !== 'string') return 'message without a string type';
  return null;
}

export function messageType(body: unknown): string {
  const t = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined;
  return typeof t === 'string' ? t : '?';
}

export interface EnvelopeRef {
  readonly to: Address;
  readonly from: Address;
  readonly reqId: number;
  readonly body: unknown;
}
