/**
 * errors.tolerance and the dead-letter topic: what happens to a change that cannot become a Kafka
 * record (a value its Avro schema cannot carry, a record larger than the producer may send).
 *
 * - tolerance=none (default): a PgcdcError naming table, key, LSN and the reason; the connector goes
 *   FAILED and nothing from that change on is delivered or confirmed, so a restart meets it again.
 * - tolerance=all: the change becomes one record on errors.deadletterqueue.topic.name in its place,
 *   in WAL order, so the offset moves past it only once Kafka acknowledged the dead letter. Nothing
 *   is ever dropped silently (config validation requires the topic when tolerance=all).
 *
 * A dead letter is JSON a human can act on (see DeadLetterValue) with Kafka Connect's
 * `__connect.errors.*` headers plus pgcdc's `__pgcdc.errors.*` naming the source position.
 */
import type { ConnectorConfig } from '../config/index.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import type { ChangeRecord } from '../events/change-events.js';
import type { TableSchema } from '../events/table-schema.js';
import { RECORD_OVERHEAD_BYTES, recordBytes, type SinkRecord } from '../kafka/sink-record.js';
import { formatLsn, type Lsn } from '../postgres/lsn.js';

/** Kafka's record-batch header (v2), which the producer counts against max.request.size as well. */
const BATCH_OVERHEAD_BYTES = 61;
/** Kafka's max.request.size default, under the broker's default message.max.bytes (1048588). */
export const DEFAULT_MAX_REQUEST_SIZE = 1048576;
/** Header values are capped so that a huge key cannot make the dead letter itself too large. */
const HEADER_VALUE_MAX_CHARS = 4096;

/** Kafka Connect's ErrorReporter stages; pgcdc's failures map onto three of them. */
const STAGE = { conversion: 'TASK_POLL', encoding: 'VALUE_CONVERTER', size: 'KAFKA_PRODUCE' } as const;
export type UndeliverableStage = keyof typeof STAGE;

/** A change that could not become its Kafka record, with what a human needs to find and fix it. */
export interface Undeliverable {
  stage: UndeliverableStage;
  schema: string;
  table: string;
  /** the change topic the record was meant for */
  topic: string;
  op: string;
  lsn: Lsn;
  /** key columns: PostgreSQL text (conversion stage) or converted values (later stages); null without a key */
  key: Record<string, unknown> | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  error: PgcdcError;
  /** size stage: the record's serialized size */
  sizeBytes?: number;
}

/** The JSON value of a dead letter. Rows are omitted (column sizes instead) when they would not fit. */
export interface DeadLetterValue {
  connector: string;
  topic: string;
  table: string;
  op: string;
  lsn: string;
  key: Record<string, unknown> | null;
  stage: UndeliverableStage;
  error: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  column_bytes?: Record<string, number>;
  size_bytes?: number;
  limit_bytes?: number;
}

export interface DeadLetterSettings {
  connector: string;
  tolerance: 'none' | 'all';
  topic: string | null;
  contextHeaders: boolean;
  /** producer.override.max.request.size: the largest record the producer may send */
  maxRequestSize: number;
}

export class DeadLetterQueue {
  /** Dead letters handed to the sink since this connector was created (status and metrics read it). */
  deadLettered = 0;
  /** The latest dead letter, for the status: table, LSN, key and reason. */
  last: { table: string; lsn: string; key: string; error: string; at: number } | null = null;

  /** `counter` outlives this queue (the worker's per-connector metrics), so counts survive restarts. */
  constructor(readonly settings: DeadLetterSettings, private readonly counter?: { deadLetters: number }) {}

  static fromConfig(cfg: ConnectorConfig, counter?: { deadLetters: number }): DeadLetterQueue {
    return new DeadLetterQueue({
      connector: cfg.name,
      tolerance: cfg.errors.tolerance,
      topic: cfg.errors.deadLetterTopic,
      contextHeaders: cfg.errors.deadLetterContextHeaders,
      maxRequestSize: cfg.maxRequestSize,
    }, counter);
  }

  /** The topic to create up front, or null when failures stop the connector. */
  get topic(): string | null {
    return this.tolerant ? this.settings.topic : null;
  }

  get tolerant(): boolean {
    return this.settings.tolerance === 'all' && this.settings.topic !== null;
  }

  /** Throws the failure (tolerance=none) or returns the dead letter that replaces the change. */
  handle(u: Undeliverable): SinkRecord {
    if (!this.tolerant) throw u.error;
    const record = this.build(u, true);
    const fitting = serializedSize(record) <= this.settings.maxRequestSize ? record : this.build(u, false);
    this.deadLettered++;
    if (this.counter) this.counter.deadLetters++;
    this.last = { table: `${u.schema}.${u.table}`, lsn: formatLsn(u.lsn), key: keyText(u.key), error: u.error.describe(), at: Date.now() };
    return fitting;
  }

  private build(u: Undeliverable, withRows: boolean): SinkRecord {
    const s = this.settings;
    const value: DeadLetterValue = {
      connector: s.connector,
      topic: u.topic,
      table: `${u.schema}.${u.table}`,
      op: u.op,
      lsn: formatLsn(u.lsn),
      key: u.key,
      stage: u.stage,
      error: u.error.describe(),
    };
    // A record that was too large does not fit as a dead letter either: its columns' sizes say why.
    if (withRows && u.stage !== 'size') {
      value.before = u.before;
      value.after = u.after;
    } else {
      value.column_bytes = columnBytes(u.after ?? u.before);
    }
    if (u.sizeBytes !== undefined) {
      value.size_bytes = u.sizeBytes;
      value.limit_bytes = s.maxRequestSize;
    }
    const headers: Record<string, string> = {
      '__connect.errors.topic': u.topic,
      '__connect.errors.connector.name': s.connector,
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': STAGE[u.stage],
      '__connect.errors.exception.class.name': u.error.name,
      '__connect.errors.exception.message': clip(u.error.describe()),
      '__pgcdc.errors.table': `${u.schema}.${u.table}`,
      '__pgcdc.errors.lsn': formatLsn(u.lsn),
      '__pgcdc.errors.key': clip(keyText(u.key)),
      '__pgcdc.errors.op': u.op,
    };
    if (s.contextHeaders) {
      headers['__connect.errors.class.name'] = u.stage === 'conversion' ? 'ChangeEventBuilder' : 'ChangeBatch';
      headers['__connect.errors.exception.stacktrace'] = clip(stackOf(u.error));
    }
    const key = u.key ? Buffer.from(keyText(u.key)) : null;
    return { topic: s.topic!, key, value: Buffer.from(JSON.stringify(value, jsonSafe)), headers };
  }
}

/** The size the producer checks against max.request.size (record framing and batch header included). */
export function serializedSize(r: SinkRecord): number {
  return recordBytes(r) + RECORD_OVERHEAD_BYTES + BATCH_OVERHEAD_BYTES;
}

/**
 * The record of change `c` if it fits under max.request.size; otherwise its dead letter, or the
 * failure (tolerance=none). Checked here, before sending, because the broker's own rejection
 * (MESSAGE_TOO_LARGE) can only name the topic, not the table, key and LSN.
 */
export function admit(t: TableSchema, c: ChangeRecord, record: SinkRecord, lsn: Lsn): SinkRecord {
  const limit = t.deadLetter?.settings.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE;
  const size = serializedSize(record);
  if (size <= limit) return record;
  const error = new PgcdcError('sink-permanent', `the change at LSN ${formatLsn(lsn)} of ${t.schema}.${t.table} (key ${keyText(c.key)}) is a record of ${size.toLocaleString('en-US')} bytes for topic "${t.topic}", over the limit of ${limit.toLocaleString('en-US')} bytes (producer.override.max.request.size)`, {
    retriable: false,
    remedy: "exclude or shrink the column (column.exclude.list), or raise producer.override.max.request.size together with the topic's max.message.bytes; with errors.tolerance=all the change goes to the dead-letter topic",
  });
  return reject(t, c, 'size', lsn, error, size);
}

/** The dead letter replacing change `c` of table `t`, or `error` thrown when failures are not tolerated. */
export function reject(t: TableSchema, c: ChangeRecord, stage: UndeliverableStage, lsn: Lsn, error: PgcdcError, sizeBytes?: number): SinkRecord {
  if (!t.deadLetter?.tolerant) throw error;
  const v = c.value;
  return t.deadLetter.handle({
    stage, schema: t.schema, table: t.table, topic: t.topic, op: v ? v.op : 'tombstone', lsn, key: c.key,
    before: v?.before ?? null, after: v?.after ?? null, error, sizeBytes,
  });
}

export function keyText(key: Record<string, unknown> | null): string {
  return key === null ? 'null' : JSON.stringify(key, jsonSafe);
}

/** bigints as decimal strings, bytes as base64: converted values are not all JSON. */
function jsonSafe(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
    return Buffer.from((v as { data: number[] }).data).toString('base64');
  }
  return v;
}

function columnBytes(row: Record<string, unknown> | null): Record<string, number> {
  const out: Record<string, number> = {};
  if (!row) return out;
  for (const [name, v] of Object.entries(row)) {
    out[name] = v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : Buffer.byteLength(JSON.stringify(v, jsonSafe) ?? '');
  }
  return out;
}

function stackOf(err: Error): string {
  let text = err.stack ?? String(err);
  for (let c = err.cause, depth = 0; c instanceof Error && depth < 3; c = c.cause, depth++) text += `\nCaused by: ${c.stack ?? c.message}`;
  return text;
}

function clip(text: string): string {
  return text.length > HEADER_VALUE_MAX_CHARS ? `${text.slice(0, HEADER_VALUE_MAX_CHARS - 3)}...` : text;
}
