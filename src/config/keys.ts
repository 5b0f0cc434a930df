/**
 * Every configuration key pgcdc understands, each declared once (in the keys-*.ts files by group),
 * plus the Debezium/Kafka Connect keys pgcdc recognises but does not implement.
 */
import type { ConfigKey } from './definition.js';
import { commonKeys, connectionKeys } from './keys-common.js';
import { eventKeys, filterKeys, heartbeatKeys, replicationKeys } from './keys-replication.js';
import { flowKeys, snapshotKeys, valueKeys } from './keys-values.js';
import { alertKeys, errorKeys, topicCreationKeys } from './keys-kafka.js';
import { schemaChangeKeys } from './keys-schema-changes.js';

export const CONFIG_KEYS: readonly ConfigKey[] = [
  ...commonKeys,
  ...replicationKeys,
  ...connectionKeys,
  ...filterKeys,
  ...eventKeys,
  ...snapshotKeys,
  ...valueKeys,
  ...flowKeys,
  ...heartbeatKeys,
  ...topicCreationKeys,
  ...errorKeys,
  ...alertKeys,
  ...schemaChangeKeys,
];

export const KEYS_BY_NAME: ReadonlyMap<string, ConfigKey> = new Map(CONFIG_KEYS.map((k) => [k.name, k]));
if (KEYS_BY_NAME.size !== CONFIG_KEYS.length) throw new Error('pgcdc config: a key is declared twice');

/** Group names in display order (order of first declaration). */
export const CONFIG_GROUPS: readonly string[] = [...new Set(CONFIG_KEYS.map((k) => k.group))];

/** Keys Debezium or Kafka Connect define that pgcdc accepts but ignores (a warning, not an error). */
const UNIMPLEMENTED_NAMES = new Set([
  'database.server.name', 'database.initial.statements', 'database.tcpKeepAlive', 'database.sslcert',
  'database.sslkey', 'database.sslpassword', 'database.sslfactory', 'database.query.timeout.ms',
  'message.key.columns', 'table.ignore.builtin', 'schema.refresh.mode', 'datatype.propagate.source.type',
  'column.propagate.source.type', 'event.processing.failure.handling.mode', 'config.action.reload',
  'errors.retry.timeout', 'include.schema.changes', 'include.schema.comments', 'converters',
  'topic.naming.strategy', 'topic.delimiter', 'topic.cache.size', 'topic.transaction',
  'schema.name.adjustment.mode', 'field.name.adjustment.mode', 'sanitize.field.names',
  'snapshot.lock.timeout.ms', 'snapshot.locking.mode', 'snapshot.query.mode', 'snapshot.delay.ms',
  'snapshot.tables.order.by.row.count', 'streaming.delay.ms', 'slot.stream.params', 'xmin.fetch.interval.ms',
  'retriable.restart.connector.wait.ms', 'lsn.flush.timeout.ms', 'lsn.flush.timeout.action', 'flush.lsn.source',
  'read.only', 'publish.via.partition.root', 'heartbeat.topics.prefix', 'custom.metric.tags',
  'exactly.once.support', 'transaction.boundary', 'transaction.boundary.interval.ms', 'offsets.storage.topic',
  'tasks.max.enforce', 'skip.messages.without.change', 'post.processors', 'replica.identity.autoset.values',
  'message.prefix.include.list', 'message.prefix.exclude.list', 'column.include.list.mode',
  'incremental.snapshot.watermarking.strategy', 'incremental.snapshot.allow.schema.changes',
  'snapshot.max.threads.multiplier', 'provide.transaction.metadata.topic', 'database.history',
]);

const UNIMPLEMENTED_PREFIXES = [
  'transforms', 'predicates', 'producer.override.', 'consumer.override.', 'admin.override.',
  'key.converter.', 'value.converter.', 'header.converter', 'internal.key.converter', 'internal.value.converter',
  'column.mask.', 'column.truncate.', 'errors.log.', 'topic.creation.', 'snapshot.select.statement.overrides',
  'snapshot.mode.', 'signal.', 'notification.', 'schema.history.internal', 'database.history.',
  'offsets.storage.', 'driver.', 'database.driver.',
];

export type KeyKind = 'implemented' | 'unimplemented' | 'unknown';

/** Whether pgcdc implements a key, merely recognises it (Debezium/Kafka Connect), or has never heard of it. */
export function classifyKey(name: string): KeyKind {
  if (KEYS_BY_NAME.has(name)) return 'implemented';
  if (UNIMPLEMENTED_NAMES.has(name) || UNIMPLEMENTED_PREFIXES.some((p) => name.startsWith(p))) return 'unimplemented';
  return 'unknown';
}
