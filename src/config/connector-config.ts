/** The typed, validated connector configuration the rest of pgcdc reads (never the raw string map). */
import { defaultSchemaChangeTopic, type SchemaChangePolicy } from './keys-schema-changes.js';
import type { LineageTransportType } from './keys-lineage.js';
import type { TransactionBoundary } from './keys-delivery.js';
import type { ConversionOptions } from '../types/mapping.js';
import type { RegistryAccess } from '../registry/registry-access.js';
import type { Compression } from '../kafka/ports.js';
import type { ConfigValue, ParsedValues } from './definition.js';
import { columnFilter, messagePrefixFilter, tableFilter, type ColumnFilter, type FilterLists, type TableFilter } from './filters.js';
import { parseColumnRules, type ColumnRule } from './keys-columns.js';
import { parseMessageKeyColumns, type MessageKeyEntry } from '../events/message-key.js';
import { heartbeatTopic } from '../events/heartbeat-record.js';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
export type PublicationAutocreateMode = 'filtered' | 'all_tables' | 'no_tables' | 'disabled';
export type SnapshotMode = 'initial' | 'initial_only' | 'no_data' | 'always' | 'when_needed';
export type SkippableOperation = 'c' | 'u' | 'd' | 't';

export interface ConnectorConfig {
  name: string;
  connectorClass: string;
  tasksMax: number;
  topicPrefix: string;
  database: {
    host: string;
    port: number;
    user: string;
    /** Already resolved from config providers when the caller ran resolveConfigProviders first. */
    password: string | null;
    dbname: string;
    sslmode: SslMode;
    sslrootcert: string | null;
    /** client certificate and key (PEM files) and the key's passphrase */
    sslcert: string | null;
    sslkey: string | null;
    sslpassword: string | null;
    /** connect.timeout.ms: how long opening a connection may take */
    connectTimeoutMs: number;
  };
  pluginName: 'pgoutput';
  slotName: string;
  publicationName: string;
  publicationAutocreateMode: PublicationAutocreateMode;
  slotDropOnStop: boolean;
  slotMaxRetries: number;
  slotRetryDelayMs: number;
  filterLists: FilterLists;
  filters: { table: TableFilter; column: ColumnFilter };
  /** column.truncate.to.<N>.chars, column.mask.with.<N>.chars, column.mask.hash[.v2].<alg>.with.salt.<salt> */
  columnRules: ColumnRule[];
  /** message.key.columns; empty = primary keys */
  messageKeyColumns: MessageKeyEntry[];
  tombstonesOnDelete: boolean;
  /** value.converter.ignore.default.for.nullables=false: a NULL in a column with a default is sent as the default */
  nullAsDefault: boolean;
  /** extended.headers.enabled: Debezium's __debezium.context.* headers on every event */
  extendedHeaders: boolean;
  skippedOperations: Set<SkippableOperation>;
  provideTransactionMetadata: boolean;
  /** `<topic.prefix>.<topic.transaction>`: where BEGIN/END records go under provideTransactionMetadata */
  transactionTopic: string;
  heartbeatIntervalMs: number;
  heartbeatActionQuery: string | null;
  /** message.prefix.include.list / exclude.list */
  messagePrefix: (prefix: string) => boolean;
  /** topic.heartbeat.name, or <topic.heartbeat.prefix>.<topic.prefix> */
  heartbeatTopic: string;
  topicCreation: { partitions: number; replicationFactor: number; cleanupPolicy: 'delete' | 'compact' };
  conversion: ConversionOptions;
  unavailableValuePlaceholder: string;
  hstoreHandlingMode: 'json' | 'map';
  includeUnknownDatatypes: boolean;
  snapshot: {
    mode: SnapshotMode;
    maxThreads: number;
    fetchSize: number;
    /** pgcdc: rows per snapshot chunk */
    chunkRows: number;
    /** pgcdc: bytes (TOAST included) per snapshot chunk at most */
    chunkBytes: number;
    /** Regexes on schema.table; null = every captured table. */
    includeCollectionList: string[] | null;
    incrementalChunkSize: number;
    /** schema.table of the signalling table, or null. */
    signalDataCollection: string | null;
  };
  maxBatchSize: number;
  maxQueueSize: number;
  maxQueueSizeInBytes: number;
  pollIntervalMs: number;
  statusUpdateIntervalMs: number;
  offsetFlushIntervalMs: number;
  /** exactly.once.support=required: records and offsets in Kafka transactions (keys-delivery.ts); null = at least once */
  exactlyOnce: { boundary: TransactionBoundary; intervalMs: number } | null;
  converters: { key: string; value: string; keyRegistryUrl: string; valueRegistryUrl: string };
  /** The value converter's schema registry URL (the one most callers need). */
  registryUrl: string;
  /** How to reach the registry: URL, credentials and TLS trust (keys-registry.ts); secrets resolved. */
  registry: RegistryAccess;
  errors: {
    tolerance: 'none' | 'all';
    deadLetterTopic: string | null;
    deadLetterContextHeaders: boolean;
    /** -1 = retry forever. */
    maxRetries: number;
    retryDelayInitialMs: number;
    retryDelayMaxMs: number;
  };
  /** producer.override.max.request.size: the largest record pgcdc sends (larger ones fail or are dead-lettered) */
  maxRequestSize: number;
  /** producer.override.compression.type of the change-event producer. */
  compression: Compression;
  /** 0 disables each threshold. */
  alerts: { lagMs: number; lagBytes: number; slotRetainedWalBytes: number; forMs: number; webhookUrl: string | null };
  /** metrics.log.interval.ms: summary log line period; 0 = off. */
  metricsLogIntervalMs: number;
  /** schema.change.policy: what a breaking table change does while streaming */
  schemaChangePolicy: SchemaChangePolicy;
  /** schema.change.topic.enabled / .name (resolved): where schema-change records go, or null */
  schemaChangeTopic: string | null;
  /** schema.change.breaking.topic.versioning: approve moves a table's events to <topic>.v<N> */
  schemaChangeTopicVersioning: boolean;
  /** openlineage.integration.*: OpenLineage run events (src/lineage); null when disabled */
  lineage: LineageSettings | null;
  /** The map as given (provider references as written when validated before resolution). */
  raw: Readonly<Record<string, unknown>>;
}

export interface LineageSettings {
  jobNamespace: string;
  jobDescription: string;
  tags: [string, string][];
  owners: [string, string][];
  /** host:port for kafka:// namespaces; null = the worker's first bootstrap server */
  kafkaAddress: string | null;
  transport: LineageTransportType;
  url: string | null;
  endpoint: string;
  /** bearer token (secret) */
  token: string | null;
  fileLocation: string | null;
  timeoutMs: number;
}

/** Builds the typed object from values that validateConnectorConfig parsed without error. */
export function buildConnectorConfig(v: ParsedValues, raw: Readonly<Record<string, unknown>>): ConnectorConfig {
  const str = (k: string) => v[k] as string;
  const optStr = (k: string) => (v[k] ?? null) as string | null;
  const num = (k: string) => v[k] as number;
  const optNum = (k: string) => (v[k] ?? null) as number | null;
  const bool = (k: string) => v[k] as boolean;
  const list = (k: string): string[] | null => {
    const x: ConfigValue | undefined = v[k];
    return Array.isArray(x) && x.length > 0 ? x : null;
  };
  const filterLists: FilterLists = {
    schemaIncludeList: list('schema.include.list'),
    schemaExcludeList: list('schema.exclude.list'),
    tableIncludeList: list('table.include.list'),
    tableExcludeList: list('table.exclude.list'),
    columnIncludeList: list('column.include.list'),
    columnExcludeList: list('column.exclude.list'),
  };
  const skipped = (v['skipped.operations'] as string[]).filter((op) => op !== 'none') as SkippableOperation[];
  return {
    name: str('name'),
    connectorClass: str('connector.class'),
    tasksMax: num('tasks.max'),
    topicPrefix: str('topic.prefix'),
    database: {
      host: str('database.hostname').trim(),
      port: num('database.port'),
      user: str('database.user'),
      password: optStr('database.password'),
      dbname: str('database.dbname'),
      sslmode: str('database.sslmode') as SslMode,
      sslrootcert: optStr('database.sslrootcert'),
      sslcert: optStr('database.sslcert'),
      sslkey: optStr('database.sslkey'),
      sslpassword: optStr('database.sslpassword'),
      connectTimeoutMs: num('connect.timeout.ms'),
    },
    pluginName: 'pgoutput',
    slotName: str('slot.name'),
    publicationName: str('publication.name'),
    publicationAutocreateMode: str('publication.autocreate.mode') as PublicationAutocreateMode,
    slotDropOnStop: bool('slot.drop.on.stop'),
    slotMaxRetries: num('slot.max.retries'),
    slotRetryDelayMs: num('slot.retry.delay.ms'),
    filterLists,
    filters: { table: tableFilter(filterLists), column: columnFilter(filterLists) },
    columnRules: parseColumnRules(raw).rules,
    messageKeyColumns: messageKeyEntries(optStr('message.key.columns')),
    tombstonesOnDelete: bool('tombstones.on.delete'),
    nullAsDefault: !bool('value.converter.ignore.default.for.nullables'),
    extendedHeaders: bool('extended.headers.enabled'),
    skippedOperations: new Set(skipped),
    provideTransactionMetadata: bool('provide.transaction.metadata'),
    transactionTopic: `${str('topic.prefix')}.${str('topic.transaction')}`,
    heartbeatIntervalMs: num('heartbeat.interval.ms'),
    heartbeatActionQuery: optStr('heartbeat.action.query'),
    messagePrefix: messagePrefixFilter(list('message.prefix.include.list'), list('message.prefix.exclude.list')),
    heartbeatTopic: optStr('topic.heartbeat.name') || heartbeatTopic(str('topic.heartbeat.prefix'), str('topic.prefix')),
    topicCreation: {
      partitions: num('topic.creation.default.partitions'),
      replicationFactor: num('topic.creation.default.replication.factor'),
      cleanupPolicy: str('topic.creation.default.cleanup.policy') as 'delete' | 'compact',
    },
    conversion: {
      decimalHandlingMode: str('decimal.handling.mode') as ConversionOptions['decimalHandlingMode'],
      binaryHandlingMode: str('binary.handling.mode') as ConversionOptions['binaryHandlingMode'],
      intervalHandlingMode: str('interval.handling.mode') as ConversionOptions['intervalHandlingMode'],
      timePrecisionMode: str('time.precision.mode') as ConversionOptions['timePrecisionMode'],
      moneyFractionDigits: num('money.fraction.digits'),
      includeUnknownDatatypes: bool('include.unknown.datatypes'),
      hstoreHandlingMode: str('hstore.handling.mode') as 'json' | 'map',
    },
    unavailableValuePlaceholder: str('unavailable.value.placeholder'),
    hstoreHandlingMode: str('hstore.handling.mode') as 'json' | 'map',
    includeUnknownDatatypes: bool('include.unknown.datatypes'),
    snapshot: {
      mode: str('snapshot.mode') as SnapshotMode,
      maxThreads: num('snapshot.max.threads'),
      fetchSize: num('snapshot.fetch.size'),
      chunkRows: num('snapshot.chunk.rows'),
      chunkBytes: num('snapshot.chunk.max.bytes'),
      includeCollectionList: list('snapshot.include.collection.list'),
      incrementalChunkSize: num('incremental.snapshot.chunk.size'),
      signalDataCollection: optStr('signal.data.collection')?.trim() ?? null,
    },
    maxBatchSize: num('max.batch.size'),
    maxQueueSize: num('max.queue.size'),
    maxQueueSizeInBytes: num('max.queue.size.in.bytes'),
    pollIntervalMs: num('poll.interval.ms'),
    statusUpdateIntervalMs: num('status.update.interval.ms'),
    offsetFlushIntervalMs: num('offset.flush.interval.ms'),
    exactlyOnce: str('exactly.once.support') === 'required'
      ? { boundary: str('transaction.boundary') as TransactionBoundary, intervalMs: optNum('transaction.boundary.interval.ms') ?? num('offset.flush.interval.ms') }
      : null,
    converters: {
      key: str('key.converter'),
      value: str('value.converter'),
      // validation refuses a key registry other than the values' one
      keyRegistryUrl: (optStr('key.converter.schema.registry.url') ?? str('value.converter.schema.registry.url')).trim(),
      valueRegistryUrl: str('value.converter.schema.registry.url').trim(),
    },
    registryUrl: str('value.converter.schema.registry.url').trim(),
    registry: {
      url: str('value.converter.schema.registry.url').trim(),
      // validation refuses user.info / token without their source, and both sources at once
      basicUserInfo: v['value.converter.basic.auth.credentials.source'] === 'USER_INFO' ? optStr('value.converter.basic.auth.user.info') : null,
      bearerToken: v['value.converter.bearer.auth.credentials.source'] === 'STATIC_TOKEN' ? optStr('value.converter.bearer.auth.token') : null,
      truststore: v['value.converter.schema.registry.ssl.truststore.type'] === 'PEM'
        ? { file: optStr('value.converter.schema.registry.ssl.truststore.location'), pem: optStr('value.converter.schema.registry.ssl.truststore.certificates') }
        : null,
      checkHostname: str('value.converter.schema.registry.ssl.endpoint.identification.algorithm').trim() !== '',
    },
    errors: {
      tolerance: str('errors.tolerance') as 'none' | 'all',
      deadLetterTopic: optStr('errors.deadletterqueue.topic.name'),
      deadLetterContextHeaders: bool('errors.deadletterqueue.context.headers.enable'),
      maxRetries: num('errors.max.retries'),
      retryDelayInitialMs: num('errors.retry.delay.initial.ms'),
      retryDelayMaxMs: num('errors.retry.delay.max.ms'),
    },
    maxRequestSize: num('producer.override.max.request.size'),
    compression: str('producer.override.compression.type') as Compression,
    alerts: {
      lagMs: num('lag.alert.ms'),
      lagBytes: num('lag.alert.bytes'),
      slotRetainedWalBytes: num('slot.retained.wal.alert.bytes'),
      forMs: num('lag.alert.for.ms'),
      webhookUrl: optStr('alert.webhook.url')?.trim() ?? null,
    },
    metricsLogIntervalMs: num('metrics.log.interval.ms'),
    schemaChangePolicy: str('schema.change.policy') as SchemaChangePolicy,
    schemaChangeTopic: bool('schema.change.topic.enabled') ? (optStr('schema.change.topic.name')?.trim() || defaultSchemaChangeTopic(str('topic.prefix'))) : null,
    schemaChangeTopicVersioning: bool('schema.change.breaking.topic.versioning'),
    lineage: bool('openlineage.integration.enabled') ? {
      jobNamespace: optStr('openlineage.integration.job.namespace') ?? str('topic.prefix'),
      jobDescription: optStr('openlineage.integration.job.description') ?? `pgcdc CDC job for ${str('topic.prefix')}`,
      tags: pairs(optStr('openlineage.integration.job.tags')),
      owners: pairs(optStr('openlineage.integration.job.owners')),
      kafkaAddress: optStr('openlineage.integration.dataset.kafka.bootstrap.servers')?.split(',')[0]?.trim() || null,
      transport: str('openlineage.integration.transport.type') as LineageTransportType,
      url: optStr('openlineage.integration.transport.url')?.trim() ?? null,
      endpoint: str('openlineage.integration.transport.endpoint'),
      token: optStr('openlineage.integration.transport.auth.token'),
      fileLocation: optStr('openlineage.integration.transport.file.location'),
      timeoutMs: num('openlineage.integration.transport.timeout.ms'),
    } : null,
    raw,
  };
}

/** `a=b,c=d` as pairs (validation checked the form). */
function pairs(value: string | null): [string, string][] {
  if (!value || value.trim() === '') return [];
  return value.split(',').map((item) => {
    const [k, v] = item.split('=');
    return [k!.trim(), v!.trim()] as [string, string];
  });
}

function messageKeyEntries(value: string | null): MessageKeyEntry[] {
  if (value === null) return [];
  const parsed = parseMessageKeyColumns(value);
  return 'entries' in parsed ? parsed.entries : [];
}
