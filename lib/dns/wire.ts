/**
 * The DNS wire format (RFC 1035), as much as a small authoritative server
 * for cluster names needs: read one question from a query, write a response
 * with A or CNAME answers. Queries are untrusted bytes: every read is bounds
 * checked, and what cannot be read becomes a FORMERR answer (when the header
 * is readable) or nothing.
 */

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = (typeof RCODE)[keyof typeof RCODE];

export const QTYPE = { A: 1, CNAME: 5, AAAA: 28, ANY: 255 } as const;
export const CLASS_IN = 1;

/** Classic DNS over UDP: anything longer is truncated (TC) and the client asks again over TCP. */
export const UDP_MAX_BYTES = 512;

const HEADER_BYTES = 12;
const MAX_NAME_BYTES = 255;
const MAX_LABEL_BYTES = 63;

export interface DnsQuestion {
  /** Lower-case, without the trailing dot ('' for the root). */
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface DnsQuery {
  readonly id: number;
  /** Recursion desired: echoed in the answer, as RFC 1035 asks. */
  readonly rd: boolean;
  readonly question: DnsQuestion;
  /** The question as sent (original letter case), echoed in the answer. */
  readonly questionBytes: Buffer;
}

export type ParsedQuery =
  | { readonly ok: true; readonly query: DnsQuery }
  /** `id` is undefined when not even the header was readable (the packet is dropped). */
  | { readonly ok: false; readonly id: number | undefined; readonly rcode: Rcode; readonly error: string; readonly rd: boolean };

export function parseQuery(buf: Buffer): ParsedQuery {
  if (buf.length < HEADER_BYTES) return { ok: false, id: undefined, rcode: RCODE.FORMERR, error: `packet of ${buf.length} bytes is shorter than a DNS header`, rd: false };
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const rd = (flags & 0x0100) !== 0;
  // A response sent to us is never answered: answering it could start a loop between two servers.
  if (flags & 0x8000) return { ok: false, id: undefined, rcode: RCODE.FORMERR, error: 'packet is a response, not a query', rd };
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0) return { ok: false, id, rcode: RCODE.NOTIMP, error: `opcode ${opcode} is not supported`, rd };
  const qdcount = buf.readUInt16BE(4);
  if (qdcount !== 1) return { ok: false, id, rcode: RCODE.FORMERR, error: `${qdcount} questions (exactly 1 is supported)`, rd };
  const name = readName(buf, HEADER_BYTES);
  if (!name.ok) return { ok: false, id, rcode: RCODE.FORMERR, error: name.error, rd };
  const end = name.end + 4;
  if (end > buf.length) return { ok: false, id, rcode: RCODE.FORMERR, error: 'question ends before its type and class', rd };
  const question = { name: name.name, type: buf.readUInt16BE(name.end), class: buf.readUInt16BE(name.end + 2) };
  // Additional records (an EDNS OPT, say) are ignored: the answer is plain DNS.
  return { ok: true, query: { id, rd, question, questionBytes: Buffer.from(buf.subarray(HEADER_BYTES, end)) } };
}

/** An uncompressed name at `offset`: queries carry one question, so no compression pointers are accepted. */
function readName(buf: Buffer, offset: number): { ok: true; name: string; end: number } | { ok: false; error: string } {
  const labels: string[] = [];
  let at = offset;
  for (;;) {
    if (at >= buf.length) return { ok: false, error: 'question name runs past the end of the packet' };
    const len = buf[at]!;
    if (len === 0) break;
    if ((len & 0xc0) !== 0) return { ok: false, error: `label at byte ${at} is a compression pointer or reserved type` };
    if (len > MAX_LABEL_BYTES) return { ok: false, error: `label at byte ${at} is longer than ${MAX_LABEL_BYTES}` };
    if (at + 1 + len > buf.length) return { ok: false, error: 'question name runs past the end of the packet' };
    labels.push(buf.toString('latin1', at + 1, at + 1 + len).toLowerCase());
    at += 1 + len;
    if (at - offset + 1 > MAX_NAME_BYTES) return { ok: false, error: `question name is longer than ${MAX_NAME_BYTES} bytes` };
  }
  return { ok: true, name: labels.join('.'), end: at + 1 };
}

/** A name in wire form; labels longer than 63 bytes are the caller's error. */
export function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  const out: Buffer[] = [];
  for (const label of parts) {
    const b = Buffer.from(label, 'latin1');
    if (b.length > MAX_LABEL_BYTES) throw new RangeError(`DNS label '${label}' is longer than ${MAX_LABEL_BYTES}`);
    out.push(Buffer.from([b.length]), b);
  }
  out.push(Buffer.from([0]));
  return Buffer.concat(out);
}

export type DnsAnswer = { readonly type: typeof QTYPE.A; readonly ip: string; readonly ttl: number } | { readonly type: typeof QTYPE.CNAME; readonly target: string; readonly ttl: number };

export interface ResponseOptions {
  /** Over this size the answers are left out and TC set; default none (TCP). */
  readonly maxBytes?: number;
}

/** The response to `query`: every answer's owner is the question's name (a pointer to it). */
export function buildResponse(query: DnsQuery, rcode: Rcode, answers: readonly DnsAnswer[], opts: ResponseOptions = {}): Buffer {
  const records = answers.map(encodeAnswer);
  let size = HEADER_BYTES + query.questionBytes.length;
  for (const r of records) size += r.length;
  const truncated = opts.maxBytes !== undefined && size > opts.maxBytes;
  const kept = truncated ? [] : records;
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(query.id, 0);
  // QR=1, opcode 0, AA=1 (we are the authority for cluster names), TC, RD echoed, RA=0 (no recursion).
  header.writeUInt16BE(0x8000 | 0x0400 | (truncated ? 0x0200 : 0) | (query.rd ? 0x0100 : 0) | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(kept.length, 6);
  return Buffer.concat([header, query.questionBytes, ...kept]);
}

/** An answer to a query that could not be read: the header alone. */
export function buildError(id: number, rcode: Rcode, rd: boolean): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8000 | (rd ? 0x0100 : 0) | rcode, 2);
  return header;
}

function encodeAnswer(a: DnsAnswer): Buffer {
  const rdata = a.type === QTYPE.A ? Buffer.from(a.ip.split('.').map(Number)) : encodeName(a.target);
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc000 | HEADER_BYTES, 0); // owner: the question's name
  fixed.writeUInt16BE(a.type, 2);
  fixed.writeUInt16BE(CLASS_IN, 4);
  fixed.writeUInt32BE(a.ttl, 6);
  fixed.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([fixed, rdata]);
}

/** A query for `name` (tests and tools). */
export function encodeQuery(id: number, name: string, type: number = QTYPE.A): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, encodeName(name), tail]);
}

/** The header fields and A addresses of a response (tests and tools; assumes our own response layout). */
export function decodeResponse(buf: Buffer): { id: number; rcode: number; aa: boolean; tc: boolean; answers: number; ips: string[] } {
  const flags = buf.readUInt16BE(2);
  const answers = buf.readUInt16BE(6);
  let at = HEADER_BYTES;
  if (buf.readUInt16BE(4) === 1) {
    while (buf[at] !== 0) at += buf[at]! + 1;
    at += 5;
  }
  const ips: string[] = [];
  for (let i = 0; i < answers; i++) {
    const type = buf.readUInt16BE(at + 2);
    const len = buf.readUInt16BE(at + 10);
    if (type === QTYPE.A && len === 4) ips.push([...buf.subarray(at + 12, at + 16)].join('.'));
    at += 12 + len;
  }
  return { id: buf.readUInt16BE(0), rcode: flags & 0xf, aa: (flags & 0x0400) !== 0, tc: (flags & 0x0200) !== 0, answers, ips };
}
