/**
 * The case table of types.test.ts: for every column, its SQL type, the Avro schema the value schema
 * must give it (the non-null branch of ["null", ...]) and a list of (SQL literal, expected decoded
 * value) pairs. Row i of a table takes the i-th pair of every column (NULL where a column has fewer),
 * and a last row is NULL in every column.
 *
 * Every expectation is written out literally, computed by hand (or with an independent tool) from
 * Debezium's documented representation; nothing here calls pgcdc's converters:
 * - decimals are the big-endian two's-complement bytes of the unscaled value (minimal length);
 * - VariableScaleDecimal is {scale, value} with trailing fraction zeros stripped;
 * - Date is days since 1970-01-01, MicroTime/MicroTimestamp µs, Time/Timestamp ms (a bigint where the
 *   decoded long exceeds 2^53);
 * - ZonedTimestamp/ZonedTime are ISO-8601 strings in UTC;
 * - MicroDuration counts a month as 30.4375 days;
 * - Bits are little-endian bytes of the bit string read from its last character (java.util.BitSet);
 * - ±infinity dates/timestamps are Debezium's sentinels (see src/types/rows/temporal.ts' doc).
 */

export interface ColumnCase {
  column: string;
  /** SQL type in CREATE TABLE */
  type: string;
  /** expected Avro schema of the column, without the ["null", ...] wrapper */
  schema: unknown;
  /** [SQL literal, expected decoded value]; row i uses values[i] */
  values: [sql: string, expected: unknown][];
}

export interface TableCase {
  table: string;
  columns: ColumnCase[];
}

export const hex = (h: string): Buffer => Buffer.from(h, 'hex');
export const vsd = (scale: number, unscaledHex: string) => ({ scale, value: hex(unscaledHex) });

const named = (type: string, name: string, parameters?: Record<string, string>) =>
  parameters ? { type, 'connect.version': 1, 'connect.parameters': parameters, 'connect.name': name } : { type, 'connect.version': 1, 'connect.name': name };

const decimal = (scale: number, precision?: number) => ({
  type: 'bytes',
  scale,
  precision: precision ?? 64,
  'connect.version': 1,
  'connect.parameters': precision === undefined ? { scale: String(scale) } : { scale: String(scale), 'connect.decimal.precision': String(precision) },
  'connect.name': 'org.apache.kafka.connect.data.Decimal',
  logicalType: 'decimal',
});

export const VSD_SCHEMA = {
  type: 'record',
  name: 'VariableScaleDecimal',
  namespace: 'io.debezium.data',
  fields: [
    { name: 'scale', type: 'int' },
    { name: 'value', type: 'bytes' },
  ],
  'connect.doc': 'Variable scaled decimal',
  'connect.version': 1,
  'connect.name': 'io.debezium.data.VariableScaleDecimal',
};

const MOOD = named('string', 'io.debezium.data.Enum', { allowed: 'sad,ok,happy,très bien' });
const INT16 = { type: 'int', 'connect.type': 'int16' };
const DATE = named('int', 'io.debezium.time.Date');
const TIME_MS = named('int', 'io.debezium.time.Time');
const MICRO_TIME = named('long', 'io.debezium.time.MicroTime');
const TIMESTAMP_MS = named('long', 'io.debezium.time.Timestamp');
const MICRO_TIMESTAMP = named('long', 'io.debezium.time.MicroTimestamp');
const ZONED_TIMESTAMP = named('string', 'io.debezium.time.ZonedTimestamp');
const ZONED_TIME = named('string', 'io.debezium.time.ZonedTime');
const MICRO_DURATION = named('long', 'io.debezium.time.MicroDuration');
const UUID = named('string', 'io.debezium.data.Uuid');
const JSON_ = named('string', 'io.debezium.data.Json');
const XML = named('string', 'io.debezium.data.Xml');
const bits = (length: number) => named('bytes', 'io.debezium.data.Bits', { length: String(length) });
const arrayOf = (items: unknown, optionalItems = true) => ({ type: 'array', items: optionalItems ? ['null', items] : items });

const UNICODE = 'héllo wörld — 日本語 🎉👍🏽 👩‍💻 עברית e\u0301 \u00a0end';

/** DDL run before the tables: the enum and the domains some columns use. */
export const TYPE_DDL = [
  `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'très bien')`,
  `CREATE DOMAIN posint AS int4 CHECK (VALUE > 0)`,
  `CREATE DOMAIN short_text AS varchar(10)`,
  `CREATE DOMAIN price AS numeric(8,3)`,
  `CREATE DOMAIN small_price AS price CHECK (VALUE < 1000)`,
  `CREATE DOMAIN mood_domain AS mood`,
];

export const SCALARS: TableCase = {
  table: 'scalars',
  columns: [
    { column: 'b', type: 'bool', schema: 'boolean', values: [['true', true], ['false', false]] },
    { column: 'i2', type: 'int2', schema: INT16, values: [['12345', 12345], ['32767', 32767], ['-32768', -32768], ['0', 0]] },
    { column: 'i4', type: 'int4', schema: 'int', values: [['123456789', 123456789], ['2147483647', 2147483647], ['-2147483648', -2147483648], ['0', 0]] },
    {
      column: 'i8', type: 'int8', schema: 'long',
      values: [['1234567890123', 1234567890123], ['9223372036854775807', 9223372036854775807n], ['-9223372036854775808', -9223372036854775808n], ['9007199254740993', 9007199254740993n]],
    },
    {
      column: 'f4', type: 'float4', schema: 'float',
      // float32 values read back as doubles: FLT_MIN, FLT_MAX and the smallest denormal
      values: [['1.5', 1.5], [`'NaN'`, NaN], [`'-Infinity'`, -Infinity], [`'1.17549435e-38'`, 1.1754943508222875e-38], [`'3.4028235e38'`, 3.4028234663852886e38], [`'1e-45'`, 1.401298464324817e-45]],
    },
    {
      column: 'f8', type: 'float8', schema: 'double',
      values: [['3.141592653589793', 3.141592653589793], [`'Infinity'`, Infinity], [`'NaN'`, NaN], [`'-0'`, -0], [`'1.7976931348623157e308'`, 1.7976931348623157e308], [`'5e-324'`, 5e-324]],
    },
    {
      column: 'n', type: 'numeric(10,2)', schema: decimal(2, 10),
      // unscaled 1234567890, 9999999999, -9999999999, 0, -1, 1 (0.005 is rounded to 0.01 by PostgreSQL)
      values: [['12345678.90', hex('499602d2')], ['99999999.99', hex('02540be3ff')], ['-99999999.99', hex('fdabf41c01')], ['0', hex('00')], ['-0.01', hex('ff')], ['0.005', hex('01')]],
    },
    {
      column: 'nu', type: 'numeric', schema: VSD_SCHEMA,
      values: [
        ['10.1000', vsd(1, '65')],
        ['123456789012345678901234567890.000000000000000000001', vsd(21, '5478f9e220adb25e4d21808cc70680d062df400001')],
        ['-0.000001', vsd(6, 'ff')],
        ['0', vsd(0, '00')],
        ['100', vsd(0, '64')],
        ['1e-20', vsd(20, '01')],
      ],
    },
    {
      column: 'nbig', type: 'numeric(38,6)', schema: decimal(6, 38),
      values: [
        ['12345678901234567890.123456', hex('0a364c98227eaa6adcbac0')],
        ['99999999999999999999999999999999.999999', hex('4b3b4ca85a86c47a098a223fffffffff')],
        ['-12345678901234567890.123456', hex('f5c9b367dd815595234540')],
        ['-0.000001', hex('ff')],
      ],
    },
    {
      // PostgreSQL 15 negative scale: integers rounded to hundreds; an integer decimal of precision 5 + 2
      column: 'nneg', type: 'numeric(5,-2)', schema: decimal(0, 7),
      values: [['12345', hex('300c')], ['9999900', hex('0098961c')], ['-50', hex('9c')]],
    },
    {
      column: 'm', type: 'money', schema: decimal(2),
      values: [[`'1234.56'`, hex('01e240')], [`'92233720368547758.07'`, hex('7fffffffffffffff')], [`'-92233720368547758.08'`, hex('8000000000000000')], ['0', hex('00')], [`'-1.00'`, hex('9c')]],
    },
    { column: 't', type: 'text', schema: 'string', values: [[`'hello'`, 'hello'], [`'${UNICODE}'`, UNICODE], [`''`, ''], [`E'line1\\nline2\\t"q" \\\\ back'`, 'line1\nline2\t"q" \\ back']] },
    { column: 'vc', type: 'varchar(20)', schema: 'string', values: [[`'world'`, 'world'], [`'🎉🎉'`, '🎉🎉'], [`''`, '']] },
    { column: 'c', type: 'char(5)', schema: 'string', values: [[`'ab'`, 'ab   '], [`'äöü'`, 'äöü  '], [`''`, '     ']] },
    { column: 'ch', type: '"char"', schema: 'string', values: [[`'x'`, 'x']] },
    { column: 'by', type: 'bytea', schema: 'bytes', values: [[`'\\xdeadbeef'`, hex('deadbeef')], [`''`, Buffer.alloc(0)], [`'\\x00ff80'`, hex('00ff80')]] },
    {
      column: 'u', type: 'uuid', schema: UUID,
      values: [[`'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'`, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], [`'00000000-0000-0000-0000-000000000000'`, '00000000-0000-0000-0000-000000000000']],
    },
    {
      column: 'j', type: 'json', schema: JSON_,
      // json keeps its input text exactly (whitespace, key order, escapes)
      values: [[`'{"b": 1,  "a": [1,2]}'`, '{"b": 1,  "a": [1,2]}'], [`'[]'`, '[]'], [`'{"e": "\\u00e9"}'`, '{"e": "\\u00e9"}']],
    },
    {
      column: 'jb', type: 'jsonb', schema: JSON_,
      // jsonb is normalized by PostgreSQL: keys sorted, one space after ":" and ",", escapes resolved
      values: [[`'{"b": 1,  "a": [1,2]}'`, '{"a": [1, 2], "b": 1}'], [`'{"k": "ü🎉", "n": null}'`, '{"k": "ü🎉", "n": null}'], [`'{"e": "\\u00e9"}'`, '{"e": "é"}']],
    },
    { column: 'x', type: 'xml', schema: XML, values: [[`'<a attr="1">text &amp; more</a>'`, '<a attr="1">text &amp; more</a>'], [`'<r a="b">日本 &lt;</r>'`, '<r a="b">日本 &lt;</r>']] },
    {
      column: 'd', type: 'date', schema: DATE,
      values: [[`'2024-02-29'`, 19782], [`'9999-12-31'`, 2932896], [`'0001-01-01'`, -719162], [`'infinity'`, -2147472692], [`'-infinity'`, -2147472691], [`'0001-12-31 BC'`, -719163], [`'1970-01-01'`, 0]],
    },
    {
      column: 'tm', type: 'time', schema: MICRO_TIME,
      values: [[`'13:45:30.123456'`, 49530123456], [`'24:00:00'`, 86400000000], [`'00:00:00'`, 0], [`'23:59:59.999999'`, 86399999999]],
    },
    {
      column: 'tm3', type: 'time(3)', schema: TIME_MS,
      values: [[`'13:45:30.123'`, 49530123], [`'23:59:59.999'`, 86399999], [`'00:00:00'`, 0], [`'24:00:00'`, 86400000]],
    },
    {
      column: 'ttz', type: 'timetz', schema: ZONED_TIME,
      values: [[`'13:45:30.5+02'`, '11:45:30.5Z'], [`'23:59:59.999999-01'`, '00:59:59.999999Z'], [`'24:00:00+00'`, '24:00:00Z'], [`'00:00:00-05:30'`, '05:30:00Z'], [`'00:30:00+01'`, '23:30:00Z']],
    },
    {
      column: 'ts', type: 'timestamp', schema: MICRO_TIMESTAMP,
      values: [
        [`'2024-02-29 13:45:30.123456'`, 1709214330123456],
        [`'9999-12-31 23:59:59.999999'`, 253402300799999999n],
        [`'0001-01-01 00:00:00'`, -62135596800000000n],
        [`'infinity'`, 9223372036825200000n],
        [`'-infinity'`, -9223372036832400000n],
        [`'0001-12-31 23:00:00 BC'`, -62135600400000000n],
        [`'1969-12-31 23:59:59.999999'`, -1],
      ],
    },
    {
      column: 'ts3', type: 'timestamp(3)', schema: TIMESTAMP_MS,
      values: [
        [`'2024-02-29 13:45:30.123'`, 1709214330123],
        [`'9999-12-31 23:59:59.999'`, 253402300799999],
        [`'0001-01-01 00:00:00'`, -62135596800000],
        [`'-infinity'`, -9223372036832400n],
        [`'infinity'`, 9223372036825200n],
        [`'1969-12-31 23:59:59.999'`, -1],
      ],
    },
    {
      column: 'tstz', type: 'timestamptz', schema: ZONED_TIMESTAMP,
      values: [
        [`'2024-02-29 13:45:30.123456+02'`, '2024-02-29T11:45:30.123456Z'],
        [`'9999-12-31 23:59:59.999999+00'`, '9999-12-31T23:59:59.999999Z'],
        [`'0001-01-01 00:00:00+00'`, '0001-01-01T00:00:00.000000Z'],
        [`'-infinity'`, '-infinity'],
        [`'infinity'`, 'infinity'],
        [`'0001-12-31 23:00:00+00 BC'`, '0000-12-31T23:00:00.000000Z'],
        [`'2024-01-01 00:30:00+01'`, '2023-12-31T23:30:00.000000Z'],
      ],
    },
    {
      column: 'tstz3', type: 'timestamptz(3)', schema: ZONED_TIMESTAMP,
      values: [[`'2024-02-29 13:45:30.1+00'`, '2024-02-29T13:45:30.100Z'], [`'9999-12-31 23:59:59.999+00'`, '9999-12-31T23:59:59.999Z'], [`'0001-01-01 00:00:00+00'`, '0001-01-01T00:00:00.000Z'], [`'infinity'`, 'infinity']],
    },
    { column: 'tstz0', type: 'timestamptz(0)', schema: ZONED_TIMESTAMP, values: [[`'2024-02-29 13:45:30+00'`, '2024-02-29T13:45:30Z'], [`'2024-02-29 13:45:30.6+00'`, '2024-02-29T13:45:31Z']] },
    {
      column: 'iv', type: 'interval', schema: MICRO_DURATION,
      // a month is 30.4375 days: 14 months = 36817200000000 µs
      values: [
        [`'1 year 2 months 3 days 04:05:06.789'`, 37091106789000],
        [`'-1 year -2 months +3 days -04:05:06.000007'`, -36572706000007],
        [`'0'`, 0],
        [`'1 microsecond'`, 1],
        [`'-0.5 seconds'`, -500000],
        [`'100 hours'`, 360000000000],
      ],
    },
    { column: 'ip', type: 'inet', schema: 'string', values: [[`'192.168.0.1/24'`, '192.168.0.1/24'], [`'::1/128'`, '::1'], [`'0.0.0.0/0'`, '0.0.0.0/0'], [`'2001:DB8::1'`, '2001:db8::1']] },
    { column: 'net', type: 'cidr', schema: 'string', values: [[`'10.0.0.0/8'`, '10.0.0.0/8'], [`'2001:db8::/32'`, '2001:db8::/32'], [`'192.168/16'`, '192.168.0.0/16']] },
    { column: 'mac', type: 'macaddr', schema: 'string', values: [[`'08:00:2b:01:02:03'`, '08:00:2b:01:02:03'], [`'FF-FF-FF-FF-FF-FF'`, 'ff:ff:ff:ff:ff:ff']] },
    { column: 'mac8', type: 'macaddr8', schema: 'string', values: [[`'08:00:2b:01:02:03:04:05'`, '08:00:2b:01:02:03:04:05'], [`'08:00:2b:01:02:03'`, '08:00:2b:ff:fe:01:02:03']] },
    { column: 'bit1', type: 'bit(1)', schema: 'boolean', values: [[`B'1'`, true], [`B'0'`, false]] },
    { column: 'bits', type: 'bit(10)', schema: bits(10), values: [[`B'1000000001'`, hex('0102')], [`B'0000000000'`, Buffer.alloc(0)], [`B'0100000000'`, hex('0001')]] },
    { column: 'vb', type: 'varbit(16)', schema: bits(16), values: [[`B'11'`, hex('03')], [`B''`, Buffer.alloc(0)], [`B'1000000000000000'`, hex('0080')]] },
    { column: 'vbu', type: 'varbit', schema: bits(2147483647), values: [[`B'11111111111111111'`, hex('ffff01')], [`B'1'`, hex('01')]] },
    { column: 'r', type: 'int4range', schema: 'string', values: [[`'(1,10]'`, '[2,11)'], [`'empty'`, 'empty'], [`'(,)'`, '(,)']] },
    {
      column: 'tsr', type: 'tstzrange', schema: 'string',
      values: [[`'[2024-01-01 00:00+00,2024-01-02 00:00+01)'`, '["2024-01-01 00:00:00+00","2024-01-01 23:00:00+00")'], [`'(,infinity]'`, '(,infinity]']],
    },
    { column: 'dr', type: 'daterange', schema: 'string', values: [[`'[2024-01-01,2024-02-01)'`, '[2024-01-01,2024-02-01)'], [`'[2024-01-01,infinity)'`, '[2024-01-01,infinity)'], [`'(2024-01-01,2024-01-05]'`, '[2024-01-02,2024-01-06)']] },
    { column: 'nr', type: 'numrange', schema: 'string', values: [[`'(1.5,2.5]'`, '(1.5,2.5]'], [`'[1.5,1.5]'`, '[1.5,1.5]']] },
    { column: 'mr', type: 'int4multirange', schema: 'string', values: [[`'{[1,3),[5,7)}'`, '{[1,3),[5,7)}'], [`'{}'`, '{}']] },
    { column: 'dom', type: 'posint', schema: 'int', values: [['42', 42], ['2147483647', 2147483647], ['1', 1]] },
    { column: 'domtxt', type: 'short_text', schema: 'string', values: [[`'ten chars!'`, 'ten chars!'], [`'日本語'`, '日本語']] },
    { column: 'domnum', type: 'price', schema: decimal(3, 8), values: [['12.5', hex('30d4')], ['99999.999', hex('05f5e0ff')], ['-99999.999', hex('fa0a1f01')]] },
    { column: 'domnum2', type: 'small_price', schema: decimal(3, 8), values: [['1.5', hex('05dc')]] },
  ],
};

export const ARRAYS: TableCase = {
  table: 'arrays',
  columns: [
    { column: 'a_i4', type: 'int4[]', schema: arrayOf('int'), values: [[`'{1,NULL,-3}'`, [1, null, -3]], [`'{}'`, []], [`'{{1,2},{3,4}}'`, [1, 2, 3, 4]], [`'[0:2]={5,6,7}'`, [5, 6, 7]]] },
    { column: 'a_i2', type: 'int2[]', schema: arrayOf(INT16), values: [[`'{32767,-32768}'`, [32767, -32768]], [`'{}'`, []]] },
    {
      column: 'a_i8', type: 'int8[]', schema: arrayOf('long'),
      values: [[`'{9223372036854775807,-9223372036854775808,0}'`, [9223372036854775807n, -9223372036854775808n, 0]], [`'{}'`, []], [`'{{{1}},{{2}}}'`, [1, 2]]],
    },
    {
      column: 'a_text', type: 'text[]', schema: arrayOf('string'),
      values: [
        [`ARRAY['plain', 'with,comma', 'with "quote"', 'back\\slash', 'NULL', '', ' spaced ', 'a{b}c', '日本🎉', NULL]`, ['plain', 'with,comma', 'with "quote"', 'back\\slash', 'NULL', '', ' spaced ', 'a{b}c', '日本🎉', null]],
        [`'{}'`, []],
        [`'{{a,b},{c,NULL}}'`, ['a', 'b', 'c', null]],
        [`'[-1:0]={x,y}'`, ['x', 'y']],
      ],
    },
    { column: 'a_vc', type: 'varchar(10)[]', schema: arrayOf('string'), values: [[`'{a,b}'`, ['a', 'b']], [`'{}'`, []]] },
    { column: 'a_bpchar', type: 'char(3)[]', schema: arrayOf('string'), values: [[`'{a,bb}'`, ['a  ', 'bb ']]] },
    {
      column: 'a_n', type: 'numeric(6,2)[]', schema: arrayOf(decimal(2, 6)),
      values: [[`'{1.5,-0.01,NULL}'`, [hex('0096'), hex('ff'), null]], [`'{}'`, []], [`'{{1.00},{2.00}}'`, [hex('64'), hex('00c8')]]],
    },
    { column: 'a_nu', type: 'numeric[]', schema: arrayOf(VSD_SCHEMA), values: [[`'{1.10,100,-0.5}'`, [vsd(1, '0b'), vsd(0, '64'), vsd(1, 'fb')]], [`'{}'`, []]] },
    // a second VariableScaleDecimal in the same record refers to the named type by its full name
    { column: 'nu2', type: 'numeric', schema: 'io.debezium.data.VariableScaleDecimal', values: [['3.14', vsd(2, '013a')]] },
    { column: 'a_bool', type: 'bool[]', schema: arrayOf('boolean'), values: [[`'{t,f,NULL}'`, [true, false, null]], [`'{}'`, []], [`'{{t},{f}}'`, [true, false]]] },
    { column: 'a_f4', type: 'float4[]', schema: arrayOf('float'), values: [[`'{NaN,-Infinity,1.5}'`, [NaN, -Infinity, 1.5]]] },
    { column: 'a_f8', type: 'float8[]', schema: arrayOf('double'), values: [[`'{NaN,Infinity,-Infinity,1.5,-0}'`, [NaN, Infinity, -Infinity, 1.5, -0]], [`'{}'`, []]] },
    {
      column: 'a_uuid', type: 'uuid[]', schema: arrayOf(UUID),
      values: [[`'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}'`, ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', null]], [`'{}'`, []]],
    },
    { column: 'a_date', type: 'date[]', schema: arrayOf(DATE), values: [[`'{2024-02-29,0001-01-01,infinity}'`, [19782, -719162, -2147472692]], [`'{}'`, []]] },
    {
      column: 'a_ts', type: 'timestamp[]', schema: arrayOf(MICRO_TIMESTAMP),
      values: [[`'{"2024-02-29 13:45:30.123456","9999-12-31 23:59:59.999999",-infinity}'`, [1709214330123456, 253402300799999999n, -9223372036832400000n]]],
    },
    // the column's typmod applies to the elements: timestamp(3)[] has millisecond items
    { column: 'a_ts3', type: 'timestamp(3)[]', schema: arrayOf(TIMESTAMP_MS), values: [[`'{"2024-02-29 13:45:30.123"}'`, [1709214330123]]] },
    { column: 'a_tstz', type: 'timestamptz[]', schema: arrayOf(ZONED_TIMESTAMP), values: [[`'{"2024-02-29 13:45:30.123456+02",infinity}'`, ['2024-02-29T11:45:30.123456Z', 'infinity']]] },
    { column: 'a_tm', type: 'time[]', schema: arrayOf(MICRO_TIME), values: [[`'{00:00:01.5,24:00:00}'`, [1500000, 86400000000]]] },
    { column: 'a_ttz', type: 'timetz[]', schema: arrayOf(ZONED_TIME), values: [[`'{13:45:30.5+02}'`, ['11:45:30.5Z']]] },
    { column: 'a_iv', type: 'interval[]', schema: arrayOf(MICRO_DURATION), values: [[`'{1 day, 1 microsecond}'`, [86400000000, 1]]] },
    { column: 'a_bytea', type: 'bytea[]', schema: arrayOf('bytes'), values: [[`ARRAY['\\xdead'::bytea, NULL, '']`, [hex('dead'), null, Buffer.alloc(0)]]] },
    { column: 'a_json', type: 'json[]', schema: arrayOf(JSON_), values: [[`ARRAY['{"a": 1}'::json, '[1, "x,y"]']`, ['{"a": 1}', '[1, "x,y"]']]] },
    { column: 'a_jsonb', type: 'jsonb[]', schema: arrayOf(JSON_), values: [[`ARRAY['{"b":2,"a":1}'::jsonb, '"ü"']`, ['{"a": 1, "b": 2}', '"ü"']]] },
    { column: 'a_xml', type: 'xml[]', schema: arrayOf(XML), values: [[`ARRAY['<a b="c"/>'::xml]`, ['<a b="c"/>']]] },
    { column: 'a_inet', type: 'inet[]', schema: arrayOf('string'), values: [[`'{10.0.0.1,::1/128}'`, ['10.0.0.1', '::1']]] },
    { column: 'a_mac', type: 'macaddr[]', schema: arrayOf('string'), values: [[`'{08:00:2b:01:02:03}'`, ['08:00:2b:01:02:03']]] },
    { column: 'a_money', type: 'money[]', schema: arrayOf(decimal(2)), values: [[`ARRAY['1234.56'::money, '-1'::money]`, [hex('01e240'), hex('9c')]]] },
    { column: 'a_bits', type: 'bit(3)[]', schema: arrayOf(bits(3)), values: [[`'{101,011}'`, [hex('05'), hex('03')]]] },
    { column: 'a_r', type: 'int4range[]', schema: arrayOf('string'), values: [[`'{"[1,3)",empty}'`, ['[1,3)', 'empty']]] },
    { column: 'a_dom', type: 'posint[]', schema: arrayOf('int'), values: [[`'{1,2}'`, [1, 2]], [`'{}'`, []]] },
    // a domain's typmod applies to arrays of it
    { column: 'a_domnum', type: 'price[]', schema: arrayOf(decimal(3, 8)), values: [[`'{12.5,NULL}'`, [hex('30d4'), null]]] },
  ],
};

/** Enums (captured by their own connector, so that an enum failure cannot hide the other types). */
export const ENUMS: TableCase = {
  table: 'enums',
  columns: [
    { column: 'e', type: 'mood', schema: MOOD, values: [[`'happy'`, 'happy'], [`'sad'`, 'sad'], [`'très bien'`, 'très bien'], [`'ok'`, 'ok']] },
    // enum arrays: items are not optional (Debezium)
    { column: 'a_e', type: 'mood[]', schema: arrayOf(MOOD, false), values: [[`'{sad,"très bien",happy}'`, ['sad', 'très bien', 'happy']], [`'{}'`, []], [`'{{ok},{sad}}'`, ['ok', 'sad']]] },
    { column: 'e_dom', type: 'mood_domain', schema: MOOD, values: [[`'ok'`, 'ok']] },
  ],
};

/** Number of rows a table case inserts: the longest value list plus the all-NULL row. */
export function rowCount(t: TableCase): number {
  return Math.max(...t.columns.map((c) => c.values.length)) + 1;
}

export function createTableSql(t: TableCase): string {
  return `CREATE TABLE ${t.table} (id int PRIMARY KEY, ${t.columns.map((c) => `${c.column} ${c.type}`).join(', ')})`;
}

/** INSERT statements, one per row; ids are 1..rowCount. */
export function insertSql(t: TableCase): string[] {
  const out: string[] = [];
  for (let i = 0; i < rowCount(t); i++) {
    out.push(`INSERT INTO ${t.table} (id, ${t.columns.map((c) => c.column).join(', ')}) VALUES (${i + 1}, ${t.columns.map((c) => c.values[i]?.[0] ?? 'NULL').join(', ')})`);
  }
  return out;
}

/** Decimal columns in decimal.handling.mode=string and =double (table `decimals`). */
export const DECIMALS = {
  ddl: `CREATE TABLE decimals (id int PRIMARY KEY, nu numeric, n numeric(10,2), m money, nbig numeric(38,6), a_nu numeric[])`,
  rows: [
    `INSERT INTO decimals VALUES (1, 'NaN', 'NaN', 0, '-0.000001', '{NaN,1.5}')`,
    `INSERT INTO decimals VALUES (2, 'Infinity', 1.5, '-1234.56', '12345678901234567890.123456', '{Infinity,-Infinity}')`,
    `INSERT INTO decimals VALUES (3, '-Infinity', -0.01, '92233720368547758.07', NULL, '{}')`,
    `INSERT INTO decimals VALUES (4, '123.4500', 99999999.99, '-92233720368547758.08', 0, NULL)`,
  ],
  string: [
    { id: 1, nu: 'NAN', n: 'NAN', m: '0.00', nbig: '-0.000001', a_nu: ['NAN', '1.5'] },
    { id: 2, nu: 'POSITIVE_INFINITY', n: '1.50', m: '-1234.56', nbig: '12345678901234567890.123456', a_nu: ['POSITIVE_INFINITY', 'NEGATIVE_INFINITY'] },
    { id: 3, nu: 'NEGATIVE_INFINITY', n: '-0.01', m: '92233720368547758.07', nbig: null, a_nu: [] },
    { id: 4, nu: '123.4500', n: '99999999.99', m: '-92233720368547758.08', nbig: '0.000000', a_nu: null },
  ],
  double: [
    { id: 1, nu: NaN, n: NaN, m: 0, nbig: -0.000001, a_nu: [NaN, 1.5] },
    { id: 2, nu: Infinity, n: 1.5, m: -1234.56, nbig: 12345678901234567890.123456, a_nu: [Infinity, -Infinity] },
    { id: 3, nu: -Infinity, n: -0.01, m: 92233720368547758.07, nbig: null, a_nu: [] },
    { id: 4, nu: 123.45, n: 99999999.99, m: -92233720368547758.08, nbig: 0, a_nu: null },
  ],
};

/**
 * Geometric types and hstore (their own connector; table `geo` streamed, `geo_snap` snapshotted).
 * WKB is written out from little-endian doubles (Python's struct.pack('<d', v).hex()); the hstore
 * JSON key order is the iteration order jshell printed for a java.util.HashMap filled with the
 * keys in hstore_out's order.
 */
const LE: Record<string, string> = {
  '0': '0000000000000000', '1': '000000000000f03f', '2': '0000000000000040', '3': '0000000000000840', '4': '0000000000001040',
  '1.5': '000000000000f83f', '-2': '00000000000000c0', 'inf': '000000000000f07f', 'nan': '000000000000f87f',
  '0.1': '9a9999999999b93f', '1e-300': '59f3f8c21f6ea501',
};
const xy = (x: string, y: string) => LE[x]! + LE[y]!;
const wkbPointHex = (x: string, y: string) => hex(`0101000000${xy(x, y)}`);
const pt = (x: number, y: number, xs = String(x), ys = String(y)) => ({ x, y, wkb: wkbPointHex(xs, ys), srid: null });
const count = (n: number) => n.toString(16).padStart(2, '0') + '000000';
const lineString = (...p: [string, string][]) => hex(`0102000000${count(p.length)}${p.map(([x, y]) => xy(x, y)).join('')}`);
const polygon = (...p: [string, string][]) => hex(`010300000001000000${count(p.length)}${p.map(([x, y]) => xy(x, y)).join('')}`);
const geometry = (wkb: Buffer, extensions: Record<string, string>) => ({ wkb, srid: null, extensions });

const GEO_NS = 'io.debezium.data.geometry';
export const POINT_SCHEMA = {
  type: 'record', name: 'Point', namespace: GEO_NS,
  fields: [
    { name: 'x', type: 'double' },
    { name: 'y', type: 'double' },
    { name: 'wkb', type: ['null', 'bytes'], default: null },
    { name: 'srid', type: ['null', 'int'], default: null },
  ],
  'connect.doc': 'Geometry (POINT)', 'connect.version': 1, 'connect.name': `${GEO_NS}.Point`,
};
export const GEOMETRY_SCHEMA = {
  type: 'record', name: 'Geometry', namespace: GEO_NS,
  fields: [
    { name: 'wkb', type: 'bytes' },
    { name: 'srid', type: ['null', 'int'], default: null },
    { name: 'extensions', type: ['null', { type: 'map', values: 'string' }], default: null },
  ],
  'connect.doc': 'Geometry', 'connect.version': 2, 'connect.name': `${GEO_NS}.Geometry`,
};
/** Circle after a point column: its center refers to the Point already defined, by its short name (same namespace). */
export const CIRCLE_SCHEMA = {
  type: 'record', name: 'Circle', namespace: GEO_NS,
  fields: [{ name: 'center', type: 'Point' }, { name: 'radius', type: 'double' }],
  'connect.doc': 'Geometry (CIRCLE)', 'connect.version': 1, 'connect.name': `${GEO_NS}.Circle`,
};
export const LINE_SCHEMA = {
  type: 'record', name: 'Line', namespace: GEO_NS,
  fields: [{ name: 'a', type: 'double' }, { name: 'b', type: 'double' }, { name: 'c', type: 'double' }],
  'connect.doc': 'Geometry (LINE)', 'connect.version': 1, 'connect.name': `${GEO_NS}.Line`,
};

/** hstore_out prints keys by length, then bytes; Debezium's JSON follows pgjdbc's HashMap. */
const HSTORE_SQL = `$h$"b"=>"2", "a"=>NULL, "key 1"=>"q\\"uote", "ü"=>"back\\\\slash", ""=>"empty key", "nl"=>"line\nnext", "10"=>"ten", "2"=>"two"$h$`;
const HSTORE_JSON = '{"":"empty key","a":null,"2":"two","b":"2","key 1":"q\\"uote","ü":"back\\\\slash","nl":"line\\nnext","10":"ten"}';
export const HSTORE_MAP = { '': 'empty key', a: null, '2': 'two', b: '2', 'key 1': 'q"uote', 'ü': 'back\\slash', nl: 'line\nnext', '10': 'ten' };

export const GEO_DDL = [`CREATE EXTENSION IF NOT EXISTS hstore`];

export const GEO: TableCase = {
  table: 'geo',
  columns: [
    {
      column: 'p', type: 'point', schema: POINT_SCHEMA,
      values: [[`'(1.5,-2)'`, pt(1.5, -2)], [`'(Infinity,NaN)'`, pt(Infinity, NaN, 'inf', 'nan')], [`'(0.1,1e-300)'`, pt(0.1, 1e-300)]],
    },
    // a second Point in the record refers to the first by its full name
    { column: 'p2', type: 'point', schema: `${GEO_NS}.Point`, values: [[`'(0,0)'`, pt(0, 0)]] },
    {
      // box ((0,0),(2,1)) prints as (2,1),(0,0): ring (2,1) (2,0) (0,0) (0,1) (2,1)
      column: 'b', type: 'box', schema: GEOMETRY_SCHEMA,
      values: [[`'((0,0),(2,1))'`, geometry(polygon(['2', '1'], ['2', '0'], ['0', '0'], ['0', '1'], ['2', '1']), { type: 'box' })]],
    },
    { column: 'ls', type: 'lseg', schema: `${GEO_NS}.Geometry`, values: [[`'[(1,2),(3,4)]'`, geometry(lineString(['1', '2'], ['3', '4']), { type: 'lseg' })]] },
    {
      column: 'pa', type: 'path', schema: `${GEO_NS}.Geometry`,
      values: [
        [`'[(0,0),(1,1),(2,0)]'`, geometry(lineString(['0', '0'], ['1', '1'], ['2', '0']), { type: 'path', closed: 'false' })],
        [`'((0,0),(1,1))'`, geometry(lineString(['0', '0'], ['1', '1']), { type: 'path', closed: 'true' })],
      ],
    },
    {
      column: 'pg', type: 'polygon', schema: `${GEO_NS}.Geometry`,
      values: [
        // the ring is closed with the first point
        [`'((0,0),(1,0),(0,1))'`, geometry(polygon(['0', '0'], ['1', '0'], ['0', '1'], ['0', '0']), { type: 'polygon' })],
        // already closed: kept
        [`'((0,0),(1,0),(0,0))'`, geometry(polygon(['0', '0'], ['1', '0'], ['0', '0']), { type: 'polygon' })],
      ],
    },
    { column: 'ci', type: 'circle', schema: CIRCLE_SCHEMA, values: [[`'<(1,2),3>'`, { center: pt(1, 2), radius: 3 }], [`'<(0,0),0>'`, { center: pt(0, 0), radius: 0 }]] },
    // a line given by two points prints as {A,B,C}
    { column: 'li', type: 'line', schema: LINE_SCHEMA, values: [[`'{1,-1,0}'`, { a: 1, b: -1, c: 0 }], [`'[(0,0),(1,1)]'`, { a: 1, b: -1, c: 0 }]] },
    {
      // box arrays are written with ";" between elements
      column: 'a_box', type: 'box[]', schema: arrayOf(`${GEO_NS}.Geometry`),
      values: [
        [`ARRAY['(1,1),(0,0)'::box, NULL, '(4,3),(2,2)']`, [
          geometry(polygon(['1', '1'], ['1', '0'], ['0', '0'], ['0', '1'], ['1', '1']), { type: 'box' }),
          null,
          geometry(polygon(['4', '3'], ['4', '2'], ['2', '2'], ['2', '3'], ['4', '3']), { type: 'box' }),
        ]],
        [`'{}'`, []],
      ],
    },
    { column: 'a_point', type: 'point[]', schema: arrayOf(`${GEO_NS}.Point`), values: [[`'{"(1,2)",NULL}'`, [pt(1, 2), null]]] },
    { column: 'a_circle', type: 'circle[]', schema: arrayOf(`${GEO_NS}.Circle`), values: [[`ARRAY['<(1,2),3>'::circle]`, [{ center: pt(1, 2), radius: 3 }]]] },
    { column: 'a_path', type: 'path[]', schema: arrayOf(`${GEO_NS}.Geometry`), values: [[`ARRAY['((0,0),(1,1))'::path]`, [geometry(lineString(['0', '0'], ['1', '1']), { type: 'path', closed: 'true' })]]] },
    {
      column: 'h', type: 'hstore', schema: JSON_,
      values: [[HSTORE_SQL, HSTORE_JSON], [`''`, '{}'], [`'"NULL"=>"NULL", "n"=>NULL'`, '{"NULL":"NULL","n":null}']],
    },
    { column: 'a_h', type: 'hstore[]', schema: arrayOf(JSON_), values: [[`ARRAY['"a"=>"1"'::hstore, NULL, '']`, ['{"a":"1"}', null, '{}']]] },
  ],
};

/** hstore.handling.mode=map: an Avro map of optional strings. */
export const HSTORE_MAP_CASE: TableCase = {
  table: 'geo_hmap',
  columns: [
    { column: 'h', type: 'hstore', schema: { type: 'map', values: ['null', 'string'] }, values: [[HSTORE_SQL, HSTORE_MAP], [`''`, {}]] },
    { column: 'a_h', type: 'hstore[]', schema: arrayOf({ type: 'map', values: ['null', 'string'] }), values: [[`ARRAY['"a"=>"1"'::hstore, NULL]`, [{ a: '1' }, null]]] },
  ],
};
