import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { freshDatabase, withClient } from '../harness/database.js';

test('PostgreSQL: a logical slot created with pgoutput returns a change made after it', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, 'pgcdc_smoke_pg');
  await withClient(db, async (c) => {
    const wal = await c.query('SHOW wal_level');
    assert.equal(wal.rows[0].wal_level, 'logical', 'wal_level must be logical for CDC');
    await c.query('CREATE TABLE smoke (id int PRIMARY KEY, note text)');
    await c.query('CREATE PUBLICATION smoke_pub FOR TABLE smoke');
    await c.query(`SELECT pg_create_logical_replication_slot('smoke_slot', 'pgoutput')`);
    await c.query(`INSERT INTO smoke VALUES (1, 'hello from the WAL')`);
    const changes = await c.query(
      `SELECT data FROM pg_logical_slot_get_binary_changes('smoke_slot', NULL, NULL, 'proto_version', '1', 'publication_names', 'smoke_pub')`,
    );
    const messages: Buffer[] = changes.rows.map((r) => r.data);
    const insert = messages.find((m) => m[0] === 0x49 /* 'I' */);
    assert.ok(insert, `expected an Insert message among ${messages.length} messages`);
    assert.ok(insert.includes(Buffer.from('hello from the WAL')), 'the insert carries the new row');
    await c.query(`SELECT pg_drop_replication_slot('smoke_slot')`);
  });
});
