import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultText } from '../../src/types/column-default.js';
import { fieldDefault, withConnectDefault } from '../../src/events/field-default.js';
import { mapColumn, defaultConversionOptions } from '../../src/types/index.js';
import type { PgTypeInfo, TypeCatalog } from '../../src/types/catalog.js';

test('default expressions as PostgreSQL stores them become the text Debezium parses', () => {
  const cases: [string | null, string, boolean, string | null][] = [
    ["'it''s'::text", 'text', false, "it's"],
    ["'abc'::character varying", 'varchar', false, 'abc'],
    ['NULL::text', 'text', false, null],
    ['42', 'int4', false, '42'],
    ["'-3'::integer", 'int4', false, '-3'],
    ["nextval('t_id_seq'::regclass)", 'int4', false, '0'],
    ["nextval('t_id_seq'::regclass)", 'int8', false, '0'],
    ['NULL::integer', 'int4', false, null],
    ['(1 + 2)', 'int4', false, null], // an expression Debezium cannot parse: no default
    ['1.5', 'numeric', false, '1.5'],
    ['true', 'bool', false, 't'],
    ['false', 'bool', false, 'f'],
    ['now()', 'timestamptz', false, '1970-01-01 00:00:00+00'],
    ['CURRENT_TIMESTAMP', 'timestamptz', false, '1970-01-01 00:00:00+00'],
    ['CURRENT_DATE', 'date', false, '1970-01-01'],
    ["'2020-01-02 03:04:05'::timestamp without time zone", 'timestamp', false, '2020-01-02 03:04:05'],
    ['gen_random_uuid()', 'uuid', false, '00000000-0000-0000-0000-000000000000'],
    ["'{\"a\": 1}'::jsonb", 'jsonb', false, '{"a": 1}'],
    ["'1 day'::interval", 'interval', false, '1 day'],
    ["now() - '1 day'::interval", 'interval', false, null],
    ["'happy'::mood", 'mood', true, 'happy'],
    ["'happy'::public.mood", 'mood', true, 'happy'],
    ["'{1,2}'::integer[]", '_int4', false, null], // arrays have no default in Debezium's schemas
    ["'\\x00'::bytea", 'bytea', false, null],
    ["'1'::\"bit\"", 'bit', false, '1'],
    ["'101'::\"bit\"", 'bit', false, null],
    [null, 'text', false, null],
  ];
  for (const [expr, type, isEnum, expected] of cases) assert.equal(defaultText(expr, type, isEnum), expected, `${expr} (${type})`);
});

const noCatalog: TypeCatalog = { get: () => undefined };
const column = (typeOid: number, typeMod = -1, catalog = noCatalog) =>
  mapColumn({ name: 'c', typeOid, typeMod, isKey: false, notNull: false }, catalog, defaultConversionOptions, 'public.t');

test('a default gets the form of the column values: Decimal bytes, days, µs, ZonedTimestamp', () => {
  assert.deepEqual(fieldDefault("'z'::text", 25, noCatalog, column(25)), { value: 'z', json: 'z' });
  const price = fieldDefault('1.5', 1700, noCatalog, column(1700, ((10 << 16) | 2) + 4));
  assert.deepEqual(price?.value, Buffer.from([0x00, 0x96])); // 150 at scale 2
  assert.equal(price?.json, '\u0000\u0096');
  assert.equal(fieldDefault('2', 1700, noCatalog, column(1700)), null, 'VariableScaleDecimal is a struct: no default');
  assert.deepEqual(fieldDefault("'2020-01-02'::date", 1082, noCatalog, column(1082)), { value: 18263, json: 18263 });
  assert.deepEqual(fieldDefault('now()', 1184, noCatalog, column(1184)), { value: '1970-01-01T00:00:00.000000Z', json: '1970-01-01T00:00:00.000000Z' });
  assert.equal(fieldDefault("'9007199254740993'::bigint", 20, noCatalog, column(20)), null, 'a long JSON cannot carry exactly');
  assert.deepEqual(fieldDefault("'-3'::integer", 21, noCatalog, column(21)), { value: -3, json: -3 });
  const mood: PgTypeInfo = { oid: 90000, name: 'mood', schema: 'public', typtype: 'e', category: 'E', elementOid: 0, baseOid: 0, baseTypmod: -1, enumLabels: ['sad', 'happy'] };
  const catalog: TypeCatalog = { get: (oid) => (oid === mood.oid ? mood : undefined) };
  assert.deepEqual(fieldDefault("'happy'::mood", mood.oid, catalog, column(mood.oid, -1, catalog)), { value: 'happy', json: 'happy' });
});

test('connect.default sits where the Confluent converter writes it', () => {
  assert.deepEqual(withConnectDefault('string', 'z'), { type: 'string', 'connect.default': 'z' });
  assert.deepEqual(Object.keys(withConnectDefault({ type: 'int', 'connect.type': 'int16' }, 1) as object), ['type', 'connect.default', 'connect.type']);
  assert.deepEqual(
    Object.keys(withConnectDefault({ type: 'bytes', scale: 2, precision: 10, 'connect.version': 1, 'connect.parameters': {}, 'connect.name': 'org.apache.kafka.connect.data.Decimal', logicalType: 'decimal' }, 'x') as object),
    ['type', 'scale', 'precision', 'connect.version', 'connect.parameters', 'connect.default', 'connect.name', 'logicalType'],
  );
});
