import avro from 'avsc';

/**
 * Avro `long` that keeps all 64 bits: timestamps in microseconds (year 9999 is about 2.5e17) and
 * int8 columns exceed JavaScript's 2^53. Writes accept a number or a bigint; reads return a number
 * when it is exact and a bigint otherwise.
 */
const scratch = Buffer.alloc(8); // toBuffer's result is consumed synchronously by avsc, so one buffer serves
const TWO_32 = 4294967296;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export const exactLongType = avro.types.LongType.__with({
  fromBuffer(buf: Buffer): number | bigint {
    const v = buf.readBigInt64LE(0);
    return v <= SAFE && v >= -SAFE ? Number(v) : v;
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
  isValid: (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'bigint' && v >= -(2n ** 63n) && v < 2n ** 63n),
  compare: (a: number | bigint, b: number | bigint) => (a === b ? 0 : a < b ? -1 : 1),
});
