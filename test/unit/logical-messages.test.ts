import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema, decodeWire, encodeWire } from '../../src/avro/codec.js';
import { messagePrefixFilter } from '../../src/config/filters.js';
import { validateConnectorConfig } from '../../src/config/validate.js';
import type { LogicalMessage } from '../../src/decoding/messages.js';
import { MESSAGE_KEY_SCHEMA, messageEvent, messageTopic, messageValueSchema } from '../../src/events/message-event.js';
import { pgoutputOptions } from '../../src/postgres/pgoutput-options.js';

const BIG = 0x1_2345_6789n;
const opts = { connectorVersion: 'test', serverName: 'dbserver1', database: 'inventory', binaryHandlingMode: 'bytes' as const };
const msg = (over: Partial<LogicalMessage> = {}): LogicalMessage => ({ tag: 'message', transactional: true, lsn: BIG, prefix: 'audit', content: Buffer.from([1, 2, 0xff]), ...over });

test('pgoutput is started with messages only from PostgreSQL 14 on (as Debezium does), nothing else differs', () => {
  assert.equal(pgoutputOptions('dbz_publication', 140000), `proto_version '1', publication_names 'dbz_publication', messages 'true'`);
  assert.equal(pgoutputOptions('dbz_publication', 170002), `proto_version '1', publication_names 'dbz_publication', messages 'true'`);
  assert.equal(pgoutputOptions('dbz_publication', 130015), `proto_version '1', publication_names 'dbz_publication'`);
});

test('a message event: topic <prefix>.message, key {prefix}, Debezium\'s MessageValue envelope, encodable with its schemas', () => {
  assert.equal(messageTopic('dbserver1'), 'dbserver1.message');
  const e = messageEvent(opts, msg(), { txId: 777, commitTimeUs: 1_700_000_000_123_456n, previousCommitLsn: 0x100n }, 1_800_000_000_000);
  assert.deepEqual(e.key, { prefix: 'audit' });
  assert.equal(e.value.op, 'm');
  assert.equal(e.value.ts_ms, 1_800_000_000_000);
  assert.deepEqual(e.value.message, { prefix: 'audit', content: Buffer.from([1, 2, 0xff]) });
  assert.equal(e.value.transaction, null);
  assert.deepEqual({ ...e.value.source, ts_ns: String(e.value.source.ts_ns) }, {
    version: 'test', connector: 'postgresql', name: 'dbserver1', ts_ms: 1_700_000_000_123, snapshot: 'false', db: 'inventory',
    sequence: `["256","${BIG}"]`, ts_us: 1_700_000_000_123_456, ts_ns: '1700000000123456000', schema: '', table: '', txId: 777, lsn: BIG, xmin: null, origin: null, origin_lsn: null,
  });
  const schema = messageValueSchema('bytes');
  assert.equal(schema['connect.name'], 'io.debezium.connector.postgresql.MessageValue');
  assert.deepEqual((schema.fields as { name: string }[]).map((f) => f.name), ['op', 'ts_ms', 'source', 'transaction', 'message']);
  assert.equal(MESSAGE_KEY_SCHEMA['connect.name'], 'io.debezium.connector.postgresql.MessageKey');
  const type = compileSchema(schema);
  const back = decodeWire(type, encodeWire(7, type, e.value)) as typeof e.value;
  assert.deepEqual(Buffer.from(back.message.content as Buffer), Buffer.from([1, 2, 0xff]));
  assert.equal(BigInt(back.source.lsn as unknown as number), BIG);
  const keyType = compileSchema(MESSAGE_KEY_SCHEMA);
  assert.equal((decodeWire(keyType, encodeWire(8, keyType, e.key)) as { prefix: string }).prefix, 'audit');
});

test('a non-transactional message: no txId, the time given (none: now); content per binary.handling.mode', () => {
  const e = messageEvent({ ...opts, binaryHandlingMode: 'base64' }, msg({ transactional: false }), { txId: null, commitTimeUs: null, previousCommitLsn: null }, 1_800_000_000_000);
  assert.equal(e.value.source.txId, null);
  assert.equal(e.value.source.ts_ms, 1_800_000_000_000);
  assert.equal(e.value.source.sequence, `[null,"${BIG}"]`);
  assert.equal(e.value.message.content, 'AQL/');
  assert.equal(messageEvent({ ...opts, binaryHandlingMode: 'hex' }, msg(), { txId: 1, commitTimeUs: 0n, previousCommitLsn: null }, 0).value.message.content, '0102ff');
  assert.equal(messageEvent({ ...opts, binaryHandlingMode: 'base64-url-safe' }, msg({ content: Buffer.from([0xfb, 0xff]) }), { txId: 1, commitTimeUs: 0n, previousCommitLsn: null }, 0).value.message.content, '-_8=');
  const content = (messageValueSchema('hex').fields as { name: string; type: { fields: { name: string; type: unknown }[] } }[]).find((f) => f.name === 'message')!.type.fields[1]!;
  assert.deepEqual(content.type, ['null', 'string']);
});

test('message.prefix.include.list / exclude.list: whole-prefix regexes, case-insensitive; not both', () => {
  const inc = messagePrefixFilter(['audit.*', 'outbox'], null);
  assert.equal(inc('audit-log'), true);
  assert.equal(inc('OUTBOX'), true);
  assert.equal(inc('my-outbox'), false, 'the whole prefix must match');
  const exc = messagePrefixFilter(null, ['noise']);
  assert.equal(exc('noise'), false);
  assert.equal(exc('audit'), true);
  assert.equal(messagePrefixFilter(null, null)('anything'), true);
  const base = { name: 'm', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd', 'topic.prefix': 'p' };
  const both = validateConnectorConfig({ ...base, 'message.prefix.include.list': 'a', 'message.prefix.exclude.list': 'b' });
  assert.match(both.errors.map((e) => `${e.key}: ${e.message}`).join(' '), /message\.prefix\.exclude\.list: .*mutually exclusive/);
  const bad = validateConnectorConfig({ ...base, 'message.prefix.include.list': '(a' });
  assert.deepEqual(bad.errors.map((e) => e.key), ['message.prefix.include.list']);
  const ok = validateConnectorConfig({ ...base, 'message.prefix.exclude.list': 'noise,debug.*' });
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.config!.messagePrefix('debug-1'), false);
  assert.equal(ok.config!.messagePrefix('audit'), true);
});
