/**
 * The parts one connector run is built from: the sink, the offset writer, the table registry, the
 * event builder, the snapshot-phase deps, the replication stream, the checkpointer, the streaming
 * source and the topics beside the table topics (heartbeat, logical messages). Each is a function
 * of the config and the worker's ports and returns the part; Connector.runOnce (connector.ts)
 * decides the order, awaits and owns what outlives a call, so this file has no lifecycle.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config/index.js';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import type { RetryOptions } from '../errors/retry.js';
import { contextHeaders, ChangeEventBuilder } from '../events/change-events.js';
import { compileColumnRules } from '../events/column-masks.js';
import { HEARTBEAT_PARTITION, HEARTBEAT_KEY_SCHEMA, HEARTBEAT_VALUE_SCHEMA, heartbeatKey, heartbeatValue } from '../events/heartbeat-record.js';
import { messageKeyChooser } from '../events/message-key.js';
import { topicName } from '../events/names.js';
import type { KafkaClient, RecordSink } from '../kafka/ports.js';
import type { ConnectorMetrics } from '../metrics/connector-metrics.js';
import type { OffsetStore, OffsetWriter } from '../offsets/offset-store.js';
import type { SourceOffset } from '../offsets/source-offset.js';
import { TransactionalOffsetWriter } from '../offsets/transactional-offsets.js';
import { PgTypeCatalog } from '../postgres/catalog.js';
import { clientConfig, connect, rawTextTypes } from '../postgres/connection.js';
import type { CapturedTable } from '../postgres/publication.js';
import { ReplicationStream } from '../postgres/replication-stream.js';
import { SchemaRegistrar } from '../registry/schema-registrar.js';
import { SchemaChangeTopic } from '../schema-changes/change-topic.js';
import { schemaChangeCounters } from '../schema-changes/counters.js';
import { SchemaChangeGate } from '../schema-changes/gate.js';
import type { SchemaChangeState } from '../schema-changes/pending.js';
import { TopicVersions } from '../schema-changes/topic-versions.js';
import { IncrementalSnapshot } from '../snapshot/incremental-snapshot.js';
import { ResumedSnapshot } from '../snapshot/resumed-snapshot.js';
import type { SnapshotSource } from '../snapshot/snapshot-source.js';
import { PGCDC_VERSION } from '../version.js';
import { Checkpointer } from './checkpointer.js';
import type { DeadLetterQueue } from './dead-letter.js';
import { FixedSchemaTopic } from './fixed-schema-topic.js';
import { LogicalMessages } from './logical-messages.js';
import { nullValueWarner } from './null-value-warnings.js';
import type { PreparedResume, SnapshotPhaseDeps } from './snapshot-phase.js';
import { StreamingSource } from './streaming-source.js';
import { TableRegistry } from './table-registry.js';
import type { TransactionTopic } from './transaction-topic.js';

/** `schema.table` → the `.v<N>` version an approval moved it to (schema.change.breaking.topic.versioning) */
export type TopicVersionOf = (schema: string, table: string) => number;
export type DeliveryRetry = Omit<RetryOptions, 'signal' | 'onRetry'>;

/** The catalog connection, its failure classified where it enters. */
export function connectCatalog(cfg: ConnectorConfig): Promise<pg.Client> {
  const db = cfg.database;
  return connect(clientConfig(db)).catch((err) => {
    throw classifyPostgresError(err, `connecting to PostgreSQL ${db.host}:${db.port}/${db.dbname}`, 'connect');
  });
}

/** The run's sink; under exactly.once.support=required a transactional producer, one transactional.id per connector. */
export function openSink(cfg: ConnectorConfig, kafka: KafkaClient, metrics: ConnectorMetrics): RecordSink {
  return kafka.sink(cfg.topicCreation, metrics, { compression: cfg.compression, ...(cfg.exactlyOnce ? { transactionalId: `pgcdc-${cfg.name}` } : {}) });
}

/** For status: `schema.table` → the topic it uses now, for the tables moved to `<topic>.v<N>`. */
export function versionedTopics(cfg: ConnectorConfig, state: SchemaChangeState, topicVersion: TopicVersionOf): Record<string, string> {
  return Object.fromEntries(Object.keys(state.topic_versions).map((t) => {
    const dot = t.indexOf('.');
    return [t, topicName(cfg.topicPrefix, t.slice(0, dot), t.slice(dot + 1), topicVersion(t.slice(0, dot), t.slice(dot + 1)))];
  }));
}

/** Where offsets are written: into the sink's open Kafka transaction under exactly-once, else the worker's store. */
export function offsetWriter(sink: RecordSink, store: OffsetStore): OffsetWriter {
  return sink.transactions ? new TransactionalOffsetWriter(sink.transactions, store.topic) : store;
}

/** signal.data.collection as a table, or null when ad-hoc snapshots are not configured. */
export function signalTable(cfg: ConnectorConfig): CapturedTable | null {
  const name = cfg.snapshot.signalDataCollection;
  if (!name) return null;
  const dot = name.indexOf('.');
  return { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}

/** The publication's tables: the captured ones, plus the signal table when it is not one of them. */
export function publishedTables(tables: CapturedTable[], signal: CapturedTable | null): CapturedTable[] {
  return signal && !tables.some((t) => t.schema === signal.schema && t.table === signal.table) ? [...tables, signal] : tables;
}

export interface RegistryParts {
  catalog: pg.Client;
  types: PgTypeCatalog;
  registrar: SchemaRegistrar;
  sink: RecordSink;
  deadLetters: DeadLetterQueue;
  captured: (schema: string, table: string) => boolean;
  /** the schema-change state after the run's start decided about a pending change */
  changeState: SchemaChangeState;
  topicVersion: TopicVersionOf;
  metrics: ConnectorMetrics;
  log: Logger;
}

/** The table registry with the schema-change gate (unless schema.change.policy=allow) and its announcer. */
export function tableRegistry(cfg: ConnectorConfig, p: RegistryParts): TableRegistry {
  const { catalog, types, registrar, sink, changeState, topicVersion } = p;
  const announcer = cfg.schemaChangeTopic ? new SchemaChangeTopic(cfg.schemaChangeTopic, sink, registrar) : null;
  return new TableRegistry(
    catalog,
    types,
    registrar,
    sink,
    { topicPrefix: cfg.topicPrefix, catalog: types, conversion: cfg.conversion, placeholder: cfg.unavailableValuePlaceholder, includeColumn: cfg.filters.column, deadLetter: p.deadLetters,
      columnRules: compileColumnRules(cfg.columnRules), messageKey: messageKeyChooser(cfg.messageKeyColumns), nullAsDefault: cfg.nullAsDefault, topicVersion },
    p.captured,
    p.log,
    cfg.schemaChangePolicy === 'allow' ? null : new SchemaChangeGate(cfg.schemaChangePolicy, new SchemaRegistrar(cfg.registry), catalog, schemaChangeCounters(p.metrics), p.log, new Set(changeState.decisions.filter((d) => d.decision === 'approved').map((d) => d.id)), announcer, cfg.database.dbname),
    Object.keys(changeState.topic_versions).length > 0 ? new TopicVersions(registrar, cfg.topicPrefix, topicVersion, (t) => changeState.topic_moved_at[t] ?? null) : null,
  );
}

export function changeEventBuilder(cfg: ConnectorConfig, log: Logger): ChangeEventBuilder {
  return new ChangeEventBuilder({
    connectorVersion: PGCDC_VERSION,
    serverName: cfg.topicPrefix,
    database: cfg.database.dbname,
    tombstonesOnDelete: cfg.tombstonesOnDelete,
    skippedOperations: cfg.skippedOperations,
    onValueWrittenAsNull: nullValueWarner(log),
    ...(cfg.extendedHeaders ? { contextHeaders: contextHeaders(cfg.topicPrefix, randomUUID()) } : {}),
  });
}

/**
 * How deliveries and offset writes retry. Under exactly-once a failed send or commit is never
 * retried inside the transaction (that would commit duplicates): the run restarts from the last
 * committed offset instead.
 */
export function deliveryRetry(cfg: ConnectorConfig): DeliveryRetry {
  return { maxRetries: cfg.exactlyOnce ? 0 : cfg.errors.maxRetries, initialDelayMs: cfg.errors.retryDelayInitialMs, maxDelayMs: cfg.errors.retryDelayMaxMs };
}

/** What the run's snapshot and streaming parts share. */
export interface RunParts {
  catalog: pg.Client;
  sink: RecordSink;
  offsets: OffsetWriter;
  offsetKey: string;
  registry: TableRegistry;
  events: ChangeEventBuilder;
  retry: DeliveryRetry;
  log: Logger;
}

export function snapshotPhaseDeps(cfg: ConnectorConfig, p: RunParts, onStarted: () => void, onSource: (source: SnapshotSource | null) => void): SnapshotPhaseDeps {
  return {
    config: cfg,
    catalog: p.catalog,
    offsets: { store: p.offsets, key: p.offsetKey },
    registry: p.registry,
    events: p.events,
    sink: p.sink,
    retry: p.retry,
    log: p.log,
    onStarted,
    onSource,
  };
}

/** The replication connection (not yet started); it needs the server version for logical decoding messages. */
export async function replicationStream(cfg: ConnectorConfig, catalog: pg.Client): Promise<ReplicationStream> {
  return new ReplicationStream(clientConfig(cfg.database, { replication: 'database' } as never), {
    slotName: cfg.slotName,
    publicationName: cfg.publicationName,
    statusIntervalMs: cfg.statusUpdateIntervalMs,
    serverVersionNum: await serverVersionNum(catalog),
  });
}

/** The one place an LSN is confirmed to the slot: after the offset is written (checkpointer.ts). */
export function checkpointerFor(cfg: ConnectorConfig, p: RunParts, stream: ReplicationStream, metrics: ConnectorMetrics): Checkpointer {
  return new Checkpointer(p.offsets, p.offsetKey, (lsn) => stream.confirm(lsn), p.log, {
    maxRetries: p.retry.maxRetries,
    flushIntervalMs: cfg.offsetFlushIntervalMs,
    onRetry: (err) => metrics.error('delivery', err),
  });
}

export interface StreamingParts extends RunParts {
  stream: ReplicationStream;
  checkpointer: Checkpointer;
  /** the offset streaming resumes from */
  offset: SourceOffset | null;
  /** provide.transaction.metadata: prepared before the first BEGIN record; null when off */
  transactionTopic: TransactionTopic | null;
}

export function streamingSource(cfg: ConnectorConfig, p: StreamingParts, metrics: ConnectorMetrics): StreamingSource {
  return new StreamingSource(p.stream, p.registry, p.events, p.sink, p.checkpointer, p.offset, {
    transactionTopic: p.transactionTopic,
    maxBatchSize: cfg.maxBatchSize,
    maxQueueSize: cfg.maxQueueSize,
    offsetFlushIntervalMs: cfg.offsetFlushIntervalMs,
    exactlyOnce: cfg.exactlyOnce,
    retry: p.retry,
  }, p.log, metrics);
}

/**
 * An interrupted snapshot, finished by the stream at the new snapshot's position (resumed-snapshot.ts);
 * `onCompleted`: lineage; `exactlyOnce`: its catch-up commits as it goes.
 */
export function resumedSnapshotBarrier(resumed: PreparedResume, p: StreamingParts, onCompleted: (() => void) | null, exactlyOnce: boolean): ResumedSnapshot {
  const barrier = new ResumedSnapshot(resumed.consistentPoint, resumed.source, resumed.state, p.registry, p.checkpointer, resumed.start.offset, p.log, exactlyOnce);
  if (onCompleted) barrier.onCompleted = onCompleted;
  return barrier;
}

/** Ad-hoc snapshots driven by the signal table; `onError` fails the streaming source. */
export function incrementalSnapshot(cfg: ConnectorConfig, signal: CapturedTable, p: RunParts, onError: (err: unknown) => void): IncrementalSnapshot {
  return new IncrementalSnapshot(clientConfig(cfg.database, { types: rawTextTypes }), signal, cfg.snapshot.incrementalChunkSize, p.registry, p.events, p.log, onError);
}

export function logicalMessages(cfg: ConnectorConfig, sink: RecordSink, registrar: SchemaRegistrar): LogicalMessages {
  return new LogicalMessages(cfg.topicPrefix, { connectorVersion: PGCDC_VERSION, serverName: cfg.topicPrefix, database: cfg.database.dbname, binaryHandlingMode: cfg.conversion.binaryHandlingMode }, cfg.messagePrefix, sink, registrar);
}

export function heartbeatTopic(cfg: ConnectorConfig, sink: RecordSink, registrar: SchemaRegistrar): FixedSchemaTopic {
  return new FixedSchemaTopic(cfg.heartbeatTopic, HEARTBEAT_KEY_SCHEMA, HEARTBEAT_VALUE_SCHEMA, sink, registrar);
}

/**
 * heartbeat.interval.ms: runs the action query, then has the source write a heartbeat record
 * (Debezium's CompositeHeartbeat order), whose acknowledgement lets the slot advance while
 * captured tables are idle. Returns the timer the run clears at its end (none when off).
 */
export async function startHeartbeat(cfg: ConnectorConfig, client: pg.Client, source: StreamingSource, topic: FixedSchemaTopic, log: Logger): Promise<NodeJS.Timeout | undefined> {
  const interval = cfg.heartbeatIntervalMs;
  if (interval <= 0) return undefined;
  await topic.prepare();
  const query = cfg.heartbeatActionQuery;
  const key = heartbeatKey(cfg.topicPrefix);
  return setInterval(() => {
    if (query) void client.query(query).catch((err) => log.warn({ err: err.message }, 'heartbeat.action.query failed'));
    source.beat(() => topic.record(key, heartbeatValue(Date.now()), HEARTBEAT_PARTITION));
  }, interval);
}

/** server_version_num (e.g. 150004): pgoutput streams logical decoding messages from 14 on. */
async function serverVersionNum(client: pg.Client): Promise<number> {
  const r = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  return Number(r.rows[0]!.v);
}
