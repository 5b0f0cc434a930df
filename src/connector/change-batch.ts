import type avro from 'avsc';
import { encodeWire } from '../avro/codec.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import type { ChangeRecord } from '../events/change-events.js';
import type { SinkRecord } from '../kafka/sink-record.js';
import { opCode } from '../metrics/connector-metrics.js';
import type { SourceOffset } from '../offsets/source-offset.js';
import { formatLsn, type Lsn } from '../postgres/lsn.js';
import type { RegisteredTable } from './table-registry.js';
import { admit, reject } from './dead-letter.js';

/** Records ready for Kafka plus the offset that becomes durable once all of them are acknowledged. */
export class ChangeBatch {
  readonly records: SinkRecord[] = [];
  offset: SourceOffset | null = null;
  /** commit times (Unix ms) of the transactions that end in this batch, for the commit-to-ack histogram */
  readonly commitsMs: number[] = [];

  get size(): number {
    return this.records.length;
  }

  /** A record serialized elsewhere (a transaction BEGIN/END record: transaction-topic.ts). */
  addRecord(r: SinkRecord): void {
    this.records.push(r);
  }

  /** Serializes change records in the Confluent wire format; failures name table, column, key and LSN. */
  add(table: RegisteredTable, changes: ChangeRecord[], lsn: Lsn): void {
    for (const c of changes) {
      const t = table.schema;
      if (c.deadLetter) {
        this.records.push(t.deadLetter!.handle(c.deadLetter));
        continue;
      }
      let key: Buffer | null = null;
      let value: Buffer | null = null;
      try {
        if (c.key && t.keyType) key = encodeWire(table.keySchemaId!, t.keyType, c.key);
        if (c.value) value = encodeWire(table.valueSchemaId, t.envelopeType, c.value);
      } catch (err) {
        // errors.tolerance: the change's dead letter, or the error (see dead-letter.ts)
        this.records.push(reject(t, c, 'encoding', lsn, encodingError(t.envelopeType, c, lsn, err)));
        continue;
      }
      // table and op let the sink count the record by table and operation once Kafka acknowledged it
      this.records.push(admit(t, c, { topic: t.topic, key, value, headers: c.headers, table: t, op: opCode(c.value ? c.value.op : null) }, lsn));
    }
  }
}

function encodingError(type: avro.Type, c: ChangeRecord, lsn: Lsn, cause: unknown): PgcdcError {
  let path = '';
  type.isValid(c.value, { errorHook: (p: string[]) => (path ||= p.join('.')) });
  const column = path.split('.')[1] ?? path;
  const table = `${c.table.schema}.${c.table.table}`;
  return new PgcdcError('conversion', `cannot encode the change at LSN ${formatLsn(lsn)} of ${table} (key ${JSON.stringify(c.key, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}): column "${column}" does not fit its Avro schema (${(cause as Error).message})`, {
    retriable: false,
    cause,
  });
}
