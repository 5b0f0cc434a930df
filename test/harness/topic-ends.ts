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
  private readonly consumer: Consumer;

  constructor(brokers: string[]) {
    this.consumer = new Consumer({ ...clientOptions({ brokers, clientId: 'pgcdc-test-ends' }, 'ends'), groupId: 'pgcdc-unused-test-ends' });
  }

  committed(topic: string): Promise<bigint> {
    return this.sum(topic, FetchIsolationLevels.READ_COMMITTED);
  }

  written(topic: string): Promise<bigint> {
    return this.sum(topic, FetchIsolationLevels.READ_UNCOMMITTED);
  }

  private async sum(topic: string, isolationLevel: number): Promise<bigint> {
    const ends = (await this.consumer.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.LATEST, isolationLevel })).get(topic) ?? [];
    return ends.reduce((total, e) => total + e, 0n);
  }

  async close(): Promise<void> {
    await this.consumer.close().catch(() => {});
  }
}
