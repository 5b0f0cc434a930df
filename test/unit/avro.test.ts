/**
 * pgcdc's Avro long (exact 64 bits, number or bigint) and the Confluent wire framing. Expected
 * bytes come from an independent zig-zag varint encoder over bigints (the Avro spec's encoding).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { compileSchema, decodeWire, encodeWire, wireSchemaId } from '../../src/avro/codec.js';

/** Avro long: zig-zag, then base-128 varint, low groups first. */
function avroLongBytes(v: bigint): Buffer {
  let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  const out: number[] = [];
  do {
    let b = Number(z & 0x7fn);
    z >>= 7n;
    if (z > 0n) b |= 0x80;
    out.push(b);
  } while (z > 0n);
  return Buffer.from(out);
}

/** avsc decodes records into instances of a generated class; compare their fields. */
const plain = (v: unknown): Record<string, unknown> => ({ ...(v as Record<string, unknown>) });

const P52 = 2 ** 52;
const P31 = 2 ** 31;
const YEAR_9999_US = 253402300799999999n; // 9999-12-31T23:59:59.999999Z in microseconds
const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

/** Number edge values: all safe integers, so they are accepted as numbers. */
const numberEdges = [0, 1, -1, P31, -P31, P31 - 1, -P31 - 1, 2 ** 30, -(2 ** 30), 2 ** 30 - 1, -(2 ** 30) - 1, P52, -P52, P52 - 1, -P52 + 1, P52 + 1, -(P52 + 1), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1];
/** Bigint edge values, including ones beyond 2^53. */
const bigintEdges = [0n, 1n, -1n, 2n ** 53n, -(2n ** 53n), 2n ** 53n + 1n, -(2n ** 53n) - 1n, MAX_LONG, MIN_LONG, YEAR_9999_US, -YEAR_9999_US, -62167219200000000n];

const schemas: [string, avro.Type][] = [
  ['"long"', compileSchema('long')],
  ['{"type":"long","connect.name":"x"}', compileSchema({ type: 'long', 'connect.name': 'x' })],
];

/** What a decode must return: a number when exact, else a bigint. */
const expectedDecoded = (v: number | bigint): number | bigint => {
  const b = BigInt(v);
  return b >= -BigInt(Number.MAX_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
};

describe('exact long', () => {
  for (const [label, type] of schemas) {
    describe(label, () => {
      it('round-trips number edge values as numbers, with the spec bytes', () => {
        for (const v of numberEdges) {
          const buf = type.toBuffer(v);
          assert.deepEqual(buf, avroLongBytes(BigInt(v)), `bytes of ${v}`);
          const back = type.fromBuffer(buf);
          assert.equal(typeof back, 'number', `type of ${v}`);
          assert.equal(back, v);
        }
      });

      it('round-trips bigint edge values: number when safe, bigint otherwise', () => {
        for (const v of bigintEdges) {
          const buf = type.toBuffer(v);
          assert.deepEqual(buf, avroLongBytes(v), `bytes of ${v}`);
          assert.equal(type.fromBuffer(buf), expectedDecoded(v), `value of ${v}`);
        }
      });

      it('writes a number and the equal bigint identically', () => {
        for (const v of numberEdges) assert.deepEqual(type.toBuffer(v), type.toBuffer(BigInt(v)), `${v}`);
      });

      it("matches avsc's standard long byte for byte where that is exact (|v| <= 2^52)", () => {
        const standard = avro.Type.forSchema('long');
        const values = [...numberEdges.filter((v) => Math.abs(v) <= P52)];
        for (let i = 0; i < 2000; i++) values.push(Math.round((Math.random() * 2 - 1) * P52), Math.round((Math.random() * 2 - 1) * 2 ** (i % 53)));
        for (const v of values) assert.deepEqual(type.toBuffer(v), standard.toBuffer(v), `${v}`);
      });

      it('rejects numbers that are not safe integers and bigints outside 64 bits', () => {
        for (const v of [2 ** 53, -(2 ** 53), 1.5, -0.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null]) {
          assert.throws(() => type.toBuffer(v), /invalid "long"/, String(v));
          assert.equal(type.isValid(v), false, String(v));
        }
        for (const v of [2n ** 63n, MIN_LONG - 1n]) {
          assert.throws(() => type.toBuffer(v), String(v)); // avsc cannot print a bigint in its message
          assert.equal(type.isValid(v), false, String(v));
        }
        assert.equal(type.isValid(MAX_LONG), true);
        assert.equal(type.isValid(-P52 - 1), true);
      });
    });
  }

  it('uses the exact long inside records, unions and arrays', () => {
    const type = compileSchema({
      type: 'record',
      name: 'Row',
      fields: [
        { name: 'a', type: 'long' },
        { name: 'ts', type: ['null', { type: 'long', 'connect.name': 'io.debezium.time.MicroTimestamp' }] },
        { name: 'xs', type: { type: 'array', items: 'long' } },
        { name: 'm', type: { type: 'map', values: 'long' } },
      ],
    });
    const rows = [
      { a: -(P52 + 1), ts: YEAR_9999_US, xs: [0, 1, -1, MAX_LONG, MIN_LONG, P52 + 1], m: { k: Number.MAX_SAFE_INTEGER } },
      { a: P52, ts: null, xs: [], m: {} },
      { a: 0, ts: 1_700_000_000_000_000, xs: [-P31], m: { z: -(2n ** 53n) } },
    ];
    for (const row of rows) {
      const back = plain(type.fromBuffer(type.toBuffer(row)));
      assert.deepEqual(back, {
        a: expectedDecoded(row.a),
        ts: row.ts === null ? null : expectedDecoded(row.ts),
        xs: row.xs.map(expectedDecoded),
        m: Object.fromEntries(Object.entries(row.m).map(([k, v]) => [k, expectedDecoded(v)])),
      });
    }
    // The record's bytes are the concatenation of the fields' spec bytes.
    const buf = type.toBuffer({ a: -(P52 + 1), ts: null, xs: [], m: {} });
    assert.deepEqual(buf, Buffer.concat([avroLongBytes(-(2n ** 52n) - 1n), Buffer.from([0, 0, 0])]));
  });
});

describe('Confluent wire format', () => {
  const type = compileSchema({
    type: 'record',
    name: 'Row',
    fields: [
      { name: 'id', type: 'long' },
      { name: 's', type: 'string' },
    ],
  });

  it('frames the Avro body with magic byte 0 and the big-endian schema id', () => {
    const value = { id: YEAR_9999_US, s: 'héllo' };
    const wire = encodeWire(0x01020304, type, value);
    assert.deepEqual(wire.subarray(0, 5), Buffer.from([0, 1, 2, 3, 4]));
    assert.deepEqual(wire.subarray(5), type.toBuffer(value));
    assert.equal(wireSchemaId(wire), 0x01020304);
    assert.deepEqual(plain(decodeWire(type, wire)), { id: YEAR_9999_US, s: 'héllo' });
  });

  it('encodes values larger than the scratch buffer, and small ones after them', () => {
    for (const len of [10, 65_530, 65_531, 65_536, 200_000, 3_000_000, 7]) {
      const value = { id: len, s: 'x'.repeat(len) };
      const wire = encodeWire(42, type, value);
      assert.equal(wire.length, 5 + type.toBuffer(value).length, `length ${len}`);
      assert.deepEqual(plain(decodeWire(type, wire)), value);
    }
  });

  it('returns a buffer that later encodes do not overwrite', () => {
    const first = encodeWire(1, type, { id: 1, s: 'first' });
    const copy = Buffer.from(first);
    encodeWire(2, type, { id: 2, s: 'second, longer' });
    assert.deepEqual(first, copy);
  });

  it('rejects values that do not match the schema', () => {
    assert.throws(() => encodeWire(1, type, { id: 1.5, s: 'x' }), /invalid/);
    assert.deepEqual(plain(decodeWire(type, encodeWire(1, type, { id: 2, s: 'ok' }))), { id: 2, s: 'ok' });
  });

  it('refuses a buffer without the magic byte', () => {
    assert.throws(() => decodeWire(type, Buffer.from([1, 0, 0, 0, 1, 2])), /magic byte is 1/);
  });
});
