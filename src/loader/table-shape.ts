import { copyColumnType, type CopyColumnType } from './column-types.js';

export interface CopyColumn {
  name: string;
  type: CopyColumnType;
}

/** A copy table's columns as one value schema version describes them. */
export interface TableShape {
  schemaId: number;
  columns: CopyColumn[];
}

/** Where a table topic's rows land: `<prefix>.<schema>.<table>` -> schema.table in the copy. */
export interface CopyTarget {
  schema: string;
  table: string;
}

/**
 * The topic names the table (tombstones carry no value to read it from). Debezium's topic is
 * `<prefix>.<schema>.<table>` with characters Kafka refuses replaced by `_`, so the copy's names
 * are the sanitized ones; a schema name containing a dot cannot be told apart and is cut at it.
 */
export function copyTargetOf(topic: string, prefix: string): CopyTarget | null {
  if (!topic.startsWith(`${prefix}.`)) return null;
  const rest = topic.slice(prefix.length + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return null; // <prefix>.transaction and the like
  return { schema: rest.slice(0, dot), table: rest.slice(dot + 1) };
}

/**
 * The row record of a Debezium envelope schema: `before` defines it (optional union unwrapped) and
 * `after` refers to it by name, as the Confluent converter writes them; either order is accepted.
 */
export function rowRecordOf(envelope: Record<string, any>): Record<string, any> {
  const fields = (envelope.fields as { name: string; type: unknown }[] | undefined) ?? [];
  for (const f of fields.filter((x) => x.name === 'before' || x.name === 'after')) {
    const type = Array.isArray(f.type) ? f.type.find((t: unknown) => t !== 'null') : f.type;
    if (type && typeof type === 'object' && (type as { type?: unknown }).type === 'record') return type as Record<string, any>;
  }
  throw new Error(`value schema ${String(envelope.name ?? '?')} is not a Debezium envelope: no record-typed "before" or "after" field`);
}

export function shapeOf(schemaId: number, envelope: Record<string, any>): TableShape {
  const fields = rowRecordOf(envelope).fields as { name: string; type: any }[];
  return { schemaId, columns: fields.map((f) => ({ name: f.name, type: copyColumnType(f.type) })) };
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const qualified = (t: CopyTarget) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
