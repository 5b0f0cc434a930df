/**
 * Per-connector lag figures, sampled every `intervalMs` (and on demand for /metrics) over a pg
 * connection of its own, so a slow sample never touches the replication or catalog connections.
 * It runs while the connector is paused or stopped too: that is when a slot retains WAL and lag grows,
 * so those alerts are real. A FAILED connector is different: its state and trace say what is wrong,
 * so sampling stops (no PostgreSQL connection is kept), firing alerts are resolved, and once the
 * collector records what the connector leaves on PostgreSQL (`leftovers`). A restart resumes sampling.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config/index.js';
import type { Connector } from '../connector/connector.js';
import { clientConfig, connect } from '../postgres/connection.js';
import { parseLsn } from '../postgres/lsn.js';
import { readSlot } from '../postgres/slot.js';
import { describeLeftovers } from '../postgres/leftovers.js';
import { AlertEvaluator, type AlertTransition } from './alerts.js';
import { WebhookNotifier } from './webhook.js';

export interface LagSample {
  at: number;
  currentWalLsn: bigint;
  /** current WAL − last delivered LSN (or the slot's confirmed_flush_lsn before anything is delivered) */
  lagBytes: number | null;
  /** current WAL − restart_lsn: what the slot keeps from being recycled */
  retainedWalBytes: number | null;
  /** now − commit time of the last delivered change; 0 when streaming and idle */
  lagMs: number;
  slot: { exists: boolean; active: boolean; walStatus: string | null };
}

export class LagCollector {
  private client: pg.Client | null = null;
  private clientKey = '';
  private timer?: NodeJS.Timeout;
  private inflight: Promise<LagSample | null> | null = null;
  private stopped = false;
  /** commit time (ms) of the newest change seen delivered: kept across pauses, when no Connector exists */
  private lastCommitMs = 0;
  /** when the connector was first seen not caught up (busy, paused, restarting) */
  private behindSince: number | null = null;
  private readonly evaluator = new AlertEvaluator();
  private readonly webhook: WebhookNotifier;
  latest: LagSample | null = null;
  lastError: string | null = null;
  /** while the connector is FAILED: the slot/publication it leaves and how to remove them (null: none) */
  leftovers: string | null = null;
  private failedSeen = false;
  /** id of the pending schema change last announced (log line + webhook), until it is decided */
  private announcedSchemaChange: { id: string; table: string } | null = null;
  /** told of every fire/resolve transition (the console's alert history) */
  onTransition: ((t: AlertTransition) => void) | null = null;

  constructor(
    readonly name: string,
    private readonly config: () => ConnectorConfig | undefined,
    private readonly connector: () => Connector | null,
    private readonly log: Logger,
    private readonly intervalMs = Number(process.env.PGCDC_METRICS_INTERVAL_MS) || 2_000,
    private readonly now: () => number = Date.now,
  ) {
    this.webhook = new WebhookNotifier(log);
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
    void this.sample();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.webhook.close();
    await this.inflight?.catch(() => null);
    await this.closeClient();
  }

  get alerts() {
    return this.evaluator.active;
  }

  isFiring(name: Parameters<AlertEvaluator['isFiring']>[0]): boolean {
    return this.evaluator.isFiring(name);
  }

  /** Takes a sample now; concurrent callers share one query. Null when PostgreSQL cannot be asked. */
  sample(): Promise<LagSample | null> {
    if (this.stopped) return Promise.resolve(this.latest);
    this.inflight ??= this.take().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private async take(): Promise<LagSample | null> {
    const cfg = this.config();
    if (!cfg) return null;
    this.announceSchemaChange(cfg);
    if (this.connector()?.state === 'FAILED') return this.onFailed(cfg);
    this.failedSeen = false;
    this.leftovers = null;
    try {
      const client = await this.connect(cfg);
      const wal = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      const current = parseLsn(wal.rows[0].lsn);
      const slot = await readSlot(client, cfg.slotName);
      const sample = this.compute(current, slot);
      this.latest = sample;
      this.lastError = null;
      this.raise(cfg, this.evaluator.evaluate(sample, cfg.alerts, sample.at), sample);
      return sample;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.log.debug({ err: this.lastError }, 'lag sample failed');
      await this.closeClient(); // reconnect on the next sample
      return null;
    }
  }

  /** Once per failure: note the leftovers, resolve firing alerts, close the connection. */
  private async onFailed(cfg: ConnectorConfig): Promise<LagSample | null> {
    if (this.failedSeen) return this.latest;
    this.failedSeen = true;
    try {
      this.leftovers = await describeLeftovers(await this.connect(cfg), cfg);
    } catch (err) {
      this.leftovers = `could not check for a replication slot "${cfg.slotName}" left behind: ${(err as Error).message}`;
    }
    const off = { ...cfg.alerts, lagMs: 0, lagBytes: 0, slotRetainedWalBytes: 0 };
    if (this.latest) this.raise(cfg, this.evaluator.evaluate(this.latest, off, this.now()), this.latest);
    this.lastError = 'not sampled while the connector is FAILED';
    await this.closeClient();
    return this.latest;
  }

  private compute(current: bigint, slot: Awaited<ReturnType<typeof readSlot>>): LagSample {
    const now = this.now();
    const streaming = this.connector()?.streaming ?? null;
    const delivered = streaming?.delivered ?? null;
    if (delivered?.tsUsec) this.lastCommitMs = Math.max(this.lastCommitMs, Math.floor(delivered.tsUsec / 1000));
    const position = delivered?.lsn ?? slot?.confirmedFlushLsn ?? null;
    const lagBytes = position === null ? null : Number(current > position ? current - position : 0n);
    // Streaming with nothing queued or in flight: everything received is delivered, so no lag in time
    // (WAL written elsewhere in the cluster still shows in lag bytes until a heartbeat moves the slot).
    const caughtUp = streaming !== null && streaming.idle;
    let lagMs = 0;
    if (caughtUp || lagBytes === 0) this.behindSince = null;
    else {
      this.behindSince ??= now;
      // An old last commit followed by a quiet spell is not lag: count from when work was pending.
      lagMs = Math.max(0, now - Math.max(this.lastCommitMs, this.behindSince));
    }
    return {
      at: now,
      currentWalLsn: current,
      lagBytes,
      retainedWalBytes: slot?.restartLsn != null ? Number(current > slot.restartLsn ? current - slot.restartLsn : 0n) : null,
      lagMs,
      slot: { exists: Boolean(slot), active: slot?.active ?? false, walStatus: slot?.walStatus ?? null },
    };
  }

  /**
   * A connector paused at a breaking schema change (schema.change.policy=pause) is announced like an
   * alert: `schema_change_pending` firing, with the table, the column changes and the registry's
   * verdict, on the webhook; resolved once a decision (approve, skip-table) let the connector go on.
   * The log line of the change itself comes from the gate (src/schema-changes/gate.ts). A restarted
   * worker announces a change still pending once more (same id: receivers can tell).
   */
  private announceSchemaChange(cfg: ConnectorConfig): void {
    const connector = this.connector();
    // No Connector between runs (a restart): nothing is decided by that alone.
    if (!connector) return;
    const pending = connector.schemaChangePending;
    const announced = this.announcedSchemaChange;
    if (announced && announced.id !== pending?.id) {
      this.log.info({ alert: 'schema_change_pending', id: announced.id, table: announced.table }, 'alert schema_change_pending resolved');
      this.postSchemaChange(cfg, { id: announced.id, table: announced.table, status: 'resolved' });
      this.announcedSchemaChange = null;
    }
    if (pending && this.announcedSchemaChange === null) {
      this.announcedSchemaChange = { id: pending.id, table: pending.table };
      this.log.warn({ alert: 'schema_change_pending', id: pending.id, table: pending.table }, 'alert schema_change_pending firing');
      this.postSchemaChange(cfg, {
        id: pending.id,
        table: pending.table,
        status: 'firing',
        topic: pending.topic,
        lsn: pending.lsn,
        changes: pending.changes,
        registry: pending.registry,
        decide: `/connectors/${encodeURIComponent(this.name)}/schema-changes/${encodeURIComponent(pending.id)}/{approve|skip-table|reject}`,
      });
    }
  }

  private postSchemaChange(cfg: ConnectorConfig, body: Record<string, unknown> & { status: 'firing' | 'resolved' }): void {
    if (!cfg.alerts.webhookUrl) return;
    this.webhook.post(cfg.alerts.webhookUrl, { connector: this.name, alert: 'schema_change_pending', ...body, at: new Date(this.now()).toISOString(), slot: cfg.slotName });
  }

  /** One log line per transition, and a background webhook POST when configured. */
  private raise(cfg: ConnectorConfig, transitions: AlertTransition[], sample: LagSample): void {
    for (const t of transitions) {
      this.onTransition?.(t);
      const line = { alert: t.name, state: t.state, value: t.value, threshold: t.threshold };
      if (t.state === 'firing') this.log.warn(line, `alert ${t.name} firing`);
      else this.log.info(line, `alert ${t.name} resolved`);
      if (cfg.alerts.webhookUrl) {
        this.webhook.post(cfg.alerts.webhookUrl, {
          connector: this.name,
          alert: t.name,
          status: t.state,
          value: t.value,
          threshold: t.threshold,
          at: t.at,
          slot: cfg.slotName,
          lag: { ms: sample.lagMs, bytes: sample.lagBytes, retained_wal_bytes: sample.retainedWalBytes },
        });
      }
    }
  }

  private async connect(cfg: ConnectorConfig): Promise<pg.Client> {
    const key = JSON.stringify(cfg.database);
    if (this.client && this.clientKey === key) return this.client;
    await this.closeClient();
    // a dropped connection: reconnect next time
    const client = await connect(clientConfig(cfg.database, { application_name: 'pgcdc-metrics', connectionTimeoutMillis: 5_000, statement_timeout: 5_000 }), () => void this.closeClient());
    this.client = client;
    this.clientKey = key;
    return client;
  }

  private async closeClient(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}
