/**
 * The CompactedLog behind the offset and config stores, against the real broker: the topic is
 * created compacted with one partition, the latest value per key wins, a tombstone deletes, and
 * reading leaves no consumer group behind (each read used to leave a `pgcdc-reader-*` group).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { openKafka } from '../../src/kafka/client.js';
import { testServices } from '../harness/services.js';

test('a compacted log: latest value per key, tombstones, and no consumer group left per read', async () => {
  const services = await testServices();
  const topic = `pgcdc-test-compacted-${process.pid}-${Date.now()}`;
  const log = openKafka({ clientId: 'pgcdc-test-compacted', brokers: services.kafkaBrokers }).compactedLog(topic);
  const admin = new Kafka({ clientId: 'pgcdc-test-compacted-admin', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await log.open();
    const [config] = (await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }], includeSynonyms: false })).resources;
    assert.equal(config!.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue, 'compact');
    assert.equal((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length, 1);

    assert.deepEqual([...(await log.readAll())], [], 'an empty topic reads as empty');
    await log.write('a', '1');
    await log.write('b', '2');
    await log.write('a', '3');
    await log.write('b', null);
    assert.deepEqual([...(await log.readAll())], [['a', '3']]);
    await log.write('c', '4');
    assert.deepEqual([...(await log.readAll())].sort(), [['a', '3'], ['c', '4']]);

    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.includes(topic));
    assert.deepEqual(groups, [], 'reads leave no consumer group behind');
  } finally {
    await log.close();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
});
