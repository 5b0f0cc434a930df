import { UNCHANGED_TOAST, type Tuple, type TupleValue } from '../decoding/messages.js';
import { formatLsnDecimal } from './sequence.js';
import type { SnapshotMarker, SourceBlock } from './source-schema.js';
import type { TransactionBlock } from './transaction-schema.js';
import type { CapturedColumn, TableSchema } from './table-schema.js';
import type { Lsn } from '../postgres/lsn.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { ConversionError } from '../types/errors.js';
import { formatLsn } from '../postgres/lsn.js';
import { keyText, type Undeliverable } from '../connector/dead-letter.js';

export type Op = 'c' | 'u' | 'd' | 'r' | 't';

/** The transaction an event belongs to, from pgoutput's Begin message. */
export interface TxContext {
  xid: number;
  commitLsn: Lsn;
  commitTimeUs: bigint;
  /** the previous transaction's commit end LSN (as Debezium's lastCommitLsn), for source.sequence */
  previousCommitLsn: Lsn | null;
  /** the transaction's replication origin, when pgoutput sent an Origin message for it */
  origin?: { name: string; lsn: Lsn };
}

/** One Kafka record before serialization. A null value is a tombstone. */
export interface ChangeRecord {
  table: TableSchema;
  key: Record<string, unknown> | null;
  value: Envelope | null;
  headers?: Record<string, string>;
  /** set instead of key/value when the change could not be converted and errors.tolerance=all */
  deadLetter?: Undeliverable;
}

export interface Envelope {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: SourceBlock;
  /** set by the streaming loop under provide.transaction.metadata (transaction-tracker.ts); null otherwise and in snapshots */
  transaction: TransactionBlock | null;
  op: Op;
  ts_ms: number;
  ts_us: number;
  ts_ns: number | bigint;
}

export interface EventOptions {
  connectorVersion: string;
  serverName: string;
  database: string;
  tombstonesOnDelete: boolean;
  skippedOperations: Set<string>;
  /**
   * Told of each value written as null because its schema cannot carry it (numeric NaN/±Infinity
   * under decimal.handling.mode=precise, an enum array with a NULL element), as Debezium does, so
   * the caller can warn. Such a value in a NOT NULL column still fails the change.
   */
  /** extended.headers.enabled: Debezium's __debezium.context.* headers, the same object on every record (see contextHeaders) */
  contextHeaders?: Readonly<Record<string, string>>;
  onValueWrittenAsNull?: (table: TableSchema, column: CapturedColumn, err: ConversionError) => void;
}

/**
 * Debezium's event rules in one place: which events a change produces (a delete plus tombstone, a
 * key change as delete + tombstone + create, a truncate as one key-less event), what `before`
 * carries for each replica identity, and the source block. Pure: no I/O, no serialization.
 */
export class ChangeEventBuilder {
  constructor(private readonly opts: EventOptions) {}

  /** The record's own headers (a key change's old/new key) followed by the context headers, as Debezium orders them. */
  private headers(own?: Record<string, string>): Record<string, string> | undefined {
    const context = this.opts.contextHeaders;
    if (!own) return context;
    return context ? { ...own, ...context } : own;
  }

  insert(t: TableSchema, tuple: Tuple, tx: TxContext, lsn: Lsn, out: ChangeRecord[]): void {
    if (this.opts.skippedOperations.has('c')) return;
    const n = out.length;
    try {
      const after = this.row(t, tuple, null);
      out.push({ table: t, key: this.key(t, after), value: this.envelope(t, 'c', null, after, tx, lsn), headers: this.headers() });
    } catch (err) {
      this.unconvertible(t, 'c', null, tuple, lsn, err, out, n);
    }
  }

  update(t: TableSchema, keyTuple: Tuple | null, oldTuple: Tuple | null, newTuple: Tuple, tx: TxContext, lsn: Lsn, out: ChangeRecord[]): void {
    const n = out.length;
    try {
      this.updateRows(t, keyTuple, oldTuple, newTuple, tx, lsn, out);
    } catch (err) {
      this.unconvertible(t, 'u', oldTuple ?? keyTuple, newTuple, lsn, err, out, n);
    }
  }

  private updateRows(t: TableSchema, keyTuple: Tuple | null, oldTuple: Tuple | null, newTuple: Tuple, tx: TxContext, lsn: Lsn, out: ChangeRecord[]): void {
    const before = oldTuple ? this.row(t, oldTuple, null) : keyTuple ? this.row(t, keyTuple, null) : null;
    const after = this.row(t, newTuple, oldTuple);
    const newKey = this.key(t, after);
    const oldKey = before ? this.key(t, before) : null;
    if (oldKey && newKey && !sameKey(t, oldKey, newKey)) {
      // Debezium turns a primary-key change into a delete (+ tombstone) of the old key and a create of the new.
      const headers = this.headers({ '__debezium.newkey': JSON.stringify(newKey, jsonSafe) });
      if (!this.opts.skippedOperations.has('d')) {
        out.push({ table: t, key: oldKey, value: this.envelope(t, 'd', before, null, tx, lsn), headers });
        if (this.opts.tombstonesOnDelete) out.push({ table: t, key: oldKey, value: null, headers });
      }
      if (!this.opts.skippedOperations.has('c')) {
        out.push({ table: t, key: newKey, value: this.envelope(t, 'c', null, after, tx, lsn), headers: this.headers({ '__debezium.oldkey': JSON.stringify(oldKey, jsonSafe) }) });
      }
      return;
    }
    if (this.opts.skippedOperations.has('u')) return;
    // Under REPLICA IDENTITY DEFAULT pgoutput sends no old row for an update that keeps the key.
    out.push({ table: t, key: newKey, value: this.envelope(t, 'u', oldTuple ? before : null, after, tx, lsn), headers: this.headers() });
  }

  delete(t: TableSchema, keyTuple: Tuple | null, oldTuple: Tuple | null, tx: TxContext, lsn: Lsn, out: ChangeRecord[]): void {
    if (this.opts.skippedOperations.has('d')) return;
    const tuple = oldTuple ?? keyTuple;
    let before: Record<string, unknown> | null;
    try {
      before = tuple ? this.row(t, tuple, null) : null;
    } catch (err) {
      return this.unconvertible(t, 'd', tuple, null, lsn, err, out, out.length);
    }
    const key = before ? this.key(t, before) : null;
    out.push({ table: t, key, value: this.envelope(t, 'd', before, null, tx, lsn), headers: this.headers() });
    // Debezium follows a key-less table's delete with a (null-key) tombstone as well.
    if (this.opts.tombstonesOnDelete) out.push({ table: t, key, value: null, headers: this.headers() });
  }

  /** A row read by a snapshot: op=r with Debezium's snapshot marker in source.snapshot. */
  read(t: TableSchema, tuple: Tuple, marker: SnapshotMarker, tx: TxContext, lsn: Lsn, out: ChangeRecord[]): void {
    let after: Record<string, unknown>;
    try {
      after = this.row(t, tuple, null);
    } catch (err) {
      return this.unconvertible(t, 'r', null, tuple, lsn, err, out, out.length);
    }
    const value = this.envelope(t, 'r', null, after, tx, lsn);
    value.source.snapshot = marker;
    out.push({ table: t, key: this.key(t, after), value, headers: this.headers() });
  }

  truncate(t: TableSchema, tx: TxContext, lsn: Lsn, out: ChangeRecord[]): void {
    if (this.opts.skippedOperations.has('t')) return;
    out.push({ table: t, key: null, value: this.envelope(t, 't', null, null, tx, lsn), headers: this.headers() });
  }

  /** Converts a tuple to the Value record; `fallback` supplies unchanged TOAST values under REPLICA IDENTITY FULL. */
  row(t: TableSchema, tuple: Tuple, fallback: Tuple | null): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const c of t.columns) row[c.fieldName] = this.value(t, c, tuple[c.tupleIndex], fallback?.[c.tupleIndex]);
    return row;
  }

  private value(t: TableSchema, c: CapturedColumn, raw: TupleValue | undefined, fallback: TupleValue | undefined): unknown {
    const v = this.clearValue(t, c, raw, fallback);
    // column.mask.* / column.truncate.*: nothing of the clear value leaves past this point
    return c.transform ? c.transform(v) : v;
  }

  private clearValue(t: TableSchema, c: CapturedColumn, raw: TupleValue | undefined, fallback: TupleValue | undefined): unknown {
    if (raw === UNCHANGED_TOAST) raw = fallback !== undefined && fallback !== UNCHANGED_TOAST ? fallback : UNCHANGED_TOAST;
    if (raw === UNCHANGED_TOAST) return c.unavailable ?? c.fallback;
    if (raw === null || raw === undefined) return c.optional ? c.nullValue : c.fallback;
    try {
      return c.mapping.convert(raw);
    } catch (err) {
      if (err instanceof ConversionError && err.writtenAsNull && c.optional) {
        this.opts.onValueWrittenAsNull?.(t, c, err);
        return null;
      }
      if (err instanceof PgcdcError) throw err;
      throw new PgcdcError('conversion', `cannot convert column "${c.name}" of ${t.schema}.${t.table}: ${(err as Error).message}`, { cause: err, retriable: false });
    }
  }

  /**
   * A change with a value its Avro schema cannot carry: the error names table, key and LSN, and
   * with errors.tolerance=all a dead letter (the rows as PostgreSQL text) takes the change's place.
   * `n` is where this change's records started in `out`; anything it pushed before failing goes.
   */
  private unconvertible(t: TableSchema, op: Op, beforeTuple: Tuple | null, afterTuple: Tuple | null, lsn: Lsn, err: unknown, out: ChangeRecord[], n: number): void {
    // Only values the type mapping refused; anything else is a bug and stops the connector as is.
    if (!(err instanceof PgcdcError && err.kind === 'conversion')) throw err;
    out.length = n;
    const key = t.messageKeyColumns.length > 0 ? textRow(t, afterTuple ?? beforeTuple, t.messageKeyColumns) : null;
    const error = new PgcdcError('conversion', `cannot convert the change at LSN ${formatLsn(lsn)} of ${t.schema}.${t.table} (key ${keyText(key)}): ${err.message}`, {
      retriable: false,
      remedy: err.remedy,
      cause: err,
    });
    if (!t.deadLetter?.tolerant) throw error;
    const before = beforeTuple ? textRow(t, beforeTuple, null) : null;
    const after = afterTuple ? textRow(t, afterTuple, null) : null;
    out.push({ table: t, key: null, value: null, deadLetter: { stage: 'conversion', schema: t.schema, table: t.table, topic: t.topic, op, lsn, key, before, after, error } });
  }

  private key(t: TableSchema, row: Record<string, unknown>): Record<string, unknown> | null {
    if (t.messageKeyColumns.length === 0) return null;
    const key: Record<string, unknown> = {};
    for (const i of t.messageKeyColumns) key[t.columns[i].fieldName] = row[t.columns[i].fieldName];
    return key;
  }

  private envelope(t: TableSchema, op: Op, before: Record<string, unknown> | null, after: Record<string, unknown> | null, tx: TxContext, lsn: Lsn): Envelope {
    const nowMs = Date.now();
    const commitUs = tx.commitTimeUs;
    const source: SourceBlock = {
      version: this.opts.connectorVersion,
      connector: 'postgresql',
      name: this.opts.serverName,
      ts_ms: Number(commitUs / 1000n),
      snapshot: 'false',
      db: this.opts.database,
      sequence: `[${tx.previousCommitLsn === null ? 'null' : `"${formatLsnDecimal(tx.previousCommitLsn)}"`},"${formatLsnDecimal(lsn)}"]`,
      ts_us: Number(commitUs),
      ts_ns: commitUs * 1000n,
      schema: t.schema,
      table: t.table,
      txId: tx.xid,
      lsn,
      xmin: null,
      origin: tx.origin?.name ?? null,
      origin_lsn: tx.origin ? tx.origin.lsn : null,
    };
    return { before, after, source, transaction: null, op, ts_ms: nowMs, ts_us: nowMs * 1000, ts_ns: BigInt(nowMs) * 1_000_000n };
  }
}

/**
 * Columns (all, or those at `indexes` of t.columns) as PostgreSQL text, for errors and dead letters;
 * masked and truncated columns as they would be in the event (a dead letter must not leak them).
 */
function textRow(t: TableSchema, tuple: Tuple | null, indexes: number[] | null): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const i of indexes ?? t.columns.keys()) {
    const c = t.columns[i];
    const v = tuple?.[c.tupleIndex];
    const text = v === UNCHANGED_TOAST ? '(unchanged TOASTed value)' : (v ?? null);
    row[c.name] = c.transform ? c.transform(text) : text;
  }
  return row;
}

function sameKey(t: TableSchema, a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  for (const i of t.messageKeyColumns) {
    const f = t.columns[i].fieldName;
    const x = a[f];
    const y = b[f];
    if (Buffer.isBuffer(x) && Buffer.isBuffer(y) ? !x.equals(y) : x !== y) return false;
  }
  return true;
}

function jsonSafe(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer') return Buffer.from((v as { data: number[] }).data).toString('base64');
  return v;
}

/**
 * Debezium's extended headers (DebeziumHeaderProducer): the logical name (topic.prefix), the plugin
 * name, the task id (pgcdc runs one task) and a UUID that is new for every run of the connector.
 */
export function contextHeaders(topicPrefix: string, runId: string): Readonly<Record<string, string>> {
  return Object.freeze({
    '__debezium.context.connectorLogicalName': topicPrefix,
    '__debezium.context.taskId': '0',
    '__debezium.context.connectorName': 'postgresql',
    '__debezium.context.runId': runId,
  });
}
