/**
 * One connector hosted by a worker: its stored definition (config as written + target state), the
 * running Connector built from it, and how it reads in Kafka Connect's status and info shapes.
 *
 * Starting never throws and is never awaited to completion: a Connector reports RUNNING or FAILED
 * by itself (its `start()` resolves only once streaming or failed, and keeps retrying transient
 * errors), so a config that cannot run leaves this connector FAILED with the reason as its trace.
 */
import { redactConfig, isSecretKey, hasProviderReference, type ConfigIssue } from '../config/index.js';
import { Connector, type ConnectorState, type WorkerServices } from '../connector/connector.js';
import type { StoredConnector, TargetState } from './config-store.js';
import { untilSafeToStop } from './stop-guard.js';
import { LagCollector } from '../metrics/lag-collector.js';
import { lagStatus } from '../metrics/lag-status.js';
import { ConnectorMetrics } from '../metrics/connector-metrics.js';
import { metricsStatus } from '../metrics/metrics-status.js';
import { SummaryLog } from '../metrics/summary-log.js';
import { HistorySampler, historyIntervalMs } from '../metrics/history-sampler.js';
import { prepareConfig, UNPREPARED, type RunnableConfig } from './validation.js';
import { clientConfig, connect } from '../postgres/connection.js';
import { describeLeftovers } from '../postgres/leftovers.js';
import { PGCDC_VERSION } from '../version.js';

export interface ConnectorStateInfo {
  state: ConnectorState;
  worker_id: string;
  /** the plugin version running it, as Kafka Connect 4 shows it (KIP-891); pgcdc's own version */
  version: string;
  trace?: string;
}

export interface ConnectorStatus {
  name: string;
  connector: ConnectorStateInfo;
  tasks: (ConnectorStateInfo & { id: number })[];
  type: 'source';
  /** pgcdc extension: keys ignored and values reinterpreted (never silently ignored). */
  warnings: ConfigIssue[];
  /** pgcdc extension: progress of the current or last snapshot (tables, chunks, rows, rows/s, time left) */
  snapshot?: Record<string, unknown>;
  /** pgcdc extension: ad-hoc snapshot driven by the signal table, while one runs or after */
  incremental_snapshot?: { running: boolean; tables_done: number; rows: number; signals_skipped: number };
  /** pgcdc extension: replication lag and alerts (see src/metrics) */
  lag?: Record<string, unknown>;
  alerts?: unknown[];
  /** pgcdc extension: events by table and op, transactions, commit-to-ack latency, errors, queues */
  metrics?: Record<string, unknown>;
  /** pgcdc extension: the breaking schema change the connector is PAUSED at (schema.change.policy=pause) */
  schema_change_pending?: { id: string; table: string; topic: string; lsn: string; changes: string[]; registry: unknown[] };
  /** schema.change.breaking.topic.versioning: tables whose events go to `<topic>.v<N>` now, with that topic */
  versioned_topics?: Record<string, string>;
}

export interface ConnectorInfo {
  name: string;
  config: Record<string, unknown>;
  tasks: { connector: string; task: number }[];
  type: 'source';
}

/** A stored config as shown: secrets "[hidden]", but a secret given as a pure provider reference is shown as written. */
export function shownConfig(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const shown = redactConfig(config);
  for (const [key, value] of Object.entries(config)) {
    if (isSecretKey(key) && typeof value === 'string' && /^\$\{[^}]*\}$/.test(value) && hasProviderReference(value)) shown[key] = value;
  }
  return shown;
}

export class ManagedConnector {
  private connector: Connector | null = null;
  /** Resolved and validated on every apply/launch (providers read asynchronously). */
  private prepared: RunnableConfig = UNPREPARED;
  /** Why the config could not be run (provider or validation errors at start time). */
  private failure: string | null = null;
  /** lag sampling and alerts; runs while paused too (that is when WAL piles up) */
  readonly lag: LagCollector;
  /** counters of every run of this connector (a restart or resume keeps counting) */
  readonly metrics = new ConnectorMetrics();
  private readonly summary: SummaryLog;
  /** the last hour of lag, throughput and alerts, for the console's charts */
  readonly history: HistorySampler;

  constructor(readonly name: string, private stored: StoredConnector, private readonly services: WorkerServices) {
    const log = services.log.child({ connector: name });
    this.lag = new LagCollector(name, () => this.prepared.config, () => this.connector, log);
    this.history = new HistorySampler(this.metrics, this.lag, historyIntervalMs());
    this.summary = new SummaryLog({ metrics: this.metrics, lag: this.lag, state: () => this.current('').state, streaming: () => this.connector?.streaming }, log);
  }

  /** The running Connector, if any (for metrics). */
  get run(): Connector | null {
    return this.connector;
  }

  /** halt + stop lag sampling: the connector is deleted or the worker shuts down. */
  async close(opts: { deleted?: boolean } = {}): Promise<void> {
    const pausedRun = !this.connector && this.target === 'PAUSED' ? this.prepared.config : undefined;
    await this.halt();
    // A paused connector kept its slot; deleting it is a graceful stop (slot.drop.on.stop applies).
    if (pausedRun?.slotDropOnStop) await new Connector(pausedRun, this.services, this.metrics).stop();
    this.summary.stop();
    this.history.stop();
    await this.lag.stop();
    const cfg = this.prepared.config;
    if (opts.deleted && cfg) await this.reportLeftovers(cfg);
  }

  /** After a delete: what stays on PostgreSQL (the slot retains WAL until dropped) and how to remove it. */
  private async reportLeftovers(cfg: NonNullable<RunnableConfig['config']>): Promise<void> {
    const log = this.services.log.child({ connector: this.name });
    try {
      const client = await connect(clientConfig(cfg.database, { application_name: 'pgcdc' }));
      try {
        const left = await describeLeftovers(client, cfg);
        if (left) log.warn({ slot: cfg.slotName, publication: cfg.publicationName }, `connector deleted; ${this.redact(left)}`);
      } finally {
        await client.end().catch(() => {});
      }
    } catch (err) {
      log.warn({ slot: cfg.slotName, err: this.redact((err as Error).message) }, 'connector deleted; could not check whether its replication slot remains');
    }
  }

  get definition(): StoredConnector {
    return this.stored;
  }

  get target(): TargetState {
    return this.stored.target_state;
  }

  /** The resolved, validated config of the current run (undefined when it did not validate). */
  get runConfig() {
    return this.prepared.config;
  }

  redact(text: string): string {
    return this.prepared.redact(text);
  }

  /**
   * Brings the run in line with the target state. Paused and stopped connectors both have their run
   * halted (drained, offset stored, replication connection closed) and resume with a fresh run from
   * the stored offset; they differ in status only (a STOPPED connector has no task, and its offsets
   * may be changed). Resolves once a pause/stop has drained.
   */
  async apply(): Promise<void> {
    if (this.target !== 'RUNNING') {
      await this.halt(this.target === 'PAUSED' ? 'pause' : 'stop');
      if (this.prepared === UNPREPARED) this.prepared = await prepareConfig(this.stored.config);
    } else if (!this.connector) await this.launch();
    this.lag.start();
    this.history.start();
    this.summary.configure(this.prepared.config?.metricsLogIntervalMs ?? 60_000);
  }

  /** Stops the current run, takes the new definition, and applies its target (re-resolving providers). */
  async replace(stored: StoredConnector): Promise<void> {
    await this.halt();
    this.stored = stored;
    this.prepared = UNPREPARED;
    await this.apply();
  }

  /** A new definition for a connector that does not run here (cluster mode): taken, nothing started. */
  redefine(stored: StoredConnector): void {
    this.stored = stored;
    this.prepared = UNPREPARED;
  }

  /** pause / resume / stop: same config, new target. */
  async replaceTarget(target: TargetState): Promise<void> {
    this.stored = { ...this.stored, target_state: target };
    await this.apply();
  }

  /** Kafka Connect's restart: a fresh run from the stored config (a fixed cause is picked up). */
  restart(): Promise<void> {
    return this.replace(this.stored);
  }

  /**
   * Graceful stop without touching the target state (worker shutdown, delete, config change). A
   * pause keeps the slot even with slot.drop.on.stop (Debezium drops it only when the task stops).
   */
  async halt(how: 'stop' | 'pause' = 'stop'): Promise<void> {
    const c = this.connector;
    this.connector = null;
    this.failure = null;
    if (c) {
      await untilSafeToStop(c);
      await (how === 'pause' ? c.pause() : c.stop());
    }
  }

  private async launch(): Promise<void> {
    this.prepared = await prepareConfig(this.stored.config);
    if (!this.prepared.config) {
      this.failure = `Connector configuration cannot be run:\n${this.prepared.errors.map((e) => e.message).join('\n')}`;
      this.services.log.error({ connector: this.name, keys: this.prepared.errors.map((e) => e.key) }, 'connector config cannot be run');
      return;
    }
    this.failure = null;
    this.connector = new Connector(this.prepared.config, this.services, this.metrics);
    void this.connector.start();
  }

  /** The state of the run, as the connector and its single task show it. */
  private current(workerId: string): ConnectorStateInfo {
    let state: ConnectorState;
    let trace: string | null = null;
    if (this.connector) {
      state = this.connector.state;
      // RUNNING while a delivery is retried shows why, so an outage is visible in the status too.
      trace = this.connector.trace ?? this.connector.retrying;
      if (state === 'FAILED' && this.lag.leftovers) trace = `${trace ?? 'failed'}\n${this.lag.leftovers}`;
    } else if (this.failure && this.target === 'RUNNING') {
      state = 'FAILED';
      trace = this.failure;
    } else state = this.target === 'RUNNING' ? 'UNASSIGNED' : this.target;
    return trace ? { state, worker_id: workerId, version: PGCDC_VERSION, trace: this.redact(trace) } : { state, worker_id: workerId, version: PGCDC_VERSION };
  }

  status(workerId: string): ConnectorStatus {
    const current = this.current(workerId);
    // Like Kafka Connect, a STOPPED connector has no tasks.
    const tasks = current.state === 'STOPPED' ? [] : [{ id: 0, ...current }];
    const status: ConnectorStatus = { name: this.name, connector: current, tasks, type: 'source', warnings: this.prepared.warnings };
    const snapshot = this.connector?.snapshotProgress;
    if (snapshot) status.snapshot = snapshot.toJSON();
    const incremental = this.connector?.streaming?.incremental;
    if (incremental) status.incremental_snapshot = { running: incremental.running, tables_done: incremental.tablesDone, rows: incremental.rowsEmitted, signals_skipped: incremental.signalsSkipped };
    Object.assign(status, lagStatus(this.lag));
    status.metrics = metricsStatus(this.metrics, this.connector?.streaming);
    const pending = this.connector?.schemaChangePending;
    if (pending) status.schema_change_pending = { id: pending.id, table: pending.table, topic: pending.topic, lsn: pending.lsn, changes: pending.changes.map((c) => c.reason), registry: pending.registry };
    const versioned = this.connector?.versionedTopics;
    if (versioned && Object.keys(versioned).length > 0) status.versioned_topics = versioned;
    return status;
  }

  info(): ConnectorInfo {
    const stopped = this.current('').state === 'STOPPED';
    return {
      name: this.name,
      config: shownConfig(this.stored.config),
      tasks: stopped ? [] : [{ connector: this.name, task: 0 }],
      type: 'source',
    };
  }

  /** Tables moved to `<topic>.v<N>` by an approval (schema.change.breaking.topic.versioning), with the topic they use. */
  get versionedTopics(): Readonly<Record<string, string>> {
    return this.connector?.versionedTopics ?? {};
  }

  /** Whether the run is FAILED (for restart?onlyFailed=true). */
  get failed(): boolean {
    return this.current('').state === 'FAILED';
  }
}
