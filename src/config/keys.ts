/**
 * Every configuration key pgcdc understands, each declared once (in the keys-*.ts files by group),
 * plus the Debezium/Kafka Connect keys pgcdc recognises but does not implement.
 */
import type { ConfigKey } from './definition.js';
import { commonKeys, connectionKeys } from './keys-common.js';
import { eventKeys, filterKeys, heartbeatKeys, replicationKeys } from './keys-replication.js';
import { flowKeys, snapshotKeys, valueKeys } from './keys-values.js';
import { alertKeys, errorKeys, topicCreationKeys } from './keys-kafka.js';
import { isColumnRuleKey } from './keys-columns.js';
import { refusedKey } from './keys-refused.js';
import { schemaChangeKeys } from './keys-schema-changes.js';
import { registryKeys } from './keys-registry.js';
import { lineageKeys } from './keys-lineage.js';
import { messageKeys } from './keys-messages.js';
import { deliveryKeys } from './keys-delivery.js';

export const CONFIG_KEYS: readonly ConfigKey[] = [
  ...commonKeys,
  ...registryKeys,
  ...replicationKeys,
  ...connectionKeys,
  ...filterKeys,
  ...eventKeys,
  ...snapshotKeys,
  ...valueKeys,
  ...flowKeys,
  ...deliveryKeys,
  ...heartbeatKeys,
  ...messageKeys,
  ...topicCreationKeys,
  ...errorKeys,
  ...alertKeys,
  ...schemaChangeKeys,
  ...lineageKeys,
];

export const KEYS_BY_NAME: ReadonlyMap<string, ConfigKey> = new Map(CONFIG_KEYS.map((k) => [k.name, k]));
if (KEYS_BY_NAME.size !== CONFIG_KEYS.length) throw new Error('pgcdc config: a key is declared twice');

/** Group names in display order (order of first declaration). */
export const CONFIG_GROUPS: readonly string[] = [...new Set(CONFIG_KEYS.map((k) => k.group))];

/**
 * Keys Debezium or Kafka Connect define that pgcdc accepts but ignores (a warning, not an error):
 * each changes neither what reaches Kafka nor what pgcdc does to the database, or is the worker's
 * business. Those that would are refused instead (keys-refused.ts).
 */
const UNIMPLEMENTED_NAMES = new Set([
  'database.server.name', 'database.tcpKeepAlive', 'database.query.timeout.ms',
  'table.ignore.builtin', 'schema.refresh.mode', 'config.action.reload',
  'errors.retry.timeout', 'include.schema.changes', 'topic.cache.size', 'topic.transaction',
  'snapshot.lock.timeout.ms', 'snapshot.locking.mode', 'snapshot.delay.ms',
  'snapshot.tables.order.by.row.count', 'streaming.delay.ms',
  'retriable.restart.connector.wait.ms', 'lsn.flush.timeout.ms', 'lsn.flush.timeout.action',
  'custom.metric.tags', 'offsets.storage.topic',
  'tasks.max.enforce', 'column.include.list.mode',
  'incremental.snapshot.watermarking.strategy', 'incremental.snapshot.allow.schema.changes',
  'snapshot.max.threads.multiplier', 'provide.transaction.metadata.topic', 'database.history',
]);

const UNIMPLEMENTED_PREFIXES = [
  'producer.override.', 'consumer.override.', 'admin.override.',
  'key.converter.', 'value.converter.', 'header.converter', 'internal.key.converter', 'internal.value.converter',
  'errors.log.', 'topic.creation.', 'snapshot.mode.', 'signal.', 'notification.', 'schema.history.internal',
  'database.history.', 'offsets.storage.', 'driver.', 'database.driver.',
];

/**
 * implemented: declared, or a column.truncate.* / column.mask.* key (keys-columns.ts);
 * refused: a Debezium key pgcdc does not implement that would change output (an error unless its
 * value asks for what pgcdc does); unimplemented: recognised and harmless to ignore (a warning);
 * unknown: never heard of (a warning).
 */
export type KeyKind = 'implemented' | 'refused' | 'unimplemented' | 'unknown';

export function classifyKey(name: string): KeyKind {
  if (KEYS_BY_NAME.has(name) || isColumnRuleKey(name)) return 'implemented';
  if (refusedKey(name)) return 'refused';
  if (UNIMPLEMENTED_NAMES.has(name) || UNIMPLEMENTED_PREFIXES.some((p) => name.startsWith(p))) return 'unimplemented';
  return 'unknown';
}
