import { Consumer, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka';
import { clientOptions } from '../../src/kafka/platformatic-topics.js';

/**
 * A topic's two ends, summed over its partitions, from one long-lived connection (the chaos runs poll
 * them): `committed` is the last stable offset (what a read_committed consumer can read up to: no
 * transaction open before it), `written` the high watermark (everything appended, including records
 * of open or aborted transactions and the commit markers). Without transactions both are equal; under
 * exactly-once `written > committed` means a transaction is open.
 */
export class TopicEnds {
  // one consumer per isolation level: listOffsets' own isolationLevel option fails the library's
  // option validation (@platformatic/kafka 2.12.1 declares it a string with numeric allowed values)
  private readonly readCommitted: Consumer;
  private readonly readUncommitted: Consumer;

  constructor(brokers: string[]) {
    const base = { ...clientOptions({ brokers, clientId: 'pgcdc-test-ends' }, 'ends'), groupId: 'pgcdc-unused-test-ends' };
    this.readCommitted = new Consumer({ ...base, isolationLevel: FetchIsolationLevels.READ_COMMITTED });
    this.readUncommitted = new Consumer({ ...base, isolationLevel: FetchIsolationLevels.READ_UNCOMMITTED });
  }

  committed(topic: string): Promise<bigint> {
    return sum(this.readCommitted, topic);
  }

  written(topic: string): Promise<bigint> {
    return sum(this.readUncommitted, topic);
  }

  async close(): Promise<void> {
    await this.readCommitted.close().catch(() => {});
    await this.readUncommitted.close().catch(() => {});
  }
}

async function sum(consumer: Consumer, topic: string): Promise<bigint> {
  const ends = (await consumer.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.LATEST })).get(topic) ?? [];
  return ends.reduce((total, e) => total + e, 0n);
}
