// The comparison of the Debezium compatibility suite (test/compat/compare.ts, allowlist.ts): prefix and
// run-time normalisation, the field diff, and the allowlist's matching (a difference outside it fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diff, headerList, keyFields, normalise, withoutRunTimeFields, type Difference } from '../compat/compare.js';
import { KNOWN_BUGS, matches } from '../compat/allowlist.js';

test('normalise: the prefix in names, keys and values becomes <prefix>; bytes become hex', () => {
  assert.deepEqual(normalise({ name: 'p1.public.t.Value', 'p1.x': Buffer.from([0, 255]), n: 5n, l: ['p1'] }, 'p1'), { name: '<prefix>.public.t.Value', '<prefix>.x': '0x00ff', n: '5n', l: ['<prefix>'] });
});

test('withoutRunTimeFields: run times and snapshot positions go, streaming positions stay', () => {
  const source = { version: '3.7.0.Final', ts_ms: 1, lsn: 10, sequence: '[null,"10"]', txId: 7, snapshot: 'true' };
  const snap = withoutRunTimeFields({ op: 'r', ts_ms: 5, source });
  assert.deepEqual(snap!.source, { version: '<version>', ts_ms: '<snapshot position>', lsn: '<snapshot position>', sequence: '<snapshot position>', txId: '<snapshot position>', snapshot: 'true' });
  assert.equal(snap!.ts_ms, '<run time>');
  const streamed = withoutRunTimeFields({ op: 'c', source: { ...source, snapshot: 'false' } });
  assert.deepEqual(streamed!.source, { ...source, version: '<version>', snapshot: 'false' });
  assert.equal(withoutRunTimeFields(null), null);
});

test('headerList keeps the order and hides only the run id', () => {
  const h = (k: string, v: string): [Buffer, Buffer] => [Buffer.from(k), Buffer.from(v)];
  assert.deepEqual(headerList([h('__debezium.context.runId', 'abc'), h('__debezium.context.connectorLogicalName', 'p1')], 'p1'), [['__debezium.context.runId', '<run id>'], ['__debezium.context.connectorLogicalName', '<prefix>']]);
});

test('diff: one line per differing leaf, absent fields named', () => {
  assert.deepEqual(diff({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] }, d: null }), [['b.c[1]', '2', '3'], ['d', '(absent)', 'null']]);
  assert.deepEqual(diff({ a: 1 }, { a: 1 }), []);
  assert.deepEqual(keyFields({ fields: [{ name: 'x', type: 'int' }] }), { fields: { x: { '#': 0, name: 'x', type: 'int' } } });
});

test('KNOWN_BUGS matches only the differences it describes', () => {
  const d = (over: Partial<Difference>): Difference => ({ table: 'types', kind: 'event', where: '#1 u', path: 'value.after.d', debezium: '2146033979', pgcdc: '-2147472692', ...over });
  const known = (x: Difference) => KNOWN_BUGS.some((e) => matches(e, x));
  assert.ok(known(d({})), "pgcdc's infinity sentinel of a date");
  assert.ok(!known(d({ pgcdc: '18000' })), 'an ordinary date that differs is not the sentinel bug');
  assert.ok(!known(d({ path: 'value.after.i4', debezium: '42', pgcdc: 'null' })), 'fixed bugs are no longer known: a null sent as its default');
  assert.ok(!known(d({ path: 'value.source.sequence', debezium: JSON.stringify('["148","200"]'), pgcdc: JSON.stringify('["100","200"]') })), 'fixed: source.sequence');
  assert.ok(!known(d({ path: 'key.id', debezium: '1', pgcdc: '2' })));
});
