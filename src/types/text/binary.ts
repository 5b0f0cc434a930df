import { TextFormatError } from '../errors.js';

/** bytea output with bytea_output=hex: `\x` followed by two lowercase hex digits per byte. */
export function parseByteaHex(text: string): Buffer {
  if (text.charCodeAt(0) !== 0x5c || text.charCodeAt(1) !== 0x78 /* \x */ || text.length % 2 !== 0) {
    throw new TextFormatError(`malformed bytea text (expected bytea_output=hex): ${text.length > 40 ? text.slice(0, 37) + '...' : text}`);
  }
  const buf = Buffer.from(text.slice(2), 'hex');
  if (buf.length * 2 !== text.length - 2) throw new TextFormatError('malformed bytea text (not hexadecimal)');
  return buf;
}

/** Debezium's base64-url-safe is java.util.Base64.getUrlEncoder(): URL alphabet WITH "=" padding. */
export function base64UrlPadded(buf: Buffer): string {
  const s = buf.toString('base64url');
  const pad = (4 - (s.length % 4)) % 4;
  return pad === 0 ? s : s + '='.repeat(pad);
}

/** bit(1) / varbit(1): true when the single bit is 1. */
export function parseBit(text: string): boolean {
  if (text === '1') return true;
  if (text === '0') return false;
  throw new TextFormatError(`malformed bit(1) text: ${text}`);
}

/**
 * io.debezium.data.Bits bytes of a bit string, as Debezium's PostgresValueConverter.convertBits
 * builds them: the LAST character is bit 0 (java.util.BitSet index len-1-i), and the bytes are
 * BitSet.toByteArray(): LITTLE-endian, bit k in byte k/8 at position k%8, and only as many bytes
 * as the highest set bit needs (high zero bytes are dropped; all zeros give an empty array).
 * Examples from Debezium's tests: B'11' -> [0x03], bit(7) '1000000' -> [0x40],
 * '000000110000001000000001' -> [0x01, 0x02, 0x03], '00' -> [].
 */
export function bitsToBytes(text: string): Buffer {
  const len = text.length;
  const first = text.indexOf('1');
  if (first < 0) {
    if (/[^0]/.test(text)) throw new TextFormatError(`malformed bit string text: ${text.slice(0, 40)}`);
    return Buffer.alloc(0);
  }
  const highest = len - 1 - first;
  const out = Buffer.alloc((highest >> 3) + 1);
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x31) {
      const bit = len - 1 - i;
      out[bit >> 3] |= 1 << (bit & 7);
    } else if (c !== 0x30) {
      throw new TextFormatError(`malformed bit string text: ${text.slice(0, 40)}`);
    }
  }
  return out;
}
