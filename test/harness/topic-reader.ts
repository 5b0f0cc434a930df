import { openKafka } from '../../src/kafka/client.js';
import { PartitionFetcher, type FetchedRecord } from '../../src/kafka/partition-fetch.js';

/**
 * The tests' way to read topics: by partition and offset from the start (src/kafka/partition-fetch.ts),
 * so a read joins no consumer group and leaves none behind.
 */
export type { FetchedRecord } from '../../src/kafka/partition-fetch.js';

const connection = (brokers: string[]) => ({ brokers, clientId: 'pgcdc-test-reader' });

/** Each partition's end offset (high watermark) of a topic, by partition index. */
export async function topicEnds(brokers: string[], topic: string): Promise<bigint[]> {
  const fetcher = new PartitionFetcher(connection(brokers), 'test-ends');
  try {
    return await fetcher.endOffsets(topic);
  } finally {
    await fetcher.close();
  }
}

/** Records ever written to a topic: the sum of its partitions' end offsets. */
export async function topicEnd(brokers: string[], topic: string): Promise<bigint> {
  return (await topicEnds(brokers, topic)).reduce((sum, e) => sum + e, 0n);
}

/** Waits until every topic exists (the connector creates a table's topic with its first event). */
export async function waitForTopics(brokers: string[], topics: string[], timeoutMs: number): Promise<void> {
  const kafka = openKafka(connection(brokers));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const existing = new Set(await kafka.listTopics().catch((): string[] => []));
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`topics never appeared: ${missing.join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface FollowOptions {
  timeoutMs?: number;
  /** stop reading when this returns true (checked between fetches): resolves without error */
  stopped?: () => boolean;
  /** read only up to the end offsets the topics had when the read started (then resolve) */
  toCurrentEnd?: boolean;
}

/**
 * Reads `topics` from their start, each partition in offset order, calling `each` per record until it
 * returns true, `stopped()` holds or (toCurrentEnd) every partition reached its end as of the start.
 * Waits for the topics to exist; throws after `timeoutMs` (default 60 s) saying how far it got.
 */
export async function readTopicRecords(brokers: string[], topics: string[], each: (r: FetchedRecord) => boolean | void | Promise<boolean | void>, o: FollowOptions = {}): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  await waitForTopics(brokers, topics, timeoutMs);
  const fetcher = new PartitionFetcher(connection(brokers), 'test-reader');
  try {
    const partitions: { topic: string; partition: number; next: bigint; end: bigint }[] = [];
    for (const topic of topics) for (const [partition, end] of (await fetcher.endOffsets(topic)).entries()) partitions.push({ topic, partition, next: 0n, end });
    let read = 0;
    for (;;) {
      const open = o.toCurrentEnd ? partitions.filter((p) => p.next < p.end) : partitions;
      if (open.length === 0 || o.stopped?.()) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms with ${read} records from ${topics.join(', ')}`);
      for (const p of open) {
        const fetched = await fetcher.fetch(p.topic, p.partition, p.next);
        p.next = fetched.next;
        for (const r of fetched.records) {
          if (o.toCurrentEnd && r.offset >= p.end) break;
          read++;
          if (await each(r)) return;
        }
      }
    }
  } finally {
    await fetcher.close();
  }
}

/** Header values as strings, the way the tests compare them. */
export function headerStrings(r: FetchedRecord): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of r.headers) headers[k.toString()] = v.toString();
  return headers;
}
