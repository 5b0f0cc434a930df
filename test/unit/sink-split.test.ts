/**
 * KafkaSink's produce requests: a batch is split into consecutive requests under Kafka's 1 MiB
 * default record-batch limit, sent one after the other in order; a single oversized record fails
 * naming its topic and size. And the partitioner: Java's murmur2 placement for keyed records.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs, { type Kafka, type PartitionMetadata, type ProducerBatch, type ProducerConfig } from 'kafkajs';
import { KafkaSink } from '../../src/kafka/sink.js';
import { MAX_REQUEST_BYTES, MAX_REQUEST_RECORDS, RECORD_OVERHEAD_BYTES, recordBytes, splitRequests, type SinkRecord } from '../../src/kafka/sink-record.js';
import { changeEventPartitioner } from '../../src/kafka/partitioner.js';
import { PgcdcError } from '../../src/errors/pgcdc-error.js';

const { KafkaJSNonRetriableError, KafkaJSProtocolError } = kafkajs; // CommonJS: not named exports at run time
const ONE_MIB = 1024 * 1024;

function rec(topic: string, valueBytes: number, i = 0, keyBytes = 8, headers?: Record<string, string>): SinkRecord {
  const key = Buffer.alloc(keyBytes);
  if (keyBytes >= 4) key.writeUInt32BE(i);
  const value = Buffer.alloc(valueBytes, i % 251);
  return { topic, key, value, headers };
}
const batch = (n: number, valueBytes: number, topic = 't'): SinkRecord[] => Array.from({ length: n }, (_, i) => rec(topic, valueBytes, i));

/** Request bounds from the ends splitRequests returns. */
function requests(ends: number[]): [number, number][] {
  return ends.map((end, i) => [i === 0 ? 0 : ends[i - 1]!, end]);
}
const requestBytes = (records: SinkRecord[], [start, end]: [number, number]): number =>
  records.slice(start, end).reduce((n, r) => n + recordBytes(r) + RECORD_OVERHEAD_BYTES, 0);

describe('splitRequests', () => {
  it('returns nothing for no records, one request for a small batch', () => {
    assert.deepEqual(splitRequests([]), []);
    assert.deepEqual(splitRequests(batch(10, 100)), [10]);
  });

  it('counts key, value and header bytes', () => {
    assert.equal(recordBytes({ topic: 't', key: null, value: null }), 0);
    assert.equal(recordBytes(rec('t', 100, 0, 8, { '__debezium.oldkey': '{"id":"é"}' })), 8 + 100 + 17 + 11);
  });

  for (const [n, valueBytes] of [[2048, 500], [8192, 600], [2048, 48], [5000, 3000], [100, 200_000]] as const) {
    it(`splits ${n} records of ${valueBytes} bytes into consecutive requests within the limits`, () => {
      const records = batch(n, valueBytes);
      const reqs = requests(splitRequests(records));
      assert.equal(reqs[0]![0], 0);
      assert.equal(reqs.at(-1)![1], n);
      for (let i = 0; i < reqs.length; i++) {
        const [start, end] = reqs[i]!;
        assert.ok(end > start);
        if (i > 0) assert.equal(start, reqs[i - 1]![1], 'consecutive');
        assert.ok(end - start <= MAX_REQUEST_RECORDS, `request ${i}: ${end - start} records`);
        assert.ok(requestBytes(records, [start, end]) <= MAX_REQUEST_BYTES, `request ${i}: ${requestBytes(records, [start, end])} bytes`);
        assert.ok(requestBytes(records, [start, end]) < ONE_MIB);
        // Greedy: a request ends only when the next record would not fit.
        if (end < n) assert.ok(end - start === MAX_REQUEST_RECORDS || requestBytes(records, [start, end + 1]) > MAX_REQUEST_BYTES);
      }
    });
  }

  it('puts a record larger than the limit in a request of its own', () => {
    const records = [rec('t', 100, 0), rec('t', 100, 1), rec('t', 2 * ONE_MIB, 2), rec('t', 100, 3), rec('t', MAX_REQUEST_BYTES, 4), rec('t', 100, 5)];
    assert.deepEqual(requests(splitRequests(records)), [[0, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
    assert.deepEqual(splitRequests([rec('t', 5 * ONE_MIB)]), [1]);
  });

  it('honours explicit limits', () => {
    assert.deepEqual(splitRequests(batch(10, 10), 3), [3, 6, 9, 10]);
    assert.deepEqual(splitRequests(batch(4, 100 - 8 - RECORD_OVERHEAD_BYTES), 100, 250), [2, 4]);
  });
});

/** A kafkajs producer stand-in recording its sendBatch calls. */
class FakeProducer {
  readonly requests: ProducerBatch[] = [];
  inFlight = 0;
  maxInFlight = 0;
  failOn?: (request: number) => Error | undefined;

  async sendBatch(b: ProducerBatch): Promise<unknown[]> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
      const n = this.requests.push(b);
      const err = this.failOn?.(n - 1);
      if (err) throw err;
      return [];
    } finally {
      this.inFlight--;
    }
  }
}

function sinkWith(producer: FakeProducer): { sink: KafkaSink; config: () => ProducerConfig } {
  let config: ProducerConfig | undefined;
  const kafka = {
    producer: (c: ProducerConfig) => ((config = c), producer),
    admin: () => ({}),
  } as unknown as Kafka;
  const sink = new KafkaSink(kafka, { partitions: 1, replicationFactor: 1, cleanupPolicy: 'delete' });
  return { sink, config: () => config! };
}

/** kafkajs's shape for a broker's MESSAGE_TOO_LARGE after its retrier gave up. */
function messageTooLarge(): Error {
  const protocol = new KafkaJSProtocolError({ type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false, message: 'The request included a message larger than the max message size the server will accept' } as unknown as Error);
  return new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(protocol, { cause: protocol });
}

const sentValues = (p: FakeProducer): Buffer[] => p.requests.flatMap((r) => r.topicMessages!.flatMap((tm) => tm.messages.map((m) => m.value as Buffer)));

describe('KafkaSink.send', () => {
  it("uses pgcdc's partitioner and an idempotent producer, one request in flight", () => {
    const { config } = sinkWith(new FakeProducer());
    assert.equal(config().createPartitioner, changeEventPartitioner);
    assert.equal(config().idempotent, true);
    assert.equal(config().maxInFlightRequests, 1);
  });

  it('sends a large batch as sequential requests, in order, each within the limits', async () => {
    const p = new FakeProducer();
    const { sink } = sinkWith(p);
    const records = [...batch(3000, 600, 'a')];
    records.splice(1000, 0, ...batch(500, 600, 'b')); // a second topic in the middle
    await sink.send(records);
    assert.equal(p.maxInFlight, 1, 'one request at a time');
    assert.ok(p.requests.length >= Math.ceil(records.length / MAX_REQUEST_RECORDS));
    assert.deepEqual(sentValues(p), records.map((r) => r.value), 'all records, in order');
    for (const r of p.requests) {
      assert.equal(r.acks, -1);
      const msgs = r.topicMessages!.flatMap((tm) => tm.messages);
      assert.ok(msgs.length <= MAX_REQUEST_RECORDS);
      assert.ok(msgs.reduce((n, m) => n + (m.key as Buffer).length + (m.value as Buffer).length + RECORD_OVERHEAD_BYTES, 0) <= MAX_REQUEST_BYTES);
    }
    assert.deepEqual(
      p.requests.map((r) => r.topicMessages!.map((tm) => tm.topic).join(',')),
      ['a', 'a,b', 'b,a', 'a', 'a', 'a', 'a'],
      'records 1000-1499 (topic b) go out between those of topic a',
    );
  });

  it('sends nothing for an empty batch', async () => {
    const p = new FakeProducer();
    await sinkWith(p).sink.send([]);
    assert.equal(p.requests.length, 0);
  });

  it('stops at the first failed request and rejects', async () => {
    const p = new FakeProducer();
    p.failOn = (i) => (i === 1 ? Object.assign(new Error('Connection error: ECONNREFUSED'), { name: 'KafkaJSConnectionError', retriable: true }) : undefined);
    const { sink } = sinkWith(p);
    const err = await sink.send(batch(2048, 500)).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PgcdcError);
    assert.equal(err.kind, 'sink-transient');
    assert.match(err.message, /records 513-1024 of 2048/);
    assert.equal(p.requests.length, 2, 'no request after the failed one');
  });

  it('fails a single oversized record naming its topic and size, with the column remedy', async () => {
    const p = new FakeProducer();
    p.failOn = (i) => (i === 1 ? messageTooLarge() : undefined);
    const { sink } = sinkWith(p);
    const big = rec('db.public.docs', 1_500_000, 1, 12);
    const err = await sink.send([rec('db.public.docs', 100, 0), big, rec('db.public.docs', 100, 2)]).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PgcdcError);
    assert.equal(err.kind, 'sink-permanent');
    assert.equal(err.retriable, false);
    assert.match(err.message, /"db\.public\.docs"/);
    assert.match(err.message, /1,500,012 bytes/);
    assert.match(err.message, /value 1,500,000/);
    assert.match(err.message, /record 2 of 3/);
    assert.match(err.remedy ?? '', /max\.message\.bytes or exclude the column/);
    assert.equal(p.requests.length, 2);
  });

  it('does not blame a column when a request of many records is too large', async () => {
    const p = new FakeProducer();
    p.failOn = () => messageTooLarge();
    const { sink } = sinkWith(p);
    const err = await sink.send(batch(100, 500, 'db.public.t')).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PgcdcError);
    assert.equal(err.kind, 'sink-permanent');
    assert.match(err.message, /100 records/);
    assert.match(err.message, /"db\.public\.t"/);
    assert.doesNotMatch(err.remedy ?? '', /exclude the column/);
    assert.match(err.remedy ?? '', /max\.message\.bytes/);
  });
});

describe('changeEventPartitioner', () => {
  const parts = (n: number, leader = (_i: number) => 1): PartitionMetadata[] =>
    Array.from({ length: n }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: leader(i), replicas: [1], isr: [1] }));

  it('uses the only partition of a single-partition topic, with or without a key', () => {
    const p = changeEventPartitioner();
    assert.equal(p({ topic: 't', partitionMetadata: parts(1), message: { key: Buffer.from('abc'), value: null } }), 0);
    assert.equal(p({ topic: 't', partitionMetadata: [{ ...parts(1)[0]!, partitionId: 3 }], message: { key: null, value: null } }), 3);
  });

  it("places keys like Java's default partitioner (murmur2, Kafka's UtilsTest vectors)", () => {
    const javaMurmur2: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    const p = changeEventPartitioner();
    for (const n of [2, 3, 12, 50]) {
      for (const [key, hash] of javaMurmur2) {
        assert.equal(p({ topic: 't', partitionMetadata: parts(n), message: { key: Buffer.from(key), value: null } }), (hash & 0x7fffffff) % n, `${key} over ${n}`);
      }
    }
  });

  it('keeps a partition set on the message', () => {
    assert.equal(changeEventPartitioner()({ topic: 't', partitionMetadata: parts(4), message: { key: Buffer.from('21'), value: null, partition: 2 } }), 2);
  });

  it('sends null keys to an available partition, sticky for a run of records', () => {
    const p = changeEventPartitioner();
    const meta = parts(8, (i) => (i % 2 === 0 ? -1 : 1)); // even partitions have no leader
    const chosen = Array.from({ length: 4096 }, () => p({ topic: 't', partitionMetadata: meta, message: { key: null, value: null } }));
    assert.ok(chosen.every((c) => c % 2 === 1), 'only partitions with a leader');
    let runs = 1;
    for (let i = 1; i < chosen.length; i++) if (chosen[i] !== chosen[i - 1]) runs++;
    assert.equal(runs, 4096 / 512, 'sticky for 512 records, then another partition');
  });
});
