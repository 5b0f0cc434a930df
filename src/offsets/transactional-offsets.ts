import type { SinkTransactions } from '../kafka/ports.js';
import type { OffsetWriter } from './offset-store.js';

/**
 * Exactly-once (exactly.once.support=required): a connector's offsets written through its sink's
 * Kafka transaction, into the worker's offset topic in Kafka Connect's layout. Each write commits
 * the transaction: the events sent since the last write and the offset that names them become
 * durable and visible together (readers of the offset topic read committed records only,
 * src/kafka/partition-fetch.ts), so after a crash the stored offset never names an event that
 * consumers do not see, nor the other way round.
 */
export class TransactionalOffsetWriter implements OffsetWriter {
  constructor(private readonly transactions: SinkTransactions, private readonly topic: string) {}

  get pending(): boolean {
    return this.transactions.pending;
  }

  async write(key: string, offset: Record<string, unknown> | null): Promise<void> {
    // Offsets are deleted only while the connector is stopped (REST), through the worker's store.
    if (offset === null) throw new Error(`deleting the offset ${key} inside a running connector's transaction`);
    await this.transactions.commit({ topic: this.topic, key, value: JSON.stringify(offset) });
  }
}
