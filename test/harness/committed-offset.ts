import { readCompactedTopic } from '../../src/kafka/compacted-topic.js';
import type { TopicEnds } from './topic-ends.js';

/**
 * The offset stored for `key` as a read_committed reader sees it right after a kill: the offset
 * topic read up to its last stable offset. KafkaOffsetStore.read reads up to the high watermark,
 * and under exactly-once a killed run's open transaction may hold an offset record that is only
 * aborted when the next run fences it (or the transaction times out): read_committed fetches stop
 * before it, so that read would wait for the abort instead of returning what is committed.
 */
export async function committedOffset(brokers: string[], ends: TopicEnds, offsetTopic: string, key: string): Promise<Record<string, unknown> | undefined> {
  const raw = (await readCompactedTopic({ brokers, clientId: 'pgcdc-test-offsets' }, offsetTopic, await ends.committed(offsetTopic))).get(key);
  return raw === undefined ? undefined : (JSON.parse(raw) as Record<string, unknown>);
}
