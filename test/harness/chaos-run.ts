import pg from 'pg';
import { openKafka } from '../../src/kafka/client.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';
import { eventually, testConnectorConfig, topicPrefixFor } from './connector.js';
import { dropDatabase, freshDatabase, withClient } from './database.js';
import { committedOffset } from './committed-offset.js';
import { connectorTopics, copyBuiltFrom, copyEqualsSource, exactlyOnceFindings, readCommitted, type Duplicate } from './eos-checks.js';
import { PgOracle } from './pg-oracle.js';
import type { TestServices } from './services.js';
import { TopicEnds } from './topic-ends.js';
import type { DecodedRecord } from './topics.js';
import { WorkerProcess } from './worker-process.js';

/**
 * kill -9 chaos on the shared stack, shared by test/integration/fault-kill.test.ts (a few kills)
 * and scripts/chaos.ts (many): a real worker process is SIGKILLed at seeded random moments while
 * small transactions keep committing, some kills land in the middle of delivering a large
 * transaction. After every kill: confirmed_flush_lsn <= the stored offset's flush LSN. At the end:
 * the copy rebuilt by the reference loader equals the source, and no event the stored offset
 * covered at a kill was sent again after it.
 *
 * With `exactlyOnce` (issue 17, test/integration/fault-kill-eos.test.ts) the connector writes Kafka
 * transactions, alternating transaction.boundary=poll and =interval between restarts, and kills also
 * land while a Kafka transaction is open and right after one committed. Then a read_committed read of
 * every topic of the connector must hold each change once (no duplicate, no resent event), each
 * delete followed by exactly one tombstone, and the loader's copy built from exactly those records
 * must equal the source (no gap).
 */
export interface ChaosOptions {
  name: string;
  seed: number;
  kills: number;
  /** stop killing after this long (the kills done so far are checked) */
  maxSeconds: number;
  /** rows of each large transaction */
  bigTxRows: number;
  /** exactly.once.support=required */
  exactlyOnce?: boolean;
  log?: (line: string) => void;
}

export interface ChaosResult {
  kills: number;
  midTransactionKills: number;
  /** kills by the moment aimed at */
  killMoments: Record<string, number>;
  /** kills that left a Kafka transaction open (its records written, not committed) */
  openTransactionKills: number;
  smallTransactions: number;
  largeTransactions: number;
  resentEvents: number;
  /** change events a read_committed consumer reads at the end */
  events: number;
  /** identities read more than once (expected under at-least-once; 0 under exactly-once) */
  duplicates: number;
  /** under exactly-once: the first 50 duplicates, where each copy is */
  duplicateDetails: Duplicate[];
  tombstoneProblems: string[];
  seconds: number;
}

/** mulberry32: a tiny seeded generator, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface KillRecord {
  /** end offset of the topic once the killed process was gone: later records come from later runs */
  topicEnd: bigint;
  stored: Record<string, unknown> | undefined;
}

type KillMoment = 'streaming' | 'large transaction' | 'open transaction' | 'after commit';
// at-least-once alternates as before (seeds replay the same runs); exactly-once adds the transaction edges
const AT_LEAST_ONCE_MOMENTS: KillMoment[] = ['streaming', 'large transaction'];
const EXACTLY_ONCE_MOMENTS: KillMoment[] = ['streaming', 'large transaction', 'open transaction', 'after commit'];

export async function runChaos(services: TestServices, o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => {});
  const random = seededRandom(o.seed);
  const started = Date.now();
  const db = await freshDatabase(services, o.name);
  const prefix = topicPrefixFor(o.name);
  const topic = `${prefix}.public.items`;
  const offsetTopic = `pgcdc-test-offsets-${prefix}`;
  const offsets = new KafkaOffsetStore(openKafka({ clientId: 'pgcdc-chaos', brokers: services.kafkaBrokers }), offsetTopic);
  const offsetKey = KafkaOffsetStore.key(o.name, prefix);
  const config = testConnectorConfig(db, services, o.name, { 'max.batch.size': '500', 'offset.flush.interval.ms': '100', ...(o.exactlyOnce ? { 'exactly.once.support': 'required' } : {}) });
  // under exactly-once every other run commits on an interval instead of per batch (same transactional.id)
  const runConfig = (run: number) => (o.exactlyOnce && (run + Math.floor(run / 4)) % 2 === 1 ? { ...config, 'transaction.boundary': 'interval', 'transaction.boundary.interval.ms': '300' } : config);
  const moments = o.exactlyOnce ? EXACTLY_ONCE_MOMENTS : AT_LEAST_ONCE_MOMENTS;
  const ends = new TopicEnds(services.kafkaBrokers);
  let worker = new WorkerProcess(services, runConfig(0), offsetTopic);
  let oracle: PgOracle | undefined;
  const writer = new SmallWrites(db, random);
  const kills: KillRecord[] = [];
  const killMoments: Record<string, number> = {};
  let openTransactionKills = 0;
  let largeTransactions = 0;
  try {
    await withClient(db, (c) => c.query(`CREATE TABLE items (id int PRIMARY KEY, v text NOT NULL, n int NOT NULL DEFAULT 0)`));
    await offsets.start();
    worker.start();
    // the worker's output is added when a wait fails (a message built before waiting would show none of it)
    const withOutput = (err: unknown) => {
      throw new Error(`${(err as Error).message}; worker output:\n${worker.output.slice(-3000)}`);
    };
    const failed = (when: string) => {
      if (worker.output.includes('"connector failed"')) throw new Error(`the connector failed ${when}`);
    };
    await eventually(async () => (failed('at its first start'), (await slotConfirmed(db, config['slot.name'] as string)) !== null), 'the slot to be created', 60_000).catch(withOutput);
    oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: o.name, topicPrefix: prefix });
    writer.start();

    let bigId = 1_000_000;
    while (kills.length < o.kills && Date.now() - started < o.maxSeconds * 1000) {
      // the restarted worker first resumes streaming (new records are committed to the topic), so no
      // kill is wasted on start-up; under exactly-once its fencing aborts the killed run's open
      // transaction before it streams, which also moves the committed end
      await eventually(() => (failed(`after kill ${kills.length}`), worker.output.includes('"streaming starts"')), `the worker to start streaming after kill ${kills.length}`, 60_000).catch(withOutput);
      const resumedFrom = await ends.committed(topic);
      await eventually(async () => (await ends.committed(topic)) > resumedFrom, `the worker to resume after kill ${kills.length}`, 60_000).catch(withOutput);
      const moment = moments[kills.length % moments.length]!;
      if (moment === 'large transaction') {
        // a large transaction, then the kill somewhere inside its delivery
        const from = await ends.committed(topic);
        await withClient(db, (c) => c.query(`INSERT INTO items SELECT g, 'big ' || g || repeat('x', 80), 0 FROM generate_series($1::int, $2::int) g`, [bigId, bigId + o.bigTxRows - 1]));
        bigId += o.bigTxRows;
        largeTransactions++;
        const part = BigInt(Math.floor(o.bigTxRows * (0.1 + random() * 0.5)));
        await eventually(async () => (await ends.committed(topic)) >= from + part, `part of the large transaction to reach Kafka`, 60_000).catch(withOutput);
      } else if (moment === 'open transaction') {
        // records of a Kafka transaction written, its commit not yet
        await sleep(random() * 1000);
        await poll(async () => (await ends.written(topic)) > (await ends.committed(topic)), 'a Kafka transaction to be open', 30_000).catch(withOutput);
      } else if (moment === 'after commit') {
        // a commit has just become visible: the LSN it covers is not confirmed to the slot yet
        await sleep(random() * 1000);
        const before = await ends.committed(topic);
        await poll(async () => (await ends.committed(topic)) > before, 'a Kafka transaction to commit', 30_000).catch(withOutput);
      } else {
        await sleep(200 + random() * 2500);
      }
      const exit = await worker.kill('SIGKILL');
      if (exit !== null) throw new Error(`the worker had exited by itself (code ${exit}) before kill ${kills.length + 1}:\n${worker.output.slice(-3000)}`);
      await sleep(300); // requests the dead process already sent may still be appended
      const stored = await committedOffset(services.kafkaBrokers, ends, offsetTopic, offsetKey);
      const confirmed = await slotConfirmed(db, config['slot.name'] as string);
      const flush = stored ? BigInt(stored.pgcdc_flush_lsn as string) : 0n;
      if (confirmed !== null && stored && confirmed > flush) throw new Error(`kill ${kills.length + 1}: confirmed_flush_lsn ${confirmed} passed the stored offset's flush LSN ${flush}`);
      // everything the killed run wrote (committed or not) is before the high watermark; later runs write after it
      const written = await ends.written(topic);
      const openTx = written > (await ends.committed(topic));
      if (openTx) openTransactionKills++;
      kills.push({ topicEnd: written, stored });
      killMoments[moment] = (killMoments[moment] ?? 0) + 1;
      const boundary = String(runConfig(kills.length - 1)['transaction.boundary'] ?? (o.exactlyOnce ? 'poll' : 'none'));
      log(`kill ${kills.length} (${moment}${o.exactlyOnce ? `, boundary ${boundary}${openTx ? ', a Kafka transaction left open' : ''}` : ''}): stored ${stored ? `tx ${stored.txId} ${stored.pgcdc_tx_changes} changes${stored.pgcdc_tx_complete ? '' : ' (mid-transaction)'}` : 'nothing yet'}, confirmed ${confirmed} <= flush ${flush}`);
      worker = new WorkerProcess(services, runConfig(kills.length), offsetTopic);
      worker.start();
    }
    const smallTransactions = await writer.stop();
    const converged = o.exactlyOnce ? copyEqualsSource(oracle, db, ['public.items'], 300_000) : oracle.converge(db, ['public.items'], 300_000);
    await converged.catch((err) => {
      throw new Error(`${(err as Error).message}\nworker output:\n${worker.output.slice(-3000)}`);
    });
    await worker.kill('SIGTERM');
    const records = await readCommitted(services.kafkaBrokers, services.registryUrl, await connectorTopics(services.kafkaBrokers, prefix));
    if (o.exactlyOnce) await copyBuiltFrom(oracle, services.kafkaBrokers, db, ['public.items'], records);
    const resentEvents = checkResends(records.filter((r) => r.topic === topic), kills);
    const findings = exactlyOnceFindings(records);
    if (o.exactlyOnce && findings.duplicates.length > 0) log(`duplicates (first 20): ${JSON.stringify(findings.duplicates.slice(0, 20))}`);
    return {
      kills: kills.length,
      midTransactionKills: kills.filter((k) => k.stored && k.stored.pgcdc_tx_complete === false).length,
      killMoments,
      openTransactionKills,
      smallTransactions,
      largeTransactions,
      resentEvents,
      events: findings.events,
      duplicates: findings.duplicates.length,
      duplicateDetails: o.exactlyOnce ? findings.duplicates.slice(0, 50) : [], // at-least-once: resends, allowed
      tombstoneProblems: findings.tombstoneProblems.slice(0, 50),
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await writer.stop().catch(() => 0);
    await worker.kill('SIGKILL');
    await oracle?.close();
    await offsets.stop();
    await ends.close();
    await dropDatabase(services, o.name);
  }
}

/** Polls `check` back to back (no pause: the moment it turns true is the moment wanted), up to the timeout. */
async function poll(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

/**
 * No event covered by the offset stored at a kill appears again among the records written after it;
 * returns how many events after a kill repeat one from before it (at-least-once resends).
 */
function checkResends(records: DecodedRecord[], kills: KillRecord[]): number {
  const changes = records.filter((r) => r.value !== null);
  let resent = 0;
  for (const [i, kill] of kills.entries()) {
    if (!kill.stored || kill.stored.txId === null || kill.stored.txId === undefined) continue;
    const before = changes.filter((r) => BigInt(r.offset) < kill.topicEnd);
    const covered = coveredBy(before, kill.stored);
    const seen = new Set(before.map(identity));
    for (const r of changes.filter((x) => BigInt(x.offset) >= kill.topicEnd && (kills[i + 1] === undefined || BigInt(x.offset) < kills[i + 1]!.topicEnd))) {
      const id = identity(r);
      if (covered.has(id)) throw new Error(`kill ${i + 1}: event ${id} (Kafka offset ${r.offset}) was sent again although the stored offset (tx ${kill.stored.txId}, ${kill.stored.pgcdc_tx_changes} changes) covered it`);
      if (seen.has(id)) resent++;
    }
  }
  return resent;
}

const identity = (r: DecodedRecord) => `${r.value!.source.lsn}|${r.value!.op}|${JSON.stringify(r.key)}`;

/**
 * Identities of the changes the stored offset covers: every transaction delivered before its
 * transaction (earlier in the topic), and that transaction's first `pgcdc_tx_changes` distinct
 * changes (all of them when complete), in delivery order.
 */
function coveredBy(records: DecodedRecord[], stored: Record<string, unknown>): Set<string> {
  const txId = Number(stored.txId);
  const firstOfTx = records.findIndex((r) => Number(r.value!.source.txId) === txId);
  const out = new Set(records.slice(0, firstOfTx < 0 ? records.length : firstOfTx).map(identity));
  const ofTx = [...new Set(records.filter((r) => Number(r.value!.source.txId) === txId).map(identity))];
  for (const id of stored.pgcdc_tx_complete ? ofTx : ofTx.slice(0, Number(stored.pgcdc_tx_changes))) out.add(id);
  return out;
}

export async function slotConfirmed(db: pg.ClientConfig, slot: string): Promise<bigint | null> {
  return withClient(db, async (c) => {
    const r = await c.query(`SELECT (confirmed_flush_lsn - '0/0')::text AS pos FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
    return r.rows[0]?.pos ? BigInt(r.rows[0].pos) : null;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Serial small transactions (inserts, updates, deletes of 1-3 rows) until stopped. */
class SmallWrites {
  private committed = 0;
  private running: Promise<void> | null = null;
  private stopping = false;
  private nextId = 1;

  constructor(private readonly db: pg.ClientConfig, private readonly random: () => number) {}

  start(): void {
    this.running = (async () => {
      const c = new pg.Client(this.db);
      await c.connect();
      try {
        while (!this.stopping) {
          const r = this.random();
          const id = 1 + Math.floor(this.random() * Math.max(1, this.nextId - 1));
          if (r < 0.5 || this.nextId < 10) {
            const first = this.nextId;
            this.nextId += 1 + Math.floor(this.random() * 3);
            await c.query(`INSERT INTO items SELECT g, 'small ' || g, 0 FROM generate_series($1::int, $2::int) g`, [first, this.nextId - 1]);
          } else if (r < 0.85) await c.query(`UPDATE items SET n = n + 1, v = v || '+' WHERE id = $1`, [id]);
          else await c.query(`DELETE FROM items WHERE id = $1`, [id]);
          this.committed++;
          await sleep(10);
        }
      } finally {
        await c.end();
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
