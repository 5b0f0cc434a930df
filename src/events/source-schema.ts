/**
 * The parts of the change event's Avro schema that do not depend on the table: Debezium's
 * `io.debezium.connector.postgresql.Source` block and the transaction block, as the Confluent Avro
 * converter writes them, so that Debezium consumers read pgcdc events unchanged.
 */
const SNAPSHOT_VALUES = 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental';

const optional = (type: unknown) => ({ type: ['null', type], default: null });

export const SOURCE_SCHEMA = {
  type: 'record',
  name: 'Source',
  namespace: 'io.debezium.connector.postgresql',
  fields: [
    { name: 'version', type: 'string' },
    { name: 'connector', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'ts_ms', type: 'long' },
    {
      name: 'snapshot',
      type: [
        { type: 'string', 'connect.version': 1, 'connect.parameters': { allowed: SNAPSHOT_VALUES }, 'connect.default': 'false', 'connect.name': 'io.debezium.data.Enum' },
        'null',
      ],
      default: 'false',
    },
    { name: 'db', type: 'string' },
    { name: 'sequence', ...optional('string') },
    { name: 'ts_us', ...optional('long') },
    { name: 'ts_ns', ...optional('long') },
    { name: 'schema', type: 'string' },
    { name: 'table', type: 'string' },
    { name: 'txId', ...optional('long') },
    { name: 'lsn', ...optional('long') },
    { name: 'xmin', ...optional('long') },
    // the replication origin of a change applied by logical replication (pgoutput's Origin message)
    { name: 'origin', ...optional('string') },
    { name: 'origin_lsn', ...optional('long') },
  ],
  'connect.version': 1,
  'connect.name': 'io.debezium.connector.postgresql.Source',
};

export const TRANSACTION_BLOCK_SCHEMA = {
  type: 'record',
  name: 'block',
  namespace: 'event',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'total_order', type: 'long' },
    { name: 'data_collection_order', type: 'long' },
  ],
  'connect.version': 1,
  'connect.name': 'event.block',
};

export type SnapshotMarker = 'true' | 'first' | 'first_in_data_collection' | 'last_in_data_collection' | 'last' | 'false' | 'incremental';

export interface SourceBlock {
  version: string;
  connector: 'postgresql';
  name: string;
  ts_ms: number;
  snapshot: SnapshotMarker;
  db: string;
  sequence: string | null;
  ts_us: number | bigint | null;
  ts_ns: number | bigint | null;
  schema: string;
  table: string;
  txId: number | null;
  lsn: number | bigint | null;
  xmin: number | null;
  origin: string | null;
  origin_lsn: number | bigint | null;
}

/** Builds the envelope schema of one table around its Value record. */
export function envelopeSchema(envelopeName: string, valueSchema: Record<string, unknown>): Record<string, unknown> {
  const [namespace, name] = splitName(envelopeName);
  return {
    type: 'record',
    name,
    namespace,
    fields: [
      { name: 'before', ...optional(valueSchema) },
      { name: 'after', ...optional(String(valueSchema.namespace) + '.' + String(valueSchema.name)) },
      { name: 'source', type: SOURCE_SCHEMA },
      { name: 'transaction', ...optional(TRANSACTION_BLOCK_SCHEMA) },
      { name: 'op', type: 'string' },
      { name: 'ts_ms', ...optional('long') },
      { name: 'ts_us', ...optional('long') },
      { name: 'ts_ns', ...optional('long') },
    ],
    'connect.version': 2,
    'connect.name': envelopeName,
  };
}

export function splitName(fullName: string): [string, string] {
  const i = fullName.lastIndexOf('.');
  return [fullName.slice(0, i), fullName.slice(i + 1)];
}
