import avro from 'avsc';

/**
 * Avro `long` that keeps all 64 bits: timestamps in microseconds (year 9999 is about 2.5e17) and
 * int8 columns exceed JavaScript's 2^53. Writes accept a number or a bigint; reads return a number
 * when it is exact and a bigint otherwise.
 */
const scratch = Buffer.alloc(8); // toBuffer's result is consumed synchronously by avsc, so one buffer serves
const TWO_32 = 4294967296;
/**
 * avsc's Tap.writeLong zig-zags negative numbers in doubles (`-n * 2 - 1`), which is exact only
 * while 2|n| - 1 <= 2^53, i.e. |n| <= 2^52; numbers in that range take it, the rest the 8-byte path.
 */
const FAST_LIMIT = 2 ** 52;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -SAFE;
const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

/** The exact (slow) path: the value as 8 little-endian bytes, which avsc zig-zag packs. */
const packedLongType = avro.types.LongType.__with({
  fromBuffer(buf: Buffer): number | bigint {
    const v = buf.readBigInt64LE(0);
    return v <= SAFE && v >= MIN_SAFE ? Number(v) : v;
  },
  toBuffer(value: number | bigint): Buffer {
    if (typeof value === 'bigint') {
      scratch.writeBigInt64LE(value, 0);
    } else {
      const hi = Math.floor(value / TWO_32);
      scratch.writeUInt32LE(value - hi * TWO_32, 0);
      scratch.writeInt32LE(hi, 4);
    }
    return scratch;
  },
  fromJSON: (v: unknown) => (typeof v === 'number' ? v : BigInt(v as string)),
  toJSON: (v: number | bigint) => (typeof v === 'bigint' ? v.toString() : v),
  isValid: (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'bigint' && v >= MIN_LONG && v <= MAX_LONG),
  compare: (a: number | bigint, b: number | bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

interface Tap {
  buf: Buffer;
  pos: number;
  writeLong(n: number): void;
}
type Write = (this: unknown, tap: Tap, value: unknown) => void;
const packedWrite = (packedLongType as unknown as { _write: Write })._write;
const FAST_LIMIT_BIG = BigInt(FAST_LIMIT);

/**
 * A bigint beyond ±2^52 (ts_ns, timestamps in ns) as a zig-zag varint, written 7 bits at a time
 * from two 32-bit halves: the 8-byte path costs a buffer write, three reads and an array per value.
 * Like avsc's own writers it may run past the end of the tap's buffer (typed arrays ignore those
 * writes) and leaves `pos` beyond it, which tells the encoder to retry with a larger buffer.
 */
function writeBigLong(tap: Tap, value: bigint): void {
  const zigzag = value >= 0n ? value << 1n : ((-value) << 1n) - 1n;
  let lo = Number(BigInt.asUintN(32, zigzag));
  let hi = Number(zigzag >> 32n);
  const buf = tap.buf;
  let pos = tap.pos;
  while (hi !== 0 || lo > 0x7f) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
  tap.pos = pos;
}

/**
 * The type pgcdc uses: `packedLongType` with fast write paths for the common cases, numbers and
 * bigints within ±2^52 (avsc's native varint writer encodes them byte for byte as the 8-byte path
 * would) and other 64-bit bigints (writeBigLong).
 * Reading, validation and everything else are inherited. avsc freezes the types `__with` returns,
 * so the override sits on a (frozen) object inheriting from it; avsc calls a field type's `_write`
 * as a method, so records, arrays, maps and unions holding this type use it.
 */
export const exactLongType: typeof packedLongType = Object.freeze(
  Object.create(packedLongType, {
    _write: {
      value: function (this: unknown, tap: Tap, value: unknown): void {
        if (typeof value === 'number') {
          if (value <= FAST_LIMIT && value >= -FAST_LIMIT && Number.isInteger(value)) return tap.writeLong(value);
        } else if (typeof value === 'bigint') {
          if (value <= FAST_LIMIT_BIG && value >= -FAST_LIMIT_BIG) return tap.writeLong(Number(value));
          if (value <= MAX_LONG && value >= MIN_LONG) return writeBigLong(tap, value);
        }
        packedWrite.call(this, tap, value); // the rest, and invalid values (it throws)
      },
    },
  }),
);
