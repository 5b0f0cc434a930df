// The schema-change topic's record (src/schema-changes/change-record.ts) round-trips through its own
// Avro schemas; versioned topic names (src/events/names.ts); the stored topic versions parse safely.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema, decodeWire, encodeWire } from '../../src/avro/codec.js';
import { SCHEMA_CHANGE_KEY_SCHEMA, SCHEMA_CHANGE_VALUE_SCHEMA, schemaChangeKey, schemaChangeValue, type SchemaChangeNotice } from '../../src/schema-changes/change-record.js';
import { classifyChange } from '../../src/schema-changes/classify.js';
import { parseState, topicVersionOf } from '../../src/schema-changes/pending.js';
import { topicName } from '../../src/events/names.js';
import type { TableShape } from '../../src/schema-changes/shape.js';
import { plain } from '../harness/topics.js';

const before: TableShape = { columns: [{ name: 'id', type: 'int', optional: false, hasDefault: null }, { name: 'qty', type: 'int', optional: false, hasDefault: null }], key: ['id'], replicaIdentity: null };
const after: TableShape = { columns: [{ name: 'id', type: 'int', optional: false, hasDefault: false }, { name: 'qty', type: 'string', optional: true, hasDefault: false }], key: ['id'], replicaIdentity: 'default' };

test('a schema-change record encodes and decodes with its key and value schemas', () => {
  const diff = classifyChange(before, after);
  const notice: SchemaChangeNotice = {
    id: '3f9c0e5b7a21d4c8', database: 'inventory', table: 'public.items', topic: 'inv.public.items', lsn: '0/1A2B3C8', classification: 'breaking',
    changes: diff.changes, before, after, registry: [{ subject: 'inv.public.items-value', compatible: false }], decision: 'pending', at: new Date(1_700_000_000_000),
  };
  const keyType = compileSchema(SCHEMA_CHANGE_KEY_SCHEMA);
  const valueType = compileSchema(SCHEMA_CHANGE_VALUE_SCHEMA);
  assert.deepEqual(plain(decodeWire(keyType, encodeWire(1, keyType, schemaChangeKey(notice)))), { databaseName: 'inventory', schemaName: 'public', tableName: 'items' });
  const v = plain(decodeWire(valueType, encodeWire(2, valueType, schemaChangeValue(notice))));
  assert.equal(v.ts_ms, 1_700_000_000_000);
  assert.equal(v.decision, 'pending');
  assert.deepEqual(v.changes.map((c: any) => [c.kind, c.classification, c.column]), [['type-changed', 'breaking', 'qty'], ['not-null-dropped', 'additive', 'qty']]);
  assert.equal(JSON.parse(v.changes[0].before).type, 'int');
  assert.deepEqual(v.columnsAfter.map((c: any) => [c.name, JSON.parse(c.type), c.optional]), [['id', 'int', false], ['qty', 'string', true]]);
  assert.deepEqual([v.primaryKeyBefore, v.primaryKeyAfter], [['id'], ['id']]);
  assert.deepEqual(v.registry, [{ subject: 'inv.public.items-value', compatible: false }]);
});

test('a decision on a change stored without shapes has empty column lists', () => {
  const valueType = compileSchema(SCHEMA_CHANGE_VALUE_SCHEMA);
  const v = schemaChangeValue({ id: 'a', database: 'd', table: 's.t', topic: 'p.s.t', lsn: '0/0', classification: 'breaking', changes: [], before: null, after: null, registry: [], decision: 'approved', at: new Date() });
  assert.ok(valueType.isValid(v));
  assert.deepEqual([v.columnsBefore, v.primaryKeyAfter], [[], []]);
});

test('versioned topics: version 1 is the plain topic, N ≥ 2 appends .v<N>', () => {
  assert.equal(topicName('inv', 'public', 'items'), 'inv.public.items');
  assert.equal(topicName('inv', 'public', 'items', 1), 'inv.public.items');
  assert.equal(topicName('inv', 'public', 'items', 2), 'inv.public.items.v2');
  assert.equal(topicName('inv', 'pub lic', 'items', 3), 'inv.pub_lic.items.v3');
});

test('stored topic versions: only integers ≥ 2 are kept; a table without one uses version 1', () => {
  const state = parseState({ pending: null, decisions: [], skipped_tables: [], topic_versions: { 'public.a': 2, 'public.b': 1, 'public.c': 'x', 'public.d': 2.5 } });
  assert.deepEqual(state.topic_versions, { 'public.a': 2 });
  assert.equal(topicVersionOf(state, 'public.a'), 2);
  assert.equal(topicVersionOf(state, 'public.z'), 1);
  assert.deepEqual(parseState({}).topic_versions, {});
});
