import type avro from 'avsc';
import { compileSchema, type AvroSchemaJson } from '../avro/codec.js';
import type { RelationMessage, ReplicaIdentity } from '../decoding/messages.js';
import type { TableFacts } from '../postgres/catalog.js';
import type { ColumnMapping, ConversionOptions } from '../types/mapping.js';
import type { DeadLetterQueue } from '../connector/dead-letter.js';
import type { TypeCatalog } from '../types/catalog.js';
import { mapColumn } from '../types/index.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { avroName, firstCollision, recordFullName, topicName } from './names.js';
import { envelopeSchema, splitName } from './source-schema.js';
import { columnTransformFor, type CompiledColumnRule } from './column-masks.js';
import type { MessageKeyChooser } from './message-key.js';
import { fieldDefault, withConnectDefault, type FieldDefault } from './field-default.js';

/** One captured column: where it sits in pgoutput's tuple and how it is represented. */
export interface CapturedColumn {
  name: string;
  fieldName: string;
  /** position in the relation's tuple (pgoutput sends every column, in attnum order) */
  tupleIndex: number;
  /** the column allows NULL (not NOT NULL, not in the primary key) */
  optional: boolean;
  /** the field is ["null", ...] although the column is NOT NULL (Debezium's optional Geometry, Circle, Line) */
  optionalSchema?: boolean;
  typeOid: number;
  typeMod: number;
  mapping: ColumnMapping;
  /** what `before`/`after` carry when the real value is not available (unchanged TOAST, identity-only rows) */
  unavailable: unknown;
  /** the column default in the schema (Debezium's), absent when it has none */
  default?: FieldDefault;
  /** what a NOT NULL column carries when pgoutput sent no value (Debezium's fallback: its default, else zero of its type) */
  fallback: unknown;
  /** what a NULL of this (optional) column is sent as: null, or its default (value.converter.ignore.default.for.nullables=false) */
  nullValue: unknown;
  /** column.truncate.* / column.mask.*: applied to every value of the column (events and dead letters) */
  transform?: (value: unknown) => unknown;
}

/**
 * Everything needed to turn one table's tuples into change events, rebuilt on every Relation
 * message (pgoutput sends one before the first change and after each ALTER TABLE).
 */
export interface TableSchema {
  relationOid: number;
  schema: string;
  table: string;
  topic: string;
  replicaIdentity: ReplicaIdentity;
  columns: CapturedColumn[];
  /** the primary key's columns (indexes into `columns`); empty means no primary key */
  keyColumns: number[];
  /** the record key's columns: message.key.columns for this table, else the primary key's; empty means key-less events */
  messageKeyColumns: number[];
  keySchema: AvroSchemaJson | null;
  valueSchema: Record<string, unknown>;
  envelopeSchema: Record<string, unknown>;
  keyType: avro.Type | null;
  envelopeType: avro.Type;
  /** errors.tolerance, the dead-letter topic and the record size limit; null = fail on any bad change */
  deadLetter: DeadLetterQueue | null;
}

export interface SchemaContext {
  topicPrefix: string;
  catalog: TypeCatalog;
  conversion: ConversionOptions;
  placeholder: string;
  includeColumn(schema: string, table: string, column: string): boolean;
  /** where changes that cannot be delivered go (absent: they fail the connector) */
  deadLetter?: DeadLetterQueue;
  /** column.truncate.* / column.mask.* rules */
  columnRules?: readonly CompiledColumnRule[];
  /** message.key.columns */
  messageKey?: MessageKeyChooser;
  /** the topic version of a table (schema.change.breaking.topic.versioning); absent or 1: the plain topic */
  topicVersion?: (schema: string, table: string) => number;
  /** value.converter.ignore.default.for.nullables=false: a NULL in a column with a default is sent as the default */
  nullAsDefault?: boolean;
}

export function buildTableSchema(rel: RelationMessage, facts: TableFacts, ctx: SchemaContext): TableSchema {
  const qualified = `${rel.schema}.${rel.table}`;
  const pk = new Set(facts.primaryKey);
  const customKey = ctx.messageKey?.(rel.schema, rel.table, rel.columns.map((c) => c.name)) ?? null;
  const keyNames = customKey ?? facts.primaryKey;
  const columns: CapturedColumn[] = [];
  rel.columns.forEach((col, tupleIndex) => {
    if (!pk.has(col.name) && !keyNames.includes(col.name) && !ctx.includeColumn(rel.schema, rel.table, col.name)) return;
    const fact = facts.columns.get(col.name);
    const notNull = pk.has(col.name) || (fact?.notNull ?? false);
    let mapping = mapColumn({ name: col.name, typeOid: col.typeOid, typeMod: col.typeMod, isKey: pk.has(col.name), notNull }, ctx.catalog, ctx.conversion, qualified);
    const transform = columnTransformFor(ctx.columnRules ?? [], rel.schema, rel.table, col.name, col.typeOid, col.typeMod);
    if (transform) mapping = { ...mapping, schema: transform.schema(mapping.schema) };
    // A masked or truncated column's default is left out: it would show the value in clear.
    const def = transform ? null : fieldDefault(fact?.defaultExpr ?? null, col.typeOid, ctx.catalog, mapping);
    columns.push({
      ...(transform ? { transform: transform.apply } : {}),
      ...(def ? { default: def } : {}),
      name: col.name,
      fieldName: avroName(col.name),
      tupleIndex,
      optional: !notNull,
      ...(mapping.optionalSchema ? { optionalSchema: true } : {}),
      typeOid: col.typeOid,
      typeMod: col.typeMod,
      mapping,
      unavailable: NUMERIC_ARRAY_OIDS.has(col.typeOid)
        ? [...Buffer.from(ctx.placeholder)]
        : mapping.unavailable
          ? mapping.unavailable(ctx.placeholder)
          : unavailableValue(mapping.schema, ctx.placeholder),
      fallback: notNull ? (def ? def.value : mapping.fallback !== undefined ? mapping.fallback : zeroValue(mapping.schema)) : null,
      nullValue: def && ctx.nullAsDefault ? def.value : null,
    });
  });
  const clash = firstCollision(columns.map((c) => c.name), avroName);
  if (clash) throw fieldNameCollision(qualified, clash);
  const keyColumns = columns.flatMap((c, i) => (pk.has(c.name) ? [i] : []));
  const messageKeyColumns = customKey ? customKey.map((name) => columns.findIndex((c) => c.name === name)) : keyColumns;
  const valueName = recordFullName(ctx.topicPrefix, rel.schema, rel.table, 'Value');
  const valueSchema = recordSchema(valueName, columns);
  const keySchema = messageKeyColumns.length > 0 ? recordSchema(recordFullName(ctx.topicPrefix, rel.schema, rel.table, 'Key'), messageKeyColumns.map((i) => columns[i]!)) : null;
  const envelope = envelopeSchema(recordFullName(ctx.topicPrefix, rel.schema, rel.table, 'Envelope'), valueSchema);
  return {
    relationOid: rel.relationOid,
    schema: rel.schema,
    table: rel.table,
    topic: topicName(ctx.topicPrefix, rel.schema, rel.table, ctx.topicVersion?.(rel.schema, rel.table)),
    replicaIdentity: rel.replicaIdentity,
    columns,
    keyColumns,
    messageKeyColumns,
    keySchema,
    valueSchema,
    envelopeSchema: envelope,
    keyType: keySchema ? compileSchema(keySchema) : null,
    envelopeType: compileSchema(envelope),
    deadLetter: ctx.deadLetter ?? null,
  };
}

/**
 * Avro field names allow only [A-Za-z0-9_], so other characters become `_` (Debezium's
 * field.name.adjustment.mode=avro). Two columns that differ only in such characters would become
 * one field: refused naming both, rather than failing later with "duplicate field name".
 */
export function fieldNameCollision(table: string, [a, b, field]: [string, string, string]): PgcdcError {
  return new PgcdcError('config', `table ${table}: columns "${a}" and "${b}" both become the Avro field "${field}" (characters other than A-Z a-z 0-9 _ are replaced by _)`, {
    remedy: `rename one of the columns, or leave one out with column.exclude.list=${table}.<column>`,
  });
}

function recordSchema(fullName: string, columns: CapturedColumn[]): Record<string, unknown> {
  const [namespace, name] = splitName(fullName);
  const defined = new Set<string>();
  return {
    type: 'record',
    name,
    namespace,
    fields: columns.map((c) => {
      const type = referOnce(c.mapping.schema, defined, namespace);
      const optional = c.optional || c.optionalSchema === true;
      if (c.default) {
        const typed = withConnectDefault(type, c.default.json);
        return { name: c.fieldName, type: optional ? [typed, 'null'] : typed, default: c.default.json };
      }
      return optional ? { name: c.fieldName, type: ['null', type], default: null } : { name: c.fieldName, type };
    }),
    'connect.name': fullName,
  };
}

/**
 * Avro allows a named type (io.debezium.data.VariableScaleDecimal, the geometry records) to be
 * defined once per schema; later uses refer to it by name, as Avro's Schema.toString writes them
 * for the Confluent converter: the short name inside a record of the same namespace (a Point in a
 * Circle), else the full name. A record without "namespace" inherits the enclosing one.
 */
function referOnce(schema: unknown, defined: Set<string>, space: string | undefined): unknown {
  if (Array.isArray(schema)) return schema.map((s) => referOnce(s, defined, space));
  if (!schema || typeof schema !== 'object') return schema;
  const s = schema as Record<string, unknown>;
  if (s.type === 'record' && typeof s.name === 'string') {
    const ns = typeof s.namespace === 'string' ? s.namespace : space;
    const full = ns ? `${ns}.${s.name}` : s.name;
    if (defined.has(full)) return ns === space ? s.name : full;
    defined.add(full);
    if (!Array.isArray(s.fields)) return s;
    // a record defined inside another one of its namespace leaves its namespace out
    const own = ns !== undefined && ns === space ? (({ namespace: _n, ...rest }) => rest)(s) : s;
    return { ...own, fields: (s.fields as Record<string, unknown>[]).map((f) => ({ ...f, type: referOnce(f.type, defined, ns) })) };
  }
  if (s.type === 'array') return { ...s, items: referOnce(s.items, defined, space) };
  if (s.type === 'map') return { ...s, values: referOnce(s.values, defined, space) };
  return s;
}

/**
 * Debezium's placeholder for unchanged TOASTed int4[], date[] and int8[] columns is the placeholder's
 * bytes as a list of numbers (its UNCHANGED_INT_ARRAY / UNCHANGED_BIGINT_ARRAY toast values).
 */
const NUMERIC_ARRAY_OIDS = new Set([1007 /* _int4 */, 1182 /* _date */, 1016 /* _int8 */]);

/** The primitive Avro type a column's schema stands on ("string", "bytes", "array", ...). */
function baseType(schema: unknown): string {
  if (typeof schema === 'string') return schema;
  if (schema && typeof schema === 'object' && !Array.isArray(schema)) return String((schema as { type: unknown }).type);
  return 'union';
}

/**
 * Debezium's unavailable.value.placeholder for TOASTed values pgoutput did not resend: the string
 * for text-like columns, its bytes for binary ones, a one-element array for arrays of those.
 * Other types are never TOASTed in practice; they get null (or their fallback when NOT NULL).
 */
function unavailableValue(schema: unknown, placeholder: string): unknown {
  switch (baseType(schema)) {
    case 'string':
      return placeholder;
    case 'bytes':
      return (schema as { logicalType?: string }).logicalType === 'decimal' ? null : Buffer.from(placeholder);
    case 'array': {
      const items = (schema as { items: unknown }).items;
      const inner = unavailableValue(Array.isArray(items) ? items[1] : items, placeholder);
      return inner === null ? null : [inner];
    }
    default:
      return null;
  }
}

function zeroValue(schema: unknown): unknown {
  switch (baseType(schema)) {
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.from([0]);
    case 'array':
      return [];
    case 'record':
      return { scale: 0, value: Buffer.from([0]) };
    default:
      return null;
  }
}
