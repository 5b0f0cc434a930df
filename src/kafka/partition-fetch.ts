import { Consumer, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka';
import { ReadCommittedFilter } from './aborted-transactions.js';
import type { KafkaConnection } from './ports.js';
import { clientOptions } from './platformatic-topics.js';

const EMPTY = Buffer.alloc(0);

/** One record of a partition, as stored (key, value and header bytes untouched). */
export interface FetchedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: [Buffer, Buffer][];
}

/**
 * Reads partitions by offset, without joining or creating a consumer group: for readers that only
 * read (the compacted logs, the tests' topic readers). The Consumer object needs a group id, which
 * only its group calls would use; none is made.
 *
 * Reads READ_COMMITTED, like the Java consumer: records of aborted transactions and control records
 * are never handed out, and nothing past the last stable offset (LSO) is: while a transaction is
 * open, reading stops before its first record until it is decided. Which batches are aborted is
 * decided by ReadCommittedFilter (aborted-transactions.ts), one per partition, kept across fetches.
 */
export class PartitionFetcher {
  private readonly consumer: Consumer;
  private readonly filters = new Map<string, ReadCommittedFilter>();

  constructor(connection: KafkaConnection, role: string) {
    this.consumer = new Consumer({ ...clientOptions(connection, role), groupId: `pgcdc-unused-${role}`, maxWaitTime: 200 });
  }

  /**
   * Each partition's end for a read_committed reader, by partition index: the last stable offset
   * (ListOffsets LATEST under READ_COMMITTED answers the LSO, not the high watermark). It equals
   * the high watermark when no transaction is open; reading up to it never waits on one.
   */
  async endOffsets(topic: string): Promise<bigint[]> {
    return (await this.consumer.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.LATEST, isolationLevel: FetchIsolationLevels.READ_COMMITTED })).get(topic) ?? [];
  }

  /**
   * The committed records of `topic`/`partition` from `offset` on that one fetch returns (waiting up
   * to `maxWaitMs` for some), the offset to fetch next (past aborted and control batches too) and
   * the partition's last stable offset as of this fetch (-1 when the answer left the partition
   * out, as an incremental fetch session does for a partition with nothing new).
   */
  async fetch(topic: string, partition: number, offset: bigint, maxWaitMs = 200): Promise<{ records: FetchedRecord[]; next: bigint; lastStableOffset: bigint }> {
    const meta = await this.consumer.metadata({ topics: [topic] });
    const t = meta.topics.get(topic);
    const leader = t?.partitions[partition]?.leader;
    if (!t || leader === undefined) throw new Error(`topic "${topic}" has no partition ${partition}`);
    const response = await this.consumer.fetch({
      node: leader,
      maxWaitTime: maxWaitMs,
      // The library's default too, said here because correctness depends on it.
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      topics: [{ topicId: t.id, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
    });
    const records: FetchedRecord[] = [];
    let next = offset;
    let lastStableOffset = -1n;
    const key = `${partition}:${topic}`;
    const filter = this.filters.get(key) ?? new ReadCommittedFilter();
    this.filters.set(key, filter);
    for (const part of response.responses.flatMap((r) => r.partitions)) {
      if (part.partitionIndex !== partition) continue;
      lastStableOffset = part.lastStableOffset;
      // The library has already dropped the aborted batches whose abort marker is in this same
      // response (they would be skipped here anyway); it keeps the markers, which the filter needs.
      const accepted = filter.accept(offset, part.abortedTransactions, part.records ?? []);
      next = accepted.next;
      for (const batch of accepted.kept) {
        for (const r of batch.records) {
          const at = batch.firstOffset + BigInt(r.offsetDelta);
          if (at < offset) continue; // a batch starts before the offset asked for
          records.push({ topic, partition, offset: at, timestamp: batch.firstTimestamp + r.timestampDelta, key: r.key ?? null, value: r.value ?? null, headers: r.headers.map(([k, v]) => [k ?? EMPTY, v ?? EMPTY] as [Buffer, Buffer]) });
        }
      }
    }
    return { records, next, lastStableOffset };
  }

  async close(): Promise<void> {
    await this.consumer.close().catch(() => {});
  }
}
