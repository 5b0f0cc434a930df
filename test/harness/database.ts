import pg from 'pg';
import type { TestServices } from './services.js';

/**
 * A fresh database per test file, so tests never see each other's tables, slots or publications.
 * Replication slots live in a database and block DROP DATABASE, so they are dropped first.
 */
export async function freshDatabase(services: TestServices, name: string): Promise<pg.ClientConfig> {
  const admin = new pg.Client({ ...services.pg });
  await admin.connect();
  try {
    await dropSlotsOf(admin, name);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return { ...services.pg, database: name };
}

export async function dropSlotsOf(client: pg.Client, database: string): Promise<void> {
  const slots = await client.query<{ slot_name: string; active_pid: number | null }>(
    'SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = $1',
    [database],
  );
  for (const s of slots.rows) {
    if (s.active_pid) await client.query('SELECT pg_terminate_backend($1)', [s.active_pid]);
    await client.query('SELECT pg_drop_replication_slot($1)', [s.slot_name]).catch(async () => {
      // the walsender may need a moment to exit after being terminated
      await new Promise((r) => setTimeout(r, 500));
      await client.query('SELECT pg_drop_replication_slot($1)', [s.slot_name]);
    });
  }
}

export async function withClient<T>(config: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops a test database and its slots, so inactive slots do not pile up and hold WAL. */
export async function dropDatabase(services: TestServices, name: string): Promise<void> {
  const admin = new pg.Client({ ...services.pg });
  await admin.connect();
  try {
    await dropSlotsOf(admin, name);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
