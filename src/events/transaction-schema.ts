/**
 * Debezium's transaction metadata records (provide.transaction.metadata), as the Confluent Avro
 * converter writes Debezium's Connect schemas (SchemaFactory.transactionKeySchema /
 * transactionValueSchema / transactionEventCountPerDataCollectionSchema): the key
 * `io.debezium.connector.common.TransactionMetadataKey` and the value
 * `io.debezium.connector.common.TransactionMetadataValue`, whose `data_collections` items are the
 * optional struct `event.collection`. The event's own `transaction` block is `event.block`
 * (source-schema.ts).
 */
const optional = (type: unknown) => ({ type: ['null', type], default: null });

export const TRANSACTION_KEY_SCHEMA = {
  type: 'record',
  name: 'TransactionMetadataKey',
  namespace: 'io.debezium.connector.common',
  fields: [{ name: 'id', type: 'string' }],
  'connect.version': 1,
  'connect.name': 'io.debezium.connector.common.TransactionMetadataKey',
};

export const EVENT_COUNT_PER_DATA_COLLECTION_SCHEMA = {
  type: 'record',
  name: 'collection',
  namespace: 'event',
  fields: [
    { name: 'data_collection', type: 'string' },
    { name: 'event_count', type: 'long' },
  ],
  'connect.version': 1,
  'connect.name': 'event.collection',
};

export const TRANSACTION_VALUE_SCHEMA = {
  type: 'record',
  name: 'TransactionMetadataValue',
  namespace: 'io.debezium.connector.common',
  fields: [
    { name: 'status', type: 'string' },
    { name: 'id', type: 'string' },
    { name: 'event_count', ...optional('long') },
    { name: 'data_collections', ...optional({ type: 'array', items: ['null', EVENT_COUNT_PER_DATA_COLLECTION_SCHEMA] }) },
    { name: 'ts_ms', type: 'long' },
  ],
  'connect.version': 1,
  'connect.name': 'io.debezium.connector.common.TransactionMetadataValue',
};

export interface TransactionKey {
  id: string;
}

export interface TransactionValue {
  status: 'BEGIN' | 'END';
  id: string;
  /** null on BEGIN */
  event_count: number | null;
  /** null on BEGIN; on END one entry per data collection (`<schema>.<table>`), in Debezium's HashMap order */
  data_collections: { data_collection: string; event_count: number }[] | null;
  ts_ms: number;
}

/** The `transaction` block of a change event (`event.block`). */
export interface TransactionBlock {
  id: string;
  total_order: number;
  data_collection_order: number;
}

/** A BEGIN or END record before serialization. */
export interface TransactionRecord {
  key: TransactionKey;
  value: TransactionValue;
}
