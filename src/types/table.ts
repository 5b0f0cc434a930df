import { named } from './schemas.js';
import { row, type TypeRow } from './row.js';
import { float4Row, float8Row, int2Row, int4Row, int8Row, moneyRow, numericRow } from './rows/numeric.js';
import { binaryEncoder, binarySchema, bitRow, boolRow, byteaRow, namedString, STRING_ROW } from './rows/other.js';
import { boxRow, circleRow, lineRow, lsegRow, pathRow, pointRow, polygonRow } from './rows/geometric.js';
import { hstoreRow } from './rows/hstore.js';
import { dateRow, intervalRow, timeRow, timestampRow, timestamptzRow, timetzRow } from './rows/temporal.js';

/**
 * THE MAPPING TABLE: PostgreSQL type name (pg_type.typname) -> Avro schema + text converter,
 * matching Debezium's PostgresValueConverter with the Confluent Avro converter (defaults:
 * decimal.handling.mode=precise, time.precision.mode=adaptive, binary.handling.mode=bytes,
 * interval.handling.mode=numeric). Options change some rows; see each row's definition.
 *
 * Types not listed here are resolved in index.ts: enums (typtype 'e') -> string
 * io.debezium.data.Enum, domains -> their base type, arrays (category 'A') -> array of the
 * element's mapping, ranges and multiranges (typtype 'r'/'m') -> string; everything else
 * (composite, pseudo types, unknown extension types such as PostGIS) -> UnsupportedTypeError.
 *
 * Names are matched regardless of the type's schema for the extension types (citext, ltree, hstore):
 * extensions may be installed in any schema.
 */
export const TYPE_TABLE: Readonly<Record<string, TypeRow>> = {
  //  type          row                                   Avro (defaults)
  bool: boolRow, //                                        boolean
  int2: int2Row, //                                        int, connect.type int16
  int4: int4Row, //                                        int
  int8: int8Row, //                                        long (number, or bigint beyond 2^53)
  oid: int8Row, //                                         long
  float4: float4Row, //                                    float (NaN, ±Infinity kept)
  float8: float8Row, //                                    double
  numeric: numericRow, //                                  Decimal(p,s) bytes | VariableScaleDecimal record
  money: moneyRow, //                                      Decimal(money.fraction.digits) bytes
  char: STRING_ROW, //                                     string ("char", one byte)
  name: STRING_ROW, //                                     string
  text: STRING_ROW, //                                     string
  varchar: STRING_ROW, //                                  string
  bpchar: STRING_ROW, //                                   string, blank padding kept
  citext: STRING_ROW, //                                   string (extension)
  bytea: byteaRow, //                                      bytes | string per binary.handling.mode
  bit: bitRow(false), //                                   boolean for bit(1), else Bits bytes
  varbit: bitRow(true), //                                 boolean for varbit(1), else Bits bytes
  uuid: namedString('io.debezium.data.Uuid'), //           string
  json: namedString('io.debezium.data.Json'), //           string
  jsonb: namedString('io.debezium.data.Json'), //          string
  xml: namedString('io.debezium.data.Xml'), //             string
  tsvector: namedString('io.debezium.data.Tsvector'), //   string
  ltree: namedString('io.debezium.data.Ltree'), //         string (extension)
  date: dateRow, //                                        int io.debezium.time.Date (days)
  time: timeRow, //                                        int Time (ms) p<=3 | long MicroTime (µs)
  timetz: timetzRow, //                                    string io.debezium.time.ZonedTime (UTC)
  timestamp: timestampRow, //                              long Timestamp (ms) p<=3 | MicroTimestamp (µs)
  timestamptz: timestamptzRow, //                          string io.debezium.time.ZonedTimestamp (UTC)
  interval: intervalRow, //                                long MicroDuration | string Interval
  inet: STRING_ROW, //                                     string
  cidr: STRING_ROW, //                                     string
  macaddr: STRING_ROW, //                                  string
  macaddr8: STRING_ROW, //                                 string
  int4range: STRING_ROW, //                                string, PostgreSQL's range text
  int8range: STRING_ROW, //                                string
  numrange: STRING_ROW, //                                 string
  tsrange: STRING_ROW, //                                  string
  tstzrange: STRING_ROW, //                                string
  daterange: STRING_ROW, //                                string
  point: pointRow, //                                      Point record {x, y, wkb, srid}
  box: boxRow, //                                          Geometry record (Polygon WKB), always optional
  lseg: lsegRow, //                                        Geometry record (LineString WKB), always optional
  path: pathRow, //                                        Geometry record (LineString WKB), always optional
  polygon: polygonRow, //                                  Geometry record (Polygon WKB), always optional
  circle: circleRow, //                                    Circle record {center Point, radius}, always optional
  line: lineRow, //                                        Line record {a, b, c}, always optional
  hstore: hstoreRow, //                                    Json string | map per hstore.handling.mode (extension)

  // Beyond Debezium: it leaves these columns out of its events (no schema for them unless
  // include.unknown.datatypes); pgcdc sends their text, which loses nothing.
  int4multirange: STRING_ROW,
  int8multirange: STRING_ROW,
  nummultirange: STRING_ROW,
  tsmultirange: STRING_ROW,
  tstzmultirange: STRING_ROW,
  datemultirange: STRING_ROW,
  tsquery: STRING_ROW,
  jsonpath: STRING_ROW,
  pg_lsn: STRING_ROW,
  xid: STRING_ROW,
  xid8: STRING_ROW,
  cid: STRING_ROW,
  tid: STRING_ROW,
  txid_snapshot: STRING_ROW,
  pg_snapshot: STRING_ROW,
  int2vector: STRING_ROW, // "1 2 3": category 'A' in pg_type but not in array_out's format
  oidvector: STRING_ROW,
  refcursor: STRING_ROW,
  regproc: STRING_ROW,
  regprocedure: STRING_ROW,
  regoper: STRING_ROW,
  regoperator: STRING_ROW,
  regclass: STRING_ROW,
  regtype: STRING_ROW,
  regconfig: STRING_ROW,
  regdictionary: STRING_ROW,
  regnamespace: STRING_ROW,
  regrole: STRING_ROW,
  regcollation: STRING_ROW,
};

/** Enums: string io.debezium.data.Enum with connect.parameters.allowed = the labels joined by ",". */
export const ENUM_ROW: TypeRow = row(
  (ctx) => named('string', 'io.debezium.data.Enum', { allowed: (ctx.enumLabels ?? []).join(',') }),
  () => (text) => text,
);

/** include.unknown.datatypes: the text's UTF-8 bytes, shaped by binary.handling.mode like bytea. */
export const UNKNOWN_ROW: TypeRow = row(binarySchema, (ctx) => {
  const encode = binaryEncoder(ctx);
  return (text) => encode(Buffer.from(text, 'utf8'));
});
