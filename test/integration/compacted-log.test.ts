/**
 * The CompactedLog behind the offset and config stores, against the real broker: the topic is
 * created compacted with one partition, the latest value per key wins, a tombstone deletes, and
 * reading leaves no consumer group behind (each read used to leave a `pgcdc-reader-*` group).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigResourceTypes } from '@platformatic/kafka';
import { openKafka } from '../../src/kafka/client.js';
import { withKafkaAdmin } from '../harness/kafka-admin.js';
import { testServices } from '../harness/services.js';

test('a compacted log: latest value per key, tombstones, and no consumer group left per read', async () => {
  const services = await testServices();
  const topic = `pgcdc-test-compacted-${process.pid}-${Date.now()}`;
  const log = openKafka({ clientId: 'pgcdc-test-compacted', brokers: services.kafkaBrokers }).compactedLog(topic);
  try {
    await log.open();
    await withKafkaAdmin(services.kafkaBrokers, async (admin) => {
      const [config] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['cleanup.policy'] }] });
      assert.equal(config!.configs.find((e) => e.name === 'cleanup.policy')?.value, 'compact');
      assert.equal((await admin.metadata({ topics: [topic] })).topics.get(topic)!.partitions.length, 1);
    });

    assert.deepEqual([...(await log.readAll())], [], 'an empty topic reads as empty');
    await log.write('a', '1');
    await log.write('b', '2');
    await log.write('a', '3');
    await log.write('b', null);
    assert.deepEqual([...(await log.readAll())], [['a', '3']]);
    await log.write('c', '4');
    assert.deepEqual([...(await log.readAll())].sort(), [['a', '3'], ['c', '4']]);

    const groups = await withKafkaAdmin(services.kafkaBrokers, async (admin) => [...(await admin.listGroups()).keys()]);
    assert.deepEqual(groups.filter((g) => g.includes(topic) || g.startsWith('pgcdc-unused')), [], 'reads leave no consumer group behind');
  } finally {
    await log.close();
    await withKafkaAdmin(services.kafkaBrokers, (admin) => admin.deleteTopics({ topics: [topic] })).catch(() => {});
  }
});
