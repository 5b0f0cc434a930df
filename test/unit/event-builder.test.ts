import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNCHANGED_TOAST } from '../../src/decoding/messages.js';
import { ChangeEventBuilder, contextHeaders as contextHeadersOf, type ChangeRecord, type EventOptions, type TxContext } from '../../src/events/change-events.js';
import { INT4, relationOf, tableSchemaOf, TEXT } from '../fakes/memory-tables.js';

const options = (o: Partial<EventOptions> = {}): EventOptions => ({ connectorVersion: '2.7.0-pgcdc', serverName: 'dbserver1', database: 'inventory', tombstonesOnDelete: true, skippedOperations: new Set(), ...o });
const COMMIT_US = 1_700_000_000_123_456n;
const tx: TxContext = { xid: 771, commitLsn: 0x1_0000_0200n, commitTimeUs: COMMIT_US, previousCommitLsn: 0x1_0000_0100n };
const LSN = 0x1_0000_0180n;
const COLS: [string, number][] = [['id', INT4], ['name', TEXT], ['bio', TEXT]];
const customers = tableSchemaOf(relationOf(16384, 'customers', COLS));
const customersFull = tableSchemaOf(relationOf(16385, 'customers', COLS, 'full'));

function build(f: (b: ChangeEventBuilder, out: ChangeRecord[]) => void, o?: Partial<EventOptions>): ChangeRecord[] {
  const out: ChangeRecord[] = [];
  f(new ChangeEventBuilder(options(o)), out);
  for (const r of out) {
    // every event fits the table's registered Avro schemas
    if (r.value) assert.ok(r.table.envelopeType.isValid(r.value), `envelope ${r.value.op} fits its schema`);
    if (r.key) assert.ok(r.table.keyType!.isValid(r.key));
  }
  return out;
}

test('insert: op c, before null, after the row, key the primary key, Debezium source block and ts_ms', () => {
  const before = Date.now();
  const [r, ...rest] = build((b, out) => b.insert(customers, ['1', 'Ann', null], tx, LSN, out));
  assert.equal(rest.length, 0);
  assert.deepEqual(r.key, { id: 1 });
  const v = r.value!;
  assert.equal(v.op, 'c');
  assert.equal(v.before, null);
  assert.deepEqual(v.after, { id: 1, name: 'Ann', bio: null });
  assert.equal(v.transaction, null);
  assert.ok(v.ts_ms >= before && v.ts_ms <= Date.now(), 'ts_ms: when pgcdc processed it');
  assert.equal(v.ts_us, v.ts_ms * 1000);
  assert.deepEqual(v.source, {
    version: '2.7.0-pgcdc', connector: 'postgresql', name: 'dbserver1', ts_ms: 1_700_000_000_123, snapshot: 'false', db: 'inventory',
    sequence: `["${0x1_0000_0100n}","${LSN}"]`, ts_us: 1_700_000_000_123_456, ts_ns: COMMIT_US * 1000n,
    schema: 'public', table: 'customers', txId: 771, lsn: LSN, xmin: null, origin: null, origin_lsn: null,
  });
  assert.equal(r.table.topic, 'dbserver1.public.customers');
});

test('source.sequence starts with null for the first transaction seen', () => {
  const [r] = build((b, out) => b.insert(customers, ['1', 'Ann', null], { ...tx, previousCommitLsn: null }, LSN, out));
  assert.equal(r.value!.source.sequence, `[null,"${LSN}"]`);
});

test('update under REPLICA IDENTITY DEFAULT: op u, before null; unchanged TOAST gets the placeholder', () => {
  const [r, ...rest] = build((b, out) => b.update(customers, null, null, ['1', 'Bea', UNCHANGED_TOAST], tx, LSN, out));
  assert.equal(rest.length, 0);
  assert.equal(r.value!.op, 'u');
  assert.equal(r.value!.before, null);
  assert.deepEqual(r.value!.after, { id: 1, name: 'Bea', bio: '__debezium_unavailable_value' });
  assert.deepEqual(r.key, { id: 1 });
});

test('update under REPLICA IDENTITY FULL: before the old row; an unchanged TOAST value comes from it', () => {
  const [r] = build((b, out) => b.update(customersFull, null, ['1', 'Ann', 'long bio'], ['1', 'Bea', UNCHANGED_TOAST], tx, LSN, out));
  assert.deepEqual(r.value!.before, { id: 1, name: 'Ann', bio: 'long bio' });
  assert.deepEqual(r.value!.after, { id: 1, name: 'Bea', bio: 'long bio' });
});

test('update changing the primary key: delete + tombstone of the old key, create of the new, with key headers', () => {
  const out = build((b, o) => b.update(customers, ['1', null, null], null, ['2', 'Ann', null], tx, LSN, o));
  assert.deepEqual(out.map((r) => [r.value?.op ?? 'tombstone', r.key]), [['d', { id: 1 }], ['tombstone', { id: 1 }], ['c', { id: 2 }]]);
  assert.deepEqual(out[0].value!.before, { id: 1, name: null, bio: null });
  assert.equal(out[0].value!.after, null);
  assert.deepEqual(out[0].headers, { '__debezium.newkey': '{"id":2}' });
  assert.deepEqual(out[1].headers, { '__debezium.newkey': '{"id":2}' });
  assert.deepEqual(out[2].headers, { '__debezium.oldkey': '{"id":1}' });
  assert.deepEqual(out[2].value!.after, { id: 2, name: 'Ann', bio: null });
});

test('delete: op d, before from the old key (other columns null) or the old row, after null, then a tombstone', () => {
  const out = build((b, o) => b.delete(customers, ['1', null, null], null, tx, LSN, o));
  assert.equal(out.length, 2);
  assert.equal(out[0].value!.op, 'd');
  assert.deepEqual(out[0].value!.before, { id: 1, name: null, bio: null });
  assert.equal(out[0].value!.after, null);
  assert.deepEqual(out[0].key, { id: 1 });
  assert.deepEqual({ table: out[1].table, key: out[1].key, value: out[1].value, headers: out[1].headers }, { table: customers, key: { id: 1 }, value: null, headers: undefined }, 'tombstone: same key, null value');
  const [full] = build((b, o) => b.delete(customersFull, null, ['1', 'Ann', 'bio'], tx, LSN, o));
  assert.deepEqual(full.value!.before, { id: 1, name: 'Ann', bio: 'bio' });
});

test('tombstones.on.delete=false: the delete alone', () => {
  const out = build((b, o) => b.delete(customers, ['1', null, null], null, tx, LSN, o), { tombstonesOnDelete: false });
  assert.deepEqual(out.map((r) => r.value?.op ?? 'tombstone'), ['d']);
  const keyChange = build((b, o) => b.update(customers, ['1', null, null], null, ['2', 'Ann', null], tx, LSN, o), { tombstonesOnDelete: false });
  assert.deepEqual(keyChange.map((r) => r.value?.op ?? 'tombstone'), ['d', 'c']);
});

test('truncate: op t, null key, before and after null, source names the table', () => {
  const [r, ...rest] = build((b, out) => b.truncate(customers, tx, LSN, out));
  assert.equal(rest.length, 0);
  assert.equal(r.key, null);
  assert.equal(r.value!.op, 't');
  assert.equal(r.value!.before, null);
  assert.equal(r.value!.after, null);
  assert.equal(r.value!.source.table, 'customers');
  assert.equal(r.value!.source.lsn, LSN);
});

test('skipped.operations: skipped kinds produce nothing', () => {
  const skip = { skippedOperations: new Set(['c', 'u', 'd', 't']) };
  assert.deepEqual(build((b, o) => {
    b.insert(customers, ['1', 'a', null], tx, LSN, o);
    b.update(customers, null, null, ['1', 'b', null], tx, LSN, o);
    b.delete(customers, ['1', null, null], null, tx, LSN, o);
    b.truncate(customers, tx, LSN, o);
  }, skip), []);
});

test('a table without a primary key: key-less events, and a null-key tombstone after a delete (as Debezium 3.7)', () => {
  const nokey = tableSchemaOf(relationOf(16390, 'logs', [['id', INT4], ['msg', TEXT]], 'full', []), []);
  const out = build((b, o) => {
    b.insert(nokey, ['1', 'x'], tx, LSN, o);
    b.delete(nokey, null, ['1', 'x'], tx, LSN, o);
  });
  assert.deepEqual(out.map((r) => [r.value?.op ?? 'tombstone', r.key]), [['c', null], ['d', null], ['tombstone', null]]);
});

test('extended headers: the context headers on every event and tombstone, after a key change\'s own', () => {
  const contextHeaders = contextHeadersOf('dbserver1', '5f0c6c4e-0000-4000-8000-000000000001');
  const context = {
    '__debezium.context.connectorLogicalName': 'dbserver1',
    '__debezium.context.taskId': '0',
    '__debezium.context.connectorName': 'postgresql',
    '__debezium.context.runId': '5f0c6c4e-0000-4000-8000-000000000001',
  };
  const out = build((b, o) => {
    b.insert(customers, ['1', 'Ann', null], tx, LSN, o);
    b.delete(customers, ['1', null, null], null, tx, LSN, o);
    b.truncate(customers, tx, LSN, o);
  }, { contextHeaders, skippedOperations: new Set() });
  assert.deepEqual(out.map((r) => r.headers), [context, context, context, context]);
  const keyChange = build((b, o) => b.update(customers, ['1', null, null], null, ['2', 'Ann', null], tx, LSN, o), { contextHeaders });
  assert.deepEqual(Object.keys(keyChange[2].headers!), ['__debezium.oldkey', ...Object.keys(context)]);
  assert.equal(keyChange[1].headers!['__debezium.newkey'], '{"id":2}');
});
