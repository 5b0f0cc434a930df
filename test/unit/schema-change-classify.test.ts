// The classification table of src/schema-changes/classify.ts: each DDL kind as the shapes show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyChange, type ChangeKind, type Classification } from '../../src/schema-changes/classify.js';
import { shapeOfRegistered, type ColumnShape, type TableShape } from '../../src/schema-changes/shape.js';

const col = (name: string, type: unknown, optional = true, hasDefault: boolean | null = false): ColumnShape => ({ name, type, optional, hasDefault });
const base: TableShape = { columns: [col('id', 'int', false), col('note', 'string'), col('qty', 'int', false), col('small', { type: 'int', 'connect.type': 'int16' })], key: ['id'], replicaIdentity: 'default' };
const withColumns = (f: (cols: ColumnShape[]) => ColumnShape[], extra: Partial<TableShape> = {}): TableShape => ({ ...base, columns: f(base.columns.map((c) => ({ ...c }))), ...extra });
const replace = (name: string, c: ColumnShape) => (cols: ColumnShape[]) => cols.map((x) => (x.name === name ? c : x));

const cases: { ddl: string; after: TableShape; classification: Classification; kinds: ChangeKind[] }[] = [
  { ddl: 'no change (Relation resent after a reconnect)', after: base, classification: 'neutral', kinds: [] },
  { ddl: 'varchar(10) → varchar(20) (both Avro strings)', after: withColumns((c) => c), classification: 'neutral', kinds: [] },
  { ddl: 'ADD COLUMN x text', after: withColumns((c) => [...c, col('x', 'string')]), classification: 'additive', kinds: ['column-added'] },
  { ddl: 'ADD COLUMN x int NOT NULL DEFAULT 0', after: withColumns((c) => [...c, col('x', 'int', false, true)]), classification: 'additive', kinds: ['column-added'] },
  { ddl: 'ADD COLUMN x int NOT NULL (no default)', after: withColumns((c) => [...c, col('x', 'int', false, false)]), classification: 'breaking', kinds: ['column-added'] },
  { ddl: 'ALTER qty TYPE bigint', after: withColumns(replace('qty', col('qty', 'long', false))), classification: 'additive', kinds: ['type-widened'] },
  { ddl: 'ALTER small TYPE int', after: withColumns(replace('small', col('small', 'int'))), classification: 'additive', kinds: ['type-widened'] },
  { ddl: 'ALTER qty TYPE double precision', after: withColumns(replace('qty', col('qty', 'double', false))), classification: 'additive', kinds: ['type-widened'] },
  { ddl: 'ALTER qty TYPE text', after: withColumns(replace('qty', col('qty', 'string', false))), classification: 'breaking', kinds: ['type-changed'] },
  { ddl: 'ALTER qty TYPE smallint (narrowed)', after: withColumns(replace('qty', col('qty', { type: 'int', 'connect.type': 'int16' }, false))), classification: 'breaking', kinds: ['type-changed'] },
  { ddl: 'ALTER qty TYPE date (int with a logical type)', after: withColumns(replace('qty', col('qty', { type: 'int', 'connect.name': 'io.debezium.time.Date' }, false))), classification: 'breaking', kinds: ['type-changed'] },
  { ddl: 'ALTER qty DROP NOT NULL', after: withColumns(replace('qty', col('qty', 'int', true))), classification: 'additive', kinds: ['not-null-dropped'] },
  { ddl: 'ALTER note SET NOT NULL', after: withColumns(replace('note', col('note', 'string', false))), classification: 'breaking', kinds: ['not-null-added'] },
  { ddl: 'DROP COLUMN note (nullable)', after: withColumns((c) => c.filter((x) => x.name !== 'note')), classification: 'additive', kinds: ['column-dropped'] },
  { ddl: 'DROP COLUMN qty (NOT NULL)', after: withColumns((c) => c.filter((x) => x.name !== 'qty')), classification: 'breaking', kinds: ['column-dropped'] },
  { ddl: 'RENAME note TO memo (drop + add)', after: withColumns(replace('note', col('memo', 'string'))), classification: 'breaking', kinds: ['column-renamed'] },
  { ddl: 'primary key (id) → (id, qty)', after: withColumns((c) => c, { key: ['id', 'qty'] }), classification: 'breaking', kinds: ['primary-key-changed'] },
  { ddl: 'primary key dropped', after: withColumns((c) => c, { key: [] }), classification: 'breaking', kinds: ['primary-key-changed'] },
  { ddl: 'REPLICA IDENTITY FULL', after: withColumns((c) => c, { replicaIdentity: 'full' }), classification: 'breaking', kinds: ['replica-identity-changed'] },
  { ddl: 'ADD x text + DROP NOT NULL qty (two additive)', after: withColumns((c) => [...replace('qty', col('qty', 'int', true))(c), col('x', 'string')]), classification: 'additive', kinds: ['column-added', 'not-null-dropped'] },
  { ddl: 'ADD x text + ALTER qty TYPE text (one breaking wins)', after: withColumns((c) => [...replace('qty', col('qty', 'string', false))(c), col('x', 'string')]), classification: 'breaking', kinds: ['column-added', 'type-changed'] },
];

for (const c of cases) {
  test(`classify: ${c.ddl} → ${c.classification}`, () => {
    const diff = classifyChange(base, c.after);
    assert.equal(diff.classification, c.classification);
    assert.deepEqual(diff.changes.map((x) => x.kind).sort(), [...c.kinds].sort());
    for (const change of diff.changes) assert.ok(change.reason.length > 0);
  });
}

test('classify: a rename names both columns and keeps old and new field definitions', () => {
  const diff = classifyChange(base, withColumns(replace('note', col('memo', 'string'))));
  const [r] = diff.changes;
  assert.equal(r!.column, 'note');
  assert.deepEqual(r!.before, col('note', 'string'));
  assert.deepEqual(r!.after, col('memo', 'string'));
  assert.match(r!.reason, /"note" renamed to "memo"/);
});

test('classify: replica identity unknown on one side (a shape read from the registry) is not a change', () => {
  assert.equal(classifyChange({ ...base, replicaIdentity: null }, { ...base, replicaIdentity: 'full' }).classification, 'neutral');
});

test('registered shape: fields of the envelope\'s after record, optional from the null union, key from the key schema, named types resolved', () => {
  const vsd = { type: 'record', name: 'VariableScaleDecimal', namespace: 'io.debezium.data', fields: [{ name: 'scale', type: 'int' }, { name: 'value', type: 'bytes' }] };
  const value = { type: 'record', name: 'Value', namespace: 'p.public.t', fields: [{ name: 'id', type: 'int' }, { name: 'a', type: ['null', vsd], default: null }, { name: 'b', type: ['null', 'io.debezium.data.VariableScaleDecimal'], default: null }] };
  // as source-schema.ts writes it: `before` defines Value, `after` refers to it by full name
  const real = { type: 'record', name: 'Envelope', fields: [{ name: 'before', type: ['null', value], default: null }, { name: 'after', type: ['null', 'p.public.t.Value'], default: null }] };
  const shape = shapeOfRegistered(real, { type: 'record', name: 'Key', fields: [{ name: 'id', type: 'int' }] });
  assert.deepEqual(shape, {
    columns: [col('id', 'int', false, null), col('a', vsd, true, null), col('b', vsd, true, null)],
    key: ['id'],
    replicaIdentity: null,
  });
  assert.deepEqual(shapeOfRegistered(real, null)!.key, []);
  assert.equal(shapeOfRegistered({ type: 'record', name: 'X', fields: [] }, null), null);
});
