import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyColumnType } from '../../src/loader/column-types.js';
import { dateText, decimalText, timestampText, timeText } from '../../src/loader/value-text.js';
import { copyTargetOf, shapeOf } from '../../src/loader/table-shape.js';
import { decimal, INT16, named, variableScaleDecimal } from '../../src/types/schemas.js';

const map = (schema: unknown, value: unknown) => {
  const t = copyColumnType(schema as never);
  return [t.pgType, t.toSql(value)];
};

test('loader type table: Avro primitives', () => {
  assert.deepEqual(map('boolean', true), ['boolean', true]);
  assert.deepEqual(map(INT16(), 7), ['smallint', 7]);
  assert.deepEqual(map('int', -3), ['integer', -3]);
  assert.deepEqual(map('long', 2n ** 62n), ['bigint', '4611686018427387904']);
  assert.deepEqual(map('long', 5), ['bigint', 5]);
  assert.deepEqual(map('float', 1.5), ['real', 1.5]);
  assert.deepEqual(map('double', 2.25), ['double precision', 2.25]);
  assert.deepEqual(map('string', 'x'), ['text', 'x']);
  assert.deepEqual(map('bytes', Buffer.from([1, 2])), ['bytea', Buffer.from([1, 2])]);
  assert.deepEqual(map(['null', 'int'], 4), ['integer', 4], 'optional unions are unwrapped');
  assert.deepEqual(map({ type: 'array', items: ['null', 'int'] }, [1, null]), ['integer[]', [1, null]]);
});

test('loader type table: Connect logical names come before the Avro type', () => {
  assert.deepEqual(map(decimal(2, 10), Buffer.from([0x04, 0xd2])), ['numeric', '12.34']);
  assert.deepEqual(map(decimal(2, 10), Buffer.from([0xfb, 0x2e])), ['numeric', '-12.34']);
  assert.deepEqual(map(variableScaleDecimal(), { scale: 3, value: Buffer.from([0x01]) }), ['numeric', '0.001']);
  assert.deepEqual(map('io.debezium.data.VariableScaleDecimal', { scale: 0, value: Buffer.from([0xff]) }), ['numeric', '-1'], 'a named-type reference');
  assert.deepEqual(map(named('int', 'io.debezium.time.Date'), 19723), ['date', '2024-01-01']);
  assert.deepEqual(map(named('int', 'io.debezium.time.Time'), 3_723_004), ['time', '01:02:03.004000']);
  assert.deepEqual(map(named('long', 'io.debezium.time.MicroTime'), 3_723_000_005), ['time', '01:02:03.000005']);
  assert.deepEqual(map(named('long', 'io.debezium.time.MicroTimestamp'), 1_704_067_200_000_001), ['timestamp', '2024-01-01 00:00:00.000001']);
  assert.deepEqual(map(named('long', 'io.debezium.time.Timestamp'), 1_704_067_200_123), ['timestamp', '2024-01-01 00:00:00.123000']);
  assert.deepEqual(map(named('string', 'io.debezium.time.ZonedTimestamp'), '2024-01-01T00:00:00Z'), ['timestamptz', '2024-01-01T00:00:00Z']);
  assert.deepEqual(map(named('string', 'io.debezium.data.Json'), '{"a":1}'), ['jsonb', '{"a":1}']);
  assert.deepEqual(map(named('string', 'io.debezium.data.Uuid'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ['uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
  assert.deepEqual(map(named('string', 'io.debezium.data.Enum', { allowed: 'a,b' }), 'a'), ['text', 'a']);
  assert.deepEqual(map({ type: 'long', 'connect.name': 'io.debezium.time.MicroDuration' }, 1_000_000), ['interval', '1000000 microseconds']);
});

test('loader type table: unknown shapes become the text of the value', () => {
  assert.deepEqual(map({ type: 'map', values: 'long' }, { a: 1n }), ['text', '{"a":"1"}']);
  assert.deepEqual(map({ type: 'record', name: 'X', fields: [] }, { b: 2 }), ['text', '{"b":2}']);
  assert.deepEqual(map(['null', 'int', 'string'], 3), ['text', '3']);
});

test('value texts: decimals, dates around year 1, times, timestamps, infinity sentinels', () => {
  assert.equal(decimalText(Buffer.from([0x00]), 0), '0');
  assert.equal(decimalText(Buffer.from([0x05]), 3), '0.005');
  assert.equal(decimalText(Buffer.from([0x80]), 0), '-128');
  assert.equal(decimalText(Buffer.from([0x01]), -2), '100');
  assert.equal(dateText(0), '1970-01-01');
  assert.equal(dateText(-719162), '0001-01-01');
  assert.equal(dateText(-719163), '0001-12-31 BC');
  assert.equal(dateText(-2147472692), 'infinity');
  assert.equal(timeText(86_400_000_000), '24:00:00.000000');
  assert.equal(timestampText(-1, 'us'), '1969-12-31 23:59:59.999999');
  assert.equal(timestampText(9223372036825200000n, 'us'), 'infinity');
  assert.equal(timestampText(-9223372036832400n, 'ms'), '-infinity');
});

test('topics name their copy table; envelopes give the columns', () => {
  assert.deepEqual(copyTargetOf('pre.public.items', 'pre'), { schema: 'public', table: 'items' });
  assert.equal(copyTargetOf('pre.transaction', 'pre'), null);
  assert.equal(copyTargetOf('other.public.items', 'pre'), null);
  const envelope = {
    type: 'record',
    name: 'Envelope',
    fields: [
      { name: 'before', type: ['null', { type: 'record', name: 'Value', fields: [{ name: 'id', type: 'int' }, { name: 'n', type: ['null', decimal(1, 5)] }] }] },
      { name: 'after', type: ['null', 'Value'] },
    ],
  };
  const shape = shapeOf(1, envelope);
  assert.throws(() => shapeOf(2, { name: 'NotEnvelope', fields: [{ name: 'after', type: ['null', 'Value'] }] }), /NotEnvelope is not a Debezium envelope/);
  assert.deepEqual(shape.columns.map((c) => [c.name, c.type.pgType]), [['id', 'integer'], ['n', 'numeric']]);
});
