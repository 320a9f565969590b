/**
 * metadata.uid for new objects: random (version 4) UUIDs, as Kubernetes
 * gives. crypto.randomUUID builds each one by concatenating 20 pieces, which
 * is most of the garbage a create makes outside the object itself; here the
 * 36 characters are written into a scratch buffer and read out as one flat
 * string, from random bytes drawn 256 UUIDs at a time.
 */
import { randomFillSync } from 'node:crypto';

const BATCH = 256;
const random = Buffer.alloc(16 * BATCH);
let next = BATCH;
const text = Buffer.alloc(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where each of the 16 bytes goes in the text (two hex digits), around the dashes at 8, 13, 18 and 23. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
text[8] = text[13] = text[18] = text[23] = 0x2d;

/** A new random UUID (RFC 4122 version 4, variant 10xx), lower-case. */
export function newUid(): string {
  if (next === BATCH) {
    randomFillSync(random);
    next = 0;
  }
  const from = 16 * next++;
  for (let i = 0; i < 16; i++) {
    let b = random[from + i]!;
    if (i === 6) b = (b & 0x0f) | 0x40; // version 4
    else if (i === 8) b = (b & 0x3f) | 0x80; // variant 10xx
    text[AT[i]!] = HEX[b >> 4]!;
    text[AT[i]! + 1] = HEX[b & 15]!;
  }
  return text.toString('latin1', 0, 36);
}
