import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitTable } from '../../src/snapshot/plan.js';

const t = { schema: 'public', table: 'docs' };

test('snapshot chunks: bounded by rows for narrow rows', () => {
  // 1,000 blocks of 100 rows, 100 kB per ... 8 kB pages: 80 bytes a row
  const chunks = splitTable(t, 1, 1000, 100_000, 1000 * 8192, { rows: 10_000, bytes: 64 * 1024 * 1024 });
  assert.equal(chunks.length, 10);
  assert.deepEqual(chunks.map((c) => c.fromBlock).slice(0, 3), [0, 100, 200]);
  assert.equal(chunks.at(-1)!.toBlock, null, 'the last chunk reads to the end of the table');
});

test('snapshot chunks: bounded by bytes when values are TOASTed (few heap blocks, many bytes)', () => {
  // 100 heap blocks hold 10,000 rows, but with TOAST the table is 2 GB: 200 kB a row
  const chunks = splitTable(t, 1, 100, 10_000, 2 * 1024 ** 3, { rows: 100_000, bytes: 64 * 1024 * 1024 });
  // 64 MB / 200 kB ≈ 320 rows ≈ 3 blocks a chunk
  assert.ok(chunks.length >= 30, `${chunks.length} chunks`);
  for (const c of chunks) assert.ok(c.estimatedRows <= 400, `chunk ${c.id} estimated ${c.estimatedRows} rows`);
  // contiguous and complete
  for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i].fromBlock, chunks[i - 1].toBlock);
});

test('snapshot chunks: an empty table is one open-ended chunk', () => {
  const chunks = splitTable(t, 1, 0, 0, 0, { rows: 100, bytes: 1000 });
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0].fromBlock, 0);
  assert.equal(chunks[0].toBlock, null);
});
