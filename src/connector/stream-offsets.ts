/**
 * The source offsets the streaming loop records as it goes (pure): after a change of the open
 * transaction, at a standalone position (a non-transactional logical decoding message) and at the
 * server's keepalive position, and the test for a position a resume offset has already delivered.
 * Kept apart from the loop so each position's rule is stated once.
 */
import type { CommitMessage } from '../decoding/messages.js';
import type { TxContext } from '../events/change-events.js';
import type { SourceOffset } from '../offsets/source-offset.js';
import type { Lsn } from '../postgres/lsn.js';

/** True when a transaction (or standalone position) committing at `commitLsn` was fully delivered before `resume`. */
export function completedBefore(resume: SourceOffset | null, commitLsn: Lsn): boolean {
  return !!resume && (commitLsn < resume.commitLsn || (commitLsn === resume.commitLsn && resume.complete));
}

/** Inside the open transaction, after `txChanges` of its positions; the flush LSN stays where it was. */
export function inTransactionOffset(tx: TxContext, txChanges: number, lsn: Lsn, flushLsn: Lsn): SourceOffset {
  return { commitLsn: tx.commitLsn, txChanges, complete: false, lsn, flushLsn, txId: tx.xid, tsUsec: Number(tx.commitTimeUs) };
}

/** A position standing alone at `lsn`, like a transaction of its own committed there. */
export function standaloneOffset(lsn: Lsn, flushed: Lsn): SourceOffset {
  return { commitLsn: lsn, txChanges: 0, complete: true, lsn, flushLsn: lsn > flushed ? lsn : flushed, txId: null, tsUsec: null };
}

/**
 * Everything before the server's keepalive position `k` is delivered (heartbeats, idle keepalives):
 * that offset, or null when there is no position yet or `current` is already at or past it.
 */
export function keepaliveOffset(k: Lsn, current: SourceOffset | null): SourceOffset | null {
  if (k === 0n || (current && current.flushLsn >= k)) return null;
  // txChanges 0 / not complete: a transaction committing exactly at k is still to be delivered.
  return { commitLsn: k, txChanges: 0, complete: false, lsn: k, flushLsn: k, txId: null, tsUsec: null };
}

/** At a transaction's Commit: complete, flushed to where its commit record ends (the Commit message's end LSN). */
export function commitOffset(m: CommitMessage, txChanges: number, txId: number | null): SourceOffset {
  return { commitLsn: m.commitLsn, txChanges, complete: true, lsn: m.endLsn, flushLsn: m.endLsn, txId, tsUsec: Number(m.commitTimeUs) };
}
