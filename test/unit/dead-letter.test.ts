import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConnectorConfig } from '../../src/config/index.js';
import { DeadLetterQueue, admit, serializedSize, type DeadLetterSettings, type Undeliverable } from '../../src/connector/dead-letter.js';
import { PgcdcError } from '../../src/errors/pgcdc-error.js';
import type { ChangeRecord } from '../../src/events/change-events.js';
import type { TableSchema } from '../../src/events/table-schema.js';

const minimal = {
  name: 'inventory',
  'database.hostname': 'db.local',
  'database.user': 'cdc',
  'database.dbname': 'inventory',
  'topic.prefix': 'dbserver1',
};

const errorsOf = (raw: Record<string, unknown>) => validateConnectorConfig({ ...minimal, ...raw }).errors;

test('errors.tolerance=all requires a dead-letter topic, named by its key; no change-topic names; sane size limit', () => {
  const missing = errorsOf({ 'errors.tolerance': 'all' });
  assert.deepEqual(missing.map((e) => e.key), ['errors.deadletterqueue.topic.name']);
  assert.match(missing[0]!.message, /required when errors\.tolerance=all/);
  assert.deepEqual(errorsOf({ 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': '' }).map((e) => e.key), ['errors.deadletterqueue.topic.name']);
  assert.deepEqual(errorsOf({ 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dbserver1.public.orders' }).map((e) => e.key), ['errors.deadletterqueue.topic.name']);
  assert.deepEqual(errorsOf({ 'errors.deadletterqueue.topic.name': 'bad topic/name' }).map((e) => e.key), ['errors.deadletterqueue.topic.name']);
  assert.deepEqual(errorsOf({ 'producer.override.max.request.size': '100' }).map((e) => e.key), ['producer.override.max.request.size']);

  const { config, warnings } = validateConnectorConfig({ ...minimal, 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dbserver1.dlq', 'producer.override.max.request.size': 2097152 });
  assert.deepEqual(warnings, [], 'producer.override.max.request.size is implemented, not ignored');
  const dlq = DeadLetterQueue.fromConfig(config!);
  assert.equal(dlq.topic, 'dbserver1.dlq');
  assert.equal(dlq.settings.maxRequestSize, 2097152);
  assert.equal(DeadLetterQueue.fromConfig(validateConnectorConfig(minimal).config!).topic, null, 'tolerance=none creates no topic');
});

const settings = (over: Partial<DeadLetterSettings> = {}): DeadLetterSettings => ({ connector: 'c1', tolerance: 'all', topic: 'dlq', contextHeaders: false, maxRequestSize: 1048576, ...over });
const failure = (over: Partial<Undeliverable> = {}): Undeliverable => ({
  stage: 'conversion', schema: 'public', table: 't', topic: 'p.public.t', op: 'c', lsn: 0x16b3748n, key: { id: '7' },
  before: null, after: { id: '7', amount: 'NaN' }, error: new PgcdcError('conversion', 'cannot convert the change', { remedy: 'do this' }), ...over,
});

test('a dead letter: the row as JSON, Kafka Connect and pgcdc headers, counted; without tolerance the error is thrown', () => {
  const dlq = new DeadLetterQueue(settings());
  const r = dlq.handle(failure());
  assert.equal(r.topic, 'dlq');
  assert.equal(r.key!.toString(), '{"id":"7"}');
  const value = JSON.parse(r.value!.toString());
  assert.deepEqual(value, {
    connector: 'c1', topic: 'p.public.t', table: 'public.t', op: 'c', lsn: '0/16B3748', key: { id: '7' }, stage: 'conversion',
    error: 'cannot convert the change (do this)', before: null, after: { id: '7', amount: 'NaN' },
  });
  assert.equal(r.headers!['__connect.errors.stage'], 'TASK_POLL');
  assert.equal(r.headers!['__pgcdc.errors.lsn'], '0/16B3748');
  assert.equal(r.headers!['__connect.errors.exception.stacktrace'], undefined);
  assert.equal(dlq.deadLettered, 1);
  assert.equal(dlq.last?.key, '{"id":"7"}');

  const withContext = new DeadLetterQueue(settings({ contextHeaders: true })).handle(failure());
  assert.match(withContext.headers!['__connect.errors.exception.stacktrace']!, /PgcdcError: cannot convert/);

  const strict = new DeadLetterQueue(settings({ tolerance: 'none' }));
  assert.throws(() => strict.handle(failure()), /cannot convert the change/);
  assert.equal(strict.deadLettered, 0);
});

test('a dead letter that would itself be too large carries column sizes instead of the row', () => {
  const dlq = new DeadLetterQueue(settings({ maxRequestSize: 4096 }));
  const r = dlq.handle(failure({ after: { id: '7', blob: 'x'.repeat(10_000), n: null } }));
  const value = JSON.parse(r.value!.toString());
  assert.equal(value.after, undefined);
  assert.deepEqual(value.column_bytes, { id: 1, blob: 10_000, n: 0 });
  assert.ok(serializedSize(r) <= 4096);
});

test('admit: records up to max.request.size pass; a larger one fails naming table, key, LSN, size and limit', () => {
  const table = { schema: 'public', table: 't', topic: 'p.public.t', deadLetter: new DeadLetterQueue(settings({ tolerance: 'none', maxRequestSize: 2048 })) } as unknown as TableSchema;
  const change = { table, key: { id: 9 }, value: { op: 'c', before: null, after: { id: 9 } } } as unknown as ChangeRecord;
  const small = { topic: 'p.public.t', key: Buffer.alloc(5), value: Buffer.alloc(100) };
  assert.equal(admit(table, change, small, 1n), small);
  const big = { topic: 'p.public.t', key: Buffer.alloc(5), value: Buffer.alloc(2000) };
  assert.throws(() => admit(table, change, big, 0x100n), (err: PgcdcError) => {
    assert.equal(err.retriable, false);
    assert.match(err.message, /at LSN 0\/100 of public\.t \(key \{"id":9\}\) is a record of 2,098 bytes for topic "p\.public\.t", over the limit of 2,048 bytes/);
    return true;
  });
  const tolerant = { ...table, deadLetter: new DeadLetterQueue(settings({ maxRequestSize: 2048 })) } as TableSchema;
  const letter = admit(tolerant, change, big, 0x100n);
  assert.equal(letter.topic, 'dlq');
  assert.deepEqual(JSON.parse(letter.value!.toString()).column_bytes, { id: 1 });
  assert.equal(JSON.parse(letter.value!.toString()).size_bytes, 2098);
});
