/**
 * KafkaSink's produce requests: a batch is split into consecutive requests under Kafka's 1 MiB
 * default record-batch limit, sent one after the other in order; a single oversized record fails
 * naming its topic and size; errors of @platformatic/kafka classified. And the partitioner: Java's
 * murmur2 placement for keyed records.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MultipleErrors, NetworkError, ProtocolError, type MessageToProduce, type PartitionerContext } from '@platformatic/kafka';
import { KafkaSink, sinkProducerOptions, type SinkProducer } from '../../src/kafka/sink.js';
import { MAX_REQUEST_BYTES, MAX_REQUEST_RECORDS, RECORD_OVERHEAD_BYTES, recordBytes, splitRequests, type SinkRecord } from '../../src/kafka/sink-record.js';
import { changeEventPartitioner } from '../../src/kafka/partitioner.js';
import { PgcdcError } from '../../src/errors/pgcdc-error.js';

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

type Sent = { messages: MessageToProduce<Buffer, Buffer, string, string>[] };

/** A producer stand-in recording its send calls. */
class FakeProducer implements SinkProducer {
  readonly requests: Sent[] = [];
  inFlight = 0;
  maxInFlight = 0;
  failOn?: (request: number) => Error | undefined;

  async send(b: Sent): Promise<unknown> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
      const n = this.requests.push(b);
      const err = this.failOn?.(n - 1);
      if (err) throw err;
      return {};
    } finally {
      this.inFlight--;
    }
  }

  async close(): Promise<void> {}
}

function sinkWith(producer: FakeProducer): { sink: KafkaSink } {
  const admin = { listTopics: async () => [], close: async () => {} };
  const sink = new KafkaSink({ producer, admin, createTopic: async () => {} }, { partitions: 1, replicationFactor: 1, cleanupPolicy: 'delete' });
  return { sink };
}

/** @platformatic/kafka's shape for a broker's MESSAGE_TOO_LARGE (a ResponseError of ProtocolErrors, after retries). */
function messageTooLarge(): Error {
  const protocol = new ProtocolError('MESSAGE_TOO_LARGE');
  return new MultipleErrors('Producing messages failed.', [new MultipleErrors('produce failed 1 times.', [protocol])]);
}

const sentMessages = (p: FakeProducer) => p.requests.flatMap((r) => r.messages);
const sentValues = (p: FakeProducer): Buffer[] => sentMessages(p).map((m) => m.value as Buffer);

describe('KafkaSink.send', () => {
  it('configures an idempotent producer with acks=all, one request in flight, short retries', () => {
    const o = sinkProducerOptions({ brokers: ['127.0.0.1:1'], clientId: 'c' });
    assert.equal(o.idempotent, true);
    assert.equal(o.acks, -1);
    assert.equal(o.maxInflights, 1);
    assert.equal(o.retries, 2, 'not raised to forever: pgcdc backs off and resends itself');
    assert.equal(typeof o.partitioner, 'function');
    assert.equal(o.autocreateTopics, false);
  });

  it('transactional: CONCURRENT_TRANSACTIONS (previous commit still being marked) is retried after 20 ms, doubling; other errors keep the shared backoff', () => {
    const o = sinkProducerOptions({ brokers: ['127.0.0.1:1'], clientId: 'c' }, { compression: 'none', transactionalId: 'pgcdc-x' });
    assert.equal(o.retries, 5);
    const delay = o.retryDelay as (c: unknown, op: string, attempt: number, retries: number, e: unknown) => number;
    const concurrent = new MultipleErrors('addPartitionsToTransaction failed', [new ProtocolError('CONCURRENT_TRANSACTIONS')]);
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => delay(null, 'addPartitionsToTransaction', a, 5, concurrent)), [20, 40, 80, 160, 320]);
    assert.equal(delay(null, 'produce', 1, 5, new NetworkError('down')), 200);
    assert.equal(delay(null, 'produce', 5, 5, new NetworkError('down')), 2000);
  });

  it('keeps tombstones and headers as given', async () => {
    const p = new FakeProducer();
    await sinkWith(p).sink.send([{ topic: 't', key: Buffer.from('k'), value: null, headers: { h: 'v' } }]);
    const [m] = sentMessages(p);
    assert.equal(m!.value, null);
    assert.deepEqual(m!.headers, { h: 'v' });
  });

  it('queues the requests of concurrent sends one after another', async () => {
    const p = new FakeProducer();
    const { sink } = sinkWith(p);
    await Promise.all([sink.send(batch(1500, 100, 'a')), sink.send(batch(1500, 100, 'b'))]);
    assert.equal(p.maxInFlight, 1);
    assert.equal(sentMessages(p).length, 3000);
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
      const msgs = r.messages;
      assert.ok(msgs.length <= MAX_REQUEST_RECORDS);
      assert.ok(msgs.reduce((n, m) => n + (m.key as Buffer).length + (m.value as Buffer).length + RECORD_OVERHEAD_BYTES, 0) <= MAX_REQUEST_BYTES);
    }
    assert.deepEqual(
      p.requests.map((r) => [...new Set(r.messages.map((m) => m.topic))].join(',')),
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
    p.failOn = (i) => (i === 1 ? new MultipleErrors('produce failed 3 times.', [new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })]) : undefined);
    const { sink } = sinkWith(p);
    const err = await sink.send(batch(2048, 500)).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PgcdcError);
    assert.equal(err.kind, 'sink-transient');
    assert.match(err.message, /records 513-1024 of 2048/);
    assert.match(err.message, /Connection to 127\.0\.0\.1:9092 failed/, 'says why, not only "failed 3 times"');
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
  /** Cluster metadata for topic "t" with n partitions; the producer reduces the answer modulo n. */
  const context = (n: number, leader = (_i: number) => 1): PartitionerContext => ({
    metadata: {
      id: 'c', controllerId: 1, lastUpdate: 0, brokers: new Map(),
      topics: new Map([['t', { id: 'x', partitionsCount: n, lastUpdate: 0, partitions: Array.from({ length: n }, (_, i) => ({ leader: leader(i), leaderEpoch: 0, replicas: [1], isr: [1], offlineReplicas: [] })) }]]),
    },
  });
  const place = (p: ReturnType<typeof changeEventPartitioner>, n: number, key: Buffer | undefined, ctx = context(n)): number => p({ topic: 't', key }, key, ctx) % n;

  it('uses the only partition of a single-partition topic, with or without a key', () => {
    const p = changeEventPartitioner();
    assert.equal(place(p, 1, Buffer.from('abc')), 0);
    assert.equal(place(p, 1, undefined), 0);
    assert.equal(place(p, 1, undefined, { metadata: undefined }), 0, 'before metadata is known');
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
        assert.equal(place(p, n, Buffer.from(key)), (hash & 0x7fffffff) % n, `${key} over ${n}`);
      }
    }
  });

  it('sends null keys to an available partition, sticky for a run of records', () => {
    const p = changeEventPartitioner();
    const ctx = context(8, (i) => (i % 2 === 0 ? -1 : 1)); // even partitions have no leader
    const chosen = Array.from({ length: 4096 }, () => place(p, 8, undefined, ctx));
    assert.ok(chosen.every((c) => c % 2 === 1), 'only partitions with a leader');
    let runs = 1;
    for (let i = 1; i < chosen.length; i++) if (chosen[i] !== chosen[i - 1]) runs++;
    assert.equal(runs, 4096 / 512, 'sticky for 512 records, then another partition');
  });
});
