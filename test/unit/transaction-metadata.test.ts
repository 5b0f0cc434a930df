import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { compileSchema, decodeWire } from '../../src/avro/codec.js';
import { Checkpointer } from '../../src/connector/checkpointer.js';
import { StreamingSource } from '../../src/connector/streaming-source.js';
import { TransactionTopic } from '../../src/connector/transaction-topic.js';
import { ChangeEventBuilder, type Envelope } from '../../src/events/change-events.js';
import { javaHashMapOrder, javaStringHash } from '../../src/events/java-hashmap-order.js';
import { TRANSACTION_KEY_SCHEMA, TRANSACTION_VALUE_SCHEMA, type TransactionValue } from '../../src/events/transaction-schema.js';
import { TransactionTracker } from '../../src/events/transaction-tracker.js';
import type { SinkRecord } from '../../src/kafka/sink-record.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';
import type { SourceOffset } from '../../src/offsets/source-offset.js';
import { FakeReplication } from '../fakes/fake-replication.js';
import { GatedSink, MemoryKafkaClient } from '../fakes/memory-kafka.js';
import { INT4, MemoryTables, TEXT } from '../fakes/memory-tables.js';
import * as pg from '../fakes/pgoutput-bytes.js';

const log = pino({ level: 'silent' });
const START = 0x1_0000_0000n;
const T = 1_700_000_000_123_456n;
const CUSTOMERS = 16384;
const ORDERS = 16385;
const AUDIT = 16386; // outside table.include.list
const relations: [bigint, Buffer][] = [
  [START, pg.relation(CUSTOMERS, 'public', 'customers', 'd', [{ name: 'id', typeOid: INT4, key: true }, { name: 'name', typeOid: TEXT }])],
  [START, pg.relation(ORDERS, 'public', 'orders', 'd', [{ name: 'id', typeOid: INT4, key: true }, { name: 'item', typeOid: TEXT }])],
  [START, pg.relation(AUDIT, 'public', 'audit', 'd', [{ name: 'id', typeOid: INT4, key: true }])],
];
const first = (commitLsn: bigint) => commitLsn - 0x100n;
const endOf = (commitLsn: bigint) => commitLsn + 0x28n;
function transaction(commitLsn: bigint, xid: number, changes: Buffer[]): [bigint, Buffer][] {
  return [
    [first(commitLsn), pg.begin(commitLsn, T + BigInt(xid), xid)],
    ...changes.map((c, i): [bigint, Buffer] => [first(commitLsn) + 8n * BigInt(i + 1), c]),
    [endOf(commitLsn), pg.commit(commitLsn, endOf(commitLsn), T + BigInt(xid))],
  ];
}
const C1 = START + 0x1000n;
const C2 = START + 0x2000n;
const C3 = START + 0x3000n;
const tx1 = transaction(C1, 501, [
  pg.insert(CUSTOMERS, ['1', 'Ann']),
  pg.insert(ORDERS, ['10', 'book']),
  pg.update(CUSTOMERS, ['1', 'Anne']),
  pg.insert(CUSTOMERS, ['2', 'Bob']),
  pg.del(ORDERS, 'K', ['10', null]),
]);
const tx2 = transaction(C2, 502, [pg.insert(AUDIT, ['1'])]); // nothing captured
const tx3 = transaction(C3, 503, [pg.insert(ORDERS, ['11', 'pen'])]);

const keyType = compileSchema(TRANSACTION_KEY_SCHEMA);
const valueType = compileSchema(TRANSACTION_VALUE_SCHEMA);

function harness(o: { resume?: SourceOffset | null; maxBatchSize?: number } = {}) {
  const resume = o.resume ?? null;
  const stream = new FakeReplication();
  const sink = new GatedSink(true);
  const store = new KafkaOffsetStore(new MemoryKafkaClient(), 'connect-offsets');
  const checkpointer = new Checkpointer(store, KafkaOffsetStore.key('c', 'dbserver1'), () => {}, log, { maxRetries: -1, flushIntervalMs: 60_000 });
  checkpointer.resumeFrom(resume);
  const events = new ChangeEventBuilder({ connectorVersion: 'test', serverName: 'dbserver1', database: 'inventory', tombstonesOnDelete: true, skippedOperations: new Set() });
  const topic = new TransactionTopic('dbserver1.transaction');
  const subjects: string[] = [];
  const source = new StreamingSource(stream, new MemoryTables(['audit']), events, sink, checkpointer, resume, {
    maxBatchSize: o.maxBatchSize ?? 100,
    maxQueueSize: 1000,
    offsetFlushIntervalMs: 60_000,
    retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 },
    transactionTopic: topic,
  }, log);
  return {
    sink, source, subjects,
    run: async (messages: [bigint, Buffer][], records: number) => {
      await store.start();
      await topic.prepare(sink, { register: async (subject: string) => subjects.push(subject) + 100 });
      const running = source.run(resume?.flushLsn ?? START);
      for (const [lsn, m] of messages) stream.feed(lsn, m);
      for (let i = 0; i < 500 && !(sink.acked.length >= records && source.idle); i++) await new Promise((r) => setImmediate(r));
      source.stop();
      await running;
      assert.equal(sink.acked.length, records, 'records delivered');
    },
  };
}

/** A readable line per record: `BEGIN <id>`, `END <id> <count> <table>=<n>,...`, or `<table> <op> <tx id> <total>/<per table>`. */
function show(r: SinkRecord): string {
  if (r.topic === 'dbserver1.transaction') {
    const k = decodeWire(keyType, r.key!) as { id: string };
    const v = decodeWire(valueType, r.value!) as TransactionValue;
    assert.equal(k.id, v.id, 'the key carries the value\'s id');
    if (v.status === 'BEGIN') {
      assert.equal(v.event_count, null);
      assert.equal(v.data_collections, null);
      return `BEGIN ${v.id} ${v.ts_ms}`;
    }
    return `END ${v.id} ${v.ts_ms} ${Number(v.event_count)} ${v.data_collections!.map((d) => `${d.data_collection}=${Number(d.event_count)}`).join(',')}`;
  }
  if (!r.value) return `${r.table!.table} tombstone`;
  const v = decodeWire(r.table!.envelopeType, r.value) as Envelope;
  const t = v.transaction;
  return `${r.table!.table} ${v.op} ${t ? `${t.id} ${Number(t.total_order)}/${Number(t.data_collection_order)}` : 'null'}`;
}
const at = (commitLsn: bigint, i: number) => (first(commitLsn) + 8n * BigInt(i)).toString();
const ms = (xid: number) => Number((T + BigInt(xid)) / 1000n);

test('tracker: Debezium ids <txId>:<lsn>, total and per-table orders, END counts; BEGIN has no counts', () => {
  const t = new TransactionTracker();
  assert.deepEqual(t.begin(7, 100n, 5_000_999n), { key: { id: '7:100' }, value: { status: 'BEGIN', id: '7:100', event_count: null, data_collections: null, ts_ms: 5000 } });
  assert.deepEqual(t.event('public.a', 108n), { id: '7:108', total_order: 1, data_collection_order: 1 });
  assert.deepEqual(t.event('public.b', 116n), { id: '7:116', total_order: 2, data_collection_order: 1 });
  assert.deepEqual(t.event('public.a', 124n), { id: '7:124', total_order: 3, data_collection_order: 2 });
  const end = t.end(200n, 5_000_999n)!;
  assert.deepEqual(end.value, { status: 'END', id: '7:200', event_count: 3, data_collections: [{ data_collection: 'public.a', event_count: 2 }, { data_collection: 'public.b', event_count: 1 }], ts_ms: 5000 });
  assert.equal(t.inProgress, false);
  assert.equal(t.end(300n, 0n), null, 'no END without a transaction');
  assert.throws(() => t.event('public.a', 1n), /outside a transaction/);
});

test('data_collections follow java.util.HashMap iteration order (checked against a JVM)', () => {
  assert.equal(javaStringHash('a'), 97);
  assert.equal(javaStringHash('ab'), 3105);
  // same bucket: insertion order
  assert.deepEqual(javaHashMapOrder(['public.orders', 'public.customers']), ['public.orders', 'public.customers']);
  assert.deepEqual(javaHashMapOrder(['public.customers', 'public.orders']), ['public.customers', 'public.orders']);
  assert.deepEqual(javaHashMapOrder(['s2.a', 's1.a']), ['s1.a', 's2.a']);
  assert.deepEqual(javaHashMapOrder(['txmeta.t3', 'txmeta.t1', 'txmeta.t2']), ['txmeta.t3', 'txmeta.t2', 'txmeta.t1']);
  // 40 keys: the map resized twice (16 → 32 → 64 buckets)
  const keys = Array.from({ length: 40 }, (_, i) => `sch.table_${(i * 7919) % 97}`);
  assert.deepEqual(javaHashMapOrder(keys).join(','), 'sch.table_71,sch.table_92,sch.table_73,sch.table_95,sch.table_30,sch.table_52,sch.table_11,sch.table_33,sch.table_54,sch.table_76,sch.table_57,sch.table_79,sch.table_14,sch.table_36,sch.table_17,sch.table_38,sch.table_19,sch.table_60,sch.table_81,sch.table_62,sch.table_84,sch.table_9,sch.table_41,sch.table_63,sch.table_22,sch.table_44,sch.table_65,sch.table_87,sch.table_46,sch.table_68,sch.table_89,sch.table_25,sch.table_28,sch.table_27,sch.table_49,sch.table_6,sch.table_3,sch.table_1,sch.table_0,sch.table_90');
});

test('streaming: BEGIN before and END after each transaction, also one with nothing captured; tombstones are not counted', { timeout: 5000 }, async () => {
  const h = harness();
  await h.run([...relations, ...tx1, ...tx2, ...tx3], 13);
  assert.deepEqual(h.subjects, ['dbserver1.transaction-key', 'dbserver1.transaction-value']);
  assert.deepEqual(h.sink.acked.map(show), [
    `BEGIN 501:${first(C1)} ${ms(501)}`,
    `customers c 501:${at(C1, 1)} 1/1`,
    `orders c 501:${at(C1, 2)} 2/1`,
    `customers u 501:${at(C1, 3)} 3/2`,
    `customers c 501:${at(C1, 4)} 4/3`,
    `orders d 501:${at(C1, 5)} 5/2`,
    'orders tombstone',
    `END 501:${endOf(C1)} ${ms(501)} 5 public.customers=3,public.orders=2`,
    // Debezium emits BEGIN/END for every transaction the stream delivers, even with no captured event
    `BEGIN 502:${first(C2)} ${ms(502)}`,
    `END 502:${endOf(C2)} ${ms(502)} 0 `,
    `BEGIN 503:${first(C3)} ${ms(503)}`,
    `orders c 503:${at(C3, 1)} 1/1`,
    `END 503:${endOf(C3)} ${ms(503)} 1 public.orders=1`,
  ]);
});

test('batches: BEGIN shares the batch of the transaction\'s first change, END the batch that completes it', { timeout: 5000 }, async () => {
  const h = harness({ maxBatchSize: 1 });
  await h.run([...relations, ...tx3], 3);
  assert.deepEqual(h.sink.batches.map((b) => b.map(show)), [
    [`BEGIN 503:${first(C3)} ${ms(503)}`, `orders c 503:${at(C3, 1)} 1/1`],
    [`END 503:${endOf(C3)} ${ms(503)} 1 public.orders=1`],
  ]);
});

test('resumed inside a transaction: no second BEGIN, the orders continue, END counts the whole transaction', { timeout: 5000 }, async () => {
  // stored after the first 2 changes of tx1 (with its BEGIN) were acknowledged
  const resume: SourceOffset = { commitLsn: C1, txChanges: 2, complete: false, lsn: first(C1) + 16n, flushLsn: START, txId: 501, tsUsec: Number(T + 501n) };
  const h = harness({ resume });
  await h.run([...relations, ...tx1, ...tx3], 8);
  assert.deepEqual(h.sink.acked.map(show), [
    `customers u 501:${at(C1, 3)} 3/2`,
    `customers c 501:${at(C1, 4)} 4/3`,
    `orders d 501:${at(C1, 5)} 5/2`,
    'orders tombstone',
    `END 501:${endOf(C1)} ${ms(501)} 5 public.customers=3,public.orders=2`,
    `BEGIN 503:${first(C3)} ${ms(503)}`,
    `orders c 503:${at(C3, 1)} 1/1`,
    `END 503:${endOf(C3)} ${ms(503)} 1 public.orders=1`,
  ]);
});

test('resumed after a transaction delivered whole: neither its BEGIN nor its END again', { timeout: 5000 }, async () => {
  const resume: SourceOffset = { commitLsn: C1, txChanges: 5, complete: true, lsn: endOf(C1), flushLsn: endOf(C1), txId: 501, tsUsec: null };
  const h = harness({ resume });
  await h.run([...relations, ...tx1, ...tx3], 3);
  assert.deepEqual(h.sink.acked.map(show)[0], `BEGIN 503:${first(C3)} ${ms(503)}`);
});
