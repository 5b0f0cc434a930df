/**
 * Logical decoding messages in the streaming loop; the StreamingSource keeps the state and the
 * order, these say where a message stands and add its record. A transactional message is a
 * position of its transaction like a change (counted in the offset's changes, so a resume inside
 * the transaction skips exactly what was delivered); a non-transactional one stands alone at its
 * LSN, like a transaction of its own committed there (Debezium also flushes at it): on a resume it
 * is skipped when the offset is at or past it (offsets: stream-offsets.ts).
 */
import type { LogicalMessage } from '../decoding/messages.js';
import type { TxContext } from '../events/change-events.js';
import type { MessagePosition } from '../events/message-event.js';
import { formatLsn, type Lsn } from '../postgres/lsn.js';
import type { ChangeBatch } from './change-batch.js';
import type { LogicalMessages } from './logical-messages.js';

/** The error for a transactional message outside a transaction or a non-transactional one inside one; null when in place. */
export function misplacedMessage(m: LogicalMessage, tx: TxContext | null): Error | null {
  if (m.transactional && !tx) return new Error(`transactional logical decoding message at LSN ${formatLsn(m.lsn)} outside a transaction`);
  if (!m.transactional && tx) return new Error(`non-transactional logical decoding message at LSN ${formatLsn(m.lsn)} inside the transaction committing at ${formatLsn(tx.commitLsn)}`);
  return null;
}

/** A transactional message's source position: its transaction's. */
export function transactionalAt(tx: TxContext): MessagePosition {
  return { txId: tx.xid, commitTimeUs: tx.commitTimeUs, previousCommitLsn: tx.previousCommitLsn };
}

/** A non-transactional message's source position: no transaction, the last commit time seen (0: none yet). */
export function standaloneAt(previousCommitLsn: Lsn | null, lastCommitTimeUs: bigint): MessagePosition {
  return { txId: null, commitTimeUs: lastCommitTimeUs || null, previousCommitLsn };
}

/** Adds the message's op "m" record to `batch` when messages are emitted and its prefix is included. */
export async function emitMessage(messages: LogicalMessages | null, batch: ChangeBatch, m: LogicalMessage, at: MessagePosition): Promise<void> {
  if (!messages || !messages.included(m.prefix)) return;
  batch.records.push(await messages.record(m, at));
}
