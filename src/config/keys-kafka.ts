/** Topic creation, error handling (Kafka Connect's errors.* keys) and pgcdc's lag alerts. */
import { keysIn, rules, type ConfigKey, type ConfigValue, type ParsedValues } from './definition.js';

const topic = keysIn('Topic Creation');
const err = keysIn('Error Handling');
const alert = keysIn('Alerts');

/** -1 means "the broker's default"; otherwise at least 1. */
function brokerDefaultOrPositive(v: ConfigValue): string | undefined {
  return typeof v === 'number' && v !== -1 && v < 1 ? 'must be -1 (broker default) or at least 1' : undefined;
}

/** The dead-letter topic: required under tolerance=all, a valid name, and not a change topic's name. */
function deadLetterTopicProblem(v: ConfigValue, all: ParsedValues): string | undefined {
  if (v === null || v === '') return all['errors.tolerance'] === 'all' ? 'is required when errors.tolerance=all (pgcdc never drops a change silently)' : undefined;
  if (typeof v !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(v)) return 'must be a valid Kafka topic name';
  const prefix = all['topic.prefix'];
  if (typeof prefix === 'string' && v.startsWith(`${prefix}.`) && v.slice(prefix.length + 1).includes('.')) {
    return `must not have the form <topic.prefix>.<schema>.<table> (${prefix}.*.*), which change topics use`;
  }
  return undefined;
}

export const topicCreationKeys: ConfigKey[] = [
  topic('topic.creation.default.partitions', 'INT', 1, 'LOW', 'Partitions',
    'Partitions of topics pgcdc creates; -1 = the broker default.', { validate: brokerDefaultOrPositive }),
  topic('topic.creation.default.replication.factor', 'INT', -1, 'LOW', 'Replication factor',
    'Replication factor of topics pgcdc creates; -1 = the broker default.', { validate: brokerDefaultOrPositive }),
  topic('topic.creation.default.cleanup.policy', 'STRING', 'delete', 'LOW', 'Cleanup policy',
    'cleanup.policy of created topics: delete (retention) or compact (keep the last record per key).',
    { allowed: ['delete', 'compact'] }),
];

export const errorKeys: ConfigKey[] = [
  err('errors.tolerance', 'STRING', 'none', 'MEDIUM', 'Error tolerance',
    'none: a change that cannot be converted or is too large fails the connector (naming table, key and LSN); all: it goes to errors.deadletterqueue.topic.name instead.',
    { allowed: ['none', 'all'] }),
  err('errors.deadletterqueue.topic.name', 'STRING', null, 'LOW', 'Dead letter topic',
    'Topic receiving, as JSON, the changes skipped under errors.tolerance=all; required then (pgcdc never drops a change silently).',
    { validate: deadLetterTopicProblem }),
  err('errors.deadletterqueue.context.headers.enable', 'BOOLEAN', false, 'LOW', 'Dead letter context headers',
    'Also add __connect.errors.class.name and __connect.errors.exception.stacktrace headers to dead letters.'),
  err('producer.override.max.request.size', 'INT', 1048576, 'LOW', 'Max record size',
    'Largest record (key + value + headers + framing) pgcdc sends; a larger change fails the connector, or is dead-lettered under errors.tolerance=all. Keep it at most the topic\'s max.message.bytes.',
    { validate: rules.range(1024) }),
  err('producer.override.compression.type', 'STRING', 'none', 'LOW', 'Compression',
    'Compression of the record batches pgcdc produces (Kafka\'s compression.type): none, gzip, snappy, lz4 or zstd.',
    { allowed: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] }),
  err('errors.max.retries', 'INT', -1, 'LOW', 'Max retries',
    'Retries of a retriable failure (lost connection, broker unavailable) before the task fails; -1 = retry forever, 0 = never.',
    { validate: rules.range(-1) }),
  err('errors.retry.delay.initial.ms', 'LONG', 300, 'LOW', 'Initial retry delay (ms)',
    'First delay between retries; doubles up to errors.retry.delay.max.ms.', { validate: rules.range(0) }),
  err('errors.retry.delay.max.ms', 'LONG', 10000, 'LOW', 'Max retry delay (ms)', 'Upper bound of the retry delay.',
    {
      validate: (v, all) => {
        const initial = all['errors.retry.delay.initial.ms'];
        if (typeof v === 'number' && typeof initial === 'number' && v < initial) {
          return `must be at least errors.retry.delay.initial.ms (${initial})`;
        }
        return rules.range(0)(v);
      },
    }),
];

export const alertKeys: ConfigKey[] = [
  alert('lag.alert.ms', 'LONG', 5000, 'LOW', 'Lag alert (ms)',
    'Alert when the newest delivered change is older than this; 0 = off.', { validate: rules.range(0) }),
  alert('lag.alert.bytes', 'LONG', 0, 'LOW', 'Lag alert (bytes)',
    'Alert when the server WAL position is this many bytes ahead of the confirmed LSN; 0 = off.', { validate: rules.range(0) }),
  alert('slot.retained.wal.alert.bytes', 'LONG', 0, 'LOW', 'Retained WAL alert (bytes)',
    'Alert when the slot retains more WAL than this (pg_current_wal_lsn() - restart_lsn); 0 = off.', { validate: rules.range(0) }),
  alert('lag.alert.for.ms', 'LONG', 0, 'LOW', 'Alert hold (ms)',
    'A condition must hold this long before an alert fires (avoids flapping); 0 = immediately.', { validate: rules.range(0) }),
  alert('alert.webhook.url', 'STRING', null, 'LOW', 'Alert webhook URL',
    'http(s) URL receiving a JSON POST when an alert fires or clears.', { validate: rules.httpUrl, width: 'LONG' }),
  alert('metrics.log.interval.ms', 'LONG', 60000, 'LOW', 'Summary log interval (ms)',
    'Every this many ms the worker logs one summary line per connector (events/s, lag, retained WAL, queue depth, state); 0 = off.',
    { validate: rules.range(0) }),
];
