/**
 * PostgreSQL type -> Avro mapping. Input strings are what PostgreSQL 15 printed with
 * DateStyle=ISO, IntervalStyle=iso_8601, TimeZone=UTC, extra_float_digits=3, bytea_output=hex
 * (captured with psql -Atc); expected epoch values were cross-checked with extract(epoch ...).
 * Expected Debezium behaviour comes from PostgresValueConverter and its tests
 * (AbstractRecordsProducerTest).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ColumnDescriptor, PgTypeInfo, TypeCatalog } from '../../src/types/catalog.js';
import type { ConversionOptions } from '../../src/types/mapping.js';
import { ConversionError, defaultConversionOptions, mapColumn, UnsupportedTypeError } from '../../src/types/index.js';
import { parseArrayText } from '../../src/types/text/array.js';
import { twosComplement } from '../../src/types/text/numeric.js';
import { daysFromCivil, civilFromDays } from '../../src/types/text/calendar.js';
import avro from 'avsc';
import { exactLongType } from '../../src/avro/long-type.js';

const OID = {
  bool: 16, bytea: 17, char: 18, name: 19, int8: 20, int2: 21, int4: 23, text: 25, oid: 26, json: 114, xml: 142,
  point: 600, float4: 700, float8: 701, money: 790, inet: 869, bpchar: 1042, varchar: 1043, date: 1082, time: 1083,
  timestamp: 1114, timestamptz: 1184, interval: 1186, timetz: 1266, bit: 1560, varbit: 1562, numeric: 1700,
  uuid: 2950, pg_lsn: 3220, tsvector: 3614, jsonb: 3802, int4range: 3904, int4multirange: 4451,
  _int2: 1005, _int4: 1007, _text: 1009, _bytea: 1001, _numeric: 1231, _timestamptz: 1185, _interval: 1187,
  _int4range: 3905, int2vector: 22,
};

const emptyCatalog: TypeCatalog = { get: () => undefined };
function catalogOf(...types: PgTypeInfo[]): TypeCatalog {
  const m = new Map(types.map((t) => [t.oid, t]));
  return { get: (oid) => m.get(oid) };
}
function pgType(oid: number, name: string, typtype: string, extra: Partial<PgTypeInfo> = {}): PgTypeInfo {
  return { oid, name, schema: 'public', typtype, category: 'U', elementOid: 0, baseOid: 0, baseTypmod: -1, ...extra };
}
function col(typeOid: number, typeMod = -1, name = 'c'): ColumnDescriptor {
  return { name, typeOid, typeMod, isKey: false, notNull: false };
}
function map(typeOid: number, typeMod = -1, options: Partial<ConversionOptions> = {}, catalog = emptyCatalog) {
  return mapColumn(col(typeOid, typeMod), catalog, { ...defaultConversionOptions, ...options }, 'public.t');
}
const conv = (typeOid: number, typeMod: number, text: string, options: Partial<ConversionOptions> = {}) => map(typeOid, typeMod, options).convert(text);
const numericMod = (p: number, s: number) => ((p << 16) | (s & 0x7ff)) + 4;
const bytes = (...b: number[]) => Buffer.from(b);

describe('schemas (Confluent AvroData of Debezium Connect schemas)', () => {
  it('primitives', () => {
    assert.equal(map(OID.bool).schema, 'boolean');
    assert.deepEqual(map(OID.int2).schema, { type: 'int', 'connect.type': 'int16' });
    assert.equal(map(OID.int4).schema, 'int');
    assert.equal(map(OID.int8).schema, 'long');
    assert.equal(map(OID.oid).schema, 'long');
    assert.equal(map(OID.float4).schema, 'float');
    assert.equal(map(OID.float8).schema, 'double');
    for (const t of [OID.text, OID.varchar, OID.bpchar, OID.name, OID.char, OID.inet, OID.int4range]) assert.equal(map(t).schema, 'string');
    assert.equal(map(OID.bytea).schema, 'bytes');
    assert.equal(map(OID.bytea, -1, { binaryHandlingMode: 'hex' }).schema, 'string');
  });

  it('named strings', () => {
    assert.deepEqual(map(OID.uuid).schema, { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.data.Uuid' });
    assert.deepEqual(map(OID.jsonb).schema, { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.data.Json' });
    assert.deepEqual(map(OID.json).schema, { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.data.Json' });
    assert.deepEqual(map(OID.xml).schema, { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.data.Xml' });
    assert.deepEqual(map(OID.tsvector).schema, { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.data.Tsvector' });
  });

  it('numeric(10,2) is a Connect Decimal with precision, key order as AvroData writes it', () => {
    const s = map(OID.numeric, numericMod(10, 2)).schema;
    assert.equal(
      JSON.stringify(s),
      '{"type":"bytes","scale":2,"precision":10,"connect.version":1,"connect.parameters":{"scale":"2","connect.decimal.precision":"10"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}',
    );
  });

  it('unconstrained numeric is VariableScaleDecimal; double/string modes', () => {
    assert.equal(
      JSON.stringify(map(OID.numeric).schema),
      '{"type":"record","name":"VariableScaleDecimal","namespace":"io.debezium.data","fields":[{"name":"scale","type":"int"},{"name":"value","type":"bytes"}],"connect.doc":"Variable scaled decimal","connect.version":1,"connect.name":"io.debezium.data.VariableScaleDecimal"}',
    );
    assert.equal(map(OID.numeric, numericMod(10, 2), { decimalHandlingMode: 'double' }).schema, 'double');
    assert.equal(map(OID.numeric, -1, { decimalHandlingMode: 'string' }).schema, 'string');
  });

  it('money is a Decimal without precision parameter (AvroData default precision 64)', () => {
    assert.deepEqual(map(OID.money).schema, {
      type: 'bytes', scale: 2, precision: 64, 'connect.version': 1, 'connect.parameters': { scale: '2' },
      'connect.name': 'org.apache.kafka.connect.data.Decimal', logicalType: 'decimal',
    });
    assert.deepEqual((map(OID.money, -1, { moneyFractionDigits: 4 }).schema as { scale: number }).scale, 4);
    assert.equal(map(OID.money, -1, { decimalHandlingMode: 'string' }).schema, 'string');
  });

  it('temporal types, adaptive', () => {
    const n = (type: string, name: string) => ({ type, 'connect.version': 1, 'connect.name': name });
    assert.deepEqual(map(OID.date).schema, n('int', 'io.debezium.time.Date'));
    assert.deepEqual(map(OID.time, 3).schema, n('int', 'io.debezium.time.Time'));
    assert.deepEqual(map(OID.time, 0).schema, n('int', 'io.debezium.time.Time'));
    assert.deepEqual(map(OID.time, 4).schema, n('long', 'io.debezium.time.MicroTime'));
    assert.deepEqual(map(OID.time).schema, n('long', 'io.debezium.time.MicroTime'));
    assert.deepEqual(map(OID.timestamp, 3).schema, n('long', 'io.debezium.time.Timestamp'));
    assert.deepEqual(map(OID.timestamp, 6).schema, n('long', 'io.debezium.time.MicroTimestamp'));
    assert.deepEqual(map(OID.timestamp).schema, n('long', 'io.debezium.time.MicroTimestamp'));
    assert.deepEqual(map(OID.timestamptz).schema, n('string', 'io.debezium.time.ZonedTimestamp'));
    assert.deepEqual(map(OID.timetz).schema, n('string', 'io.debezium.time.ZonedTime'));
    assert.deepEqual(map(OID.interval).schema, n('long', 'io.debezium.time.MicroDuration'));
    assert.deepEqual(map(OID.interval, -1, { intervalHandlingMode: 'string' }).schema, n('string', 'io.debezium.time.Interval'));
  });

  it('temporal types, other time.precision.modes', () => {
    assert.deepEqual(map(OID.time, 3, { timePrecisionMode: 'adaptive_time_microseconds' }).schema, {
      type: 'long', 'connect.version': 1, 'connect.name': 'io.debezium.time.MicroTime',
    });
    assert.deepEqual(map(OID.timestamp, 3, { timePrecisionMode: 'adaptive_time_microseconds' }).schema, {
      type: 'long', 'connect.version': 1, 'connect.name': 'io.debezium.time.Timestamp',
    });
    assert.deepEqual(map(OID.date, -1, { timePrecisionMode: 'connect' }).schema, {
      type: 'int', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Date', logicalType: 'date',
    });
    assert.deepEqual(map(OID.timestamp, 6, { timePrecisionMode: 'connect' }).schema, {
      type: 'long', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Timestamp', logicalType: 'timestamp-millis',
    });
    assert.equal(conv(OID.time, 6, '13:51:30.123456', { timePrecisionMode: 'connect' }), 49890123);
  });

  it('bit(1) is boolean; bit(n)/varbit are io.debezium.data.Bits with the length', () => {
    assert.equal(map(OID.bit, 1).schema, 'boolean');
    assert.equal(map(OID.varbit, 1).schema, 'boolean');
    assert.deepEqual(map(OID.bit, 24).schema, {
      type: 'bytes', 'connect.version': 1, 'connect.parameters': { length: '24' }, 'connect.name': 'io.debezium.data.Bits',
    });
    assert.deepEqual((map(OID.varbit).schema as Record<string, unknown>)['connect.parameters'], { length: '2147483647' });
  });

  it('arrays have optional items', () => {
    assert.deepEqual(map(OID._int4).schema, { type: 'array', items: ['null', 'int'] });
    assert.deepEqual(map(OID._int2).schema, { type: 'array', items: ['null', { type: 'int', 'connect.type': 'int16' }] });
    const num = map(OID._numeric, numericMod(5, 1)).schema as { items: unknown[] };
    assert.equal((num.items[1] as { scale: number }).scale, 1);
  });
});

describe('numbers', () => {
  it('integers, int8 beyond 2^53 as bigint', () => {
    assert.equal(conv(OID.int2, -1, '-32768'), -32768);
    assert.equal(conv(OID.int4, -1, '2147483647'), 2147483647);
    assert.equal(conv(OID.int8, -1, '9007199254740991'), 9007199254740991);
    assert.equal(conv(OID.int8, -1, '9007199254740993'), 9007199254740993n);
    assert.equal(conv(OID.int8, -1, '-9223372036854775808'), -9223372036854775808n);
    assert.equal(conv(OID.oid, -1, '4294967295'), 4294967295);
    assert.equal(conv(OID.bool, -1, 't'), true);
    assert.equal(conv(OID.bool, -1, 'f'), false);
  });

  it('floats (extra_float_digits=3 output)', () => {
    assert.equal(conv(OID.float4, -1, '1.1'), 1.1);
    assert.equal(conv(OID.float4, -1, '3.4028235e+38'), 3.4028235e38);
    assert.equal(conv(OID.float4, -1, '-Infinity'), -Infinity);
    assert.ok(Number.isNaN(conv(OID.float8, -1, 'NaN')));
    assert.equal(conv(OID.float8, -1, '1e+300'), 1e300);
    assert.ok(Object.is(conv(OID.float8, -1, '-0'), -0));
  });

  it('numeric(p,s), precise: unscaled big-endian two\'s complement', () => {
    assert.deepEqual(conv(OID.numeric, numericMod(10, 2), '1.50'), bytes(0x00, 0x96));
    assert.deepEqual(conv(OID.numeric, numericMod(10, 2), '-1.50'), bytes(0xff, 0x6a));
    assert.deepEqual(conv(OID.numeric, numericMod(5, 2), '0.00'), bytes(0));
    assert.deepEqual(conv(OID.numeric, numericMod(3, -2), '12300'), bytes(0x30, 0x0c));
    assert.deepEqual(map(OID.numeric, numericMod(3, -2)).schema, map(OID.numeric, numericMod(5, 0)).schema);
  });

  it('unconstrained numeric, precise: VariableScaleDecimal with trailing zeros stripped', () => {
    assert.deepEqual(conv(OID.numeric, -1, '10.1000'), { scale: 1, value: bytes(0x65) });
    assert.deepEqual(conv(OID.numeric, -1, '22.2222'), { scale: 4, value: bytes(0x03, 0x64, 0x0e) });
    assert.deepEqual(conv(OID.numeric, -1, '0.000'), { scale: 0, value: bytes(0) });
    assert.deepEqual(conv(OID.numeric, -1, '-0.001'), { scale: 3, value: bytes(0xff) });
    assert.deepEqual(conv(OID.numeric, -1, '12300000000000000000000'), {
      scale: 0, value: bytes(0x02, 0x9a, 0xc8, 0xca, 0x3f, 0xce, 0x98, 0xb0, 0x00, 0x00),
    });
  });

  it('NaN/Infinity: precise throws with a remedy, double keeps them, string uses Debezium\'s names', () => {
    for (const [mod, text] of [[-1, 'NaN'], [numericMod(10, 2), 'Infinity'], [-1, '-Infinity']] as const) {
      assert.throws(() => conv(OID.numeric, mod, text), (e: unknown) => {
        assert.ok(e instanceof ConversionError);
        assert.equal(e.retriable, false);
        assert.equal(e.table, 'public.t');
        assert.equal(e.column, 'c');
        assert.equal(e.typeName, 'numeric');
        assert.match(e.remedy ?? '', /decimal\.handling\.mode=string/);
        return true;
      });
    }
    assert.ok(Number.isNaN(conv(OID.numeric, -1, 'NaN', { decimalHandlingMode: 'double' })));
    assert.equal(conv(OID.numeric, -1, '-Infinity', { decimalHandlingMode: 'double' }), -Infinity);
    assert.equal(conv(OID.numeric, -1, 'NaN', { decimalHandlingMode: 'string' }), 'NAN');
    assert.equal(conv(OID.numeric, -1, 'Infinity', { decimalHandlingMode: 'string' }), 'POSITIVE_INFINITY');
    assert.equal(conv(OID.numeric, -1, '-Infinity', { decimalHandlingMode: 'string' }), 'NEGATIVE_INFINITY');
    assert.equal(conv(OID.numeric, numericMod(10, 2), '1.50', { decimalHandlingMode: 'string' }), '1.50');
    assert.equal(conv(OID.numeric, numericMod(10, 2), '1.50', { decimalHandlingMode: 'double' }), 1.5);
  });

  it('money (lc_monetary C): strips currency and group separators', () => {
    assert.deepEqual(conv(OID.money, -1, '$1,234.56'), bytes(0x01, 0xe2, 0x40));
    assert.deepEqual(conv(OID.money, -1, '-$1.00'), bytes(0x9c));
    assert.deepEqual(conv(OID.money, -1, '-$1,234,567.89'), bytes(0xf8, 0xa4, 0x32, 0xeb));
    assert.deepEqual(conv(OID.money, -1, '$0.00'), bytes(0));
    assert.deepEqual(conv(OID.money, -1, '$92,233,720,368,547,758.07'), bytes(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    assert.deepEqual(conv(OID.money, -1, '-$92,233,720,368,547,758.08'), bytes(0x80, 0, 0, 0, 0, 0, 0, 0));
    assert.deepEqual(conv(OID.money, -1, '($1,234.11)'), conv(OID.money, -1, '-$1,234.11'));
    // money.fraction.digits=0 rounds HALF_UP like Debezium's setScale
    assert.deepEqual(conv(OID.money, -1, '$1,234.56', { moneyFractionDigits: 0 }), bytes(0x04, 0xd3));
    assert.deepEqual(conv(OID.money, -1, '$1,234.56', { moneyFractionDigits: 3 }), bytes(0x12, 0xd6, 0x80));
    assert.equal(conv(OID.money, -1, '-$1,234,567.89', { decimalHandlingMode: 'double' }), -1234567.89);
    assert.equal(conv(OID.money, -1, '-$1,234,567.89', { decimalHandlingMode: 'string' }), '-1234567.89');
  });

  it('two\'s complement is minimal (BigInteger.toByteArray)', () => {
    const cases: [boolean, string, number[]][] = [
      [false, '0', [0]], [false, '127', [0x7f]], [false, '128', [0, 0x80]], [true, '128', [0x80]], [true, '129', [0xff, 0x7f]],
      [false, '255', [0, 0xff]], [false, '18446744073709551616', [1, 0, 0, 0, 0, 0, 0, 0, 0]],
      [true, '18446744073709551616', [0xff, 0, 0, 0, 0, 0, 0, 0, 0]], [true, '9223372036854775809', [0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
      [true, '999999999999999', [0xfc, 0x72, 0x81, 0x5b, 0x39, 0x80, 0x01]], [false, '9999999999999999', [0x23, 0x86, 0xf2, 0x6f, 0xc0, 0xff, 0xff]],
    ];
    for (const [neg, digits, expected] of cases) assert.deepEqual([...twosComplement(neg, digits)], expected, `${neg ? '-' : ''}${digits}`);
  });
});

describe('dates and times', () => {
  it('calendar arithmetic is proleptic Gregorian with year 0 = 1 BC', () => {
    assert.equal(daysFromCivil(1970, 1, 1), 0);
    assert.equal(daysFromCivil(1, 1, 1), -719162);
    assert.equal(daysFromCivil(0, 1, 1), -719528);
    assert.equal(daysFromCivil(99, 12, 31), -683004 - 0); // JS Date.UTC would read year 99 as 1999
    for (const d of [-2440588, -719528, -1, 0, 19724, 2932896, 2145042905]) {
      const c = civilFromDays(d);
      assert.equal(daysFromCivil(c.year, c.month, c.day), d);
    }
  });

  it('date: epoch days, BC, far future, infinity sentinels', () => {
    assert.equal(conv(OID.date, -1, '2024-01-02'), 19724);
    assert.equal(conv(OID.date, -1, '2024-02-29'), 19782);
    assert.equal(conv(OID.date, -1, '0001-01-01 BC'), -719528);
    assert.equal(conv(OID.date, -1, '4714-11-24 BC'), -2440588);
    assert.equal(conv(OID.date, -1, '5874897-12-31'), 2145042905);
    // Debezium: LocalDate -5877611-06-21 / -5877611-06-22
    assert.equal(conv(OID.date, -1, 'infinity'), -2147472692);
    assert.equal(conv(OID.date, -1, '-infinity'), -2147472691);
  });

  it('timestamp: µs (MicroTimestamp) exact over the whole range, number or bigint', () => {
    const ts = (text: string) => conv(OID.timestamp, -1, text);
    assert.equal(ts('2024-01-02 03:04:05.123456'), 1704164645123456);
    assert.equal(ts('1969-12-31 23:59:59.999999'), -1);
    assert.equal(ts('1900-03-01 00:00:00'), -2203891200000000);
    assert.equal(ts('0001-01-01 00:00:00'), -62135596800000000n);
    assert.equal(ts('0001-01-01 00:00:00 BC'), -62167219200000000n);
    assert.equal(ts('0099-12-31 12:00:00'), -59011502400000000n);
    assert.equal(ts('0999-05-06 07:08:09.5'), -30630934310500000n);
    assert.equal(ts('4713-01-01 00:00:00 BC'), -210863520000000000n);
    assert.equal(ts('9999-12-31 23:59:59.999999'), 253402300799999999n);
    // beyond int64 µs since 1970 (PostgreSQL allows up to 294276 AD): clamped
    assert.equal(ts('294276-12-31 23:59:59.999999'), 9223372036854775807n);
    assert.equal(ts('infinity'), 9223372036825200000n);
    assert.equal(ts('-infinity'), -9223372036832400000n);
  });

  it('timestamp(0-3): ms (Timestamp)', () => {
    assert.equal(conv(OID.timestamp, 3, '2024-01-02 03:04:05.123'), 1704164645123);
    assert.equal(conv(OID.timestamp, 1, '0999-05-06 07:08:09.5'), -30630934310500);
    assert.equal(conv(OID.timestamp, 0, '1969-12-31 23:59:59'), -1000);
    assert.equal(conv(OID.timestamp, 3, 'infinity'), 9223372036825200n);
    assert.equal(conv(OID.timestamp, 3, '-infinity'), -9223372036832400n);
  });

  it('timestamptz: ZonedTimestamp in UTC, fraction as wide as the precision', () => {
    const tz = (text: string, typmod = -1) => conv(OID.timestamptz, typmod, text);
    assert.equal(tz('2024-01-02 01:04:05.123456+00'), '2024-01-02T01:04:05.123456Z');
    assert.equal(tz('2024-01-02 03:04:05+00'), '2024-01-02T03:04:05.000000Z');
    assert.equal(tz('2024-01-02 03:04:05.1+00'), '2024-01-02T03:04:05.100000Z');
    assert.equal(tz('2024-01-02 03:04:05+00', 0), '2024-01-02T03:04:05Z');
    assert.equal(tz('2024-01-02 03:04:05.1+00', 3), '2024-01-02T03:04:05.100Z');
    assert.equal(tz('0001-01-01 00:00:00+00'), '0001-01-01T00:00:00.000000Z');
    assert.equal(tz('0001-01-01 00:00:00+00 BC'), '0000-01-01T00:00:00.000000Z');
    assert.equal(tz('0001-12-31 23:30:00+00 BC'), '0000-12-31T23:30:00.000000Z');
    assert.equal(tz('4714-12-31 23:59:59.999999+00 BC'), '-4713-12-31T23:59:59.999999Z');
    assert.equal(tz('294276-12-31 23:59:59.999999+00'), '+294276-12-31T23:59:59.999999Z');
    assert.equal(tz('0999-05-06 07:08:09.5+00'), '0999-05-06T07:08:09.500000Z');
    // offsets other than +00 (a session not in UTC) are converted
    assert.equal(tz('2024-01-02 23:30:00-05:30'), '2024-01-03T05:00:00.000000Z');
    assert.equal(tz('2024-01-01 01:04:05.123456+02'), '2023-12-31T23:04:05.123456Z');
    assert.equal(tz('1883-11-18 12:00:00-04:56:02'), '1883-11-18T16:56:02.000000Z');
    assert.equal(tz('infinity'), 'infinity');
    assert.equal(tz('-infinity'), '-infinity');
  });

  it('time: MicroTime µs, Time ms for precision <= 3, 24:00:00', () => {
    assert.equal(conv(OID.time, -1, '13:51:30.123456'), 49890123456);
    assert.equal(conv(OID.time, -1, '24:00:00'), 86400000000);
    assert.equal(conv(OID.time, -1, '00:00:00'), 0);
    assert.equal(conv(OID.time, 3, '13:51:30.1'), 49890100);
    assert.equal(conv(OID.time, 0, '24:00:00'), 86400000);
    assert.equal(conv(OID.time, 3, '13:51:30.123', { timePrecisionMode: 'adaptive_time_microseconds' }), 49890123000);
  });

  it('timetz: ZonedTime shifted to UTC', () => {
    const tt = (text: string) => conv(OID.timetz, -1, text);
    assert.equal(tt('13:51:30.123789+02'), '11:51:30.123789Z');
    assert.equal(tt('13:51:30.123+02'), '11:51:30.123Z');
    assert.equal(tt('11:51:02+00'), '11:51:02Z');
    assert.equal(tt('24:00:00+00'), '24:00:00Z');
    assert.equal(tt('00:00:00-05:30'), '05:30:00Z');
    assert.equal(tt('01:02:03+14:59'), '10:03:03Z');
    assert.equal(tt('23:00:00-01'), '00:00:00Z');
  });

  it('interval: MicroDuration with 30.4375-day months', () => {
    const iv = (text: string) => conv(OID.interval, -1, text);
    assert.equal(iv('P1Y2M3DT4H5M6.000007S'), 37091106000007);
    assert.equal(iv('P1Y2M3DT4H5M6.78S'), 37091106780000); // Debezium's test value
    assert.equal(iv('P-1Y-2M3DT-4H-5M-6S'), -36572706000000);
    assert.equal(iv('PT0S'), 0);
    assert.equal(iv('PT-0.5S'), -500000);
    assert.equal(iv('PT1.5S'), 1500000);
    assert.equal(iv('PT100H'), 360000000000);
    assert.equal(iv('P-1DT0.000001S'), -86399999999);
    assert.equal(iv('P1MT-1S'), 2629799000000);
    assert.equal(iv('P1Y'), 31557600000000);
    assert.equal(iv('P178000000Y'), 9223372036854775807n);
    assert.equal(iv('P-2147483648D'), -9223372036854775808n);
  });

  it('interval.handling.mode=string: Debezium\'s Interval with every field', () => {
    const iv = (text: string) => conv(OID.interval, -1, text, { intervalHandlingMode: 'string' });
    assert.equal(iv('P1Y2M3DT4H5M6.000007S'), 'P1Y2M3DT4H5M6.000007S');
    assert.equal(iv('P1Y2M3DT4H5M6.78S'), 'P1Y2M3DT4H5M6.78S');
    assert.equal(iv('PT0S'), 'P0Y0M0DT0H0M0S');
    assert.equal(iv('P-1Y-2M3DT-4H-5M-6S'), 'P-1Y-2M3DT-4H-5M-6S');
    assert.equal(iv('PT-0.5S'), 'P0Y0M0DT0H0M-0.5S');
    assert.equal(iv('P1MT-1S'), 'P0Y1M0DT0H0M-1S');
    assert.equal(iv('PT100H'), 'P0Y0M0DT100H0M0S');
  });
});

describe('binary and bit strings', () => {
  it('bytea hex and binary.handling.mode', () => {
    assert.deepEqual(conv(OID.bytea, -1, '\\x0a0b'), bytes(0x0a, 0x0b));
    assert.deepEqual(conv(OID.bytea, -1, '\\x'), bytes());
    assert.equal(conv(OID.bytea, -1, '\\x0a0b', { binaryHandlingMode: 'base64' }), 'Cgs=');
    assert.equal(conv(OID.bytea, -1, '\\xfbff', { binaryHandlingMode: 'base64' }), '+/8=');
    assert.equal(conv(OID.bytea, -1, '\\xfbff', { binaryHandlingMode: 'base64-url-safe' }), '-_8=');
    assert.equal(conv(OID.bytea, -1, '\\x0A0b', { binaryHandlingMode: 'hex' }), '0a0b');
  });

  it('Bits: little-endian, minimal, as Debezium\'s tests expect', () => {
    assert.equal(conv(OID.bit, 1, '1'), true);
    assert.equal(conv(OID.bit, 1, '0'), false);
    assert.equal(conv(OID.varbit, 1, '1'), true);
    assert.deepEqual(conv(OID.bit, 2, '11'), bytes(3));
    assert.deepEqual(conv(OID.bit, 7, '1000000'), bytes(64));
    assert.deepEqual(conv(OID.bit, 2, '00'), bytes());
    assert.deepEqual(conv(OID.bit, 24, '000000110000001000000001'), bytes(1, 2, 3));
    assert.deepEqual(conv(OID.bit, 64, '1' + '0'.repeat(63)), bytes(0, 0, 0, 0, 0, 0, 0, 0x80));
    assert.deepEqual(conv(OID.varbit, -1, '101'), bytes(5));
    assert.deepEqual(conv(OID.varbit, -1, '111011010001000110000001000000001'), bytes(1, 2, 35, 0xda, 1));
    assert.deepEqual(conv(OID.bit, 16, '0000000100000000'), bytes(0, 1));
  });
});

describe('arrays', () => {
  it('array literal parser: quoting, escapes, NULL, unicode, dimensions', () => {
    assert.deepEqual(parseArrayText('{"a,b","c\\"d","e\\\\f",NULL,"NULL",""," sp ","ünï{}"}'), ['a,b', 'c"d', 'e\\f', null, 'NULL', '', ' sp ', 'ünï{}']);
    assert.deepEqual(parseArrayText('{}'), []);
    assert.deepEqual(parseArrayText('{{1,2},{3,NULL}}'), ['1', '2', '3', null]);
    assert.deepEqual(parseArrayText('{{{1}},{{2}}}'), ['1', '2']);
    assert.deepEqual(parseArrayText('[0:1]={5,6}'), ['5', '6']);
    assert.deepEqual(parseArrayText('{null,Null,x\\,y}'), [null, null, 'x,y']);
    assert.deepEqual(parseArrayText('{"{\\"a\\": 1}"}'), ['{"a": 1}']);
    for (const bad of ['', '1,2', '{1,2', '{"a}', '{1,,2}', '{1}x', '{{1}{2}}']) assert.throws(() => parseArrayText(bad), /malformed array/, bad);
  });

  it('element conversion, NULL elements, empty and multi-dimensional arrays', () => {
    assert.deepEqual(conv(OID._text, -1, '{"a,b","c\\"d","e\\\\f",NULL,"NULL",""," sp ","ünï{}"}'), ['a,b', 'c"d', 'e\\f', null, 'NULL', '', ' sp ', 'ünï{}']);
    assert.deepEqual(conv(OID._int4, -1, '{}'), []);
    assert.deepEqual(conv(OID._int4, -1, '{{1,2},{3,NULL}}'), [1, 2, 3, null]);
    assert.deepEqual(conv(OID._int4, -1, '[0:1]={5,6}'), [5, 6]);
    assert.deepEqual(conv(OID._bytea, -1, '{"\\\\x0a0b","\\\\x"}'), [bytes(10, 11), bytes()]);
    assert.deepEqual(conv(OID._numeric, numericMod(4, 1), '{1.5,NULL}'), [bytes(15), null]);
    assert.deepEqual(conv(OID._numeric, -1, '{1.5,NULL,NaN}', { decimalHandlingMode: 'double' }), [1.5, null, NaN]);
    assert.throws(() => conv(OID._numeric, -1, '{1.5,NULL,NaN}'), ConversionError);
    assert.deepEqual(conv(OID._timestamptz, -1, '{"2024-01-02 01:04:05+00"}'), ['2024-01-02T01:04:05.000000Z']);
    assert.deepEqual(conv(OID._timestamptz, 3, '{"2024-01-02 01:04:05+00"}'), ['2024-01-02T01:04:05.000Z']);
    assert.deepEqual(conv(OID._interval, -1, '{P1D}'), [86400000000]);
    assert.deepEqual(conv(OID._int4range, -1, '{"[1,6)","[\\"2019-03-31 15:30:00\\",infinity)"}'), ['[1,6)', '["2019-03-31 15:30:00",infinity)']);
    assert.deepEqual(conv(OID._int2, -1, '{1,-2}'), [1, -2]);
  });
});

describe('types resolved through the catalog', () => {
  const mood = pgType(90001, 'mood', 'e', { category: 'E', enumLabels: ['sad', 'ok', 'happy'] });
  const moodArray = pgType(90002, '_mood', 'b', { category: 'A', elementOid: 90001 });
  const price = pgType(90003, 'price', 'd', { category: 'N', baseOid: OID.numeric, baseTypmod: numericMod(10, 2) });
  const positivePrice = pgType(90004, 'positive_price', 'd', { category: 'N', baseOid: 90003 });
  const priceArray = pgType(90005, '_price', 'b', { category: 'A', elementOid: 90003 });
  const floatrange = pgType(90006, 'floatrange', 'r', { category: 'R' });
  const pair = pgType(90007, 'pair', 'c', { category: 'C' });
  const citext = pgType(90008, 'citext', 'b', { category: 'S' });
  const hstore = pgType(90009, 'hstore', 'b');
  const catalog = catalogOf(mood, moodArray, price, positivePrice, priceArray, floatrange, pair, citext, hstore);
  const m = (oid: number, options: Partial<ConversionOptions> = {}) => map(oid, -1, options, catalog);

  it('enum: string io.debezium.data.Enum with the allowed labels', () => {
    assert.deepEqual(m(90001).schema, {
      type: 'string', 'connect.version': 1, 'connect.parameters': { allowed: 'sad,ok,happy' }, 'connect.name': 'io.debezium.data.Enum',
    });
    assert.equal(m(90001).convert('happy'), 'happy');
  });

  it('enum array: non-optional items like Debezium; a NULL element is a ConversionError', () => {
    const arr = m(90002);
    assert.deepEqual(arr.schema, { type: 'array', items: m(90001).schema });
    assert.deepEqual(arr.convert('{sad,happy}'), ['sad', 'happy']);
    assert.throws(() => arr.convert('{sad,NULL}'), ConversionError);
  });

  it('domains map to their base type with the domain\'s typmod, also nested and in arrays', () => {
    assert.deepEqual(m(90003).schema, map(OID.numeric, numericMod(10, 2)).schema);
    assert.deepEqual(m(90004).schema, map(OID.numeric, numericMod(10, 2)).schema);
    assert.deepEqual(m(90004).convert('1.50'), bytes(0x00, 0x96));
    assert.deepEqual(m(90005).schema, { type: 'array', items: ['null', map(OID.numeric, numericMod(10, 2)).schema] });
    assert.deepEqual(m(90005).convert('{1.50,NULL}'), [bytes(0x00, 0x96), null]);
  });

  it('ranges and multiranges are strings; extension types by name', () => {
    assert.equal(m(90006).schema, 'string');
    assert.equal(m(90006).convert('[1.5,2.5)'), '[1.5,2.5)');
    assert.equal(map(OID.int4multirange).schema, 'string');
    assert.equal(m(90008).schema, 'string');
    assert.equal(map(OID.pg_lsn).convert('0/16B3748'), '0/16B3748');
    assert.equal(map(OID.int2vector).convert('1 2'), '1 2');
  });

  it('unsupported types throw UnsupportedTypeError naming table and column', () => {
    for (const [oid, cat] of [[90007, catalog], [123456, emptyCatalog]] as const) {
      assert.throws(
        () => mapColumn(col(oid, -1, 'geo'), cat, defaultConversionOptions, 'public.places'),
        (e: unknown) => {
          assert.ok(e instanceof UnsupportedTypeError);
          assert.equal(e.table, 'public.places');
          assert.equal(e.column, 'geo');
          assert.equal(e.retriable, false);
          assert.match(e.message, /public\.places/);
          assert.match(e.message, /geo/);
          return true;
        },
      );
    }
  });

  it('include unknown datatypes: the text as bytes (or per binary.handling.mode)', () => {
    const mc = mapColumn(col(90007), catalog, { ...defaultConversionOptions, includeUnknownDatatypes: true }, 't');
    assert.equal(mc.schema, 'bytes');
    assert.deepEqual(mc.convert('(1,a)'), Buffer.from('(1,a)'));
    const hex = mapColumn(col(90007), catalog, { ...defaultConversionOptions, includeUnknownDatatypes: true, binaryHandlingMode: 'hex' }, 't');
    assert.equal(hex.convert('(1,2)'), '28312c3229');
  });
});

describe('conversion errors', () => {
  it('malformed text is a ConversionError with table, column and type', () => {
    const cases: [number, number, string][] = [
      [OID.int4, -1, 'abc'], [OID.int8, -1, '12345678901234567890x'], [OID.bool, -1, 'yes'], [OID.date, -1, '2024-13-01'],
      [OID.timestamp, -1, '2024-01-02T03:04:05'], [OID.timestamptz, -1, '2024-01-02 03:04:05'], [OID.time, -1, '25:00:00'],
      [OID.interval, -1, '1 day'], [OID.numeric, numericMod(5, 2), '1.234'], [OID.numeric, -1, '1e5'], [OID.bytea, -1, '\\001'],
      [OID.bit, 8, '0101010x'], [OID.money, -1, '$1.2.3'], [OID._int4, -1, '{1,2'],
    ];
    for (const [oid, mod, text] of cases) {
      assert.throws(
        () => mapColumn(col(oid, mod, 'amount'), emptyCatalog, defaultConversionOptions, 'shop.orders').convert(text),
        (e: unknown) => e instanceof ConversionError && e.table === 'shop.orders' && e.column === 'amount' && e.typeName.length > 0 && /shop\.orders/.test(e.message),
        `${oid} ${text}`,
      );
    }
  });
});

describe('values encode with their schemas (avsc, exact longs)', () => {
  it('a row of every mapped type round-trips', () => {
    const columns: [string, number, number, string][] = [
      ['b', OID.bool, -1, 't'], ['s', OID.int2, -1, '-5'], ['i8', OID.int8, -1, '9223372036854775807'],
      ['f4', OID.float4, -1, 'NaN'], ['d', OID.numeric, numericMod(10, 2), '-1.50'], ['v', OID.numeric, -1, '10.1000'],
      ['m', OID.money, -1, '$1,234.56'], ['u', OID.uuid, -1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], ['dt', OID.date, -1, 'infinity'],
      ['t3', OID.time, 3, '24:00:00'], ['t6', OID.time, -1, '13:51:30.123456'], ['ts', OID.timestamp, -1, '0001-01-01 00:00:00 BC'],
      ['ts3', OID.timestamp, 3, '-infinity'], ['tz', OID.timestamptz, -1, '2024-01-02 01:04:05.123456+00'],
      ['ttz', OID.timetz, -1, '24:00:00+00'], ['iv', OID.interval, -1, 'P178000000Y'], ['by', OID.bytea, -1, '\\x0a0b'],
      ['bt', OID.bit, 1, '1'], ['bs', OID.varbit, -1, '101'], ['ai', OID._int4, -1, '{{1,2},{3,NULL}}'], ['at', OID._text, -1, '{}'],
    ];
    const fields = columns.map(([name, oid, mod]) => ({ name, type: map(oid, mod).schema }));
    // every long, bare ("long") or with attributes ({"type":"long","connect.name":...}), must be the exact long type
    const typeHook = (s: unknown) => (s === 'long' || (typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'long') ? (exactLongType as unknown as avro.Type) : undefined);
    const type = avro.Type.forSchema({ type: 'record', name: 'Row', namespace: 'test', fields } as avro.Schema, { typeHook, wrapUnions: false });
    const value = Object.fromEntries(columns.map(([name, oid, mod, text]) => [name, map(oid, mod).convert(text)]));
    const decoded = type.fromBuffer(type.toBuffer(value)) as Record<string, unknown>;
    assert.equal(decoded.i8, 9223372036854775807n);
    assert.equal(decoded.ts, -62167219200000000n);
    assert.equal(decoded.iv, 9223372036854775807n);
    assert.deepEqual({ ...(decoded.v as object) }, { scale: 1, value: bytes(0x65) });
    assert.deepEqual(decoded.ai, [1, 2, 3, null]);
    assert.equal(decoded.tz, '2024-01-02T01:04:05.123456Z');
  });
});
