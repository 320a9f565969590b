/**
 * A growable output buffer with msgpackr's forms for strings and numbers:
 * what both compiled msgpack writers share (lib/actor/codec-writer.ts, the
 * runtime's frames as records; lib/store/plain-writer.ts, the store's values
 * as plain maps). Their byte-equality tests against msgpackr cover it.
 *
 * Fields are public on purpose: the writers' hot loops index `buf` at `pos`
 * directly. Whoever writes past `safeEnd` must `grow` first; a value that
 * fits in 16 bytes needs only `if (out.pos > out.safeEnd) out.grow(16)`.
 */
export class ByteOutput {
  buf: Buffer;
  view: DataView;
  pos = 0;
  /** Past this, a value may not fit: grow first. Strings check their own worst case. */
  safeEnd: number;

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.safeEnd = size - 16;
  }

  /** Room for `need` more bytes past `pos` (and the 16-byte slack). */
  grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + need + 16) size *= 2;
    const bigger = Buffer.allocUnsafeSlow(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
    this.safeEnd = size - 16;
  }

  /** The bytes written since `from`, in a buffer of their own. `slow`: not from Node's pool (safe to transfer). */
  copyOut(from: number, slow: boolean): Buffer {
    const n = this.pos - from;
    const out = slow ? Buffer.allocUnsafeSlow(n) : Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, from, this.pos);
    return out;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.safeEnd) this.grow(n);
    const buf = this.buf;
    const pos = this.pos;
    if (n < 24) for (let i = 0; i < n; i++) buf[pos + i] = b[i] as number;
    else buf.set(b, pos);
    this.pos = pos + n;
  }

  /** A msgpack string, as msgpackr writes it. */
  string(s: string): void {
    const length = s.length;
    if (this.pos + length * 3 + 5 > this.safeEnd) this.grow(length * 3 + 5);
    const buf = this.buf;
    let pos = this.pos;
    if (length < 0x20) {
      // Short ASCII, by far the most common: header known up front, one pass.
      let p = pos + 1;
      let i = 0;
      for (; i < length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === length) {
        buf[pos] = 0xa0 | length;
        this.pos = p;
        return;
      }
    }
    // msgpackr's way: guess the header from the UTF-16 length, write, then move the bytes if the guess was wrong.
    const header = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    const n = length < 0x40 ? writeUtf8(buf, pos + header, s) : buf.write(s, pos + header);
    if (n < 0x20) {
      if (header !== 1) buf.copyWithin(pos + 1, pos + header, pos + header + n);
      buf[pos] = 0xa0 | n;
      pos += 1 + n;
    } else if (n < 0x100) {
      if (header !== 2) buf.copyWithin(pos + 2, pos + header, pos + header + n);
      buf[pos] = 0xd9;
      buf[pos + 1] = n;
      pos += 2 + n;
    } else if (n < 0x10000) {
      if (header !== 3) buf.copyWithin(pos + 3, pos + header, pos + header + n);
      buf[pos] = 0xda;
      buf[pos + 1] = n >> 8;
      buf[pos + 2] = n & 0xff;
      pos += 3 + n;
    } else {
      if (header !== 5) buf.copyWithin(pos + 5, pos + header, pos + header + n);
      buf[pos] = 0xdb;
      this.view.setUint32(pos + 1, n);
      pos += 5 + n;
    }
    this.pos = pos;
  }

  /**
   * A msgpack number, as msgpackr writes it: integers in the smallest form,
   * other numbers as float64. Positive fixints stop below `fixintBelow`
   * (0x80 for plain msgpack; 0x40 with records, whose ids take 0x40..0x7f).
   * The caller has checked `pos <= safeEnd`.
   */
  number(v: number, fixintBelow: number): void {
    const buf = this.buf;
    let pos = this.pos;
    if (v >>> 0 === v) {
      if (v < fixintBelow) buf[pos++] = v;
      else if (v < 0x100) {
        buf[pos++] = 0xcc;
        buf[pos++] = v;
      } else if (v < 0x10000) {
        buf[pos++] = 0xcd;
        buf[pos++] = v >> 8;
        buf[pos++] = v & 0xff;
      } else {
        buf[pos++] = 0xce;
        this.view.setUint32(pos, v);
        pos += 4;
      }
    } else if (v >> 0 === v) {
      if (v >= -0x20) buf[pos++] = 0x100 + v;
      else if (v >= -0x80) {
        buf[pos++] = 0xd0;
        buf[pos++] = v + 0x100;
      } else if (v >= -0x8000) {
        buf[pos++] = 0xd1;
        this.view.setInt16(pos, v);
        pos += 2;
      } else {
        buf[pos++] = 0xd2;
        this.view.setInt32(pos, v);
        pos += 4;
      }
    } else {
      buf[pos++] = 0xcb;
      this.view.setFloat64(pos, v);
      pos += 8;
    }
    this.pos = pos;
  }

  // Little-endian framing around msgpack values (lib/store/op-batch.ts).

  u8(v: number): void {
    if (this.pos > this.safeEnd) this.grow(16);
    this.buf[this.pos++] = v;
  }

  u16le(v: number): void {
    if (this.pos > this.safeEnd) this.grow(16);
    this.pos = this.buf.writeUInt16LE(v, this.pos);
  }

  u32le(v: number): void {
    if (this.pos > this.safeEnd) this.grow(16);
    this.pos = this.buf.writeUInt32LE(v, this.pos);
  }

  /** Overwrite a uint32 written earlier (a length known only afterwards). */
  patchU32le(at: number, v: number): void {
    this.buf.writeUInt32LE(v, at);
  }

  f64le(v: number): void {
    if (this.pos > this.safeEnd) this.grow(16);
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }

  /** Raw UTF-8 (no msgpack header), `bytes` long. */
  utf8(s: string, bytes: number): void {
    if (this.pos + bytes > this.safeEnd) this.grow(bytes);
    this.pos += this.buf.write(s, this.pos, bytes, 'utf8');
  }

  zeros(n: number): void {
    if (this.pos + n > this.safeEnd) this.grow(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Whether the bytes written since `from` contain `needle`. */
  includes(from: number, needle: Buffer): boolean {
    return this.buf.subarray(from, this.pos).includes(needle);
  }

  /** null, a boolean or undefined (msgpackr's: fixext 1, type 0), the caller having checked `pos <= safeEnd`. */
  constant(v: null | boolean | undefined): void {
    const buf = this.buf;
    if (v === undefined) {
      buf[this.pos++] = 0xd4;
      buf[this.pos++] = 0;
      buf[this.pos++] = 0;
    } else buf[this.pos++] = v === null ? 0xc0 : v ? 0xc3 : 0xc2;
  }

  /** Bytes as msgpack bin 8/16/32. */
  bin(b: Uint8Array): void {
    const n = b.byteLength;
    if (this.pos + n + 5 > this.safeEnd) this.grow(n + 5);
    const buf = this.buf;
    if (n < 0x100) {
      buf[this.pos++] = 0xc4;
      buf[this.pos++] = n;
    } else if (n < 0x10000) {
      buf[this.pos++] = 0xc5;
      buf[this.pos++] = n >> 8;
      buf[this.pos++] = n & 0xff;
    } else {
      buf[this.pos++] = 0xc6;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
    buf.set(b, this.pos);
    this.pos += n;
  }

  /** A msgpack array header. */
  arrayHeader(n: number): void {
    if (this.pos > this.safeEnd) this.grow(16);
    const buf = this.buf;
    if (n < 0x10) buf[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      buf[this.pos++] = 0xdc;
      buf[this.pos++] = n >> 8;
      buf[this.pos++] = n & 0xff;
    } else {
      buf[this.pos++] = 0xdd;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
  }
}

/** UTF-8 of a short string at `p`, lone surrogates as U+FFFD (as msgpackr and TextEncoder write them); returns the byte count. */
function writeUtf8(buf: Buffer, start: number, s: string): number {
  let p = start;
  const length = s.length;
  for (let i = 0; i < length; i++) {
    let c1 = s.charCodeAt(i);
    let c2: number;
    if (c1 < 0x80) buf[p++] = c1;
    else if (c1 < 0x800) {
      buf[p++] = (c1 >> 6) | 0xc0;
      buf[p++] = (c1 & 0x3f) | 0x80;
    } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
      c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
      i++;
      buf[p++] = (c1 >> 18) | 0xf0;
      buf[p++] = ((c1 >> 12) & 0x3f) | 0x80;
      buf[p++] = ((c1 >> 6) & 0x3f) | 0x80;
      buf[p++] = (c1 & 0x3f) | 0x80;
    } else if ((c1 & 0xf800) === 0xd800) {
      buf[p++] = 0xef;
      buf[p++] = 0xbf;
      buf[p++] = 0xbd;
    } else {
      buf[p++] = (c1 >> 12) | 0xe0;
      buf[p++] = ((c1 >> 6) & 0x3f) | 0x80;
      buf[p++] = (c1 & 0x3f) | 0x80;
    }
  }
  return p - start;
}
