import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotProgress } from '../../src/snapshot/progress.js';

const chunk = (table: string, index: number, estimatedRows: number) => ({ id: `public.${table}#${index}`, schema: 'public', table, estimatedRows });

test('snapshot progress: per-table rows, chunks and done flag, alongside the totals', () => {
  const p = new SnapshotProgress();
  p.plan([chunk('a', 0, 100), chunk('a', 1, 50), chunk('b', 0, 30), chunk('c', 0, 10), chunk('c', 1, 10)], new Set(['public.c#0']));
  assert.deepEqual([p.tablesTotal, p.tablesDone, p.chunksTotal, p.chunksDone, p.rowsTotalEstimate], [3, 0, 5, 1, 190]);

  const a = p.table('public.a');
  p.addRows(a, 60);
  p.addRows(a, 45);
  p.chunkDone(a);
  const b = p.table('public.b');
  p.addRows(b, 31);
  p.chunkDone(b);
  const json = p.toJSON();
  assert.deepEqual(json.tables, [
    { table: 'public.a', rows_done: 105, rows_total_estimate: 150, chunks_done: 1, chunks_total: 2, done: false },
    { table: 'public.b', rows_done: 31, rows_total_estimate: 30, chunks_done: 1, chunks_total: 1, done: true },
    // a resumed snapshot: the chunk done before counts as done, its rows are not this run's
    { table: 'public.c', rows_done: 0, rows_total_estimate: 10, chunks_done: 1, chunks_total: 2, done: false },
  ]);
  assert.deepEqual([json.rows_done, json.chunks_done, json.tables_done], [136, 3, 1]);
});

test('snapshot progress: a table whose chunks were all done before this run is done from the start', () => {
  const p = new SnapshotProgress();
  p.plan([chunk('a', 0, 100), chunk('b', 0, 5)], new Set(['public.a#0']));
  assert.equal(p.tablesDone, 1);
  assert.deepEqual((p.toJSON().tables as { done: boolean }[]).map((t) => t.done), [true, false]);
  p.chunkDone(p.table('public.b'));
  assert.equal(p.tablesDone, 2);
  assert.equal(p.chunksDone, 2);
});
