/**
 * What the demo removes when it ends, so trying it leaves nothing on the cluster: its replication
 * slot (an inactive slot retains WAL forever), its publication, and its database unless kept.
 */
import pg from 'pg';

export interface DemoObjects {
  database: string;
  slot: string;
  publication: string;
}

/** Returns what was removed, for the closing line. `admin` is a connection config for any other database. */
export async function removeDemoObjects(admin: pg.ClientConfig, objects: DemoObjects, keepDatabase: boolean): Promise<string[]> {
  const removed: string[] = [];
  const c = new pg.Client(admin);
  await c.connect();
  try {
    // The worker has exited, but its walsender may need a moment to release the slot.
    for (let attempt = 0; attempt < 50; attempt++) {
      const slot = await c.query<{ active_pid: number | null }>('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [objects.slot]);
      if (slot.rowCount === 0) break;
      if (slot.rows[0].active_pid === null) {
        await c.query('SELECT pg_drop_replication_slot($1)', [objects.slot]);
        removed.push(`slot ${objects.slot}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [objects.database]);
    if (exists.rowCount === 0) return removed;
    if (keepDatabase) {
      const d = new pg.Client({ ...admin, database: objects.database });
      await d.connect();
      try {
        const pub = await d.query(`SELECT 1 FROM pg_publication WHERE pubname = $1`, [objects.publication]);
        if (pub.rowCount === 1) {
          await d.query(`DROP PUBLICATION "${objects.publication.replace(/"/g, '""')}"`);
          removed.push(`publication ${objects.publication}`);
        }
      } finally {
        await d.end();
      }
    } else {
      await c.query(`DROP DATABASE "${objects.database.replace(/"/g, '""')}" WITH (FORCE)`);
      removed.push(`database ${objects.database} (with its publication)`);
    }
  } finally {
    await c.end();
  }
  return removed;
}
