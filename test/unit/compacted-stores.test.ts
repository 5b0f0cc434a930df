/**
 * The offset and config stores over the CompactedLog port: Kafka Connect's offset key layout, the
 * latest record per key wins, a null value deletes, a damaged config record is skipped, and a
 * failing log surfaces as a classified error naming the topic and what was being done.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';
import { KafkaConfigStore } from '../../src/worker/config-store.js';
import { PgcdcError } from '../../src/errors/pgcdc-error.js';
import { MemoryKafkaClient } from '../fakes/memory-kafka.js';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' });

describe('KafkaOffsetStore over a compacted log', () => {
  it("uses Kafka Connect's key layout and returns the last offset written per key", async () => {
    const client = new MemoryKafkaClient();
    const store = new KafkaOffsetStore(client, 'offsets');
    await store.start();
    const key = KafkaOffsetStore.key('inventory', 'dbserver1');
    assert.equal(key, '["inventory",{"server":"dbserver1"}]');
    await store.write(key, { lsn: 1 });
    await store.write(KafkaOffsetStore.key('other', 'x'), { lsn: 7 });
    await store.write(key, { lsn: 2 });
    assert.deepEqual(await store.read(key), { lsn: 2 });
    await store.write(key, null);
    assert.equal(await store.read(key), undefined);
    assert.deepEqual([...(await store.readAll()).keys()], ['["other",{"server":"x"}]']);
    assert.deepEqual(client.logs.get('offsets')!.records.at(-1), { key, value: null }, 'a delete is a tombstone');
  });

  it('classifies a failing write as transient, naming the topic', async () => {
    const client = new MemoryKafkaClient();
    const store = new KafkaOffsetStore(client, 'offsets');
    await store.start();
    client.compactedLog('offsets').fail = refused();
    await assert.rejects(store.write('k', { lsn: 1 }), (err: unknown) => {
      assert.ok(err instanceof PgcdcError);
      assert.equal(err.kind, 'sink-transient');
      assert.match(err.message, /^storing offset in "offsets": /);
      return true;
    });
    await assert.rejects(store.readAll(), /reading offsets from "offsets"/);
  });
});

describe('KafkaConfigStore over a compacted log', () => {
  it('loads the last record of every connector, skipping deleted and damaged ones', async () => {
    const client = new MemoryKafkaClient();
    const log = client.compactedLog('configs');
    await log.open();
    await log.write('a', JSON.stringify({ config: { x: '1' }, target_state: 'RUNNING' }));
    await log.write('b', '{not json');
    await log.write('c', JSON.stringify({ config: { y: '2' }, target_state: 'PAUSED' }));
    await log.write('a', JSON.stringify({ config: { x: '3' }, target_state: 'STOPPED' }));
    await log.write('c', null);
    const store = new KafkaConfigStore(client, 'configs');
    const loaded = await store.load();
    assert.deepEqual([...loaded], [['a', { config: { x: '3' }, target_state: 'STOPPED' }]]);
    await store.put('d', { config: { z: '4' }, target_state: 'RUNNING' });
    assert.deepEqual(log.records.at(-1), { key: 'd', value: '{"config":{"z":"4"},"target_state":"RUNNING"}' });
  });

  it('fails opening with an error naming the config topic', async () => {
    const client = new MemoryKafkaClient();
    client.compactedLog('configs').fail = refused();
    await assert.rejects(new KafkaConfigStore(client, 'configs').load(), /opening config topic "configs"/);
  });
});
