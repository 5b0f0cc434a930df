/**
 * Counters of one connector that outlive its runs (a restart or a resume keeps counting, as
 * Prometheus counters should): events acknowledged by Kafka per table and operation, delivered
 * transactions, commit-to-acknowledgement latency, errors by kind, and the in-flight Kafka batch.
 *
 * Hot path: the sink counts after each acknowledged produce request with a loop over its records
 * that resolves a table's counters only when the table changes from one record to the next (a
 * WeakMap keyed by the table's schema object, no string keys per event); transactions are counted
 * once per acknowledged batch with one clock read.
 */
import type { ErrorKind } from '../errors/pgcdc-error.js';
import type { TableSchema } from '../events/table-schema.js';
import { LatencyHistogram } from './histogram.js';

/** Operation slots of a table's counts; a tombstone is not an event operation, so it has its own. */
export const OPS = ['c', 'u', 'd', 'r', 't'] as const;
export const TOMBSTONE = OPS.length;
export type OpCode = number;

export function opCode(op: (typeof OPS)[number] | null): OpCode {
  return op === null ? TOMBSTONE : OPS.indexOf(op);
}

export const ERROR_KINDS: readonly ErrorKind[] = [
  'config', 'source-connection', 'source-auth', 'source-state', 'offset-mismatch',
  'sink-transient', 'sink-permanent', 'schema-incompatible', 'conversion', 'internal',
];

/** Where a failure was counted: the connector's run failed, or a delivery to Kafka was retried. */
export type ErrorSite = 'connector' | 'delivery';

/** What the sink needs of a record to count it once acknowledged. */
export interface CountedRecord {
  table?: TableSchema;
  op?: OpCode;
}

export interface TableCounts {
  /** `<schema>.<table>` */
  readonly table: string;
  /** indexed by OpCode: c, u, d, r, t, tombstone */
  readonly counts: number[];
}

export class ConnectorMetrics {
  private readonly byName = new Map<string, TableCounts>();
  private readonly bySchema = new WeakMap<TableSchema, TableCounts>();
  /** transactions whose commit was acknowledged by Kafka (with everything before it) */
  transactions = 0;
  /** commit time (PostgreSQL) → Kafka acknowledgement of the batch holding the commit, per transaction */
  readonly commitToAck = new LatencyHistogram();
  readonly errors: Record<ErrorSite, Map<ErrorKind, number>> = { connector: new Map(), delivery: new Map() };
  /** changes replaced by a dead letter (errors.tolerance=all), counted when handed to the sink */
  deadLetters = 0;
  /** OpenLineage events delivered, and dropped (queue full or every attempt failed) */
  lineageSent = 0;
  lineageDropped = 0;
  /** records and key+value+header bytes handed to Kafka and not yet acknowledged */
  inflightRecords = 0;
  inflightBytes = 0;

  /** Counts records[start, end) once Kafka acknowledged them. */
  countAcked(records: readonly CountedRecord[], start: number, end: number): void {
    let last: TableSchema | undefined;
    let counts: number[] | undefined;
    for (let i = start; i < end; i++) {
      const r = records[i]!;
      if (r.table === undefined || r.op === undefined) continue;
      if (r.table !== last) {
        last = r.table;
        counts = this.countsOf(r.table);
      }
      counts![r.op]!++;
    }
  }

  /** Transactions whose commits were in an acknowledged batch; `commitMs` are their commit times. */
  transactionsAcked(commitMs: readonly number[], ackedAtMs: number): void {
    this.transactions += commitMs.length;
    for (const c of commitMs) this.commitToAck.observe((ackedAtMs - c) / 1000);
  }

  error(site: ErrorSite, err: unknown): void {
    const kind = ((err as { kind?: ErrorKind }).kind ?? 'internal') as ErrorKind;
    const m = this.errors[site];
    m.set(kind, (m.get(kind) ?? 0) + 1);
  }

  /** Per-table counts, in first-seen order. */
  tables(): readonly TableCounts[] {
    return [...this.byName.values()];
  }

  /** Sum of all events (tombstones excluded), for rates in the summary log and the demo. */
  get events(): number {
    let n = 0;
    for (const t of this.byName.values()) for (let i = 0; i < TOMBSTONE; i++) n += t.counts[i]!;
    return n;
  }

  /** A new schema version is a new TableSchema object: it joins the counts of the same table name. */
  private countsOf(schema: TableSchema): number[] {
    let t = this.bySchema.get(schema);
    if (!t) {
      const name = `${schema.schema}.${schema.table}`;
      t = this.byName.get(name);
      if (!t) this.byName.set(name, (t = { table: name, counts: new Array<number>(OPS.length + 1).fill(0) }));
      this.bySchema.set(schema, t);
    }
    return t.counts;
  }
}
