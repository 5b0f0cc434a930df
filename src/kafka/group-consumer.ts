import { Consumer, FetchIsolationLevels, MessagesStreamFallbackModes, MessagesStreamModes, type Message, type MessagesStream } from '@platformatic/kafka';
import type { ConsumedBatch, GroupConsumer, KafkaConnection } from './ports.js';
import { clientOptions } from './platformatic-topics.js';

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

/**
 * GroupConsumer on @platformatic/kafka (contract in ports.ts): a consumer group member whose
 * messages stream starts at the committed offsets (earliest where none), with autocommit off. What
 * the stream holds when the handler is free is split into one batch per partition; each batch is
 * handled, then committed (the stream's own commit, which the broker acknowledges) before the next.
 * Any failure drops the consumer; a new one rejoins after a pause and starts again from the
 * committed offsets.
 */
export class PlatformaticGroupConsumer implements GroupConsumer {
  private stopped = false;
  private wakeStopped: () => void = () => {};
  private readonly stopping = new Promise<void>((resolve) => (this.wakeStopped = resolve));
  private readonly running: Promise<void>;

  constructor(
    private readonly connection: KafkaConnection,
    readonly groupId: string,
    private readonly topics: string[],
    private readonly handle: (batch: ConsumedBatch) => Promise<void>,
    private readonly onError: (err: Error) => void = () => {},
  ) {
    this.running = this.run();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wakeStopped();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.consumeUntilStopped(() => (failures = 0));
      } catch (err) {
        if (this.stopped) return;
        this.onError(err instanceof Error ? err : new Error(String(err)));
        const pause = Math.min(RETRY_FIRST_MS * 2 ** failures++, RETRY_MAX_MS);
        await Promise.race([new Promise((r) => setTimeout(r, pause)), this.stopping]);
      }
    }
  }

  /** One consumer's life: joins, hands over batches, returns once stopped; throws on any failure. */
  private async consumeUntilStopped(committed: () => void): Promise<void> {
    const consumer = new Consumer({
      ...clientOptions(this.connection, 'group-consumer'),
      groupId: this.groupId,
      autocommit: false,
      maxWaitTime: 200,
      maxBytesPerPartition: 8 << 20,
      maxBytes: 32 << 20,
      // read_uncommitted on purpose: the library's read_committed filter can drop committed
      // transactions of a producer between two of its aborts (partition-fetch.ts works around it for
      // pgcdc's own reads; the stream gives no way to). The loader is at least once anyway: a record
      // of an aborted transaction is a change the connector sends again, committed, after it (same
      // WAL, from the last committed offset), and applying a change twice in order converges.
      isolationLevel: FetchIsolationLevels.READ_UNCOMMITTED,
    });
    let stream: Stream | undefined;
    let failed: Error | undefined;
    // A rejoin that failed is reported as an 'error' event (unhandled, it would end the process).
    consumer.on('error', (err: Error) => {
      failed ??= err;
      stream?.destroy(err);
    });
    try {
      stream = await consumer.consume({ topics: this.topics, mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamFallbackModes.EARLIEST, autocommit: false });
      if (failed) throw failed;
      const buffered = bufferedMessages(stream);
      for (;;) {
        const messages = await Promise.race([buffered.next(), this.stopping.then(() => null)]);
        if (messages === null || this.stopped) return;
        for (const batch of byPartition(messages)) {
          await this.handle(toBatch(batch));
          await batch[batch.length - 1]!.commit();
          committed();
          if (this.stopped) return;
        }
      }
    } finally {
      await stream?.close().catch(() => {});
      await consumer.close(true).catch(() => {});
    }
  }
}

/**
 * Everything the stream holds at each call, waiting for at least one message; null once the stream
 * ended. The stream keeps one 'readable' listener for its whole life (without one it stops fetching).
 */
function bufferedMessages(stream: Stream): { next(): Promise<Message<Buffer, Buffer, Buffer, Buffer>[] | null> } {
  let signal: () => void = () => {};
  const notify = () => signal();
  stream.on('readable', notify);
  stream.on('end', notify);
  stream.on('close', notify);
  stream.on('error', notify);
  return {
    async next() {
      for (;;) {
        const out: Message<Buffer, Buffer, Buffer, Buffer>[] = [];
        for (let m = stream.read(); m !== null; m = stream.read()) out.push(m);
        if (out.length > 0) return out;
        if (stream.errored) throw stream.errored;
        if (stream.readableEnded || stream.destroyed) return null;
        await new Promise<void>((resolve) => (signal = resolve));
      }
    },
  };
}

/** Messages grouped by topic partition, each group in the order read (offset order). */
function byPartition(messages: Message<Buffer, Buffer, Buffer, Buffer>[]): Message<Buffer, Buffer, Buffer, Buffer>[][] {
  const groups = new Map<string, Message<Buffer, Buffer, Buffer, Buffer>[]>();
  for (const m of messages) {
    const id = `${m.topic}\u0000${m.partition}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = []));
    g.push(m);
  }
  return [...groups.values()];
}

function toBatch(messages: Message<Buffer, Buffer, Buffer, Buffer>[]): ConsumedBatch {
  return {
    topic: messages[0]!.topic,
    partition: messages[0]!.partition,
    records: messages.map((m) => ({ offset: m.offset, timestamp: m.timestamp, key: m.key ?? null, value: m.value ?? null })),
  };
}
