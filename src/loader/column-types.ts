import { dateText, decimalText, durationText, timestampText, timeText } from './value-text.js';

/** A copy column's PostgreSQL type and how a decoded Avro value becomes its query parameter. */
export interface CopyColumnType {
  pgType: string;
  toSql(value: unknown): unknown;
}

type Schema = Record<string, any> | string;

const asString = (v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
const passThrough = (v: unknown) => v;
/** Unknown shapes: their text, so nothing is dropped (JSON for records, maps and arrays). */
const asText = (v: unknown) => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)));

const col = (pgType: string, toSql: (v: any) => unknown): CopyColumnType => ({ pgType, toSql });

/**
 * THE LOADER'S TYPE TABLE, by Kafka Connect logical name first (what Debezium means), then by the
 * Avro type (what is on the wire). Each row reverses the connector's mapping (src/types/table.ts)
 * into a PostgreSQL type a warehouse would choose. Names not listed fall through to the Avro type;
 * shapes not listed there (records, maps) become `text` holding the value's JSON.
 */
const BY_CONNECT_NAME: Record<string, (schema: Record<string, any>) => CopyColumnType> = {
  'org.apache.kafka.connect.data.Decimal': (s) => col('numeric', (v: Buffer) => decimalText(v, Number(s.scale ?? s['connect.parameters']?.scale ?? 0))),
  'io.debezium.data.VariableScaleDecimal': () => col('numeric', (v: { scale: number; value: Buffer }) => decimalText(v.value, v.scale)),
  'io.debezium.time.Date': () => col('date', dateText),
  'org.apache.kafka.connect.data.Date': () => col('date', dateText),
  'io.debezium.time.Time': () => col('time', (ms: number) => timeText(ms * 1000)),
  'org.apache.kafka.connect.data.Time': () => col('time', (ms: number) => timeText(ms * 1000)),
  'io.debezium.time.MicroTime': () => col('time', (us: number) => timeText(Number(us))),
  'io.debezium.time.NanoTime': () => col('time', (ns: number | bigint) => timeText(Number(BigInt(ns) / 1000n))),
  'io.debezium.time.Timestamp': () => col('timestamp', (ms: number | bigint) => timestampText(ms, 'ms')),
  'org.apache.kafka.connect.data.Timestamp': () => col('timestamp', (ms: number | bigint) => timestampText(ms, 'ms')),
  'io.debezium.time.MicroTimestamp': () => col('timestamp', (us: number | bigint) => timestampText(us, 'us')),
  // ISO-8601 in UTC ("2024-01-02T03:04:05.123456Z"), which PostgreSQL reads as is.
  'io.debezium.time.ZonedTimestamp': () => col('timestamptz', passThrough),
  'io.debezium.time.ZonedTime': () => col('timetz', passThrough),
  'io.debezium.time.MicroDuration': () => col('interval', durationText),
  'io.debezium.time.Interval': () => col('interval', passThrough),
  'io.debezium.data.Json': () => col('jsonb', passThrough),
  'io.debezium.data.Uuid': () => col('uuid', passThrough),
  'io.debezium.data.Xml': () => col('xml', passThrough),
  'io.debezium.data.Enum': () => col('text', passThrough),
  // Debezium's little-endian bit bytes have no PostgreSQL counterpart: kept as bytea.
  'io.debezium.data.Bits': () => col('bytea', passThrough),
};

function byAvroType(s: Record<string, any>): CopyColumnType {
  switch (s.type) {
    case 'boolean':
      return col('boolean', passThrough);
    case 'int':
      return col(s['connect.type'] === 'int16' || s['connect.type'] === 'int8' ? 'smallint' : 'integer', passThrough);
    case 'long':
      return col('bigint', asString);
    case 'float':
      return col('real', passThrough);
    case 'double':
      return col('double precision', passThrough);
    case 'string':
      return col('text', passThrough);
    case 'bytes':
      return col('bytea', passThrough);
    case 'array': {
      const item = copyColumnType(s.items);
      // Arrays of arrays or of text-of-JSON items would not round-trip; their JSON text is kept.
      if (item.pgType.endsWith('[]') || item.toSql === asText) return col('text', asText);
      return col(`${item.pgType}[]`, (v: unknown[]) => v.map((x) => (x === null ? null : item.toSql(x))));
    }
    default:
      return col('text', asText);
  }
}

/** The copy column for one field schema of a Debezium value record (optional unions unwrapped). */
export function copyColumnType(schema: Schema | Schema[]): CopyColumnType {
  if (Array.isArray(schema)) {
    const inner = schema.filter((s) => s !== 'null');
    return inner.length === 1 ? copyColumnType(inner[0]!) : col('text', asText);
  }
  // a named type defined earlier in the record is referred to by its full name
  if (typeof schema === 'string' && BY_CONNECT_NAME[schema]) return BY_CONNECT_NAME[schema]!({});
  const s = typeof schema === 'string' ? { type: schema } : schema;
  const byName = typeof s['connect.name'] === 'string' ? BY_CONNECT_NAME[s['connect.name']] : undefined;
  if (byName) return byName(s);
  if (typeof s.type === 'object' && s.type !== null) return copyColumnType(s.type);
  return byAvroType(s);
}
