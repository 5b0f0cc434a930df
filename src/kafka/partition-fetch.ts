import { Consumer, ListOffsetTimestamps } from '@platformatic/kafka';
import type { KafkaConnection } from './ports.js';
import { clientOptions } from './platformatic-topics.js';

const IS_CONTROL_BATCH = 0x20;
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
 */
export class PartitionFetcher {
  private readonly consumer: Consumer;

  constructor(connection: KafkaConnection, role: string) {
    this.consumer = new Consumer({ ...clientOptions(connection, role), groupId: `pgcdc-unused-${role}`, maxWaitTime: 200 });
  }

  /** Each partition's end offset (the offset the next record will get), by partition index. */
  async endOffsets(topic: string): Promise<bigint[]> {
    return (await this.consumer.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.LATEST })).get(topic) ?? [];
  }

  /**
   * The records of `topic`/`partition` from `offset` on that one fetch returns (waiting up to
   * `maxWaitMs` for some), and the offset to fetch next. Control records are skipped.
   */
  async fetch(topic: string, partition: number, offset: bigint, maxWaitMs = 200): Promise<{ records: FetchedRecord[]; next: bigint }> {
    const meta = await this.consumer.metadata({ topics: [topic] });
    const t = meta.topics.get(topic);
    const leader = t?.partitions[partition]?.leader;
    if (!t || leader === undefined) throw new Error(`topic "${topic}" has no partition ${partition}`);
    const response = await this.consumer.fetch({
      node: leader,
      maxWaitTime: maxWaitMs,
      topics: [{ topicId: t.id, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
    });
    const records: FetchedRecord[] = [];
    let next = offset;
    for (const part of response.responses.flatMap((r) => r.partitions)) {
      if (part.partitionIndex !== partition) continue;
      for (const batch of part.records ?? []) {
        const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
        if (batchEnd > next) next = batchEnd;
        if (batch.attributes & IS_CONTROL_BATCH) continue;
        for (const r of batch.records) {
          const at = batch.firstOffset + BigInt(r.offsetDelta);
          if (at < offset) continue; // a batch starts before the offset asked for
          records.push({ topic, partition, offset: at, timestamp: batch.firstTimestamp + r.timestampDelta, key: r.key ?? null, value: r.value ?? null, headers: r.headers.map(([k, v]) => [k ?? EMPTY, v ?? EMPTY] as [Buffer, Buffer]) });
        }
      }
    }
    return { records, next };
  }

  async close(): Promise<void> {
    await this.consumer.close().catch(() => {});
  }
}
