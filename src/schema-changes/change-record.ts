/**
 * One record of the schema-change topic (schema.change.topic.enabled): a detected table change or a
 * decision taken on one. Keyed by table (database, schema, table) so records of one table stay in
 * one partition, in order; Avro through the registry like every other pgcdc record (Debezium writes
 * its schema-change records, on connectors that have them, through the connector's converter too).
 * Pure: schemas and values, no I/O.
 */
import type { ShapeChange } from './classify.js';
import type { RegistryVerdict } from './pending.js';
import type { TableShape } from './shape.js';

/** What happened to the change: auto-registered (additive), pending (paused), failed, or the operator's decision. */
export type SchemaChangeOutcome = 'auto-registered' | 'pending' | 'failed' | 'approved' | 'skipped-table' | 'rejected' | 'superseded';

export interface SchemaChangeNotice {
  /** the change's id (pending.ts changeId) */
  id: string;
  database: string;
  /** `schema.table` */
  table: string;
  /** the topic events with the new shape go to (or would go to) */
  topic: string;
  lsn: string;
  classification: 'additive' | 'breaking';
  changes: ShapeChange[];
  /** null when unknown (a decision on a change stored before shapes were kept) */
  before: TableShape | null;
  after: TableShape | null;
  registry: RegistryVerdict[];
  decision: SchemaChangeOutcome;
  at: Date;
}

const NS = 'io.pgcdc.connector.postgresql';
const optionalString = ['null', 'string'];

export const SCHEMA_CHANGE_KEY_SCHEMA = {
  type: 'record',
  name: 'SchemaChangeKey',
  namespace: NS,
  fields: [
    { name: 'databaseName', type: 'string' },
    { name: 'schemaName', type: 'string' },
    { name: 'tableName', type: 'string' },
  ],
};

export const SCHEMA_CHANGE_VALUE_SCHEMA = {
  type: 'record',
  name: 'SchemaChangeValue',
  namespace: NS,
  fields: [
    { name: 'ts_ms', type: 'long' },
    { name: 'databaseName', type: 'string' },
    { name: 'schemaName', type: 'string' },
    { name: 'tableName', type: 'string' },
    { name: 'id', type: 'string' },
    { name: 'lsn', type: 'string' },
    { name: 'topic', type: 'string' },
    { name: 'classification', type: 'string' },
    { name: 'decision', type: 'string' },
    {
      name: 'changes',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'ColumnChange',
          fields: [
            { name: 'kind', type: 'string' },
            { name: 'classification', type: 'string' },
            { name: 'column', type: optionalString, default: null },
            { name: 'before', type: optionalString, default: null, doc: 'JSON of the old field definition (or key, or replica identity)' },
            { name: 'after', type: optionalString, default: null, doc: 'JSON of the new field definition' },
            { name: 'reason', type: 'string' },
          ],
        },
      },
    },
    { name: 'columnsBefore', type: { type: 'array', items: columnRecord('Column') } },
    { name: 'columnsAfter', type: { type: 'array', items: `${NS}.Column` } },
    { name: 'primaryKeyBefore', type: { type: 'array', items: 'string' } },
    { name: 'primaryKeyAfter', type: { type: 'array', items: 'string' } },
    {
      name: 'registry',
      type: { type: 'array', items: { type: 'record', name: 'RegistryVerdict', fields: [{ name: 'subject', type: 'string' }, { name: 'compatible', type: 'boolean' }] } },
    },
  ],
};

function columnRecord(name: string) {
  return {
    type: 'record',
    name,
    fields: [
      { name: 'name', type: 'string' },
      { name: 'type', type: 'string', doc: 'JSON of the Avro type (without its null union)' },
      { name: 'optional', type: 'boolean' },
      { name: 'hasDefault', type: ['null', 'boolean'], default: null },
    ],
  };
}

function splitTable(table: string): [string, string] {
  const dot = table.indexOf('.');
  return [table.slice(0, dot), table.slice(dot + 1)];
}

export function schemaChangeKey(n: SchemaChangeNotice): Record<string, string> {
  const [schemaName, tableName] = splitTable(n.table);
  return { databaseName: n.database, schemaName, tableName };
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

export function schemaChangeValue(n: SchemaChangeNotice): Record<string, unknown> {
  const [schemaName, tableName] = splitTable(n.table);
  const columns = (s: TableShape | null) => (s?.columns ?? []).map((c) => ({ name: c.name, type: JSON.stringify(c.type), optional: c.optional, hasDefault: c.hasDefault }));
  return {
    ts_ms: BigInt(n.at.getTime()),
    databaseName: n.database,
    schemaName,
    tableName,
    id: n.id,
    lsn: n.lsn,
    topic: n.topic,
    classification: n.classification,
    decision: n.decision,
    changes: n.changes.map((c) => ({ kind: c.kind, classification: c.classification, column: c.column, before: json(c.before), after: json(c.after), reason: c.reason })),
    columnsBefore: columns(n.before),
    columnsAfter: columns(n.after),
    primaryKeyBefore: n.before?.key ?? [],
    primaryKeyAfter: n.after?.key ?? [],
    registry: n.registry,
  };
}
