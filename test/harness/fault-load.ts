import pg from 'pg';
import { parseLsn } from '../../src/postgres/lsn.js';

/**
 * What a fault test runs against the source while it breaks something: a serial write load that
 * survives the database going away, and a sampler of the slot's confirmed_flush_lsn.
 */

export const LOAD_TABLE_DDL = 'CREATE TABLE items (id int PRIMARY KEY, v text NOT NULL, n int NOT NULL DEFAULT 0)';

/**
 * One connection writing small transactions back to back (inserts of 1-4 rows, updates, deletes)
 * into `items`. Serial on purpose: transaction ids then grow in commit order, which the duplicate
 * check relies on. A failed transaction (database restarting) is counted and the connection
 * reopened; whether its COMMIT landed does not matter, the oracle compares with the table itself.
 */
export class WriteLoad {
  committed = 0;
  failed = 0;
  /** extra SET list for inserts, e.g. after ALTER TABLE ADD COLUMN */
  extraColumns: Record<string, (id: number) => unknown> = {};
  private nextId = 1;
  private readonly ids: number[] = [];
  private stopping = false;
  private running: Promise<void> | null = null;
  private client: pg.Client | null = null;

  constructor(private readonly db: pg.ClientConfig, private readonly pauseMs = 20) {}

  start(): void {
    this.running = this.loop();
  }

  /** Stops the load; then writes one last row and returns its 32-bit transaction id (what pgoutput and the offset carry). */
  stop(): Promise<number> {
    this.last ??= this.finish();
    return this.last;
  }

  private last?: Promise<number>;

  private async finish(): Promise<number> {
    this.stopping = true;
    await this.running;
    const client = await this.connection();
    const r = await client.query<{ xid: string }>(`INSERT INTO items (id, v) VALUES (0, 'last write') RETURNING pg_current_xact_id()::text AS xid`);
    await this.close();
    return Number(BigInt(r.rows[0].xid) % 2n ** 32n);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        const client = await this.connection();
        await this.transaction(client);
        this.committed++;
      } catch {
        this.failed++;
        await this.close();
        await new Promise((r) => setTimeout(r, 250));
      }
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  private async transaction(client: pg.Client): Promise<void> {
    const dice = Math.random();
    if (dice < 0.6 || this.ids.length < 10) {
      const n = 1 + Math.floor(Math.random() * 4);
      const rows = Array.from({ length: n }, () => this.nextId++);
      const extra = Object.keys(this.extraColumns);
      await client.query('BEGIN');
      for (const id of rows) {
        const values = [id, `row ${id} ${'x'.repeat(id % 50)}`, ...extra.map((c) => this.extraColumns[c](id))];
        await client.query(`INSERT INTO items (id, v${extra.map((c) => `, ${c}`).join('')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values);
      }
      await client.query('COMMIT');
      this.ids.push(...rows);
    } else if (dice < 0.85) {
      const id = this.ids[Math.floor(Math.random() * this.ids.length)];
      await client.query(`UPDATE items SET n = n + 1, v = v || '.' WHERE id = $1`, [id]);
    } else {
      const at = Math.floor(Math.random() * this.ids.length);
      const [id] = this.ids.splice(at, 1);
      await client.query('DELETE FROM items WHERE id = $1', [id]);
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({ ...this.db, connectionTimeoutMillis: 3000 });
    client.on('error', () => {}); // a terminated connection surfaces on the next query
    await client.connect();
    this.client = client;
    return client;
  }

  private async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}

export interface SlotSample {
  at: number;
  confirmed: bigint | null;
}

/** Reads the slot's confirmed_flush_lsn every `everyMs`; samples the database could not answer are left out. */
export class SlotSampler {
  readonly samples: SlotSample[] = [];
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly db: pg.ClientConfig, private readonly slot: string, private readonly everyMs = 500) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const client = new pg.Client({ ...this.db, connectionTimeoutMillis: 2000 });
    client.on('error', () => {});
    try {
      await client.connect();
      const r = await client.query<{ lsn: string | null }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [this.slot]);
      // `at` after the answer: the value was read no later than this
      this.samples.push({ at: Date.now(), confirmed: r.rows[0]?.lsn ? parseLsn(r.rows[0].lsn) : null });
    } catch {
      // database down: nothing to sample
    } finally {
      this.busy = false;
      await client.end().catch(() => {});
    }
  }
}
