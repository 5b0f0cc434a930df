import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config/index.js';
import { PgcdcError, isRetriable } from '../errors/pgcdc-error.js';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import { backoffMs, sleep } from '../errors/retry.js';
import { nullValueWarner } from './null-value-warnings.js';
import { contextHeaders, ChangeEventBuilder } from '../events/change-events.js';
import { compileColumnRules } from '../events/column-masks.js';
import { messageKeyChooser } from '../events/message-key.js';
import type { KafkaClient } from '../kafka/ports.js';
import { KafkaOffsetStore, type OffsetStore, type OffsetWriter } from '../offsets/offset-store.js';
import { TransactionalOffsetWriter } from '../offsets/transactional-offsets.js';
import { describeOffset } from '../offsets/source-offset.js';
import { PgTypeCatalog } from '../postgres/catalog.js';
import { clientConfig, connect, rawTextTypes } from '../postgres/connection.js';
import { IncrementalSnapshot } from '../snapshot/incremental-snapshot.js';
import type { CapturedTable } from '../postgres/publication.js';
import { formatLsn } from '../postgres/lsn.js';
import { ensurePublication } from '../postgres/publication.js';
import { ReplicationStream } from '../postgres/replication-stream.js';
import { ensureSlot } from '../postgres/slot.js';
import { SchemaRegistrar } from '../registry/schema-registrar.js';
import { HEARTBEAT_PARTITION, HEARTBEAT_KEY_SCHEMA, HEARTBEAT_VALUE_SCHEMA, heartbeatKey, heartbeatValue } from '../events/heartbeat-record.js';
import { FixedSchemaTopic } from './fixed-schema-topic.js';
import { LogicalMessages } from './logical-messages.js';
import { PGCDC_VERSION } from '../version.js';
import { Checkpointer } from './checkpointer.js';
import { prepareResume, runSnapshotPhase, type PreparedResume, type SnapshotPhaseDeps } from './snapshot-phase.js';
import { ResumedSnapshot } from '../snapshot/resumed-snapshot.js';
import { planStart } from './start-plan.js';
import type { SnapshotSource } from '../snapshot/snapshot-source.js';
import type { SnapshotProgress } from '../snapshot/progress.js';
import { preflight } from './preflight.js';
import { StreamingSource } from './streaming-source.js';
import { TableRegistry } from './table-registry.js';
import { DeadLetterQueue } from './dead-letter.js';
import { ConnectorMetrics } from '../metrics/connector-metrics.js';
import { SchemaChangeGate } from '../schema-changes/gate.js';
import { schemaChangeCounters } from '../schema-changes/counters.js';
import { SchemaChangeStore } from '../schema-changes/state-store.js';
import { describePending, topicVersionOf, withDecision, type PendingSchemaChange } from '../schema-changes/pending.js';
import { LineageEmitter } from '../lineage/lineage-emitter.js';
import { SchemaChangeTopic } from '../schema-changes/change-topic.js';
import { TransactionTopic } from './transaction-topic.js';
import { TopicVersions } from '../schema-changes/topic-versions.js';
import { topicName } from '../events/names.js';

export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';

export interface WorkerServices {
  kafka: KafkaClient;
  offsetStore: OffsetStore;
  log: Logger;
  /** the worker's bootstrap servers (lineage output namespaces) */
  brokers?: readonly string[];
}

/**
 * Runs one connector: preflight checks, then slot and publication, then the stored offset is checked
 * against the slot, then streaming. Retriable failures restart the run with jittered backoff;
 * permanent ones leave the connector FAILED with the reason in `trace`.
 */
export class Connector {
  state: ConnectorState = 'UNASSIGNED';
  trace: string | null = null;
  private source: StreamingSource | null = null;
  private checkpointer: Checkpointer | null = null;
  private snapshot: SnapshotSource | null = null;
  /** progress of the current or last snapshot, for status and metrics */
  snapshotProgress: SnapshotProgress | null = null;
  /** errors.tolerance and the dead-letter topic; `deadLetters.deadLettered` counts dead letters across runs */
  readonly deadLetters: DeadLetterQueue;
  private stopRequested = false;
  private running: Promise<void> | null = null;
  private readonly log: Logger;
  private heartbeat?: NodeJS.Timeout;
  /** a breaking schema change this connector is PAUSED at, waiting for a decision (schema.change.policy=pause) */
  schemaChangePending: PendingSchemaChange | null = null;
  /** schema.change.breaking.topic.versioning: `schema.table` → the topic it uses now, for tables moved to `<topic>.v<N>` */
  versionedTopics: Record<string, string> = {};
  /** cuts a retry back-off short when the connector is stopped */
  private wakeRetry?: () => void;
  /** OpenLineage run events (openlineage.integration.enabled); null when off */
  private readonly lineage: LineageEmitter | null;

  /** `metrics` outlives this Connector when a worker passes its own (counters survive restarts). */
  constructor(readonly config: ConnectorConfig, private readonly worker: WorkerServices, readonly metrics = new ConnectorMetrics()) {
    this.log = worker.log.child({ connector: config.name });
    this.deadLetters = DeadLetterQueue.fromConfig(config, metrics);
    this.lineage = LineageEmitter.fromConfig(config, worker.brokers ?? [], metrics, this.log);
  }

  get offsetKey(): string {
    return KafkaOffsetStore.key(this.config.name, this.config.topicPrefix);
  }

  get streaming(): StreamingSource | null {
    return this.source;
  }

  /** While RUNNING: why a delivery or the offset write is being retried (Kafka down), else null. */
  get retrying(): string | null {
    return this.source?.retrying ?? this.checkpointer?.retrying ?? null;
  }

  /** Starts in the background; resolves once the first run is streaming or has failed. */
  start(): Promise<void> {
    this.stopRequested = false;
    let signalStarted!: () => void;
    const started = new Promise<void>((resolve) => (signalStarted = resolve));
    this.running = this.supervise(signalStarted);
    return started;
  }

  /**
   * Graceful stop: drains in-flight events, stores the offset, confirms the LSN, closes the stream.
   * With slot.drop.on.stop the slot is dropped then, as Debezium does on a graceful task stop (not
   * on pause, not after a failure); the stored offset then names a slot that is gone, so the next
   * start fails as for any dropped slot unless snapshot.mode=when_needed (a new snapshot).
   */
  async stop(): Promise<void> {
    await this.halt();
    if (this.state === 'FAILED') return;
    this.state = 'STOPPED';
    if (!this.config.slotDropOnStop) return;
    const db = this.config.database;
    const slot = this.config.slotName;
    try {
      const client = await connect(clientConfig(db));
      try {
        // The walsender may take a moment to exit after the stream closed (slot still active).
        for (let attempt = 0; ; attempt++) {
          const res = await client.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active`, [slot]);
          if (res.rowCount === 1) this.log.info({ slot }, 'replication slot dropped (slot.drop.on.stop=true)');
          const left = await client.query(`SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
          if (left.rowCount === 0) break;
          if (attempt >= 50) throw new Error(`slot is still in use by PostgreSQL process ${left.rows[0].active_pid}`);
          await sleep(100);
        }
      } finally {
        await client.end().catch(() => {});
      }
    } catch (err) {
      const e = classifyPostgresError(err, `dropping replication slot "${slot}" (slot.drop.on.stop=true)`);
      this.log.warn({ slot, reason: e.describe() }, 'slot.drop.on.stop: the slot could not be dropped and retains WAL');
    }
  }

  /**
   * Pause: like stop (events drained, offset stored, replication connection closed, so the slot
   * holds WAL from there), but the connector stays PAUSED and `resume` continues from the offset.
   */
  async pause(): Promise<void> {
    await this.halt();
    if (this.state !== 'FAILED') this.state = 'PAUSED';
  }

  async resume(): Promise<void> {
    if (this.state === 'RUNNING' || this.state === 'RESTARTING') return;
    this.state = 'UNASSIGNED'; // starting; RUNNING once the run is under way
    await this.start();
  }

  /** Stops and starts again, also after FAILED (the cause may have been fixed meanwhile). */
  async restart(): Promise<void> {
    await this.halt();
    this.state = 'RESTARTING';
    this.trace = null;
    await this.start();
  }

  private async halt(): Promise<void> {
    this.stopRequested = true;
    this.source?.stop();
    this.snapshot?.stop();
    this.wakeRetry?.();
    await this.running;
  }

  private async supervise(signalStarted: () => void): Promise<void> {
    for (let attempt = 0; !this.stopRequested; attempt++) {
      try {
        this.lineage?.started();
        await this.runOnce(signalStarted);
        this.lineage?.completed();
        return;
      } catch (err) {
        const e = err instanceof PgcdcError ? err : new PgcdcError('internal', (err as Error).message ?? String(err), { cause: err, retriable: isRetriable(err) });
        if (this.stopRequested && e.retriable) return void this.lineage?.completed();
        this.lineage?.failed(e.describe());
        this.metrics.error('connector', e);
        if (!e.retriable) {
          this.state = 'FAILED';
          this.trace = e.describe();
          this.log.error({ kind: e.kind, reason: e.describe() }, 'connector failed');
          signalStarted();
          return;
        }
        const jittered = backoffMs(Math.min(attempt, 10), this.config.errors.retryDelayInitialMs, this.config.errors.retryDelayMaxMs);
        this.state = 'RESTARTING';
        this.trace = e.describe();
        this.log.warn({ kind: e.kind, reason: e.describe(), retryInMs: jittered }, 'connector interrupted; retrying');
        const abort = new AbortController();
        this.wakeRetry = () => abort.abort();
        await sleep(jittered, abort.signal);
        this.wakeRetry = undefined;
      }
    }
  }

  private async runOnce(signalStarted: () => void): Promise<void> {
    const cfg = this.config;
    const db = cfg.database;
    const catalog = await connect(clientConfig(db)).catch((err) => {
      throw classifyPostgresError(err, `connecting to PostgreSQL ${db.host}:${db.port}/${db.dbname}`, 'connect');
    });
    // exactly.once.support=required: a transactional producer, one transactional.id per connector
    const sink = this.worker.kafka.sink(cfg.topicCreation, this.metrics, { compression: cfg.compression, ...(cfg.exactlyOnce ? { transactionalId: `pgcdc-${cfg.name}` } : {}) });
    let stream: ReplicationStream | null = null;
    let resumed: PreparedResume | null = null;
    try {
      const changes = new SchemaChangeStore(this.worker.offsetStore, SchemaChangeStore.key(cfg.name, cfg.topicPrefix));
      let changeState = await changes.load();
      // schema.change.breaking.topic.versioning: tables an approval moved to <topic>.v<N>
      const topicVersion = (schema: string, table: string) => topicVersionOf(changeState, `${schema}.${table}`);
      this.versionedTopics = Object.fromEntries(Object.keys(changeState.topic_versions).map((t) => {
        const dot = t.indexOf('.');
        return [t, topicName(cfg.topicPrefix, t.slice(0, dot), t.slice(dot + 1), topicVersion(t.slice(0, dot), t.slice(dot + 1)))];
      }));
      if (changeState.pending && cfg.schemaChangePolicy === 'pause') return this.pauseAtSchemaChange(changeState.pending, signalStarted);
      if (changeState.pending) {
        const p = changeState.pending;
        changeState = withDecision(changeState, { id: p.id, table: p.table, decision: 'superseded', at: new Date().toISOString(), changes: p.changes.map((c) => c.reason), note: `schema.change.policy=${cfg.schemaChangePolicy}` });
        await changes.save(changeState);
      }
      // tables removed from capture by a skip-table decision
      const skipped = new Set(changeState.skipped_tables);
      const captured = (schema: string, table: string) => cfg.filters.table(schema, table) && !skipped.has(`${schema}.${table}`);
      const tables = (await preflight(catalog, cfg)).filter((t) => !skipped.has(`${t.schema}.${t.table}`));
      const registrar = new SchemaRegistrar(cfg.registry);
      await registrar.checkAccess();
      await sink.connect();
      // Exactly-once: fence an earlier instance (aborting its open transaction) before reading the
      // offset, so the offset read is the last one committed and nothing can be committed after it.
      await sink.transactions?.fence();
      const offsets: OffsetWriter = sink.transactions ? new TransactionalOffsetWriter(sink.transactions, this.worker.offsetStore.topic) : this.worker.offsetStore;
      const stored = await this.worker.offsetStore.read(this.offsetKey);
      const plan = await planStart(catalog, cfg, stored);
      if (this.stopRequested) return;
      // The dead-letter topic exists before the first change that may need it (never compacted).
      if (this.deadLetters.topic) await sink.ensureTopic(this.deadLetters.topic, { cleanupPolicy: 'delete' });
      const signal = signalTable(cfg);
      const published = signal && !tables.some((t) => t.schema === signal.schema && t.table === signal.table) ? [...tables, signal] : tables;
      await ensurePublication(catalog, cfg.publicationName, cfg.publicationAutocreateMode, published);

      const types = new PgTypeCatalog();
      const announcer = cfg.schemaChangeTopic ? new SchemaChangeTopic(cfg.schemaChangeTopic, sink, registrar) : null;
      const registry = new TableRegistry(
        catalog,
        types,
        registrar,
        sink,
        { topicPrefix: cfg.topicPrefix, catalog: types, conversion: cfg.conversion, placeholder: cfg.unavailableValuePlaceholder, includeColumn: cfg.filters.column, deadLetter: this.deadLetters,
          columnRules: compileColumnRules(cfg.columnRules), messageKey: messageKeyChooser(cfg.messageKeyColumns), nullAsDefault: cfg.nullAsDefault, topicVersion },
        captured,
        this.log,
        cfg.schemaChangePolicy === 'allow' ? null : new SchemaChangeGate(cfg.schemaChangePolicy, new SchemaRegistrar(cfg.registry), catalog, schemaChangeCounters(this.metrics), this.log, new Set(changeState.decisions.filter((d) => d.decision === 'approved').map((d) => d.id)), announcer, db.dbname),
        Object.keys(changeState.topic_versions).length > 0 ? new TopicVersions(registrar, cfg.topicPrefix, topicVersion, (t) => changeState.topic_moved_at[t] ?? null) : null,
      );
      if (this.lineage) registry.onShape = (table, state) => this.lineage!.tableShape(table, state, types);
      const events = new ChangeEventBuilder({
        connectorVersion: PGCDC_VERSION,
        serverName: cfg.topicPrefix,
        database: db.dbname,
        tombstonesOnDelete: cfg.tombstonesOnDelete,
        skippedOperations: cfg.skippedOperations,
        onValueWrittenAsNull: nullValueWarner(this.log),
        ...(cfg.extendedHeaders ? { contextHeaders: contextHeaders(cfg.topicPrefix, randomUUID()) } : {}),
      });
      // Under exactly-once a failed send or commit is never retried inside the transaction (that
      // would commit duplicates): the run restarts from the last committed offset instead.
      const retry = { maxRetries: cfg.exactlyOnce ? 0 : cfg.errors.maxRetries, initialDelayMs: cfg.errors.retryDelayInitialMs, maxDelayMs: cfg.errors.retryDelayMaxMs };

      let offset = plan.offset;
      let startLsn: bigint;
      if (plan.snapshot === 'none') {
        const { slot, created } = await ensureSlot(catalog, cfg.slotName, db.dbname);
        if (created) this.log.info({ slot: cfg.slotName, consistentPoint: formatLsn(slot.confirmedFlushLsn ?? 0n) }, 'replication slot created');
        startLsn = offset ? offset.flushLsn : (slot.confirmedFlushLsn ?? 0n);
      } else {
        this.state = 'RUNNING';
        this.trace = null;
        if (this.stopRequested) return;
        const deps: SnapshotPhaseDeps = {
          config: cfg,
          catalog,
          offsets: { store: offsets, key: this.offsetKey },
          registry,
          events,
          sink,
          retry,
          log: this.log,
          onStarted: signalStarted,
          onSource: (source) => {
            this.snapshot = source;
            this.snapshotProgress = source?.progress ?? null;
          },
        };
        if (plan.snapshot === 'resume' && cfg.snapshot.mode !== 'initial_only') {
          // finished by the stream at the new snapshot's position (see resumed-snapshot.ts)
          resumed = await prepareResume(plan, tables, deps);
          startLsn = resumed.start.lsn;
          offset = resumed.start.offset;
        } else {
          const done = await runSnapshotPhase(plan, tables, deps);
          this.snapshot = null;
          if (!done) return; // stopped during the snapshot; its progress is stored
          this.lineage?.snapshotCompleted(registry.registeredTables(), types);
          startLsn = done.lsn;
          offset = done.offset;
          if (cfg.snapshot.mode === 'initial_only') {
            this.log.info('snapshot.mode=initial_only: snapshot complete, not streaming');
            return;
          }
        }
      }
      if (this.stopRequested) return;
      this.log.info({ from: formatLsn(startLsn), offset: offset ? describeOffset(offset) : 'none' }, 'streaming starts');

      stream = new ReplicationStream(clientConfig(db, { replication: 'database' } as never), {
        slotName: cfg.slotName,
        publicationName: cfg.publicationName,
        statusIntervalMs: cfg.statusUpdateIntervalMs,
        serverVersionNum: await serverVersionNum(catalog),
      });
      const checkpointer = new Checkpointer(offsets, this.offsetKey, (lsn) => stream!.confirm(lsn), this.log, {
        maxRetries: retry.maxRetries,
        flushIntervalMs: cfg.offsetFlushIntervalMs,
        onRetry: (err) => this.metrics.error('delivery', err),
      });
      this.checkpointer = checkpointer;
      checkpointer.resumeFrom(offset);
      // provide.transaction.metadata: the topic and its schemas exist before the first BEGIN record
      let transactionTopic: TransactionTopic | null = null;
      if (cfg.provideTransactionMetadata) {
        transactionTopic = new TransactionTopic(cfg.transactionTopic);
        await transactionTopic.prepare(sink, registrar);
      }
      this.source = new StreamingSource(stream, registry, events, sink, checkpointer, offset, {
        transactionTopic,
        maxBatchSize: cfg.maxBatchSize,
        maxQueueSize: cfg.maxQueueSize,
        offsetFlushIntervalMs: cfg.offsetFlushIntervalMs,
        exactlyOnce: cfg.exactlyOnce,
        retry,
      }, this.log, this.metrics);
      if (resumed) {
        const barrier = new ResumedSnapshot(resumed.consistentPoint, resumed.source, resumed.state, registry, checkpointer, resumed.start.offset, this.log);
        if (this.lineage) barrier.onCompleted = () => this.lineage!.snapshotCompleted(registry.registeredTables(), types);
        this.source.barrier = barrier;
      }
      if (signal) {
        const source = this.source;
        source.incremental = new IncrementalSnapshot(clientConfig(db, { types: rawTextTypes }), signal, cfg.snapshot.incrementalChunkSize, registry, events, this.log, (err) => source.fail(err));
      }
      this.source.messages = new LogicalMessages(cfg.topicPrefix, { connectorVersion: PGCDC_VERSION, serverName: cfg.topicPrefix, database: db.dbname, binaryHandlingMode: cfg.conversion.binaryHandlingMode }, cfg.messagePrefix, sink, registrar);
      await this.startHeartbeat(catalog, this.source, new FixedSchemaTopic(cfg.heartbeatTopic, HEARTBEAT_KEY_SCHEMA, HEARTBEAT_VALUE_SCHEMA, sink, registrar));
      this.state = 'RUNNING';
      this.trace = null;
      signalStarted();
      this.lineage?.streaming();
      if (this.stopRequested) this.source.stop();
      const source = this.source;
      await source.run(startLsn);
      // run() stored the offset just before the change; the pending change is stored after it
      if (source.schemaChange) {
        await changes.save({ ...changeState, pending: source.schemaChange });
        this.pauseAtSchemaChange(source.schemaChange, signalStarted);
      }
    } finally {
      clearInterval(this.heartbeat);
      this.source = null;
      this.checkpointer = null;
      await stream?.stop().catch(() => {});
      await resumed?.source.close();
      await sink.disconnect();
      await catalog.end().catch(() => {});
    }
  }

  /** PAUSED with the pending change as the reason; the run ends (no replication connection). */
  private pauseAtSchemaChange(pending: PendingSchemaChange, signalStarted: () => void): void {
    this.schemaChangePending = pending;
    this.state = 'PAUSED';
    this.trace = describePending(pending).replace('<name>', this.config.name);
    signalStarted();
  }

  /**
   * heartbeat.interval.ms: runs the action query, then has the source write a heartbeat record
   * (Debezium's CompositeHeartbeat order), whose acknowledgement lets the slot advance while
   * captured tables are idle.
   */
  private async startHeartbeat(client: pg.Client, source: StreamingSource, topic: FixedSchemaTopic): Promise<void> {
    const interval = this.config.heartbeatIntervalMs;
    if (interval <= 0) return;
    await topic.prepare();
    const query = this.config.heartbeatActionQuery;
    const key = heartbeatKey(this.config.topicPrefix);
    this.heartbeat = setInterval(() => {
      if (query) void client.query(query).catch((err) => this.log.warn({ err: err.message }, 'heartbeat.action.query failed'));
      source.beat(() => topic.record(key, heartbeatValue(Date.now()), HEARTBEAT_PARTITION));
    }, interval);
  }
}

/** signal.data.collection as a table, or null when ad-hoc snapshots are not configured. */
function signalTable(cfg: ConnectorConfig): CapturedTable | null {
  const name = cfg.snapshot.signalDataCollection;
  if (!name) return null;
  const dot = name.indexOf('.');
  return { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}

/** server_version_num (e.g. 150004): pgoutput streams logical decoding messages from 14 on. */
async function serverVersionNum(client: pg.Client): Promise<number> {
  const r = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  return Number(r.rows[0]!.v);
}
