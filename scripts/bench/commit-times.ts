/**
 * When each record of a transactional topic became readable: a read_committed consumer gets a
 * record only once its transaction's commit marker is written, so pgcdc-eos's latency in workload
 * (c) runs to the marker, not to the record's own timestamp (set before the transaction commits).
 * A marker's timestamp is the moment the transaction coordinator wrote it. Reads the partitions from
 * the start with raw fetches, since PartitionFetcher hands out no control records: a transactional
 * batch's records wait for their producer's next marker (commit: kept with its time; abort: dropped).
 */
import { Consumer, FetchIsolationLevels, type RecordsBatch } from '@platformatic/kafka';
import { clientOptions } from '../../src/kafka/platformatic-topics.js';
import type { KafkaConnection } from '../../src/kafka/ports.js';

const IS_TRANSACTIONAL = 0x10;
const IS_CONTROL = 0x20;
/** Control record key: int16 version, int16 type; type 1 is COMMIT. */
const COMMIT_MARKER = 1;

export interface CommittedRecord {
  key: Buffer | null;
  /** the record's own timestamp (what PartitionFetcher reports) */
  timestamp: number;
  /** the commit marker's timestamp: when a read_committed consumer could read it */
  committedAt: number;
}

/** Up to `limit` committed records of `topic` in offset order, each with its commit time. */
export async function readCommitTimes(connection: KafkaConnection, topic: string, limit: number, timeoutMs = 20_000): Promise<CommittedRecord[]> {
  const consumer = new Consumer({ ...clientOptions(connection, 'bench-commit-times'), groupId: 'pgcdc-unused-bench-commit-times', maxWaitTime: 200 });
  const out: CommittedRecord[] = [];
  try {
    const meta = await consumer.metadata({ topics: [topic] });
    const t = meta.topics.get(topic);
    if (!t) throw new Error(`topic "${topic}" is missing`);
    for (let partition = 0; partition < t.partitions.length && out.length < limit; partition++) {
      const leader = t.partitions[partition]!.leader;
      const open = new Map<bigint, { key: Buffer | null; timestamp: number }[]>();
      let offset = 0n;
      let lastProgress = Date.now();
      while (out.length < limit && Date.now() - lastProgress < timeoutMs) {
        const response = await consumer.fetch({
          node: leader,
          maxWaitTime: 200,
          isolationLevel: FetchIsolationLevels.READ_COMMITTED,
          topics: [{ topicId: t.id, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
        });
        const batches: RecordsBatch[] = response.responses.flatMap((r) => r.partitions).filter((p) => p.partitionIndex === partition).flatMap((p) => p.records ?? []);
        for (const batch of batches) {
          const end = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
          if (end <= offset) continue;
          offset = end;
          lastProgress = Date.now();
          if (batch.attributes & IS_CONTROL) {
            const key = batch.records[0]?.key;
            const committed = !!key && key.length >= 4 && key.readInt16BE(2) === COMMIT_MARKER;
            const records = open.get(batch.producerId) ?? [];
            open.delete(batch.producerId);
            if (committed) for (const r of records) out.push({ ...r, committedAt: Number(batch.firstTimestamp) });
            continue;
          }
          const records = batch.records.map((r) => ({ key: r.key ?? null, timestamp: Number(batch.firstTimestamp + r.timestampDelta) }));
          if (batch.attributes & IS_TRANSACTIONAL) {
            const pending = open.get(batch.producerId) ?? [];
            for (const r of records) pending.push(r);
            open.set(batch.producerId, pending);
          } else for (const r of records) out.push({ ...r, committedAt: r.timestamp });
        }
      }
    }
  } finally {
    await consumer.close().catch(() => {});
  }
  return out.slice(0, limit);
}
