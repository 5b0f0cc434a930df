import type pg from 'pg';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config/index.js';
import { PgcdcError, isRetriable } from '../errors/pgcdc-error.js';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import { backoffMs, sleep } from '../errors/retry.js';
import type { KafkaClient } from '../kafka/ports.js';
import { KafkaOffsetStore, type OffsetStore } from '../offsets/offset-store.js';
import { describeOffset } from '../offsets/source-offset.js';
import { PgTypeCatalog } from '../postgres/catalog.js';
import { clientConfig, connect } from '../postgres/connection.js';
import { formatLsn } from '../postgres/lsn.js';
import { ensurePublication } from '../postgres/publication.js';
import type { ReplicationStream } from '../postgres/replication-stream.js';
import { ensureSlot, takeOverSlot } from '../postgres/slot.js';
import { SchemaRegistrar } from '../registry/schema-registrar.js';
import type { Checkpointer } from './checkpointer.js';
import { prepareResume, runSnapshotPhase, type PreparedResume } from './snapshot-phase.js';
import { planStart } from './start-plan.js';
import type { SnapshotSource } from '../snapshot/snapshot-source.js';
import type { SnapshotProgress } from '../snapshot/progress.js';
import { preflight } from './preflight.js';
import type { StreamingSource } from './streaming-source.js';
import { DeadLetterQueue } from './dead-letter.js';
import { ConnectorMetrics } from '../metrics/connector-metrics.js';
import { SchemaChangeStore } from '../schema-changes/state-store.js';
import { describePending, topicVersionOf, withDecision, type PendingSchemaChange } from '../schema-changes/pending.js';
import { LineageEmitter } from '../lineage/lineage-emitter.js';
import { TransactionTopic } from './transaction-topic.js';
import {
  changeEventBuilder, checkpointerFor, connectCatalog, deliveryRetry, heartbeatTopic, incrementalSnapshot, logicalMessages, offsetWriter, openSink, publishedTables,
  replicationStream, resumedSnapshotBarrier, signalTable, snapshotPhaseDeps, startHeartbeat, streamingSource, tableRegistry, versionedTopics, type RunParts, type StreamingParts,
} from './run-wiring.js';

export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';

export interface WorkerServices {
  kafka: KafkaClient;
  offsetStore: OffsetStore;
  log: Logger;
  /** the worker's bootstrap servers (lineage output namespaces) */
  brokers?: readonly string[];
  /** the worker's exactly.once.source.support=enabled: connectors without exactly.once.support=required run exactly-once with the poll boundary */
  exactlyOnceSourceSupport?: boolean;
  /** cluster mode: this worker was assigned the connector, so a pgcdc walsender still on its slot is the previous owner's and is ended (slot.ts) */
  takeOverSlot?: boolean;
}

/**
 * Runs one connector: preflight checks, then slot and publication, then the stored offset is checked
 * against the slot, then streaming. Retriable failures restart the run with jittered backoff;
 * permanent ones leave the connector FAILED with the reason in `trace`. The parts of a run are
 * built by run-wiring.ts; this class keeps the lifecycle and the order of a run.
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
  readonly config: ConnectorConfig;

  constructor(config: ConnectorConfig, private readonly worker: WorkerServices, readonly metrics = new ConnectorMetrics()) {
    this.config = worker.exactlyOnceSourceSupport && !config.exactlyOnce ? { ...config, exactlyOnce: { boundary: 'poll', intervalMs: config.offsetFlushIntervalMs } } : config;
    this.log = worker.log.child({ connector: config.name });
    this.deadLetters = DeadLetterQueue.fromConfig(this.config, metrics);
    this.lineage = LineageEmitter.fromConfig(this.config, worker.brokers ?? [], metrics, this.log);
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
    const log = this.log;
    const catalog = await connectCatalog(cfg);
    const sink = openSink(cfg, this.worker.kafka, this.metrics);
    let stream: ReplicationStream | null = null;
    let resumed: PreparedResume | null = null;
    try {
      await sink.connect();
      // Exactly-once: fence an earlier instance (aborting its open transaction) before anything reads
      // the offset topic: a killed run's open transaction would hold every read of it back until the
      // broker's transaction timeout, and the offset read must be the last one committed.
      await sink.transactions?.fence();
      const changes = new SchemaChangeStore(this.worker.offsetStore, SchemaChangeStore.key(cfg.name, cfg.topicPrefix));
      let changeState = await changes.load();
      // schema.change.breaking.topic.versioning: tables an approval moved to <topic>.v<N>
      const topicVersion = (schema: string, table: string) => topicVersionOf(changeState, `${schema}.${table}`);
      this.versionedTopics = versionedTopics(cfg, changeState, topicVersion);
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
      const offsets = offsetWriter(sink, this.worker.offsetStore);
      const stored = await this.worker.offsetStore.read(this.offsetKey);
      const plan = await planStart(catalog, cfg, stored);
      if (this.stopRequested) return;
      // The dead-letter topic exists before the first change that may need it (never compacted).
      if (this.deadLetters.topic) await sink.ensureTopic(this.deadLetters.topic, { cleanupPolicy: 'delete' });
      const signal = signalTable(cfg);
      await ensurePublication(catalog, cfg.publicationName, cfg.publicationAutocreateMode, publishedTables(tables, signal));

      const types = new PgTypeCatalog();
      const registry = tableRegistry(cfg, { catalog, types, registrar, sink, deadLetters: this.deadLetters, captured, changeState, topicVersion, metrics: this.metrics, log });
      if (this.lineage) registry.onShape = (table, state) => this.lineage!.tableShape(table, state, types);
      const events = changeEventBuilder(cfg, log);
      const parts: RunParts = { catalog, sink, offsets, offsetKey: this.offsetKey, registry, events, retry: deliveryRetry(cfg), log };

      let offset = plan.offset;
      let startLsn: bigint;
      if (plan.snapshot === 'none') {
        const { slot, created } = await ensureSlot(catalog, cfg.slotName, cfg.database.dbname);
        if (created) log.info({ slot: cfg.slotName, consistentPoint: formatLsn(slot.confirmedFlushLsn ?? 0n) }, 'replication slot created');
        startLsn = offset ? offset.flushLsn : (slot.confirmedFlushLsn ?? 0n);
      } else {
        this.state = 'RUNNING';
        this.trace = null;
        if (this.stopRequested) return;
        const deps = snapshotPhaseDeps(cfg, parts, signalStarted, (source) => {
          this.snapshot = source;
          this.snapshotProgress = source?.progress ?? null;
        });
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
            log.info('snapshot.mode=initial_only: snapshot complete, not streaming');
            return;
          }
        }
      }
      if (this.stopRequested) return;
      log.info({ from: formatLsn(startLsn), offset: offset ? describeOffset(offset) : 'none' }, 'streaming starts');

      if (this.worker.takeOverSlot) await this.takeOverSlot(catalog);
      stream = await replicationStream(cfg, catalog);
      const checkpointer = checkpointerFor(cfg, parts, stream, this.metrics);
      this.checkpointer = checkpointer;
      checkpointer.resumeFrom(offset);
      // provide.transaction.metadata: the topic and its schemas exist before the first BEGIN record
      const transactionTopic = cfg.provideTransactionMetadata ? new TransactionTopic(cfg.transactionTopic) : null;
      if (transactionTopic) await transactionTopic.prepare(sink, registrar);
      const streamingParts: StreamingParts = { ...parts, stream, checkpointer, offset, transactionTopic };
      const source = (this.source = streamingSource(cfg, streamingParts, this.metrics));
      const lineage = this.lineage;
      if (resumed) source.barrier = resumedSnapshotBarrier(resumed, streamingParts, lineage && (() => lineage.snapshotCompleted(registry.registeredTables(), types)), cfg.exactlyOnce !== null);
      if (signal) source.incremental = incrementalSnapshot(cfg, signal, parts, (err) => source.fail(err));
      source.messages = logicalMessages(cfg, sink, registrar);
      this.heartbeat = await startHeartbeat(cfg, catalog, source, heartbeatTopic(cfg, sink, registrar), log);
      this.state = 'RUNNING';
      this.trace = null;
      signalStarted();
      this.lineage?.streaming();
      if (this.stopRequested) source.stop();
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

  /** See takeOverSlot in slot.ts; a failure only means waiting for the old walsender to go. */
  private async takeOverSlot(catalog: pg.Client): Promise<void> {
    try {
      const pid = await takeOverSlot(catalog, this.config.slotName);
      if (pid !== null) this.log.warn({ slot: this.config.slotName, pid }, 'ended the walsender of the previous owner of this connector, still holding its slot');
    } catch (err) {
      this.log.warn({ slot: this.config.slotName, reason: classifyPostgresError(err, 'ending the previous walsender of the slot').describe() }, 'could not end the previous walsender; waiting for PostgreSQL to end it (wal_sender_timeout)');
    }
  }

  /** PAUSED with the pending change as the reason; the run ends (no replication connection). */
  private pauseAtSchemaChange(pending: PendingSchemaChange, signalStarted: () => void): void {
    this.schemaChangePending = pending;
    this.state = 'PAUSED';
    this.trace = describePending(pending).replace('<name>', this.config.name);
    signalStarted();
  }
}
