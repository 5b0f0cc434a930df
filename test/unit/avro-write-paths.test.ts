/**
 * pgcdc's faster Avro write paths (short ASCII strings, ["null", T] unions, 64-bit bigints) must
 * write exactly the bytes avsc's own types write, and reject exactly what they reject.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { compileSchema, encodeWire, decodeWire } from '../../src/avro/codec.js';

const standard = (schema: unknown) => avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false });

const strings = ['', 'a', 'op', '2024-01-01T00:00:01.000000Z', 'x'.repeat(62), 'x'.repeat(63), 'x'.repeat(64), 'é', `${'a'.repeat(62)}é`, '日本語', '😀', 'a\u007f', '\u0080', 'ü'.repeat(40), 'z'.repeat(300)];

describe('Avro write paths', () => {
  it('strings: the bytes of avsc, ASCII or not, short or long', () => {
    for (const schema of ['string', { type: 'string', 'connect.name': 'io.debezium.data.Enum' }]) {
      const fast = compileSchema(schema);
      const plain = standard(schema);
      for (const s of strings) {
        assert.deepEqual(fast.toBuffer(s), plain.toBuffer(s), JSON.stringify(s));
        assert.equal(fast.fromBuffer(fast.toBuffer(s)), s);
      }
      for (const bad of [5, null, undefined, Buffer.from('x'), {}]) assert.throws(() => fast.toBuffer(bad), /invalid/);
    }
  });

  const branches: [unknown, unknown[], unknown[]][] = [
    ['string', strings, [5, Buffer.from('x'), {}, true]],
    ['int', [0, -1, 2 ** 31 - 1, -(2 ** 31)], [1.5, 2 ** 31, '1', 1n]],
    ['long', [0, -1, 2 ** 52, -(2 ** 52), Number.MAX_SAFE_INTEGER, 5n, 2n ** 62n, -(2n ** 63n), 1732258800123456000n], [1.5, '1', 2n ** 63n, 2 ** 53]],
    ['double', [0, 1.5, -1e300, Infinity], ['1', 1n]],
    ['boolean', [true, false], [0, 'true']],
    ['bytes', [Buffer.alloc(0), Buffer.from([1, 2, 3])], ['abc', [1]]],
    [{ type: 'enum', name: 'E', symbols: ['A', 'B'] }, ['A', 'B'], ['C', 0]],
    [{ type: 'array', items: ['null', 'string'] }, [[], ['a', null, 'é']], ['a', {}]],
    [{ type: 'map', values: 'int' }, [{}, { a: 1 }], [[1], 'a']],
    [{ type: 'record', name: 'R', fields: [{ name: 'x', type: ['null', 'int'], default: null }] }, [{ x: null }, { x: 3 }, {}], [5, 'str', [1], Buffer.from('x')]],
  ];

  for (const [branch, good, bad] of branches) {
    for (const order of ['null first', 'null last'] as const) {
      it(`["null", ${JSON.stringify(branch)}] (${order}): same bytes as avsc, same rejections`, () => {
        const schema = order === 'null first' ? ['null', branch] : [branch, 'null'];
        const fast = compileSchema(schema);
        const isRecord = (branch as { type?: string }).type === 'record';
        const plain = branch === 'long' ? null : standard(schema); // avsc's own long is inexact beyond 2^53
        for (const v of [null, ...good]) {
          const bytes = fast.toBuffer(v);
          if (plain) assert.deepEqual(bytes, plain.toBuffer(v), `bytes of ${String(v)}`);
          const back = fast.fromBuffer(bytes);
          if (typeof v === 'bigint') assert.equal(BigInt(back as bigint), v);
          else if (isRecord && v) assert.deepEqual({ ...(back as object) }, { x: null, ...(v as object) });
          else assert.deepEqual(back, v);
        }
        for (const v of [...bad, undefined]) assert.throws(() => fast.toBuffer(v), `${String(v)} must be rejected`);
      });
    }
  }

  it('64-bit bigints beyond 2^52 in unions: the spec bytes', () => {
    const fast = compileSchema(['null', 'long']);
    for (const v of [2n ** 52n + 1n, -(2n ** 52n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 1732258800123456789n, -1732258800123456789n]) {
      const z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
      const expected: number[] = [2]; // branch index 1
      for (let rest = z; ; ) {
        const b = Number(rest & 0x7fn);
        rest >>= 7n;
        expected.push(rest > 0n ? b | 0x80 : b);
        if (rest === 0n) break;
      }
      assert.deepEqual([...fast.toBuffer(v)], expected, String(v));
    }
  });

  it('a record larger than the encoder scratch is retried into a larger buffer with the same bytes', () => {
    const schema = { type: 'record', name: 'Big', fields: [{ name: 'a', type: 'string' }, { name: 'b', type: ['null', 'string'] }, { name: 'c', type: ['null', 'long'] }] };
    const fast = compileSchema(schema);
    for (const len of [65_530, 65_536, 70_000, 2_000_000]) {
      const value = { a: 'q'.repeat(len), b: 'short', c: 1732258800123456789n };
      const buf = encodeWire(3, fast, value);
      assert.equal(buf.length, 5 + fast.toBuffer(value).length);
      const back = decodeWire(fast, buf) as typeof value;
      assert.equal(back.a.length, len);
      assert.equal(back.b, 'short');
      assert.equal(back.c, 1732258800123456789n);
    }
  });
});
