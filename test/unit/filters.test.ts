import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshotOrder } from '../../src/config/filters.js';

test('snapshot order: by table.include.list entry, then schema and name (Java order), each table once', () => {
  const t = (schema: string, table: string) => ({ schema, table });
  const tables = [t('public', 'b'), t('inv', 'z'), t('public', 'a'), t('public', 'B'), t('inv', 'a')];
  const names = (xs: { schema: string; table: string }[]) => xs.map((x) => `${x.schema}.${x.table}`);
  assert.deepEqual(names(snapshotOrder(tables, ['public\\.b', 'inv\\..*', 'public\\..*'])), ['public.B', 'public.b', 'inv.a', 'inv.z', 'public.a']);
  assert.deepEqual(names(snapshotOrder(tables, null)), ['inv.a', 'inv.z', 'public.B', 'public.a', 'public.b']);
});
