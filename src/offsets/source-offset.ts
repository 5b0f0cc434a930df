import { formatLsn, parseLsn, type Lsn } from '../postgres/lsn.js';

/**
 * Where a connector is in the WAL, as stored after Kafka acknowledged everything before it.
 * Field names follow Debezium's PostgreSQL offsets (lsn, lsn_proc, lsn_commit, txId, ts_usec) so that
 * `GET /connectors/{name}/offsets` reads the same; pgcdc adds what exact resumption needs:
 *  - `lsn_commit` + `pgcdc_tx_changes`: the transaction (by its commit LSN) and how many of its changes
 *    (row changes and transactional logical decoding messages, in stream order)
 *    are delivered. Counting changes rather than comparing LSNs matters because one WAL record can carry
 *    several rows (COPY's multi-insert), so an LSN alone cannot say how far inside it delivery got.
 *  - `pgcdc_flush_lsn`: the end of the last transaction delivered whole (or a later keepalive
 *    position, or a delivered non-transactional logical decoding message's LSN); the only position
 *    ever confirmed to the slot.
 */
export interface SourceOffset {
  /** commit LSN of the transaction the last delivered change belongs to */
  commitLsn: Lsn;
  /** changes of that transaction delivered (all of them when `complete`) */
  txChanges: number;
  complete: boolean;
  /** LSN of the last delivered change (or the commit end when complete) */
  lsn: Lsn;
  /** the position safe to confirm to PostgreSQL */
  flushLsn: Lsn;
  txId: number | null;
  tsUsec: number | null;
}

export interface StoredOffset {
  lsn: string;
  lsn_proc: string;
  lsn_commit: string;
  txId: number | null;
  ts_usec: number | null;
  pgcdc_tx_changes: number;
  pgcdc_tx_complete: boolean;
  pgcdc_flush_lsn: string;
}

// Kafka Connect stores numbers; LSNs are 64-bit, so pgcdc writes them as decimal strings to stay exact.
export function toStored(o: SourceOffset): StoredOffset {
  return {
    lsn: o.lsn.toString(),
    lsn_proc: o.lsn.toString(),
    lsn_commit: o.commitLsn.toString(),
    txId: o.txId,
    ts_usec: o.tsUsec,
    pgcdc_tx_changes: o.txChanges,
    pgcdc_tx_complete: o.complete,
    pgcdc_flush_lsn: o.flushLsn.toString(),
  };
}

export function fromStored(s: Record<string, unknown>): SourceOffset {
  const lsnOf = (v: unknown, key: string): Lsn => {
    if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) return BigInt(v);
    if (typeof v === 'string') return parseLsn(v);
    throw new Error(`stored offset has no usable "${key}"`);
  };
  const commitLsn = lsnOf(s.lsn_commit ?? s.lsn, 'lsn_commit');
  const lsn = lsnOf(s.lsn_proc ?? s.lsn, 'lsn_proc');
  // An offset written by Debezium has no pgcdc fields: treat its commit as delivered whole.
  const complete = s.pgcdc_tx_complete === undefined ? true : Boolean(s.pgcdc_tx_complete);
  return {
    commitLsn,
    lsn,
    txChanges: Number(s.pgcdc_tx_changes ?? 0),
    complete,
    flushLsn: s.pgcdc_flush_lsn !== undefined ? lsnOf(s.pgcdc_flush_lsn, 'pgcdc_flush_lsn') : commitLsn,
    txId: s.txId === undefined || s.txId === null ? null : Number(s.txId),
    tsUsec: s.ts_usec === undefined || s.ts_usec === null ? null : Number(s.ts_usec),
  };
}

/**
 * Whether a change was already delivered before the stored offset: true for transactions that
 * committed before the stored one, and for the first `txChanges` changes of the stored one.
 */
export function alreadyDelivered(offset: SourceOffset | null, commitLsn: Lsn, changeIndex: number): boolean {
  if (!offset) return false;
  if (commitLsn < offset.commitLsn) return true;
  if (commitLsn > offset.commitLsn) return false;
  return offset.complete || changeIndex < offset.txChanges;
}

export function describeOffset(o: SourceOffset): string {
  return `commit ${formatLsn(o.commitLsn)}, ${o.complete ? 'complete' : `${o.txChanges} changes delivered`}, flushed up to ${formatLsn(o.flushLsn)}`;
}
