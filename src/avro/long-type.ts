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
  writeLong(n: number): void;
}
type Write = (this: unknown, tap: Tap, value: unknown) => void;
const packedWrite = (packedLongType as unknown as { _write: Write })._write;

/**
 * The type pgcdc uses: `packedLongType` with a fast write path for the common case, plain numbers
 * within ±2^52, which avsc's native varint writer encodes byte for byte as the 8-byte path would.
 * Reading, validation and everything else are inherited. avsc freezes the types `__with` returns,
 * so the override sits on a (frozen) object inheriting from it; avsc calls a field type's `_write`
 * as a method, so records, arrays, maps and unions holding this type use it.
 */
export const exactLongType: typeof packedLongType = Object.freeze(
  Object.create(packedLongType, {
    _write: {
      value: function (this: unknown, tap: Tap, value: unknown): void {
        if (typeof value === 'number' && value <= FAST_LIMIT && value >= -FAST_LIMIT && Number.isInteger(value)) tap.writeLong(value);
        else packedWrite.call(this, tap, value);
      },
    },
  }),
);
