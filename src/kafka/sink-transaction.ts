import type { MessageToProduce } from '@platformatic/kafka';

type Message = MessageToProduce<Buffer, Buffer, string, string>;

/** The transaction calls of the library's producer (unit tests pass stand-ins). */
export interface TransactionHandle {
  send(options: { messages: Message[] }): Promise<unknown>;
  commit(): Promise<void>;
  cancel(): Promise<void>;
}
export interface TransactionalProducer {
  beginTransaction(options: { producerId: bigint; producerEpoch: number }): Promise<TransactionHandle>;
}

/**
 * InitProducerId's "no producer yet" (-1/-1), as the Java client sends it. The library would send
 * 0/0, which the coordinator reads as "producer 0, epoch 0 asks to be bumped" and, for a
 * transactional.id used before, refuses as fenced.
 */
const NEW_PRODUCER = { producerId: -1n, producerEpoch: -1 };

/**
 * The Kafka transaction of one connector's sink (exactly.once.support=required). Records sent join
 * the open transaction, begun by the first send after a commit; `commit` writes the offset record
 * into it and commits, so the records and the offset naming them become visible together to
 * read_committed consumers, or not at all.
 *
 * After any failure the transaction is unusable: every later call rejects with that failure instead
 * of resending into it (a resend inside a transaction would commit duplicates). The connector's run
 * then restarts with a new producer of the same transactional.id, which fences this one and aborts
 * its open transaction; streaming resumes from the last committed offset.
 *
 * Calls must not overlap (the sink queues them): one send or commit at a time.
 */
export class SinkTransaction {
  private open: TransactionHandle | null = null;
  private failure: unknown = null;

  constructor(private readonly producer: TransactionalProducer) {}

  /**
   * Registers the transactional.id with its coordinator (InitProducerId): an earlier producer with
   * this id is fenced and its open transaction aborted, so nothing it wrote and did not commit can
   * appear later. Called before the connector reads its stored offset.
   */
  async fence(): Promise<void> {
    await this.guard(async () => {
      const tx = await this.producer.beginTransaction(NEW_PRODUCER);
      await tx.cancel();
    });
  }

  /** True while records were sent that no commit has made visible yet. */
  get pending(): boolean {
    return this.open !== null;
  }

  send(messages: Message[]): Promise<void> {
    return this.guard(async () => {
      this.open ??= await this.producer.beginTransaction(NEW_PRODUCER);
      await this.open.send({ messages });
    });
  }

  /** Adds `offset` (a record of the offset topic) to the open transaction and commits it. */
  commit(offset: Message): Promise<void> {
    return this.guard(async () => {
      const tx = this.open ?? (await this.producer.beginTransaction(NEW_PRODUCER));
      this.open = tx;
      await tx.send({ messages: [offset] });
      await tx.commit();
      this.open = null;
    });
  }

  private async guard(step: () => Promise<void>): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await step();
    } catch (err) {
      this.failure = err;
      throw err;
    }
  }
}
