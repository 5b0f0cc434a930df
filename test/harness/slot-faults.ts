import pg from 'pg';
import { withClient } from './database.js';

/** Things done to a connector's replication slot from outside, as an operator (or an accident) would. */

/** The pid of the walsender serving the slot, null while nobody streams from it. */
export async function walsenderPid(db: pg.ClientConfig, slot: string): Promise<number | null> {
  return withClient(db, async (c) => {
    const r = await c.query(`SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
    return r.rows[0]?.active_pid ?? null;
  });
}

export async function terminateBackend(db: pg.ClientConfig, pid: number): Promise<boolean> {
  return withClient(db, async (c) => (await c.query(`SELECT pg_terminate_backend($1) AS done`, [pid])).rows[0].done === true);
}

export async function slotExists(db: pg.ClientConfig, slot: string): Promise<boolean> {
  return withClient(db, async (c) => (await c.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [slot])).rowCount === 1);
}

/**
 * Terminates the walsender and drops the slot before the connector reconnects: the drop fails
 * while the slot is active, so both are retried until the drop wins the race.
 */
export async function dropSlotUnderConnector(db: pg.ClientConfig, slot: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    const pid = await walsenderPid(db, slot);
    if (pid !== null) await terminateBackend(db, pid);
    const dropped = await withClient(db, (c) => c.query(`SELECT pg_drop_replication_slot($1)`, [slot]).then(() => true, () => false));
    if (dropped) return attempt;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`could not drop slot ${slot} within ${timeoutMs} ms: the connector kept it active`);
}

/** Serial small write transactions into `items(id int PRIMARY KEY, v text, n int)` until stopped. */
export class ItemWrites {
  committed = 0;
  private stopping = false;
  private running: Promise<void> | null = null;
  private nextId: number;

  /** `firstId`: where inserts start, so a second writer on the same table does not collide */
  constructor(private readonly db: pg.ClientConfig, firstId = 1, private readonly pauseMs = 10) {
    this.nextId = firstId;
  }

  start(): void {
    this.running = (async () => {
      const c = new pg.Client(this.db);
      await c.connect();
      try {
        while (!this.stopping) {
          const id = this.nextId++;
          await c.query(`INSERT INTO items VALUES ($1, $2, 0)`, [id, `v${id}`]);
          if (id % 3 === 0) await c.query(`UPDATE items SET n = n + 1 WHERE id = $1`, [id - 1]);
          if (id % 7 === 0) await c.query(`DELETE FROM items WHERE id = $1`, [id - 5]);
          this.committed++;
          await new Promise((r) => setTimeout(r, this.pauseMs));
        }
      } finally {
        await c.end();
      }
    })();
  }

  async stop(): Promise<number> {
    this.stopping = true;
    await this.running;
    return this.committed;
  }
}
