/** Topic naming, the replication slot and publication, table/column filters, events and heartbeats. */
import { keysIn, REQUIRED, rules, type ConfigKey, type ConfigValue } from './definition.js';
import { onlyDefault } from './keys-refused.js';
import { parseMessageKeyColumns } from '../events/message-key.js';

const common = keysIn('Common');
const repl = keysIn('Replication');
const filt = keysIn('Filters');
const evt = keysIn('Events');
const hb = keysIn('Heartbeat');

/** Kafka topic names: 1-249 of A-Z a-z 0-9 . _ - (prefixes leave room for `.schema.table`). */
function topicPart(v: ConfigValue): string | undefined {
  if (typeof v !== 'string') return undefined;
  return /^[A-Za-z0-9._-]{1,249}$/.test(v) ? undefined : 'must be 1-249 characters from A-Z a-z 0-9 . _ -';
}

function regexListKey(kind: 'schema' | 'table' | 'column', mode: 'include' | 'exclude', what: string): ConfigKey {
  const name = `${kind}.${mode}.list`;
  const doc = mode === 'include'
    ? `Comma-separated regular expressions matched against the whole ${what}; only matching ones are captured. Cannot be combined with ${kind}.exclude.list.`
    : `Comma-separated regular expressions matched against the whole ${what}; matching ones are not captured. Cannot be combined with ${kind}.include.list.`;
  return filt(name, 'LIST', null, 'MEDIUM', `${kind[0]!.toUpperCase()}${kind.slice(1)} ${mode} list`, doc, {
    validate: mode === 'include' ? rules.regexList : rules.exclusiveWith(`${kind}.include.list`, name),
    width: 'LONG',
  });
}

export const replicationKeys: ConfigKey[] = [
  common('topic.prefix', 'STRING', REQUIRED, 'HIGH', 'Topic prefix',
    'Logical name of the source; prefix of every topic (<prefix>.<schema>.<table>) and the source.name field. Never change it once events were written.',
    { validate: topicPart }),
  repl('plugin.name', 'STRING', 'pgoutput', 'MEDIUM', 'Logical decoding plugin',
    `Logical decoding output plugin. pgcdc decodes PostgreSQL's built-in pgoutput only.`,
    {
      allowed: ['pgoutput'],
      rejected: {
        decoderbufs: 'not supported by pgcdc; use pgoutput',
        wal2json: 'not supported by pgcdc; use pgoutput',
        wal2json_streaming: 'not supported by pgcdc; use pgoutput',
        wal2json_rds: 'not supported by pgcdc; use pgoutput',
        wal2json_rds_streaming: 'not supported by pgcdc; use pgoutput',
      },
    }),
  repl('slot.name', 'STRING', 'debezium', 'MEDIUM', 'Slot name',
    'Name of the logical replication slot pgcdc streams from (created when missing). Unique per connector and database.',
    { validate: (v) => (typeof v === 'string' && !/^[a-z0-9_]{1,63}$/.test(v) ? 'must be 1-63 characters from a-z 0-9 _ (a PostgreSQL slot name)' : undefined) }),
  repl('publication.name', 'STRING', 'dbz_publication', 'MEDIUM', 'Publication name',
    'Name of the PostgreSQL publication pgoutput streams.',
    // pgoutput reads publication_names as an unquoted identifier list (folded to lower case, split at commas).
    { validate: (v) => (typeof v === 'string' && !/^[a-z0-9_]{1,63}$/.test(v) ? 'must be 1-63 characters from a-z 0-9 _ (pgoutput folds publication names to lower case and splits them at commas)' : undefined) }),
  repl('publication.autocreate.mode', 'STRING', 'filtered', 'MEDIUM', 'Publication auto-create mode',
    'filtered (pgcdc default; Debezium defaults to all_tables): create/update the publication for the tables the filters select; all_tables: FOR ALL TABLES; no_tables: create it empty; disabled: it must already exist.',
    { allowed: ['filtered', 'all_tables', 'no_tables', 'disabled'] }),
  repl('slot.drop.on.stop', 'BOOLEAN', false, 'LOW', 'Drop slot on stop',
    'Drop the replication slot when the connector stops (testing only: changes made while stopped are lost).'),
  repl('slot.max.retries', 'INT', 6, 'LOW', 'Slot retries',
    'Only the default is accepted: pgcdc retries a slot that is in use (like any retriable failure) under errors.max.retries and errors.retry.delay.*.',
    { validate: onlyDefault(6, 'a slot in use is retried under errors.max.retries; set that instead', rules.range(0) as (v: unknown) => string | undefined) }),
  repl('slot.retry.delay.ms', 'LONG', 10000, 'LOW', 'Slot retry delay (ms)',
    'Only the default is accepted: pgcdc waits between attempts on a slot in use as errors.retry.delay.initial.ms / errors.retry.delay.max.ms say.',
    { validate: onlyDefault(10000, 'a slot in use is retried after errors.retry.delay.initial.ms / errors.retry.delay.max.ms; set those instead', rules.range(0) as (v: unknown) => string | undefined) }),
];

export const filterKeys: ConfigKey[] = [
  regexListKey('schema', 'include', 'schema name'),
  regexListKey('schema', 'exclude', 'schema name'),
  regexListKey('table', 'include', 'schema.table identifier'),
  regexListKey('table', 'exclude', 'schema.table identifier'),
  regexListKey('column', 'include', 'schema.table.column identifier'),
  regexListKey('column', 'exclude', 'schema.table.column identifier'),
];

export const eventKeys: ConfigKey[] = [
  evt('tombstones.on.delete', 'BOOLEAN', true, 'MEDIUM', 'Tombstones on delete',
    'Follow each delete event with a tombstone (same key, null value) so log compaction can drop the key.'),
  evt('extended.headers.enabled', 'BOOLEAN', true, 'LOW', 'Extended headers',
    'Add Debezium\'s context headers to every change event and tombstone: __debezium.context.connectorLogicalName (topic.prefix), .connectorName (postgresql), .taskId (0) and .runId (a UUID per connector run).'),
  evt('skipped.operations', 'LIST', ['t'], 'LOW', 'Skipped operations',
    'Operations not emitted: c (create), u (update), d (delete), t (truncate), or none.',
    {
      allowed: ['c', 'u', 'd', 't', 'none'],
      validate: (v) => (Array.isArray(v) && v.includes('none') && v.length > 1 ? '"none" cannot be combined with other operations' : undefined),
    }),
  evt('provide.transaction.metadata', 'BOOLEAN', false, 'LOW', 'Transaction metadata',
    'As Debezium: a BEGIN and an END record per streamed transaction on <topic.prefix>.<topic.transaction> (key {id}, value status/id/event_count/data_collections/ts_ms; ids are <txId>:<LSN>), and a transaction block (id, total_order, data_collection_order) in every streamed change event. Snapshot events keep transaction=null. The records go through the same batches as the events, so the offset is stored only after they are acknowledged.'),
  evt('topic.transaction', 'STRING', 'transaction', 'LOW', 'Transaction topic name',
    'Suffix of the transaction metadata topic: records go to <topic.prefix>.<topic.transaction> (used with provide.transaction.metadata=true).',
    { validate: topicPart }),
  evt('message.key.columns', 'STRING', null, 'LOW', 'Message key columns',
    'Record keys made of other columns than the primary key: <schema>.<table>:<column>,<column>;... where the table part is a regular expression (each <table>.<column> is matched, case-insensitively, against schema.table.column). A table named but without a matching column is refused.',
    {
      width: 'LONG',
      validate: (v) => {
        if (typeof v !== 'string') return undefined;
        const parsed = parseMessageKeyColumns(v);
        return 'error' in parsed ? parsed.error : undefined;
      },
    }),
];

export const heartbeatKeys: ConfigKey[] = [
  hb('heartbeat.interval.ms', 'INT', 0, 'MEDIUM', 'Heartbeat interval (ms)',
    'How often, while no WAL message waits to be converted, to run heartbeat.action.query and write a heartbeat record to the heartbeat topic (topic.heartbeat.name, or <topic.heartbeat.prefix>.<topic.prefix>): key {serverName}, value {ts_ms}. The record carries the offset (the server\'s keepalive position when no transaction is open), stored and confirmed to the slot once Kafka acknowledged it and every event before it, so the slot does not hold WAL while captured tables are quiet; 0 turns heartbeats off.',
    { validate: rules.range(0) }),
  hb('heartbeat.action.query', 'STRING', null, 'LOW', 'Heartbeat action query',
    'SQL run on every heartbeat, e.g. an UPDATE of a captured table, so the slot advances on databases whose captured tables are quiet.'),
  hb('topic.heartbeat.prefix', 'STRING', '__debezium-heartbeat', 'LOW', 'Heartbeat topic prefix',
    'Heartbeat records go to <topic.heartbeat.prefix>.<topic.prefix> (unless topic.heartbeat.name is set).',
    { validate: topicPart }),
  hb('topic.heartbeat.name', 'STRING', null, 'LOW', 'Heartbeat topic name',
    'The full heartbeat topic name, overriding <topic.heartbeat.prefix>.<topic.prefix> (so several connectors can share one heartbeat topic); empty: the prefix rule.',
    { validate: (v) => (v === null || v === '' ? undefined : topicPart(v)) }),
];
