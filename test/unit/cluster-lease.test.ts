import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leasedKafka, leasedOffsetStore, type Lease } from '../../src/cluster/lease.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';
import { isRetriable } from '../../src/errors/pgcdc-error.js';
import { MemoryKafkaClient, MemorySink } from '../fakes/memory-kafka.js';

function lease(): Lease & { held: boolean } {
  return { held: true, holds() { return this.held; }, description: 'the test lease' };
}

const settings = { partitions: 1, replicationFactor: 1, cleanupPolicy: 'delete' as const };
const record = { topic: 't', key: null, value: Buffer.from('v') } as never;

test('a leased sink delivers while the lease holds and refuses (retriable, naming the lease) once it lapsed', async () => {
  const kafka = new MemoryKafkaClient();
  const l = lease();
  const sink = leasedKafka(kafka, l).sink(settings);
  await sink.send([record]);
  l.held = false;
  await assert.rejects(sink.send([record]), (err: Error) => isRetriable(err) && /delivering events refused: the test lease lapsed/.test(err.message));
  assert.equal((kafka.sinks[0] as MemorySink).sent.length, 1, 'nothing reached the sink after the lease lapsed');
  // the rest of the client is the worker's own
  assert.equal(await leasedKafka(kafka, l).clusterId(), 'memory-cluster');
});

test('a leased offset store reads always, writes only under the lease', async () => {
  const kafka = new MemoryKafkaClient();
  const store = new KafkaOffsetStore(kafka, 'offsets');
  await store.start();
  const l = lease();
  const leased = leasedOffsetStore(store, l);
  assert.equal(leased.topic, 'offsets');
  await leased.write('k', { lsn: 1 });
  l.held = false;
  await assert.rejects(leased.write('k', { lsn: 2 }), /storing the offset refused/);
  assert.deepEqual(await leased.read('k'), { lsn: 1 });
});
