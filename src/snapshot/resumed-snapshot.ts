import type { Logger } from 'pino';
import { UNCHANGED_TOAST, type Tuple, type UpdateMessage } from '../decoding/messages.js';
import { toStored, type SourceOffset } from '../offsets/source-offset.js';
import { formatLsn, type Lsn } from '../postgres/lsn.js';
import type { Checkpointer } from '../connector/checkpointer.js';
import type { StreamBarrier } from '../connector/streaming-source.js';
import type { TableRegistry } from '../connector/table-registry.js';
import type { SnapshotSource } from './snapshot-source.js';
import { toStoredSnapshot, type SnapshotState } from './snapshot-state.js';

/** Beyond this many TOAST-unchanged updates of one partly read table, the table is read again whole. */
const MAX_TRACKED_KEYS = 100_000;
/** Exactly-once: beyond this many keys of one table the committed state says "read it whole" (an offset record stays small). */
const MAX_STORED_KEYS = 1000;

/**
 * Finishing a snapshot that was interrupted (crash or stop), correct by construction.
 *
 * The chunks still to read are heap-block ranges planned in the original snapshot; reading them in
 * a new snapshot alone would miss every row that moved meanwhile from an unread range into a read
 * one. So a new snapshot is exported at a known WAL position P (a temporary slot's consistent
 * point: exactly the transactions committing before P are in it), and streaming starts where the
 * original snapshot stood. Changes before P are delivered first — a row that moved into a read
 * range arrives that way, as the update that moved it — then, at P, the remaining chunks are read
 * in the new snapshot, then streaming goes on. Per key nothing is missed and nothing delivered is
 * older than what precedes it:
 *  - a row still in an unread range is read at P, after every change before P;
 *  - an update before P that moved a row carries the whole row, except TOASTed columns it left
 *    unchanged: those rows are read again by primary key at P (`observe` notes their keys);
 *  - a table rewritten meanwhile (new filenode) is read again whole (SnapshotSource.open);
 *  - until the remaining chunks are read, the stored offset keeps naming the snapshot, so a crash
 *    resumes it again (repeating only changes after the stored position).
 */
export class ResumedSnapshot implements StreamBarrier {
  private readonly keys = new Map<number, Map<string, Tuple>>();
  private readonly wholeTables = new Set<number>();
  private readonly partly: Set<number>;
  /** told once the snapshot is complete and stored (lineage) */
  onCompleted: (() => void) | null = null;

  constructor(
    /** the new snapshot's position: streaming reads the remaining chunks before the first transaction committing at or after it */
    readonly lsn: Lsn,
    private readonly source: SnapshotSource,
    private readonly state: SnapshotState,
    private readonly tables: TableRegistry,
    private readonly checkpointer: Checkpointer,
    /** the offset streaming started from (nothing of the stream is stored until the snapshot completes) */
    private readonly start: SourceOffset,
    private readonly log: Logger,
    /** exactly-once: the catch-up commits as it goes (see heldState) instead of one Kafka transaction to the end */
    exactlyOnce = false,
  ) {
    this.partly = source.partlyRead();
    // An earlier run's catch-up, committed under exactly-once, left these re-reads to do.
    for (const oid of state.rereads?.whole ?? []) this.wholeTables.add(oid);
    for (const [oid, keys] of Object.entries(state.rereads?.keys ?? {})) {
      const tracked = new Map<string, Tuple>();
      for (const key of keys) tracked.set(JSON.stringify(key), key);
      this.keys.set(Number(oid), tracked);
    }
    checkpointer.hold(exactlyOnce ? (delivered) => this.heldState(delivered) : undefined);
  }

  /**
   * Exactly-once: the snapshot state committed with the catch-up delivered so far. It still names the
   * snapshot (so a crash resumes it), now streaming from `delivered`, and carries the re-reads noted
   * so far, which a restart could not notice again (their updates are behind `delivered`).
   */
  private heldState(delivered: SourceOffset): Record<string, unknown> {
    const keys: Record<string, (string | null)[][]> = {};
    for (const [oid, tracked] of this.keys) {
      if (tracked.size > MAX_STORED_KEYS) {
        this.wholeTables.add(oid);
        this.keys.delete(oid);
      } else if (!this.wholeTables.has(oid)) keys[oid] = [...tracked.values()] as (string | null)[][];
    }
    return toStoredSnapshot({ ...this.state, stream: delivered, rereads: { keys, whole: [...this.wholeTables] } });
  }

  /** Sees updates streamed before `lsn`: rows of partly read tables whose update left a TOASTed value unchanged. */
  observe(m: UpdateMessage): void {
    const oid = m.relationOid;
    if (!this.partly.has(oid) || this.wholeTables.has(oid) || !m.newTuple.includes(UNCHANGED_TOAST)) return;
    const t = this.tables.get(oid)?.schema;
    if (!t) return;
    const key = t.keyColumns.map((i) => m.newTuple[t.columns[i].tupleIndex]);
    if (key.length === 0 || key.includes(UNCHANGED_TOAST)) {
      // no usable key (REPLICA IDENTITY FULL tables get unchanged values from the old row anyway)
      if (key.length > 0) this.wholeTables.add(oid);
      return;
    }
    let tracked = this.keys.get(oid);
    if (!tracked) this.keys.set(oid, (tracked = new Map()));
    tracked.set(JSON.stringify(key), key);
    if (tracked.size > MAX_TRACKED_KEYS) {
      this.wholeTables.add(oid);
      this.keys.delete(oid);
    }
  }

  /** At `lsn`, everything before it acknowledged: reads what the snapshot still lacks. False when stopped. */
  async pass(delivered: SourceOffset | null): Promise<boolean> {
    const source = this.source;
    source.readAt = this.lsn;
    this.log.info({ at: formatLsn(this.lsn), tablesReadWhole: this.wholeTables.size, tablesWithToastRows: this.keys.size }, 'resumed snapshot: stream reached the new snapshot, reading the remaining chunks');
    for (const oid of this.wholeTables) await source.rereadWhole(oid);
    for (const [oid, keys] of this.keys) {
      const table = this.tables.get(oid);
      if (table && !this.wholeTables.has(oid)) await source.readKeys(table, [...keys.values()]);
    }
    // From here a crash resumes streaming at `delivered` (everything before lsn), not at the start;
    // the re-reads are done.
    this.state.stream = delivered ?? this.start;
    this.state.rereads = null;
    await source.storeProgress(true);
    const completed = await source.readPending();
    await source.close();
    if (!completed) return false;
    await this.checkpointer.release(this.state.stream, { ...toStored(this.state.stream), snapshot_completed: true });
    this.onCompleted?.();
    return true;
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}
