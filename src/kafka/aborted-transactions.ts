/**
 * Which record batches of one partition a READ_COMMITTED reader may hand out: the Java consumer's
 * algorithm (CompletedFetch: consumeAbortedTransactionsUpTo / isBatchAborted / containsAbortMarker),
 * without I/O. The broker answers a read_committed fetch with data up to the last stable offset and
 * the aborted transactions (producer id, first offset) overlapping that data; the abort markers
 * themselves may lie in a later response when a response is cut by its byte limit. That is why
 * this does not lean on @platformatic/kafka's own filter, which keeps an aborted transaction's
 * batches when its marker is not in the same response: for the offset topic that would hand out
 * an aborted offset, and the connector would skip changes.
 */

const IS_TRANSACTIONAL = 0x10;
const IS_CONTROL = 0x20;
/** Control record key: int16 version, int16 type; type 0 is ABORT, 1 is COMMIT. */
const ABORT_MARKER = 0;

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** The fields of a record batch this needs (the library's batch objects carry them). */
export interface BatchHeader {
  firstOffset: bigint;
  lastOffsetDelta: number;
  producerId: bigint;
  attributes: number;
  records: { key?: Buffer | null }[];
}

/**
 * Per topic-partition state across fetches: the aborted transactions listed but not yet reached
 * (sorted by first offset) and the producers whose aborted transaction is being read. The state
 * belongs to one contiguous read: a fetch from any other offset than where the last one ended starts
 * afresh (stale state could mark a committed producer aborting; the broker lists again every
 * aborted transaction a fetch overlaps, so nothing is lost by forgetting).
 */
export class ReadCommittedFilter {
  private pending: AbortedTransaction[] = [];
  private aborting = new Set<bigint>();
  private resumeAt: bigint | undefined;

  /**
   * The batches of one fetch response, in offset order, reduced to those holding committed or
   * non-transactional data; `next` is past every batch seen (skipped and control ones too), so a
   * read never stalls on them.
   */
  accept<B extends BatchHeader>(fetchOffset: bigint, aborted: readonly AbortedTransaction[] | null | undefined, batches: readonly B[]): { kept: B[]; next: bigint } {
    if (this.resumeAt !== fetchOffset) {
      this.pending = [];
      this.aborting.clear();
    }
    this.addPending(aborted ?? []);
    const kept: B[] = [];
    let next = fetchOffset;
    for (const batch of batches) {
      const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      if (lastOffset + 1n > next) next = lastOffset + 1n;
      if (batch.producerId >= 0n) {
        this.consumeUpTo(lastOffset);
        if (isAbortMarker(batch)) this.aborting.delete(batch.producerId);
        else if (batch.attributes & IS_TRANSACTIONAL && this.aborting.has(batch.producerId)) continue;
      }
      if (batch.attributes & IS_CONTROL) continue;
      kept.push(batch);
    }
    this.resumeAt = next;
    return { kept, next };
  }

  /** Java adds every listed transaction that starts at or before the batch, whoever its producer. */
  private consumeUpTo(offset: bigint): void {
    while (this.pending.length > 0 && this.pending[0]!.firstOffset <= offset) this.aborting.add(this.pending.shift()!.producerId);
  }

  /** A response lists again the transactions an earlier one listed (when still overlapping): kept once. */
  private addPending(listed: readonly AbortedTransaction[]): void {
    for (const tx of listed) {
      if (this.pending.some((p) => p.producerId === tx.producerId && p.firstOffset === tx.firstOffset)) continue;
      this.pending.push({ producerId: tx.producerId, firstOffset: tx.firstOffset });
    }
    this.pending.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }
}

function isAbortMarker(batch: BatchHeader): boolean {
  if (!(batch.attributes & IS_CONTROL)) return false;
  const key = batch.records[0]?.key;
  return !!key && key.length >= 4 && key.readInt16BE(2) === ABORT_MARKER;
}
