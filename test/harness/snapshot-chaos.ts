import pg from 'pg';
import { seededRandom, slotConfirmed } from './chaos-run.js';
import { eventually, testConnectorConfig, topicPrefixFor } from './connector.js';
import { dropDatabase, freshDatabase, withClient } from './database.js';
import { connectorTopics, copyBuiltFrom, copyEqualsSource, exactlyOnceFindings, readCommitted, type ExactlyOnceFindings } from './eos-checks.js';
import { PgOracle } from './pg-oracle.js';
import type { TestServices } from './services.js';
import { terminateBackend, walsenderPid } from './slot-faults.js';
import { WorkerProcess } from './worker-process.js';

/**
 * Chaos for snapshots and replication connections (issue 12): a worker process takes the initial
 * snapshot of a table that keeps changing and is SIGKILLed at seeded random moments of it; while it
 * is down rows are moved between heap blocks (VACUUM FULL, CLUSTER, updates into freed space, some
 * leaving a TOASTed value unchanged). Once streaming, its walsender is terminated repeatedly: the
 * process must never exit by itself. At the end the reference loader's copy must equal the source.
 * With `exactlyOnce` (issue 17) a read_committed read of the connector's topics must also hold every
 * change once, snapshot reads included (one `r` per key and snapshot LSN), and the copy built from
 * exactly those records must equal the source.
 */
export interface SnapshotChaosOptions {
  name: string;
  seed: number;
  /** kills during the snapshot (fewer happen when the snapshot completes first) */
  kills: number;
  /** walsender terminations once streaming */
  walsenderKills: number;
  rows: number;
  /** exactly.once.support=required */
  exactlyOnce?: boolean;
  log?: (line: string) => void;
}

export interface SnapshotChaosResult {
  snapshotKills: number;
  rowMoves: Record<string, number>;
  walsenderKills: number;
  writes: number;
  /** under exactly-once: what the read_committed read found (duplicates must be empty) */
  exactlyOnce?: Omit<ExactlyOnceFindings, 'duplicates' | 'tombstoneProblems'> & { duplicates: number; details: ExactlyOnceFindings['duplicates']; tombstoneProblems: string[] };
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSnapshotChaos(services: TestServices, o: SnapshotChaosOptions): Promise<SnapshotChaosResult> {
  const log = o.log ?? (() => {});
  const random = seededRandom(o.seed);
  const started = Date.now();
  const db = await freshDatabase(services, o.name);
  const prefix = topicPrefixFor(o.name);
  const config = testConnectorConfig(db, services, o.name, { 'snapshot.chunk.rows': '4000', 'snapshot.fetch.size': '500', 'offset.flush.interval.ms': '50', 'table.include.list': 'public.items', ...(o.exactlyOnce ? { 'exactly.once.support': 'required' } : {}) });
  const slot = config['slot.name'] as string;
  const worker = new WorkerProcess(services, config, `pgcdc-test-offsets-${prefix}`);
  const writer = new VersionedWrites(db, random, o.rows);
  let oracle: PgOracle | undefined;
  const rowMoves: Record<string, number> = {};
  let snapshotKills = 0;
  let walsenderKills = 0;
  try {
    await withClient(db, async (c) => {
      await c.query(`CREATE TABLE items (id int PRIMARY KEY, version int NOT NULL, body text NOT NULL) WITH (fillfactor = 100)`);
      // every 100th row holds a ~20 kB value stored out of line (TOAST)
      await c.query(`INSERT INTO items SELECT g, 0, CASE WHEN g % 100 = 0 THEN (SELECT string_agg(md5(g::text || s::text), '') FROM generate_series(1, 640) s) ELSE md5(g::text) END FROM generate_series(1, $1::int) g`, [o.rows]);
      await c.query(`CREATE INDEX items_scramble ON items (md5(id::text))`);
      await c.query(`ANALYZE items`);
    });
    oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: o.name, topicPrefix: prefix });
    writer.start();
    worker.start();
    while (snapshotKills < o.kills) {
      await sleep(300 + random() * 1500);
      if (worker.output.includes('"snapshot completed"')) break;
      const exit = await worker.kill('SIGKILL');
      if (exit !== null) throw new Error(`the worker had exited by itself (code ${exit}) during the snapshot:\n${worker.output.slice(-3000)}`);
      snapshotKills++;
      const move = await moveRows(db, random);
      rowMoves[move] = (rowMoves[move] ?? 0) + 1;
      log(`snapshot kill ${snapshotKills}, then ${move}`);
      worker.start();
    }
    // the worker's output as it is when a wait fails (a message built before waiting shows none of it)
    const withOutput = (err: unknown) => {
      throw new Error(`${(err as Error).message}; worker output:\n${worker.output.slice(-2000)}`);
    };
    await eventually(() => worker.output.includes('"streaming starts"') && /snapshot completed|resumed snapshot: stream reached/.test(worker.output), 'the snapshot to complete', 300_000).catch(withOutput);
    for (let i = 0; i < o.walsenderKills; i++) {
      let pid: number | null = null;
      await eventually(async () => (pid = await walsenderPid(db, slot)) !== null, `a walsender for ${slot} after termination ${i}`, 60_000).catch(withOutput);
      await sleep(200 + random() * 800);
      await terminateBackend(db, pid!);
      walsenderKills++;
      const exit = await worker.exitCode();
      if (exit !== undefined) throw new Error(`the worker exited (code ${exit}) after walsender termination ${walsenderKills}:\n${worker.output.slice(-3000)}`);
    }
    log(`${walsenderKills} walsender terminations, worker still running`);
    const writes = await writer.stop();
    const converged = o.exactlyOnce ? copyEqualsSource(oracle, db, ['public.items'], 300_000) : oracle.converge(db, ['public.items'], 300_000);
    await converged.catch((err) => {
      throw new Error(`${(err as Error).message}\nworker output:\n${worker.output.slice(-3000)}`);
    });
    const confirmed = await slotConfirmed(db, slot);
    if (confirmed === null) throw new Error('the slot has no confirmed position after streaming');
    let exactlyOnce: SnapshotChaosResult['exactlyOnce'];
    if (o.exactlyOnce) {
      await worker.kill('SIGTERM');
      const records = await readCommitted(services.kafkaBrokers, services.registryUrl, await connectorTopics(services.kafkaBrokers, prefix));
      await copyBuiltFrom(oracle, services.kafkaBrokers, db, ['public.items'], records);
      const f = exactlyOnceFindings(records);
      if (f.duplicates.length > 0) log(`duplicates (first 20): ${JSON.stringify(f.duplicates.slice(0, 20))}`);
      exactlyOnce = { events: f.events, tombstones: f.tombstones, duplicates: f.duplicates.length, details: f.duplicates.slice(0, 50), tombstoneProblems: f.tombstoneProblems.slice(0, 50) };
    }
    return { snapshotKills, rowMoves, walsenderKills, writes, ...(exactlyOnce ? { exactlyOnce } : {}), seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    await writer.stop().catch(() => 0);
    await worker.kill('SIGKILL');
    await oracle?.close();
    await dropDatabase(services, o.name);
  }
}

/** While the worker is down: one way of moving rows between heap blocks, chosen at random. */
async function moveRows(db: pg.ClientConfig, random: () => number): Promise<string> {
  const r = random();
  return withClient(db, async (c) => {
    if (r < 0.3) {
      await c.query(`DELETE FROM items WHERE id % 13 = $1`, [Math.floor(random() * 13)]);
      await c.query(`VACUUM FULL items`);
      return 'VACUUM FULL';
    }
    if (r < 0.5) {
      await c.query(`CLUSTER items USING ${random() < 0.5 ? 'items_scramble' : 'items_pkey'}`);
      return 'CLUSTER';
    }
    // free space early in the table, then updates whose new versions land there (some TOAST-unchanged)
    await c.query(`DELETE FROM items WHERE id < (SELECT max(id) / 3 FROM items) AND id % 5 = $1`, [Math.floor(random() * 5)]);
    await c.query(`VACUUM items`);
    await c.query(`UPDATE items SET version = version + 1 WHERE id > (SELECT max(id) / 2 FROM items) AND (id % 100 = 0 OR id % 11 = $1)`, [Math.floor(random() * 11)]);
    return 'updates into freed space';
  });
}

/** Serial small transactions on `items` (version counts updates) until stopped. */
class VersionedWrites {
  private committed = 0;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly db: pg.ClientConfig, private readonly random: () => number, private nextId: number) {}

  start(): void {
    this.running = (async () => {
      const c = new pg.Client(this.db);
      c.on('error', () => {});
      await c.connect();
      try {
        while (!this.stopping) {
          const r = this.random();
          const id = 1 + Math.floor(this.random() * this.nextId);
          if (r < 0.3) await c.query(`INSERT INTO items VALUES ($1::int, 0, md5($1::int::text))`, [++this.nextId]);
          else if (r < 0.85) await c.query(`UPDATE items SET version = version + 1 WHERE id = $1`, [id]);
          else await c.query(`DELETE FROM items WHERE id = $1`, [id]);
          this.committed++;
          await sleep(5);
        }
      } finally {
        await c.end().catch(() => {});
      }
    })();
  }

  async stop(): Promise<number> {
    this.stopping = true;
    await this.running;
    this.running = null;
    return this.committed;
  }
}
