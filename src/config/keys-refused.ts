/**
 * Debezium and Kafka Connect keys pgcdc does not implement and that would change what reaches Kafka
 * (record shape, names, which changes are sent, privacy) or how pgcdc treats the database. Ignoring
 * one would send something other than what its user asked for, so validation refuses it, naming the
 * key. `accepts` lists the values that ask for what pgcdc does anyway (mostly Debezium's defaults,
 * matched case-insensitively after trimming): those pass without a word.
 */
export interface RefusedKey {
  reason: string;
  accepts?: readonly string[];
}

const NOT_YET = 'is not supported by pgcdc yet';

const refused = (why: string, accepts?: readonly string[]): RefusedKey => ({ reason: `${NOT_YET}: ${why}`, ...(accepts ? { accepts } : {}) });

export const REFUSED_NAMES: Readonly<Record<string, RefusedKey>> = {
  'column.propagate.source.type': refused('the __debezium.source.column.* schema parameters are not written', ['']),
  'datatype.propagate.source.type': refused('the __debezium.source.column.* schema parameters are not written', ['']),
  converters: refused('custom converters (io.debezium.spi.converter) cannot run in pgcdc', ['']),
  'post.processors': refused('post processors (e.g. reselect columns) are not available', ['']),
  'topic.naming.strategy': refused('topics are always named <topic.prefix>.<schema>.<table>',
    ['io.debezium.schema.schematopicnamingstrategy', 'io.debezium.schema.defaulttopicnamingstrategy']),
  'topic.delimiter': refused('topic name parts are always joined with "."', ['.']),
  'schema.name.adjustment.mode': refused('schema names are always adjusted for Avro', ['avro']),
  'field.name.adjustment.mode': refused('field names are always adjusted for Avro (invalid characters become _)', ['avro']),
  'sanitize.field.names': refused('field names are always adjusted for Avro (invalid characters become _)', ['true']),
  'event.processing.failure.handling.mode': refused('a change that cannot be processed fails the connector (or is dead-lettered under errors.tolerance=all)', ['fail']),
  'include.schema.comments': refused('column comments are not added to schemas', ['false']),
  'snapshot.query.mode': refused('snapshots read whole tables', ['select_all']),
  'slot.stream.params': refused('pgoutput is started with pgcdc\'s own options', ['']),
  'publish.via.partition.root': refused('partitions are published and captured as their own tables', ['false']),
  'skip.messages.without.change': refused('every update is emitted', ['false']),
  'replica.identity.autoset.values': refused('pgcdc never changes a table\'s REPLICA IDENTITY', ['']),
  'read.only': refused('pgcdc may write to the database (heartbeat.action.query, the signal table)', ['false']),
  'xmin.fetch.interval.ms': refused('source.xmin is always null', ['0']),
  'flush.lsn.source': refused('pgcdc always confirms the flushed LSN to the slot', ['true']),
  'openlineage.integration.config.file.path': refused('an openlineage.yml named in a connector config would let any REST caller have the worker read a file; set openlineage.integration.transport.* instead', ['']),
  // Debezium 3.7 still declares it (Heartbeat.HEARTBEAT_TOPICS_PREFIX) but names the PostgreSQL
  // connector's heartbeat topic from topic.heartbeat.prefix; another value would be ignored there too.
  'heartbeat.topics.prefix': refused('the heartbeat topic is named by topic.heartbeat.prefix (or topic.heartbeat.name), as in Debezium\'s PostgreSQL connector, which ignores this key', ['__debezium-heartbeat']),
  'database.initial.statements': refused('pgcdc runs no statements when it connects', ['']),
  'database.sslfactory': refused('TLS is configured with database.sslmode, database.sslrootcert, database.sslcert and database.sslkey', ['']),
};

/** Kafka Connect's transforms and predicates rewrite every record; an empty list is harmless. */
export const REFUSED_PREFIXES: readonly (readonly [string, RefusedKey])[] = [
  ['transforms', refused('single message transforms are not applied', [''])],
  ['predicates', refused('single message transforms are not applied', [''])],
  ['snapshot.select.statement.overrides', refused('snapshots read whole tables', [''])],
  // The registry client's TLS and auth beyond the keys of keys-registry.ts (keystores, JKS/PKCS12
  // truststore passwords, OAuth): ignoring one would connect other than asked.
  ...(['key', 'value'] as const).flatMap((side) => [
    [`${side}.converter.schema.registry.ssl`, refused('the registry client takes only a PEM truststore (schema.registry.ssl.truststore.type/location/certificates) and endpoint.identification.algorithm', [''])],
    [`${side}.converter.basic.auth`, refused('registry basic auth takes only basic.auth.credentials.source and basic.auth.user.info', [''])],
    [`${side}.converter.bearer.auth`, refused('registry bearer auth takes only bearer.auth.credentials.source=STATIC_TOKEN and bearer.auth.token', [''])],
  ] as const),
];

/** The refusal for an undeclared key, or undefined when pgcdc does not refuse it. */
export function refusedKey(name: string): RefusedKey | undefined {
  return REFUSED_NAMES[name] ?? REFUSED_PREFIXES.find(([p]) => name === p || name.startsWith(`${p}.`))?.[1];
}

/** The message for a refused key with this value, or undefined when the value asks for what pgcdc does. */
export function refusalMessage(name: string, text: string | undefined): string | undefined {
  const r = refusedKey(name);
  if (!r) return undefined;
  const probe = (text ?? '').trim().toLowerCase();
  if (r.accepts?.includes(probe)) return undefined;
  const allowed = r.accepts?.filter((a) => a !== '') ?? [];
  const hint = allowed.length ? ` (accepted: ${allowed.join(', ')}${r.accepts!.includes('') ? ', or leave it unset' : ''})` : ' (remove it)';
  return `Configuration ${name} ${r.reason}${hint}`;
}

/**
 * For a declared key of which pgcdc implements only the default: any other value is refused with
 * `why` (the default itself describes what pgcdc does).
 */
export function onlyDefault(dflt: unknown, why: string, next?: (v: unknown) => string | undefined) {
  return (v: unknown): string | undefined => (v !== dflt && v !== null ? `${NOT_YET_VALUE}: ${why}` : next?.(v));
}

const NOT_YET_VALUE = 'values other than the default are not supported by pgcdc yet';
