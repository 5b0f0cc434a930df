import type { Admin, Kafka } from 'kafkajs';

/**
 * Reads a compacted topic from the beginning up to the end offsets given (taken before reading, so
 * the read terminates) and returns the latest value of every key; a null value (tombstone) removes
 * the key. Used by the offset and config stores, whose topics are small.
 */
export async function readCompactedTopic(
  kafka: Kafka,
  topic: string,
  ends: { partition: number; offset: string }[],
  timeoutMs = 60_000,
): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  const remaining = new Map(ends.filter((e) => e.offset !== '0').map((e) => [e.partition, BigInt(e.offset)]));
  if (remaining.size === 0) return latest;
  const consumer = kafka.consumer({ groupId: `pgcdc-reader-${topic}-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading "${topic}" took more than ${timeoutMs / 1000} s`)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const key = message.key?.toString();
            if (key !== undefined) {
              if (message.value === null) latest.delete(key);
              else latest.set(key, message.value.toString());
            }
            const end = remaining.get(partition);
            if (end !== undefined && BigInt(message.offset) + 1n >= end) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return latest;
}

/** Creates the single-partition compacted topic when missing; a concurrent creator is not an error. */
export async function ensureCompactedTopic(admin: Admin, topic: string): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) return;
  await admin
    .createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, replicationFactor: -1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    })
    .catch(async (err) => {
      if (!(await admin.listTopics()).includes(topic)) throw err;
    });
}
