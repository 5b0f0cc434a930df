/**
 * A table's shape as consumers see it: its value fields (Avro field name, Avro type of the non-null
 * branch, optional or not, whether the PostgreSQL column has a default), its key fields and its
 * replica identity. Built either from a TableSchema pgcdc just derived from a Relation message or
 * from the schemas registered for the table's subjects. Pure: no I/O.
 */
import type { TableSchema } from '../events/table-schema.js';

export interface ColumnShape {
  name: string;
  /** Avro type of the field without its null branch and without connect.default */
  type: unknown;
  optional: boolean;
  /** the PostgreSQL column has a DEFAULT; null when unknown (a shape read from the registry) */
  hasDefault: boolean | null;
}

export interface TableShape {
  columns: ColumnShape[];
  key: string[];
  /** null when unknown (the registry does not record it) */
  replicaIdentity: string | null;
}

export function shapeOfSchema(schema: TableSchema, withDefault: ReadonlySet<string> = new Set()): TableShape {
  return {
    columns: schema.columns.map((c) => ({ name: c.fieldName, type: c.mapping.schema, optional: c.optional, hasDefault: withDefault.has(c.name) })),
    key: schema.keyColumns.map((i) => schema.columns[i]!.fieldName),
    replicaIdentity: schema.replicaIdentity,
  };
}

/**
 * The shape registered for a table: the `after` record of its registered envelope, and the fields
 * of its registered key schema (null: no key subject, a table without primary key). Null when the
 * value schema is not a pgcdc/Debezium envelope.
 */
export function shapeOfRegistered(envelope: unknown, key: unknown | null): TableShape | null {
  const fields = recordFields(envelope);
  const after = fields?.find((f) => f.name === 'after');
  if (!after) return null;
  const named = new Map<string, unknown>();
  collectNamed(envelope, named);
  // `after` refers by name to the Value record `before` defines
  const afterType = unwrap(after.type).type;
  const value = recordFields(typeof afterType === 'string' ? named.get(afterType) : afterType);
  if (!value) return null;
  const columns = value.map((f) => {
    const { type, optional } = unwrap(f.type);
    return { name: f.name, type: typeof type === 'string' && named.has(type) ? named.get(type) : type, optional, hasDefault: null };
  });
  return { columns, key: key === null ? [] : (recordFields(key) ?? []).map((f) => f.name), replicaIdentity: null };
}

interface Field {
  name: string;
  type: unknown;
}

function recordFields(schema: unknown): Field[] | null {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return null;
  const s = schema as { type?: unknown; fields?: unknown };
  return s.type === 'record' && Array.isArray(s.fields) ? (s.fields as Field[]) : null;
}

/**
 * The field's type without its null branch (`["null", T]`, or `[T, "null"]` for a column with a
 * default) and without `connect.default`: a default is not part of the column's type.
 */
export function unwrap(type: unknown): { type: unknown; optional: boolean } {
  if (Array.isArray(type) && type.length === 2 && (type[0] === 'null' || type[1] === 'null')) {
    return { type: withoutDefault(type[0] === 'null' ? type[1] : type[0]), optional: true };
  }
  return { type: withoutDefault(type), optional: false };
}

function withoutDefault(type: unknown): unknown {
  if (!type || typeof type !== 'object' || Array.isArray(type) || !('connect.default' in type)) return type;
  const { ['connect.default']: _default, ...rest } = type as Record<string, unknown>;
  return Object.keys(rest).length === 1 && typeof rest.type === 'string' ? rest.type : rest;
}

/** Named types defined once and referred to by full name later (VariableScaleDecimal). */
function collectNamed(schema: unknown, out: Map<string, unknown>): void {
  if (Array.isArray(schema)) return schema.forEach((s) => collectNamed(s, out));
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Record<string, unknown>;
  if (s.type === 'record' && typeof s.name === 'string') {
    out.set(s.namespace ? `${s.namespace}.${s.name}` : s.name, s);
    for (const f of (s.fields as Field[]) ?? []) collectNamed(f.type, out);
  } else if (s.type === 'array') collectNamed(s.items, out);
}
