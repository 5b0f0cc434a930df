import type { Lsn } from '../postgres/lsn.js';
import { javaHashMapOrder } from './java-hashmap-order.js';
import type { TransactionBlock, TransactionRecord } from './transaction-schema.js';

/**
 * Debezium's TransactionMonitor + TransactionContext with PostgresTransactionMonitor's ids, for one
 * stream. Pure: no I/O, no serialization; the streaming loop decides where the records go.
 *
 * - begin() at pgoutput's Begin returns the BEGIN record (Debezium emits it for every transaction
 *   the stream delivers, also one whose changes are all filtered out: its END has event_count 0).
 * - event() for each captured change event (not tombstones) counts it and returns its `transaction`
 *   block: total_order (1..n over the transaction), data_collection_order (1..n per table).
 * - end() at Commit returns the END record with event_count and data_collections (in the order
 *   Debezium's HashMap of per-table counts iterates them: java-hashmap-order.ts).
 * - Every id is `<txId>:<lsn>` with the LSN (decimal) of the message the record belongs to, as
 *   PostgresTransactionMonitor formats it from the offset's last seen LSN: the Begin message's LSN
 *   for BEGIN, the change's for an event, the Commit message's for END. Only the `<txId>` part is
 *   the same across a transaction's records.
 * - ts_ms of BEGIN and END is the transaction's commit time (pgoutput's Begin carries it).
 */
export class TransactionTracker {
  private xid: number | null = null;
  private total = 0;
  private readonly perTable = new Map<string, number>();

  get inProgress(): boolean {
    return this.xid !== null;
  }

  begin(xid: number, lsn: Lsn, commitTimeUs: bigint): TransactionRecord {
    this.start(xid);
    const id = txId(xid, lsn);
    return { key: { id }, value: { status: 'BEGIN', id, event_count: null, data_collections: null, ts_ms: commitMs(commitTimeUs) } };
  }

  /**
   * Continues a transaction whose BEGIN (and first events) were delivered before a restart: no BEGIN
   * record; the counters restart from 0 and are brought back by replaying the delivered events
   * through event() (Debezium 3.7 restores them from its offset instead; the result is the same).
   */
  resume(xid: number): void {
    this.start(xid);
  }

  event(dataCollection: string, lsn: Lsn): TransactionBlock {
    if (this.xid === null) throw new Error(`transaction metadata: event of ${dataCollection} at LSN ${lsn} outside a transaction`);
    this.total++;
    const order = (this.perTable.get(dataCollection) ?? 0) + 1;
    this.perTable.set(dataCollection, order);
    return { id: txId(this.xid, lsn), total_order: this.total, data_collection_order: order };
  }

  /** The END record, or null when no transaction is in progress (one skipped as delivered before). */
  end(lsn: Lsn, commitTimeUs: bigint): TransactionRecord | null {
    if (this.xid === null) return null;
    const id = txId(this.xid, lsn);
    const data_collections = javaHashMapOrder([...this.perTable.keys()]).map((data_collection) => ({ data_collection, event_count: this.perTable.get(data_collection)! }));
    const record: TransactionRecord = { key: { id }, value: { status: 'END', id, event_count: this.total, data_collections, ts_ms: commitMs(commitTimeUs) } };
    this.reset();
    return record;
  }

  /** Forgets an open transaction (the stream halted inside it). */
  reset(): void {
    this.xid = null;
    this.total = 0;
    this.perTable.clear();
  }

  private start(xid: number): void {
    this.reset();
    this.xid = xid;
  }
}

/** PostgresTransactionMonitor.adjustTxId: `<txId>:<lsn as a decimal 64-bit number>`. */
export function txId(xid: number, lsn: Lsn): string {
  return `${xid}:${lsn.toString(10)}`;
}

function commitMs(commitTimeUs: bigint): number {
  return Number(commitTimeUs / 1000n);
}
