import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConnectorConfig } from '../../src/config/index.js';

const base = {
  name: 'eos',
  'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
  'database.hostname': '127.0.0.1',
  'database.user': 'postgres',
  'database.dbname': 'postgres',
  'topic.prefix': 'eos',
  'value.converter.schema.registry.url': 'http://127.0.0.1:8081',
};

const problems = (extra: Record<string, unknown>) => validateConnectorConfig({ ...base, ...extra }).errors.map((e) => `${e.key}: ${e.message}`).join('\n');

test('exactly.once.support: requested (default) is at least once; required turns transactions on with the poll boundary', () => {
  assert.equal(validateConnectorConfig(base).config!.exactlyOnce, null);
  assert.deepEqual(validateConnectorConfig({ ...base, 'exactly.once.support': 'required', 'offset.flush.interval.ms': '700' }).config!.exactlyOnce, { boundary: 'poll', intervalMs: 700 });
  assert.deepEqual(validateConnectorConfig({ ...base, 'exactly.once.support': 'required', 'transaction.boundary': 'interval', 'transaction.boundary.interval.ms': '250' }).config!.exactlyOnce, { boundary: 'interval', intervalMs: 250 });
  assert.match(problems({ 'exactly.once.support': 'always' }), /^exactly\.once\.support: /m);
});

test('transaction settings that would be ignored are refused, naming the key', () => {
  assert.match(problems({ 'transaction.boundary': 'interval' }), /^transaction\.boundary: .*exactly\.once\.support=required/m);
  assert.match(problems({ 'exactly.once.support': 'required', 'transaction.boundary.interval.ms': '500' }), /^transaction\.boundary\.interval\.ms: .*transaction\.boundary=interval/m);
  assert.match(problems({ 'exactly.once.support': 'required', 'transaction.boundary': 'connector' }), /^transaction\.boundary: /m);
  assert.equal(problems({ 'transaction.boundary': 'poll' }), '', 'poll, the default, asks for nothing pgcdc does not do');
});
