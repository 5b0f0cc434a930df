import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { crc32c } from '../../src/kafka/crc32c.js';
import { installRecordBatchEncoder, PATCHED_KAFKAJS_VERSION } from '../../src/kafka/kafkajs-produce-patch.js';
import { encodeProduceRequest, type ProduceRequestArgs } from '../../src/kafka/produce-request-encoder.js';
import type { EncoderClass } from '../../src/kafka/record-batch-encoder.js';

const require = createRequire(import.meta.url);
const REQUEST = 'kafkajs/src/protocol/requests/produce/v3/request';
type ProduceRequest = (args: Record<string, unknown>) => { encode: () => Promise<{ buffer: Buffer }> };
type Message = { key?: unknown; value?: unknown; headers?: Record<string, unknown>; timestamp?: string | number };

// Stock kafkajs's produce request, loaded (with its Record and RecordBatch) before the encoder is installed.
const stockRequest = require(REQUEST) as ProduceRequest;
const stockCrc = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;

test('another kafkajs version keeps stock kafkajs untouched, with a warning naming both versions', () => {
  const warnings: string[] = [];
  assert.equal(installRecordBatchEncoder((m) => warnings.push(m), '2.2.5'), false);
  assert.equal(require(REQUEST), stockRequest);
  assert.match(warnings[0]!, /kafkajs 2\.2\.5 is loaded, not 2\.2\.4/);
});

test('refuses to install once kafkajs has loaded its produce request (stock encoding stays)', () => {
  const warnings: string[] = [];
  assert.equal(installRecordBatchEncoder((m) => warnings.push(m), PATCHED_KAFKAJS_VERSION), false);
  assert.equal(require(REQUEST), stockRequest);
  assert.match(warnings[0]!, /loaded before/);
});

test('crc32c matches the check value and kafkajs for every length and offset', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  for (let n = 0; n < 300; n++) {
    const b = randomBytes(n + 3);
    assert.equal(crc32c(b, 3, b.length), stockCrc(b.subarray(3)), `length ${n}`);
  }
});

function fixedNow<T>(now: number, f: () => Promise<T>): Promise<T> {
  const real = Date.now;
  Date.now = () => now;
  return f().finally(() => (Date.now = real));
}

const args = (messages: Message[][], extra: Record<string, unknown> = {}) => ({
  acks: -1,
  timeout: 30000,
  producerId: 4711,
  producerEpoch: 3,
  compression: 0,
  ...extra,
  topicData: [
    { topic: 'pg.public.orders', partitions: messages.map((m, p) => ({ partition: p, firstSequence: 100 * p + 7, messages: m })) },
    { topic: 'pg.public.ünïcode', partitions: [{ partition: 0, firstSequence: 2 ** 31 - 2, messages: messages[0] ?? [] }] },
  ],
});

const unicode = 'zażółć gęślą jaźń – 漢字 🐘';
const cases: Record<string, Message[][]> = {
  'null key and value (tombstone)': [[{ key: Buffer.from([0, 0, 0, 1, 2]), value: null }, { key: null, value: null }, { key: undefined, value: Buffer.alloc(0) }]],
  headers: [[{ key: Buffer.from('k'), value: Buffer.from('v'), headers: { a: 'x', 'ü-key': unicode, multi: ['1', Buffer.from('2')], empty: '' } }]],
  'unicode string keys and values': [[{ key: unicode, value: unicode.repeat(20) }]],
  'large values (multi-byte varint lengths)': [[{ key: randomBytes(200), value: randomBytes(70_000) }, { key: randomBytes(1), value: randomBytes(300_000) }]],
  'many records over partitions': [0, 1, 2].map((p) => Array.from({ length: 700 + p }, (_, i) => ({ key: randomBytes(i % 40), value: i % 9 === 0 ? null : randomBytes(i * 3 + p) }))),
  timestamps: [[{ key: 'a', value: 'b', timestamp: '1700000000123' }, { key: 'c', value: 'd', timestamp: 1700000000000 }, { key: 'e', value: 'f' }, { key: 'g', value: 'h', timestamp: '1' }, { key: 'i', value: 'j', timestamp: 0 }]],
  'no records': [[]],
};

test('installs, and produce requests are byte for byte what stock kafkajs 2.2.4 writes', async () => {
  delete require.cache[require.resolve(REQUEST)];
  assert.equal(installRecordBatchEncoder(() => assert.fail('no warning expected'), PATCHED_KAFKAJS_VERSION), true);
  const fastRequest = require(REQUEST) as ProduceRequest;
  assert.notEqual(fastRequest, stockRequest);
  // Every case takes the one-buffer path (none falls back to stock kafkajs, which would compare trivially).
  const Encoder = require('kafkajs/src/protocol/encoder') as EncoderClass;
  for (const [name, messages] of Object.entries(cases)) {
    assert.ok(encodeProduceRequest(args(messages) as ProduceRequestArgs, Encoder), `${name} uses the fast encoder`);
  }
  for (const [name, messages] of Object.entries(cases)) {
    for (const extra of [{}, { transactionalId: 'tx-1' }, { compression: 1 }]) {
      const stock = await fixedNow(1_763_800_000_000, () => stockRequest(args(messages, extra)).encode());
      const fast = await fixedNow(1_763_800_000_000, () => fastRequest(args(messages, extra)).encode());
      assert.ok(fast.buffer.equals(stock.buffer), `${name} ${JSON.stringify(extra)}: ${fast.buffer.length} vs ${stock.buffer.length} bytes`);
    }
  }
});

test('records kafkajs rejects are still rejected as stock kafkajs does', async () => {
  const fastRequest = require(REQUEST) as ProduceRequest;
  const bad = args([[{ key: 42, value: Buffer.from('v') }]]);
  const stockErr = await stockRequest(bad).encode().then(() => null, (e: Error) => e.message);
  const fastErr = await fastRequest(bad).encode().then(() => null, (e: Error) => e.message);
  assert.ok(stockErr);
  assert.equal(fastErr, stockErr);
});
