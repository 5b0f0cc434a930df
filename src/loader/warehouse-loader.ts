import pg from 'pg';
import { openKafka } from '../kafka/client.js';
import type { ConsumedBatch, GroupConsumer, KafkaConsumerClient } from '../kafka/ports.js';
import type { KafkaSecurity } from '../kafka/security.js';
import { applyEvents, newStats, type ApplyStats, type TableEvent } from './apply-events.js';
import { copyColumnType } from './column-types.js';
import { copyTableExists, ensureCopyTable } from './copy-table.js';
import { RegistrySchemas, type RegisteredSchema } from './registry-schemas.js';
import type { RegistryAccess } from '../registry/registry-access.js';
import { copyTargetOf, shapeOf, type CopyColumn, type TableShape } from './table-shape.js';

export interface LoaderOptions {
  brokers: string[];
  /** TLS and SASL options for a secured Kafka (kafkaSecurityFrom: the worker's security.protocol, ssl.*, sasl.* settings) */
  security?: KafkaSecurity;
  /** Confluent-compatible registry, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  registryUrl: string;
  /** a connector's registry access (credentials, PEM trust) instead of the bare URL */
  registry?: RegistryAccess;
  /** the database the copies are written to */
  target: pg.ClientConfig;
  /** the connector's topic.prefix: every `<prefix>.<schema>.<table>` topic is loaded */
  topicPrefix: string;
  /** load only these topics (default: every table topic of the prefix, also ones created later) */
  topics?: string[];
  /** consumer group; its committed offsets are the loader's progress (default pgcdc-loader-<prefix>-<db>) */
  groupId?: string;
  /** the connector's unavailable.value.placeholder (unchanged TOASTed values) */
  placeholder?: string;
  /** how often new table topics are looked for (ms) */
  discoverEveryMs?: number;
  log?: { info(o: object, msg?: string): void; warn(o: object, msg?: string): void };
}

/**
 * The reference warehouse loader: consumes a connector's table topics through the registry and
 * applies every event to a copy of its table in another PostgreSQL database (see apply-events.ts).
 * One target transaction per fetched batch of a topic partition, which also records the next offset
 * in pgcdc_loader.applied; the consumer offset is committed only after that transaction committed,
 * so a crash never skips, and a refetched batch is skipped up to the recorded offset.
 */
export class WarehouseLoader {
  readonly stats: ApplyStats = newStats();
  lastError: Error | null = null;
  /** records of refetched batches skipped because their transaction had already committed */
  refetchedSkipped = 0;
  readonly groupId: string;
  private readonly kafka: KafkaConsumerClient;
  private readonly schemas: RegistrySchemas;
  private readonly shapes = new Map<number, TableShape>();
  private readonly keyColumns = new Map<number, CopyColumn[]>();
  private client: pg.Client | null = null;
  private consumer: GroupConsumer | null = null;
  private subscribed: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: LoaderOptions) {
    this.kafka = openKafka({ clientId: 'pgcdc-loader', brokers: options.brokers, security: options.security });
    this.schemas = new RegistrySchemas(options.registry ?? options.registryUrl);
    this.groupId = options.groupId ?? `pgcdc-loader-${options.topicPrefix}-${options.target.database ?? 'db'}`;
  }

  async start(): Promise<void> {
    this.client = new pg.Client(this.options.target);
    this.client.on('error', (err) => (this.lastError = err));
    await this.client.connect();
    await this.client.query(`CREATE SCHEMA IF NOT EXISTS pgcdc_loader`);
    await this.client.query(`CREATE TABLE IF NOT EXISTS pgcdc_loader.applied (group_id text, topic text, partition int, next_offset bigint NOT NULL, PRIMARY KEY (group_id, topic, partition))`);
    await this.discover();
    this.timer = setInterval(() => void this.discover().catch((err) => (this.lastError = err)), this.options.discoverEveryMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.busy.catch(() => {});
    await this.consumer?.close().catch(() => {});
    await this.client?.end().catch(() => {});
  }

  /** The table topics this loader reads, as they exist now. */
  async tableTopics(): Promise<string[]> {
    const all = await this.kafka.listTopics();
    return all.filter((t) => copyTargetOf(t, this.options.topicPrefix) !== null && (!this.options.topics || this.options.topics.includes(t))).sort();
  }

  /**
   * Resolves once the committed offsets reach the end of every table topic as it is now (the copy
   * then holds everything the topics held when this was called). Fails after the timeout with
   * what is missing and the loader's last error.
   */
  async caughtUp(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const topics = await this.tableTopics();
    const ends = new Map<string, bigint>();
    for (const [topic, partitions] of await this.kafka.endOffsets(topics)) partitions.forEach((end, p) => ends.set(`${topic}:${p}`, end));
    let behind: string[] = [];
    while (Date.now() < deadline) {
      const committed = new Map<string, bigint>();
      for (const [topic, partitions] of await this.kafka.committedOffsets(this.groupId, topics)) partitions.forEach((o, p) => committed.set(`${topic}:${p}`, o < 0n ? 0n : o));
      behind = [];
      for (const [tp, end] of ends) {
        const at = committed.get(tp) ?? 0n;
        if (at >= end) continue;
        // only commit markers (exactly-once topics) or aborted records left: nothing to load
        const cut = tp.lastIndexOf(':');
        if (!(await this.kafka.hasRecordsBetween(tp.slice(0, cut), Number(tp.slice(cut + 1)), at, end))) continue;
        behind.push(`${tp} at ${at} of ${end}`);
      }
      if (behind.length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`loader ${this.groupId} did not catch up within ${timeoutMs} ms: ${behind.join(', ')}${this.lastError ? `; last error: ${this.lastError.message}` : ''}`);
  }

  /** New table topics restart the consumer with the longer list; committed offsets carry over. */
  private discover(): Promise<void> {
    this.busy = this.busy.then(async () => {
      if (this.stopped) return;
      const topics = await this.tableTopics();
      if (topics.join('\n') === this.subscribed.join('\n') || topics.length === 0) return;
      await this.consumer?.close().catch(() => {});
      this.subscribed = topics;
      this.consumer = this.kafka.groupConsumer(this.groupId, topics, (batch) => this.loadBatch(batch), (err) => {
        this.lastError = err;
        this.options.log?.warn({ err: err.message }, 'loader consumer failed; it rejoins and reads again from the committed offsets');
      });
      this.options.log?.info({ topics }, 'loader consuming');
    });
    return this.busy;
  }

  /** One target transaction for the batch; the group consumer commits its offset once this resolves. */
  private async loadBatch(batch: ConsumedBatch): Promise<void> {
    if (batch.records.length === 0) return;
    const target = copyTargetOf(batch.topic, this.options.topicPrefix)!;
    const client = this.client!;
    try {
      const events: TableEvent[] = [];
      const versions: { shape: TableShape; keyNames: string[] }[] = [];
      // A batch refetched after its transaction committed but before the consumer commit landed
      // (rebalance, crash) is skipped up to the offset recorded with that transaction: appends to
      // key-less copies are not idempotent.
      const applied = await client.query(`SELECT next_offset FROM pgcdc_loader.applied WHERE group_id = $1 AND topic = $2 AND partition = $3`, [this.groupId, batch.topic, batch.partition]);
      const from = BigInt(applied.rows[0]?.next_offset ?? -1);
      const fresh = batch.records.filter((x) => x.offset >= from);
      this.refetchedSkipped += batch.records.length - fresh.length;
      const next = (batch.records[batch.records.length - 1]!.offset + 1n).toString();
      for (const m of fresh) {
        const key = await this.schemas.decode(m.key);
        const value = await this.schemas.decode(m.value);
        const keyColumns = key.schema ? this.keyColumnsOf(key.schema) : [];
        const shape = value.schema ? this.shapeOf(value.schema) : null;
        if (shape && versions[versions.length - 1]?.shape !== shape) versions.push({ shape, keyNames: keyColumns.map((c) => c.name) });
        events.push({ key: key.value, keyColumns, value: value.value, shape });
      }
      // DDL first, each statement committed on its own: it is idempotent, and a failed batch retried later finds it done.
      for (const v of versions) await ensureCopyTable(client, target, v.shape, v.keyNames);
      if (versions.length > 0 || (await copyTableExists(client, target))) {
        await client.query('BEGIN');
        try {
          await applyEvents(client, target, events, this.options.placeholder ?? '__debezium_unavailable_value', this.stats);
          await client.query(
            `INSERT INTO pgcdc_loader.applied VALUES ($1, $2, $3, $4) ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
            [this.groupId, batch.topic, batch.partition, next],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        }
      }
    } catch (err) {
      this.lastError = err as Error;
      this.options.log?.warn({ err: (err as Error).message, topic: batch.topic }, 'loader batch failed; it is retried');
      throw err;
    }
  }

  private shapeOf(schema: RegisteredSchema): TableShape {
    let shape = this.shapes.get(schema.id);
    if (!shape) this.shapes.set(schema.id, (shape = shapeOf(schema.id, schema.json)));
    return shape;
  }

  private keyColumnsOf(schema: RegisteredSchema): CopyColumn[] {
    let cols = this.keyColumns.get(schema.id);
    if (!cols) {
      cols = (schema.json.fields as { name: string; type: any }[]).map((f) => ({ name: f.name, type: copyColumnType(f.type) }));
      this.keyColumns.set(schema.id, cols);
    }
    return cols;
  }
}
