/**
 * Records of a transactional topic, counted by reading them. A topic written in Kafka transactions
 * holds one commit marker per transaction, so its end offset (even the last stable offset) is more
 * than the records a read_committed consumer gets; the drain of pgcdc-eos is done when that
 * consumer has them all. Reads on from where the last call stopped (one contiguous read_committed
 * read per partition), so each call costs only the records that are new.
 */
import { Consumer, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka';
import { PartitionFetcher } from '../../src/kafka/partition-fetch.js';
import { clientOptions } from '../../src/kafka/platformatic-topics.js';
import type { KafkaConnection } from '../../src/kafka/ports.js';

export class CommittedCount {
  private readonly fetcher: PartitionFetcher;
  /** for the high watermarks only (PartitionFetcher answers read_committed ends) */
  private readonly offsets: Consumer;
  private next: bigint[] = [];
  private counted = 0;
  /** committed records read past the ends of the last call (the next call's ends are past them) */
  private ahead = 0;

  constructor(connection: KafkaConnection, private readonly topic: string) {
    this.fetcher = new PartitionFetcher(connection, 'bench-committed-count');
    this.offsets = new Consumer({ ...clientOptions(connection, 'bench-written'), groupId: 'pgcdc-unused-bench-written' });
  }

  /**
   * Committed records (control and aborted ones left out) up to the partitions' last stable offsets;
   * a read that fails (the topic not there yet, a broker hiccup) adds nothing, the next one goes on.
   */
  async count(): Promise<number> {
    try {
      await this.readOn();
    } catch {
      // what was counted stays counted: `next` moves only past records added to it (or to `ahead`)
    }
    return this.counted;
  }

  /**
   * Offsets written, committed or not (sum of high watermarks, markers included): > 0 from the first
   * record the connector writes, so a drain's first → last window starts when delivery starts, not
   * when the first transaction commits. 0 while the topic does not exist.
   */
  async written(): Promise<number> {
    try {
      const ends = await this.offsets.listOffsets({ topics: [this.topic], timestamp: ListOffsetTimestamps.LATEST, isolationLevel: FetchIsolationLevels.READ_UNCOMMITTED });
      return (ends.get(this.topic) ?? []).reduce((n, end) => n + Number(end), 0);
    } catch {
      return 0;
    }
  }

  /**
   * Counts the records below the ends read first, so the count is what was readable at that moment
   * (the drain dates its sample then); records a fetch returns past them count on the next call.
   */
  private async readOn(): Promise<void> {
    const ends = await this.fetcher.endOffsets(this.topic);
    this.counted += this.ahead;
    this.ahead = 0;
    while (this.next.length < ends.length) this.next.push(0n);
    for (let p = 0; p < ends.length; p++) {
      while (this.next[p]! < ends[p]!) {
        const fetched = await this.fetcher.fetch(this.topic, p, this.next[p]!, 0);
        if (fetched.next <= this.next[p]!) break; // nothing readable yet: the next call goes on
        this.next[p] = fetched.next;
        for (const r of fetched.records) {
          if (r.offset < ends[p]!) this.counted++;
          else this.ahead++;
        }
      }
    }
  }

  async close(): Promise<void> {
    await this.fetcher.close();
    await this.offsets.close().catch(() => {});
  }
}
