import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { decodeWire } from '../../src/avro/codec.js';
import { Checkpointer } from '../../src/connector/checkpointer.js';
import { StreamingSource } from '../../src/connector/streaming-source.js';
import { ChangeEventBuilder, type Envelope } from '../../src/events/change-events.js';
import type { SinkRecord } from '../../src/kafka/sink-record.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';
import { fromStored, type SourceOffset } from '../../src/offsets/source-offset.js';
import { FakeReplication } from '../fakes/fake-replication.js';
import { GatedSink, MemoryKafkaClient } from '../fakes/memory-kafka.js';
import { INT4, MemoryTables, TEXT } from '../fakes/memory-tables.js';
import * as pg from '../fakes/pgoutput-bytes.js';
import type { LogicalMessages } from '../../src/connector/logical-messages.js';

const log = pino({ level: 'silent' });
const KEY = KafkaOffsetStore.key('inventory-connector', 'dbserver1');
const START = 0x1_0000_0000n; // above 2^32
const T = 1_700_000_000_000_000n;
const CUSTOMERS = 16384;
const ORDERS = 16385;
const relations: [bigint, Buffer][] = [
  [START, pg.relation(CUSTOMERS, 'public', 'customers', 'd', [{ name: 'id', typeOid: INT4, key: true }, { name: 'name', typeOid: TEXT }])],
  [START, pg.relation(ORDERS, 'public', 'orders', 'd', [{ name: 'id', typeOid: INT4, key: true }, { name: 'item', typeOid: TEXT }])],
];

/** One transaction as the server sends it: Begin, the changes 8 bytes apart, Commit at `commitLsn`. */
function transaction(commitLsn: bigint, xid: number, changes: Buffer[]): [bigint, Buffer][] {
  const first = commitLsn - 0x100n;
  return [
    [first, pg.begin(commitLsn, T + BigInt(xid), xid)],
    ...changes.map((c, i): [bigint, Buffer] => [first + 8n * BigInt(i + 1), c]),
    [commitLsn, pg.commit(commitLsn, endOf(commitLsn), T + BigInt(xid))],
  ];
}
const endOf = (commitLsn: bigint) => commitLsn + 0x28n;

const C1 = START + 0x1000n;
const C2 = START + 0x2000n;
const tx1 = transaction(C1, 501, [
  pg.insert(CUSTOMERS, ['1', 'Ann']),
  pg.insert(ORDERS, ['10', 'book']),
  pg.update(CUSTOMERS, ['1', 'Anne']),
  pg.insert(CUSTOMERS, ['2', 'Bob']),
  pg.del(ORDERS, 'K', ['10', null]),
]);
const tx2 = transaction(C2, 502, [pg.insert(ORDERS, ['11', 'pen']), pg.truncate([CUSTOMERS])]);

/** runs still open when a test ends (after a failed assertion): closed by `it` */
const open: (() => Promise<void>)[] = [];

/** A test that fails in seconds rather than hanging, and leaves no run behind. */
function it(name: string, fn: () => Promise<void>): void {
  test(name, { timeout: 5000 }, async () => {
    try {
      await fn();
    } finally {
      await Promise.all(open.splice(0).map((close) => close()));
    }
  });
}

function harness(o: { resume?: SourceOffset | null; maxQueueSize?: number; maxBatchSize?: number; autoAck?: boolean } = {}) {
  const resume = o.resume ?? null;
  const stream = new FakeReplication();
  const sink = new GatedSink(o.autoAck ?? true);
  const kafka = new MemoryKafkaClient();
  const store = new KafkaOffsetStore(kafka, 'connect-offsets');
  const confirmed: bigint[] = [];
  const checkpointer = new Checkpointer(store, KEY, (lsn) => confirmed.push(lsn), log, { maxRetries: -1, flushIntervalMs: 60_000 });
  checkpointer.resumeFrom(resume);
  const events = new ChangeEventBuilder({ connectorVersion: 'test', serverName: 'dbserver1', database: 'inventory', tombstonesOnDelete: false, skippedOperations: new Set() });
  const source = new StreamingSource(stream, new MemoryTables(), events, sink, checkpointer, resume, {
    maxBatchSize: o.maxBatchSize ?? 100,
    maxQueueSize: o.maxQueueSize ?? 1000,
    offsetFlushIntervalMs: 60_000, // the test checkpoints itself
    retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 },
  }, log);
  const stored = async (): Promise<SourceOffset | null> => {
    const v = (await kafka.compactedLog('connect-offsets').readAll()).get(KEY);
    return v === undefined ? null : fromStored(JSON.parse(v));
  };
  return {
    stream, sink, source, checkpointer, confirmed, stored,
    start: async () => {
      await store.start();
      const running = source.run(resume?.flushLsn ?? START);
      open.push(async () => {
        sink.ackAll(); // a failed assertion must not leave run() waiting for an acknowledgement
        source.stop();
        await running.catch(() => {});
      });
      return async () => {
        source.stop();
        await running;
      };
    },
    feed: (messages: [bigint, Buffer][]) => messages.forEach(([lsn, m]) => stream.feed(lsn, m)),
  };
}

/** Lets the loop run until `cond` holds (a few hundred turns of the event loop at most: milliseconds). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** "table op id" for a record, decoding its Avro value as a consumer would. */
function show(r: SinkRecord): string {
  const v = decodeWire(r.table!.envelopeType, r.value!) as Envelope;
  const row = (v.after ?? v.before) as { id: number } | null;
  return `${r.table!.table} ${v.op}${row ? ` ${row.id}` : ''}`;
}

it('records reach the sink in WAL order, per table and overall; the final offset is stored, then confirmed', async () => {
  const h = harness();
  const stop = await h.start();
  h.feed([...relations, ...tx1, ...tx2]);
  await until(() => h.sink.acked.length === 7 && h.source.idle, 'both transactions delivered');
  assert.deepEqual(h.sink.acked.map(show), ['customers c 1', 'orders c 10', 'customers u 1', 'customers c 2', 'orders d 10', 'orders c 11', 'customers t']);
  assert.deepEqual(h.sink.acked.map((r) => r.topic).filter((t) => t.endsWith('orders')), ['dbserver1.public.orders', 'dbserver1.public.orders', 'dbserver1.public.orders']);
  assert.equal(h.source.stats.transactions, 2);
  assert.equal(h.source.stats.skippedOnResume, 0);
  assert.deepEqual(h.confirmed, [], 'nothing confirmed before a checkpoint');
  await stop();
  assert.deepEqual(await h.stored(), { commitLsn: C2, txChanges: 2, complete: true, lsn: endOf(C2), flushLsn: endOf(C2), txId: 502, tsUsec: Number(T + 502n) });
  assert.deepEqual(h.confirmed, [endOf(C2)]);
  assert.ok(h.stream.stopped);
  assert.equal(h.stream.startLsn, START);
});

it('resumed in the middle of a transaction: its delivered changes and earlier transactions are not re-sent, the rest are', async () => {
  const C0 = START + 0x800n;
  const tx0 = transaction(C0, 500, [pg.insert(CUSTOMERS, ['0', 'Old']), pg.insert(ORDERS, ['9', 'old'])]);
  // Stored after the first 2 changes of tx1 were acknowledged; the slot was confirmed up to tx0's end.
  const resume: SourceOffset = { commitLsn: C1, txChanges: 2, complete: false, lsn: C1 - 0x100n + 16n, flushLsn: endOf(C0), txId: 501, tsUsec: Number(T + 501n) };
  const h = harness({ resume });
  const stop = await h.start();
  assert.equal(h.stream.startLsn, endOf(C0), 'streams from the flush position');
  // The slot resends from its confirmed position; a server may also resend earlier transactions.
  h.feed([...relations, ...tx0, ...tx1, ...tx2]);
  await until(() => h.sink.acked.length === 5 && h.source.idle, 'the rest delivered');
  assert.deepEqual(h.sink.acked.map(show), ['customers u 1', 'customers c 2', 'orders d 10', 'orders c 11', 'customers t']);
  assert.equal(h.source.stats.skippedOnResume, 4);
  await stop();
  assert.equal((await h.stored())?.commitLsn, C2);
  assert.equal((await h.stored())?.complete, true);
});

it('resumed after a transaction delivered whole: nothing of it is re-sent', async () => {
  const resume: SourceOffset = { commitLsn: C1, txChanges: 5, complete: true, lsn: endOf(C1), flushLsn: endOf(C1), txId: 501, tsUsec: null };
  const h = harness({ resume });
  const stop = await h.start();
  h.feed([...relations, ...tx1, ...tx2]);
  await until(() => h.sink.acked.length === 2 && h.source.idle, 'tx2 delivered');
  assert.deepEqual(h.sink.acked.map(show), ['orders c 11', 'customers t']);
  assert.equal(h.source.stats.skippedOnResume, 5);
  await stop();
});

it('checkpoint after ack: until Kafka acknowledges a batch, neither the stored offset nor the confirmed LSN covers it', async () => {
  const h = harness({ autoAck: false, maxBatchSize: 1 });
  const stop = await h.start();
  h.feed([...relations, ...transaction(C1, 501, [pg.insert(CUSTOMERS, ['1', 'Ann']), pg.insert(CUSTOMERS, ['2', 'Bob'])])]);
  await until(() => h.sink.pending === 1, 'the first batch in flight');
  await h.checkpointer.checkpoint();
  assert.equal(await h.stored(), null, 'nothing acknowledged: nothing stored');
  assert.deepEqual(h.confirmed, []);
  assert.equal(h.source.delivered, null);

  h.sink.ack(); // the first change acknowledged; the second batch goes out and waits
  await until(() => h.sink.pending === 1 && h.sink.acked.length === 1, 'the second batch in flight');
  await h.checkpointer.checkpoint();
  const mid = await h.stored();
  assert.equal(mid?.commitLsn, C1);
  assert.equal(mid?.txChanges, 1, 'only the acknowledged change counts');
  assert.equal(mid?.complete, false);
  assert.deepEqual(h.confirmed, [START], 'the slot stays at the last whole transaction (here: the start)');

  h.sink.ack();
  await until(() => h.source.idle, 'the transaction delivered');
  await h.checkpointer.checkpoint();
  assert.deepEqual(await h.stored(), { commitLsn: C1, txChanges: 2, complete: true, lsn: endOf(C1), flushLsn: endOf(C1), txId: 501, tsUsec: Number(T + 501n) });
  assert.deepEqual(h.confirmed, [START, endOf(C1)]);
  await stop();
});

it('stop while a batch waits for Kafka: run() drains it before storing and confirming the final offset', async () => {
  const h = harness({ autoAck: false });
  const stop = await h.start();
  h.feed([...relations, ...tx1]);
  await until(() => h.sink.pending === 1, 'the batch in flight');
  const stopped = stop();
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(h.confirmed, [], 'not confirmed while unacknowledged');
  h.sink.ackAll();
  await stopped;
  assert.equal((await h.stored())?.flushLsn, endOf(C1));
  assert.deepEqual(h.confirmed, [endOf(C1)]);
});

it('back-pressure: with max.queue.size reached behind a stalled sink the stream is paused, and resumed once drained', async () => {
  const h = harness({ autoAck: false, maxQueueSize: 4, maxBatchSize: 1 });
  const stop = await h.start();
  const inserts = Array.from({ length: 20 }, (_, i) => pg.insert(CUSTOMERS, [String(i + 1), `c${i + 1}`]));
  h.feed([...relations, ...transaction(C1, 501, inserts)]);
  await until(() => h.sink.pending === 1, 'the first batch stalls');
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(h.stream.flow, ['pause'], 'paused once, not resumed while stalled');
  assert.ok(h.source.queueDepth >= 4, `messages wait (${h.source.queueDepth})`);
  h.sink.ackAll();
  await until(() => h.source.idle, 'drained');
  assert.deepEqual(h.stream.flow, ['pause', 'resume']);
  assert.equal(h.stream.paused, false);
  assert.deepEqual(h.sink.acked.map(show), inserts.map((_, i) => `customers c ${i + 1}`));
  await stop();
});

it('idle on a keepalive: the offset advances to the server position without any change', async () => {
  const h = harness();
  const stop = await h.start();
  h.feed([...relations, ...tx1]);
  await until(() => h.source.idle && h.sink.acked.length === 5, 'tx1 delivered');
  h.stream.keepalive(START + 0x5000n);
  await h.checkpointer.checkpoint();
  assert.deepEqual(h.confirmed, [START + 0x5000n]);
  await stop();
});

it('heartbeat records: none before there is an offset; one joins the batches after the events before it, and its offset is stored only once Kafka acknowledged it', async () => {
  const h = harness({ autoAck: false });
  const stop = await h.start();
  const beat = (): SinkRecord => ({ topic: '__debezium-heartbeat.dbserver1', key: Buffer.from('k'), value: Buffer.from('v') });
  h.source.beat(beat);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(h.sink.pending, 0, 'no offset yet (no keepalive, nothing delivered): no heartbeat');

  h.feed([...relations, ...tx1]);
  await until(() => h.sink.pending === 1, 'the transaction in flight');
  const K = endOf(C1) + 0x500n;
  h.stream.keepalivePosition = K; // the server is past tx1 (no keepalive event: only the heartbeat may move the offset)
  h.source.beat(beat);
  await h.checkpointer.checkpoint();
  assert.equal(await h.stored(), null);
  h.sink.ack();
  await until(() => h.sink.pending === 1 && h.sink.acked.length === 5, 'the heartbeat in flight after the transaction');
  assert.deepEqual(h.sink.batches.at(-1)!.map((r) => r.topic), ['__debezium-heartbeat.dbserver1']);
  await h.checkpointer.checkpoint();
  assert.equal((await h.stored())?.flushLsn, endOf(C1), 'the heartbeat\'s offset waits for its acknowledgement');
  h.sink.ack();
  await until(() => h.source.idle && h.sink.pending === 0, 'the heartbeat acknowledged');
  await h.checkpointer.checkpoint();
  assert.deepEqual(await h.stored(), { commitLsn: K, txChanges: 0, complete: false, lsn: K, flushLsn: K, txId: null, tsUsec: null });
  assert.deepEqual(h.confirmed, [endOf(C1), K]);
  await stop();
});

/** Messages become records "message <prefix> <content>"; prefix "noise" is filtered out. */
function withMessages(h: ReturnType<typeof harness>): void {
  h.source.messages = {
    included: (prefix: string) => prefix !== 'noise',
    record: async (m: { prefix: string; content: Buffer }) => ({ topic: 'dbserver1.message', key: Buffer.from(m.prefix), value: m.content }),
  } as unknown as LogicalMessages;
}
const showAny = (r: SinkRecord) => (r.topic === 'dbserver1.message' ? `message ${r.key!.toString()} ${r.value!.toString()}` : show(r));

// tx with a transactional message between its changes, then a non-transactional message, then tx2
const C3 = START + 0x3000n;
const withMsg = transaction(C1, 501, [
  pg.insert(CUSTOMERS, ['1', 'Ann']),
  pg.message(C1 - 0x100n + 16n, 'audit', 'in-tx', true),
  pg.message(C1 - 0x100n + 24n, 'noise', 'dropped', true),
  pg.insert(CUSTOMERS, ['2', 'Bob']),
]);
const N1 = C1 + 0x800n; // a non-transactional message after tx1 committed
const loose: [bigint, Buffer][] = [[N1, pg.message(N1, 'audit', 'now', false)]];
const tx3 = transaction(C3, 503, [pg.insert(ORDERS, ['12', 'ink'])]);

it('logical decoding messages: transactional ones in their transaction\'s order, non-transactional at once; filtered prefixes dropped', async () => {
  const h = harness();
  withMessages(h);
  const stop = await h.start();
  h.feed([...relations, ...withMsg, ...loose, ...tx3]);
  await until(() => h.sink.acked.length === 5 && h.source.idle, 'all delivered');
  assert.deepEqual(h.sink.acked.map(showAny), ['customers c 1', 'message audit in-tx', 'customers c 2', 'message audit now', 'orders c 12']);
  await stop();
  assert.deepEqual(await h.stored(), { commitLsn: C3, txChanges: 1, complete: true, lsn: endOf(C3), flushLsn: endOf(C3), txId: 503, tsUsec: Number(T + 503n) });
});

it('a non-transactional message is an offset of its own: stored and confirmed at its LSN, skipped on resume', async () => {
  const h = harness();
  withMessages(h);
  const stop = await h.start();
  h.feed([...relations, ...withMsg, ...loose]);
  await until(() => h.sink.acked.length === 4 && h.source.idle, 'delivered');
  await stop();
  const stored = await h.stored();
  assert.deepEqual(stored, { commitLsn: N1, txChanges: 0, complete: true, lsn: N1, flushLsn: N1, txId: null, tsUsec: null });
  assert.deepEqual(h.confirmed, [N1]);
  // the restart: the server resends from N1, which includes the message itself
  const again = harness({ resume: stored });
  withMessages(again);
  const stop2 = await again.start();
  again.feed([...relations, ...loose, ...tx3]);
  await until(() => again.sink.acked.length === 1 && again.source.idle, 'tx3 delivered');
  assert.deepEqual(again.sink.acked.map(showAny), ['orders c 12']);
  assert.equal(again.source.stats.skippedOnResume, 1);
  await stop2();
});

it('resumed inside a transaction with messages: transactional messages count as its changes, so exactly the undelivered rest is sent', async () => {
  // delivered: the first insert and the "audit" message (2 positions); the "noise" message (filtered) is position 3
  for (const [txChanges, expected] of [[2, ['customers c 2']], [1, ['message audit in-tx', 'customers c 2']], [3, ['customers c 2']]] as const) {
    const resume: SourceOffset = { commitLsn: C1, txChanges, complete: false, lsn: C1 - 0x100n + 16n, flushLsn: START, txId: 501, tsUsec: Number(T + 501n) };
    const h = harness({ resume });
    withMessages(h);
    const stop = await h.start();
    h.feed([...relations, ...withMsg]);
    await until(() => h.sink.acked.length === expected.length && h.source.idle, `the rest after ${txChanges}`);
    assert.deepEqual(h.sink.acked.map(showAny), [...expected], `resumed after ${txChanges}`);
    await stop();
    assert.deepEqual((await h.stored())?.txChanges, 4, 'the whole transaction: 2 changes + 2 messages');
  }
});

it('a non-transactional message at or after a resumed snapshot\'s barrier waits for the barrier, like a transaction', async () => {
  const h = harness();
  withMessages(h);
  let ackedAtPass = -1;
  h.source.barrier = { lsn: N1, observe: () => {}, pass: async () => ((ackedAtPass = h.sink.acked.length), true), close: async () => {} };
  const stop = await h.start();
  h.feed([...relations, ...withMsg, ...loose]);
  await until(() => h.sink.acked.length === 4 && h.source.idle, 'all delivered');
  assert.equal(ackedAtPass, 3, 'the barrier passed after tx1 was acknowledged, before the message');
  assert.equal(showAny(h.sink.acked[3]!), 'message audit now');
  await stop();
});
