/**
 * Fields of OpenLineage's schema dataset facet from what pgcdc knows: a table's columns with their
 * PostgreSQL type names (input datasets, as Debezium: `int4`, `varchar`, ...), and a registered Avro
 * schema with Kafka Connect's type names nested as Debezium's OpenLineage integration shows a topic
 * (`before` STRUCT with its fields, `op` STRING, `ts_ms` INT64, ...). Pure.
 */
export interface LineageField {
  name: string;
  type?: string;
  description?: string;
  fields?: LineageField[];
}

/** One captured column: name and PostgreSQL type name. */
export interface ColumnShape {
  name: string;
  typeName: string;
}

export function columnFields(columns: readonly ColumnShape[]): LineageField[] {
  return columns.map((c) => ({ name: c.name, type: c.typeName }));
}

type Avro = string | Avro[] | { [k: string]: unknown };

const PRIMITIVE: Readonly<Record<string, string>> = {
  boolean: 'BOOLEAN', int: 'INT32', long: 'INT64', float: 'FLOAT32', double: 'FLOAT64', bytes: 'BYTES', string: 'STRING', null: 'NULL',
};
/** Confluent's AvroData marks Connect's INT8/INT16 (stored as Avro int) with connect.type. */
const CONNECT_TYPE: Readonly<Record<string, string>> = { int8: 'INT8', int16: 'INT16' };

/** The fields of an Avro record schema (the registered `-value` Envelope), nested records as STRUCT. */
export function avroFields(schema: unknown): LineageField[] {
  const named = new Map<string, Record<string, unknown>>();
  collectNamed(schema as Avro, named, undefined);
  const root = resolve(schema as Avro, named);
  return isRecord(root) ? recordFields(root, named, 0) : [];
}

function recordFields(rec: Record<string, unknown>, named: Map<string, Record<string, unknown>>, depth: number): LineageField[] {
  const fields = Array.isArray(rec.fields) ? (rec.fields as { name: string; type: Avro; doc?: string }[]) : [];
  return fields.map((f) => field(f.name, f.type, f.doc, named, depth));
}

function field(name: string, type: Avro, doc: string | undefined, named: Map<string, Record<string, unknown>>, depth: number): LineageField {
  const t = resolve(nonNull(type), named);
  const out: LineageField = { name, type: typeName(t) };
  if (doc) out.description = doc;
  // depth bound: a recursive Avro type (pgcdc registers none) cannot nest forever
  if (isRecord(t) && depth < 16) out.fields = recordFields(t, named, depth + 1);
  return out;
}

function typeName(t: Avro): string {
  if (typeof t === 'string') return PRIMITIVE[t] ?? 'STRUCT';
  if (Array.isArray(t)) return 'UNION';
  switch (t.type) {
    case 'record': return 'STRUCT';
    case 'array': return 'ARRAY';
    case 'map': return 'MAP';
    case 'enum': return 'STRING';
    case 'fixed': return 'BYTES';
    default: {
      const connect = typeof t['connect.type'] === 'string' ? CONNECT_TYPE[t['connect.type'] as string] : undefined;
      return connect ?? (typeof t.type === 'string' ? (PRIMITIVE[t.type] ?? t.type.toUpperCase()) : 'UNKNOWN');
    }
  }
}

/** ["null", X] is an optional X. */
function nonNull(type: Avro): Avro {
  if (!Array.isArray(type)) return type;
  const rest = type.filter((t) => t !== 'null');
  return rest.length === 1 ? rest[0]! : type;
}

function resolve(type: Avro, named: Map<string, Record<string, unknown>>): Avro {
  if (typeof type === 'string' && !(type in PRIMITIVE)) return named.get(type) ?? type;
  return type;
}

function isRecord(t: Avro): t is Record<string, unknown> {
  return typeof t === 'object' && !Array.isArray(t) && t.type === 'record';
}

/** Named types by full name (and short name), so later references resolve. */
function collectNamed(type: Avro, named: Map<string, Record<string, unknown>>, ns: string | undefined): void {
  if (Array.isArray(type)) return type.forEach((t) => collectNamed(t, named, ns));
  if (typeof type !== 'object' || type === null) return;
  const name = typeof type.name === 'string' ? type.name : undefined;
  const space = typeof type.namespace === 'string' ? type.namespace : ns;
  if (name && (type.type === 'record' || type.type === 'enum' || type.type === 'fixed')) {
    const full = name.includes('.') || !space ? name : `${space}.${name}`;
    named.set(full, type);
    if (!named.has(name)) named.set(name, type);
  }
  const innerNs = name?.includes('.') ? name.slice(0, name.lastIndexOf('.')) : space;
  if (Array.isArray(type.fields)) for (const f of type.fields as { type: Avro }[]) collectNamed(f.type, named, innerNs);
  if (type.items) collectNamed(type.items as Avro, named, innerNs);
  if (type.values) collectNamed(type.values as Avro, named, innerNs);
  if (typeof type.type === 'object') collectNamed(type.type as Avro, named, innerNs);
}
