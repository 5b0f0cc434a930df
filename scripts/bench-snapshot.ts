/**
 * Snapshot benchmark: how fast pgcdc copies an existing table into Kafka (op=r events), and how much
 * memory it needs, with 1 and with several snapshot workers.
 *
 *   node dist/scripts/bench-snapshot.js                      run (see the env settings below)
 *   node dist/scripts/bench-snapshot.js --summarize F...     top self-time functions of .cpuprofile files
 *
 * Issue: "Rows/s for a 5M-row table of about 150-byte rows with 1 and with 4 workers, and peak RSS.
 * Target: at least 150,000 rows/s and under 300 MB RSS."
 *
 * Setup: database `pgcdc_bench_snap`, table `bench` (id bigint pk, a int, b text of BENCH_TEXT_BYTES,
 * c timestamptz, d numeric(12,2): ~150 bytes a row on disk), VACUUM (FREEZE, ANALYZE), a publication.
 * The table is reused by later runs when BENCH_KEEP_DB=1 left it with the same row count and shape.
 * Then, as references for the source side (the table is also warmed into the page cache by them):
 *   - SELECT count(*) (heap scan only), server-side COPY bench TO '/dev/null' (scan + output functions),
 *   - psql \copy (SELECT * FROM bench) TO /dev/null (plus libpq transport), also 4 of them in parallel
 *     over ctid ranges, the way pgcdc's workers split a table,
 *   - node-postgres DECLARE CURSOR + FETCH <snapshot.fetch.size> with rowMode array and raw text, the
 *     read path of pgcdc's snapshot workers without conversion, Avro or Kafka.
 * Per worker count in BENCH_SNAPSHOT_THREADS: a fresh connector name, slot and topic prefix, snapshot.mode
 * initial_only; pgcdc runs as a child process (`node dist/src/cli.js run <connector.json>`). It is done
 * when the offset topic holds snapshot_completed for that connector: the time of that record (its
 * Kafka timestamp, set by the producer) minus the spawn time is the end-to-end snapshot time. The
 * child's RSS (VmRSS, VmHWM) and CPU time, the CPU of its PostgreSQL backends and of the Kafka broker
 * are read from /proc every BENCH_SAMPLE_MS. Each run also records the average key/value size of the
 * first records in the topic, a hash of the compiled connector (dist/src: others may recompile it
 * between runs) and a fixed JS workload's time (this shared VM's speed drifts between runs). Slot,
 * topic and registry subjects are removed afterwards.
 *
 * Env: BENCH_SNAPSHOT_ROWS (5000000), BENCH_SNAPSHOT_THREADS (1,4), BENCH_TEXT_BYTES (100: length of
 * column b), BENCH_SNAPSHOT_FETCH_SIZE / BENCH_SNAPSHOT_CHUNK_ROWS (unset: the connector defaults),
 * BENCH_PROFILE (0 | 1: child runs with --cpu-prof, summary printed), BENCH_SKIP_SOURCE (0 | 1: skip
 * the source-limit reads), BENCH_TIMEOUT_S (540, per pgcdc run), BENCH_KEEP_DB (0 | 1: keep the
 * database for the next run), BENCH_REBUILD (0 | 1: rebuild the table even when it matches),
 * BENCH_KEEP (0 | 1: also keep topics and the offset topic; slots are always dropped), BENCH_SAMPLE_MS
 * (200), BENCH_OUT_DIR (bench-results), BENCH_QUIET_WAIT_S (60: wait for other load to end),
 * BENCH_NODE_OPTIONS (extra node flags for the child), PGHOST/PGPORT/PGUSER/PGPASSWORD,
 * PGCDC_KAFKA_BROKERS, BENCH_REGISTRY_URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import pg from 'pg';
import { formatConfigIssues, validateConnectorConfig } from '../src/config/index.js';
import { KafkaOffsetStore } from '../src/offsets/offset-store.js';
import { rawTextClientConfig } from '../src/postgres/connection.js';
import {
  CLK_TCK, ROOT, dropSlotIfExists, flagEnv, fmtInt, intEnv, intListEnv, kafkaPid, log, mb, now, pct, printProfile, readCpu,
  readMachineCpu, readProc, round, sh, sleep, summarizeProfile, tail, waitExit, waitForQuiet, withClient, type ProfileRow,
} from './bench/common.js';

// ---------------------------------------------------------------------------------------------- settings

const env = process.env;
const optionalInt = (name: string): number | null => (env[name] ? intEnv(name, 0) || null : null);

const S = {
  rows: intEnv('BENCH_SNAPSHOT_ROWS', 5_000_000),
  threads: intListEnv('BENCH_SNAPSHOT_THREADS', [1, 4]),
  textBytes: intEnv('BENCH_TEXT_BYTES', 100),
  fetchSize: optionalInt('BENCH_SNAPSHOT_FETCH_SIZE'),
  chunkRows: optionalInt('BENCH_SNAPSHOT_CHUNK_ROWS'),
  profile: flagEnv('BENCH_PROFILE'),
  skipSource: flagEnv('BENCH_SKIP_SOURCE'),
  timeoutMs: intEnv('BENCH_TIMEOUT_S', 540) * 1000,
  keepDb: flagEnv('BENCH_KEEP_DB'),
  rebuild: flagEnv('BENCH_REBUILD'),
  keep: flagEnv('BENCH_KEEP'),
  sampleMs: Math.max(20, intEnv('BENCH_SAMPLE_MS', 200)),
  quietWaitMs: intEnv('BENCH_QUIET_WAIT_S', 60) * 1000,
  outDir: resolve(ROOT, env.BENCH_OUT_DIR ?? 'bench-results'),
  childNodeOptions: (env.BENCH_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean),
  pgHost: env.PGHOST ?? '127.0.0.1',
  pgPort: intEnv('PGPORT', 5432),
  pgUser: env.PGUSER ?? 'postgres',
  pgPassword: env.PGPASSWORD ?? '',
  brokers: (env.PGCDC_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  registryUrl: env.BENCH_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
};

const TARGET_ROWS_PER_S = 150_000;
const TARGET_RSS_MB = 300;
const DB = 'pgcdc_bench_snap';
const TABLE = 'bench';
const PUB = 'pgcdc_bench_snap_pub';
const OFFSET_TOPIC = 'pgcdc-bench-snap-offsets';
const DEFAULT_FETCH_SIZE = 10240; // snapshot.fetch.size default (src/config/keys-values.ts)
const DEFAULT_CHUNK_ROWS = 100000; // snapshot.chunk.rows default
const TABLE_VERSION = 1; // bump when the table definition below changes, so a kept table is rebuilt

/** consumer groups this run created (offset watcher, record-size sampler): deleted at the end */
const GROUPS: string[] = [];
const groupId = (what: string) => {
  const id = `pgcdc-bench-snap-${what}-${process.pid}-${Date.now()}`;
  GROUPS.push(id);
  return id;
};

const pgConfig = (database: string): pg.ClientConfig => ({ host: S.pgHost, port: S.pgPort, user: S.pgUser, password: S.pgPassword, database });
const dbSettings = { host: S.pgHost, port: S.pgPort, user: S.pgUser, password: S.pgPassword || null, dbname: DB, sslmode: 'disable' as const };

// ---------------------------------------------------------------------------------------------- table

interface TableInfo {
  rows: number;
  textBytes: number;
  reused: boolean;
  buildSeconds: number | null;
  heapMb: number;
  totalMb: number;
  blocks: number;
  avgRowBytes: number; // pg_column_size of the whole row (tuple data + header), sampled
  avgRowBytesOnPage: number; // heap size / rows (includes line pointers and free space)
}

function tableMarker(): string {
  return JSON.stringify({ v: TABLE_VERSION, rows: S.rows, textBytes: S.textBytes });
}

/** Creates (or reuses) the benchmark table; VACUUM FREEZE so no run pays for hint bits. */
async function prepareTable(): Promise<TableInfo> {
  const marker = tableMarker();
  let reused = false;
  let buildSeconds: number | null = null;
  const exists = await withClient(pgConfig('postgres'), async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB])).rowCount === 1);
  if (exists && !S.rebuild) {
    reused = await withClient(pgConfig(DB), async (c) => {
      const r = await c.query(`SELECT obj_description(to_regclass('public.${TABLE}'), 'pg_class') AS m, (SELECT count(*) FROM pg_publication WHERE pubname = $1)::int AS pubs`, [PUB]);
      return r.rows[0]?.m === marker && r.rows[0]?.pubs === 1;
    });
  }
  if (!reused) {
    log(`building ${DB}.${TABLE}: ${fmtInt(S.rows)} rows, b ${S.textBytes} chars`);
    await withClient(pgConfig('postgres'), async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${DB}`);
    });
    const t0 = now();
    await withClient(pgConfig(DB), async (c) => {
      await c.query('SET synchronous_commit = off');
      await c.query('SET maintenance_work_mem = \'512MB\'');
      await c.query(`CREATE TABLE ${TABLE} (id bigint NOT NULL, a int NOT NULL, b text NOT NULL, c timestamptz NOT NULL, d numeric(12,2) NOT NULL)`);
      const md5s = Math.ceil(S.textBytes / 32);
      const text = md5s <= 8
        ? `left(${Array.from({ length: Math.max(1, md5s) }, (_, i) => `md5((g * ${2 * i + 1})::text)`).join(' || ')}, ${S.textBytes})`
        : `left(repeat(md5(g::text), ${md5s}), ${S.textBytes})`;
      // in steps of 1M rows, so the progress shows and no single statement runs for minutes
      const step = 1_000_000;
      for (let from = 1; from <= S.rows; from += step) {
        const to = Math.min(S.rows, from + step - 1);
        await c.query(
          `INSERT INTO ${TABLE} SELECT g, (g % 1000003)::int, ${text},
                  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', ((g * 37) % 10000000) / 100.0
             FROM generate_series($1::bigint, $2::bigint) g`,
          [from, to],
        );
        if (S.rows > step) log(`  ${fmtInt(to)} rows`);
      }
      await c.query(`ALTER TABLE ${TABLE} ADD PRIMARY KEY (id)`);
      await c.query(`VACUUM (FREEZE, ANALYZE) ${TABLE}`);
      await c.query(`CREATE PUBLICATION ${PUB} FOR TABLE ${TABLE}`);
      await c.query(`COMMENT ON TABLE ${TABLE} IS '${marker}'`);
    });
    buildSeconds = round((now() - t0) / 1000, 1);
    log(`  built in ${buildSeconds} s`);
  } else log(`reusing ${DB}.${TABLE} (${fmtInt(S.rows)} rows; BENCH_REBUILD=1 rebuilds it)`);
  return withClient(pgConfig(DB), async (c) => {
    const r = await c.query(
      `SELECT pg_relation_size('${TABLE}')::float8 AS heap, pg_total_relation_size('${TABLE}')::float8 AS total,
              (pg_relation_size('${TABLE}') / current_setting('block_size')::int)::int AS blocks,
              (SELECT avg(pg_column_size(t.*))::float8 FROM ${TABLE} t TABLESAMPLE SYSTEM (1) REPEATABLE (1)) AS avg_row`,
    );
    const x = r.rows[0];
    return {
      rows: S.rows,
      textBytes: S.textBytes,
      reused,
      buildSeconds,
      heapMb: round(x.heap / 1048576),
      totalMb: round(x.total / 1048576),
      blocks: x.blocks,
      avgRowBytes: round(x.avg_row ?? NaN),
      avgRowBytesOnPage: round(x.heap / S.rows),
    };
  });
}

async function dropDatabase(): Promise<void> {
  await withClient(pgConfig('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`));
}

// ---------------------------------------------------------------------------------------------- source limits

interface SourceRef {
  name: string;
  what: string;
  seconds: number;
  rowsPerS: number;
  clientCpuS: number | null;
}

function runPsqlCopy(select: string): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', S.pgHost, '-p', String(S.pgPort), '-U', S.pgUser, '-d', DB, '-c', `\\copy (${select}) TO '/dev/null'`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...env, PGPASSWORD: S.pgPassword, PGOPTIONS: '-c DateStyle=ISO -c TimeZone=UTC -c extra_float_digits=3' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, done: new Promise((r) => child.once('exit', (code) => r({ code, stderr }))) };
}

async function timePsql(selects: string[]): Promise<{ seconds: number; cpuS: number }> {
  const t0 = now();
  const runs = selects.map(runPsqlCopy);
  const cpu = new Map<number, number>();
  let finished = false;
  const all = Promise.all(runs.map((r) => r.done)).then((x) => ((finished = true), x));
  while (!finished) {
    for (const r of runs) {
      const c = readCpu(r.child.pid);
      if (c !== null) cpu.set(r.child.pid!, c);
    }
    await Promise.race([sleep(50), all]);
  }
  const results = await all;
  const seconds = (now() - t0) / 1000;
  const bad = results.find((r) => r.code !== 0);
  if (bad) throw new Error(`psql \\copy failed: ${bad.stderr.trim()}`);
  return { seconds, cpuS: [...cpu.values()].reduce((a, b) => a + b, 0) };
}

/** The read path of a pgcdc snapshot worker without conversion: one cursor, FETCH n, rows as arrays of raw text. */
async function timeNodeFetch(fetchSize: number): Promise<{ seconds: number; cpuS: number; rows: number }> {
  const c = new pg.Client(rawTextClientConfig(dbSettings));
  await c.connect();
  try {
    const cpu0 = process.cpuUsage();
    const t0 = now();
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await c.query(`DECLARE bench_ref NO SCROLL CURSOR FOR SELECT id, a, b, c, d FROM ${TABLE} WHERE ctid >= '(0,0)'::tid`);
    let rows = 0;
    for (;;) {
      const res = await c.query({ text: `FETCH ${fetchSize} FROM bench_ref`, rowMode: 'array' });
      rows += res.rows.length;
      if (res.rows.length < fetchSize) break;
    }
    await c.query('COMMIT');
    const seconds = (now() - t0) / 1000;
    const u = process.cpuUsage(cpu0);
    return { seconds, cpuS: (u.user + u.system) / 1e6, rows };
  } finally {
    await c.end().catch(() => {});
  }
}

async function measureSource(t: TableInfo): Promise<SourceRef[]> {
  const refs: SourceRef[] = [];
  const add = (name: string, what: string, seconds: number, clientCpuS: number | null) => {
    refs.push({ name, what, seconds: round(seconds, 2), rowsPerS: Math.round(t.rows / seconds), clientCpuS: clientCpuS === null ? null : round(clientCpuS, 2) });
    log(`  ${name}: ${round(seconds, 2)} s, ${fmtInt(t.rows / seconds)} rows/s`);
  };
  log('source limits (also warm the page cache)');
  await withClient(pgConfig(DB), async (c) => {
    await c.query('SET max_parallel_workers_per_gather = 0');
    await c.query(`SELECT count(*) FROM ${TABLE}`); // warm-up, not timed
    await waitForQuiet(S.quietWaitMs);
    let t0 = now();
    await c.query(`SELECT count(*) FROM ${TABLE}`);
    add('SELECT count(*)', 'heap scan only, no output (parallel query off)', (now() - t0) / 1000, null);
    await c.query("SET DateStyle = ISO; SET TimeZone = 'UTC'; SET extra_float_digits = 3");
    t0 = now();
    await c.query(`COPY ${TABLE} TO '/dev/null'`);
    add("COPY bench TO '/dev/null' (server side)", 'scan + text output functions, no transport', (now() - t0) / 1000, null);
  });
  await waitForQuiet(S.quietWaitMs);
  let r = await timePsql([`SELECT * FROM ${TABLE}`]);
  add('psql \\copy (SELECT *) TO /dev/null', 'scan + output + libpq transport, 1 connection', r.seconds, r.cpuS);
  const n = 4;
  const per = Math.ceil(t.blocks / n);
  const ranges = Array.from({ length: n }, (_, i) =>
    i === n - 1 ? `ctid >= '(${i * per},0)'::tid` : `ctid >= '(${i * per},0)'::tid AND ctid < '(${(i + 1) * per},0)'::tid`);
  await waitForQuiet(S.quietWaitMs);
  r = await timePsql(ranges.map((w) => `SELECT * FROM ${TABLE} WHERE ${w}`));
  add(`${n} × psql \\copy in parallel (ctid ranges)`, `as above, ${n} connections over block ranges like pgcdc's chunks`, r.seconds, r.cpuS);
  await waitForQuiet(S.quietWaitMs);
  const fetchSize = S.fetchSize ?? DEFAULT_FETCH_SIZE;
  const f = await timeNodeFetch(fetchSize);
  if (f.rows !== t.rows) throw new Error(`node-postgres read ${f.rows} rows, expected ${t.rows}`);
  add(`node-postgres cursor FETCH ${fetchSize} (rowMode array, raw text)`, 'pgcdc\'s read path without conversion, Avro and Kafka; 1 connection', f.seconds, f.cpuS);
  return refs;
}

// ---------------------------------------------------------------------------------------------- offset topic

/**
 * Follows the offset topic from its start and records, per connector key, the Kafka timestamp of the
 * first record with snapshot_completed (the producer stamps it with its clock when sending).
 */
class OffsetWatcher {
  readonly completedAt = new Map<string, { ts: number; seenAt: number }>();
  private consumer?: Consumer;

  constructor(private readonly kafka: Kafka) {}

  async start(): Promise<void> {
    const store = new KafkaOffsetStore(this.kafka, OFFSET_TOPIC);
    await store.start(); // creates the compacted topic when missing, as the connector would
    await store.stop();
    this.consumer = this.kafka.consumer({ groupId: groupId('offsets') });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: OFFSET_TOPIC, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const key = message.key?.toString();
        if (!key || !message.value || this.completedAt.has(key)) return;
        try {
          const v = JSON.parse(message.value.toString()) as Record<string, unknown>;
          if (v.snapshot_completed === true) this.completedAt.set(key, { ts: Number(message.timestamp), seenAt: Date.now() });
        } catch {
          /* not ours */
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------- pgcdc

interface Sample {
  t: number; // seconds since spawn
  events: number; // topic high watermark
  rssMb: number;
  cpuS: number;
  pgCpuS: number; // CPU of the connector's PostgreSQL backends (snapshot workers, catalog, walsender)
}

interface PgcdcResult {
  threads: number;
  status: 'ok' | 'timeout' | 'crashed' | 'failed';
  failure: string | null;
  connector: string;
  slot: string;
  topic: string;
  expectedRows: number;
  deliveredEvents: number;
  duplicates: number;
  chunks: number | null;
  calibrationMs: number; // calibrate() just before the spawn
  distFingerprint: string; // hash of dist/src at spawn: others may recompile between runs
  recordBytes: { sampled: number; key: number; value: number } | null; // average sizes of the first records in the topic
  offsetVerified: boolean; // KafkaOffsetStore.read(key) returned snapshot_completed=true
  snapshotStartSeconds: number | null; // spawn → "snapshot starts" (start-up, Kafka, slot with exported snapshot, chunk plan)
  firstEventSeconds: number | null; // spawn → first event acknowledged (sampled)
  completedSeconds: number | null; // spawn → snapshot_completed record in the offset topic
  rowsPerS: number; // rows / completedSeconds (end to end, the headline)
  rowsPerSPhase: number; // rows / ("snapshot starts" → snapshot_completed)
  rowsPerSSteady: number; // between 10 % and 90 % of the events in Kafka (sampled)
  rowsPerSReported: number | null; // rows_per_second of pgcdc's "snapshot completed" log line
  peakRssMb: number; // VmHWM of the child
  peakRssSampledMb: number;
  cpuS: number; // child user + system time until snapshot_completed (sampled)
  cpuPerMillionRowsS: number;
  pgCpuS: number;
  kafkaCpuS: number | null;
  machineBusy: number; // share of all cores busy from spawn to snapshot_completed
  otherCpuS: number; // busy CPU not used by pgcdc, its backends or Kafka (other users, this sampler)
  busyBeforeStart: number;
  shutdownSeconds: number | null;
  exit: string;
  logFile: string;
  profile?: { file: string; totalMs: number; top: ProfileRow[]; byPackage: { name: string; selfMs: number; share: number }[] };
  samples: Sample[];
}

async function topicEnd(admin: Admin, topic: string, seen: { exists: boolean }): Promise<number> {
  try {
    if (!seen.exists) {
      if (!(await admin.listTopics()).includes(topic)) return 0;
      seen.exists = true;
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high), 0);
  } catch {
    return 0;
  }
}

function interpolateTime(samples: Sample[], target: number): number {
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.events >= target) {
      const p = samples[i - 1];
      if (!p || s.events === p.events) return s.t;
      return p.t + ((target - p.events) / (s.events - p.events)) * (s.t - p.t);
    }
  }
  return NaN;
}

/**
 * A fixed JS workload (objects, strings, JSON, Buffer writes: what pgcdc's hot path does), best of 3,
 * in ms. This shared VM's speed drifts by up to 1.5x between runs; the figure tells them apart.
 */
function calibrate(): number {
  let best = Infinity;
  const buf = Buffer.allocUnsafe(1 << 16);
  for (let k = 0; k < 3; k++) {
    const t0 = now();
    let acc = 0;
    for (let i = 0; i < 200_000; i++) {
      const o = { id: i, s: `row-${i}-${'x'.repeat(i % 50)}`, n: i * 1.5, ts: BigInt(i) * 1000n };
      const j = JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
      acc += buf.write(j, (i * 64) % 60000) + (JSON.parse(j) as { id: number }).id;
    }
    if (acc < 0) log('unreachable');
    best = Math.min(best, now() - t0);
  }
  return Math.round(best);
}

/** A short hash and the newest mtime of the compiled connector (dist/src), so a result names the code it ran. */
function distFingerprint(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const f = join(dir, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith('.js')) files.push(f);
    }
  };
  const dir = join(ROOT, 'dist/src');
  if (!existsSync(dir)) return 'missing';
  walk(dir);
  files.sort();
  const h = createHash('sha1');
  let newest = 0;
  for (const f of files) {
    h.update(f).update(readFileSync(f));
    newest = Math.max(newest, statSync(f).mtimeMs);
  }
  return `${h.digest('hex').slice(0, 10)} (compiled ${new Date(newest).toISOString().slice(0, 19)}Z)`;
}

/** Average key and value sizes of the first records of a topic (read from its start, up to `max`). */
async function sampleRecordBytes(kafka: Kafka, topic: string, max = 500): Promise<{ sampled: number; key: number; value: number } | null> {
  const consumer = kafka.consumer({ groupId: groupId('size') });
  let n = 0;
  let key = 0;
  let value = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolveDone) => {
      const timer = setTimeout(resolveDone, 15_000);
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            if (n >= max) break;
            n++;
            key += m.key?.length ?? 0;
            value += m.value?.length ?? 0;
          }
          if (n >= max) {
            clearTimeout(timer);
            resolveDone();
          }
        },
      });
    });
  } catch {
    /* sizes are informative only */
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return n > 0 ? { sampled: n, key: round(key / n), value: round(value / n) } : null;
}

async function deleteSubjects(topic: string): Promise<void> {
  for (const subject of [`${topic}-key`, `${topic}-value`]) {
    for (const permanent of [false, true]) {
      await fetch(`${S.registryUrl}/subjects/${encodeURIComponent(subject)}${permanent ? '?permanent=true' : ''}`, { method: 'DELETE' }).catch(() => {});
    }
  }
}

async function runPgcdc(threads: number, kafka: Kafka, watcher: OffsetWatcher, stamp: string, runId: string): Promise<PgcdcResult> {
  const id = `${runId}_t${threads}`;
  const prefix = `pgcdc_bench_snap_${id}`;
  const topic = `${prefix}.public.${TABLE}`;
  const name = `bench_snap_${id}`;
  const slot = `pgcdc_bench_snap_${id}`;
  const key = KafkaOffsetStore.key(name, prefix);
  const raw: Record<string, unknown> = {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': S.pgHost,
    'database.port': String(S.pgPort),
    'database.user': S.pgUser,
    'database.password': S.pgPassword,
    'database.dbname': DB,
    'topic.prefix': prefix,
    'plugin.name': 'pgoutput',
    'slot.name': slot,
    'publication.name': PUB,
    'publication.autocreate.mode': 'disabled',
    'table.include.list': `public.${TABLE}`,
    'snapshot.mode': 'initial_only',
    'snapshot.max.threads': String(threads),
    ...(S.fetchSize ? { 'snapshot.fetch.size': String(S.fetchSize) } : {}),
    ...(S.chunkRows ? { 'snapshot.chunk.rows': String(S.chunkRows) } : {}),
    'key.converter': 'io.confluent.connect.avro.AvroConverter',
    'key.converter.schema.registry.url': S.registryUrl,
    'value.converter': 'io.confluent.connect.avro.AvroConverter',
    'value.converter.schema.registry.url': S.registryUrl,
  };
  const checked = validateConnectorConfig({ ...raw, name });
  if (!checked.config) throw new Error(`benchmark connector config is invalid:\n${formatConfigIssues(checked.errors)}`);

  const tmpDir = join(S.outDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  const configFile = join(tmpDir, `${name}.json`);
  writeFileSync(configFile, JSON.stringify({ name, config: raw }, null, 2));
  const logFile = join(tmpDir, `${stamp}-snapshot-t${threads}-pgcdc.log`);
  const profDir = join(S.outDir, `prof-${stamp}-snapshot-t${threads}`);
  const nodeArgs = [...S.childNodeOptions];
  if (S.profile) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profDir}`);
  const cli = join(ROOT, 'dist/src/cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing; compile first (bash scripts/install.sh)`);

  const admin = kafka.admin();
  await admin.connect();
  const mon = new pg.Client(pgConfig('postgres'));
  await mon.connect();
  const kPid = kafkaPid();

  const busyBeforeStart = await waitForQuiet(S.quietWaitMs);
  const dist = distFingerprint();
  const calibrationMs = calibrate();
  log(`pgcdc snapshot of ${fmtInt(S.rows)} rows with ${threads} worker${threads > 1 ? 's' : ''} into ${topic}${S.profile ? ' (--cpu-prof)' : ''}; log: ${logFile}`);
  const out = createWriteStream(logFile);
  const m0 = readMachineCpu();
  const k0 = readCpu(kPid);
  const spawnEpoch = Date.now();
  const t0 = now();
  const child = spawn(process.execPath, [...nodeArgs, cli, 'run', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, PGCDC_KAFKA_BROKERS: S.brokers.join(','), PGCDC_OFFSET_TOPIC: OFFSET_TOPIC, PGCDC_LOG_LEVEL: env.PGCDC_LOG_LEVEL ?? 'info' },
  });
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  // pino lines: "snapshot starts", "snapshot completed" (with pgcdc's own rate), "connector failed"
  let failure: string | null = null;
  let startEpoch: number | null = null;
  let chunks: number | null = null;
  let reported: Record<string, unknown> | null = null;
  let doneLogged = false;
  let pendingLine = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (pendingLine + chunk.toString()).split('\n');
    pendingLine = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      let j: Record<string, unknown>;
      try {
        j = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (j.msg === 'snapshot starts') {
        startEpoch = Number(j.time);
        chunks = Number(j.chunks);
      } else if (j.msg === 'snapshot completed') reported = j.snapshot as Record<string, unknown>;
      else if (typeof j.msg === 'string' && j.msg.startsWith('snapshot.mode=initial_only')) doneLogged = true;
      else if (j.msg === 'connector failed' && !failure) failure = String(j.reason ?? line);
    }
  });
  let exitInfo: { code: number | null; signal: string | null } | null = null;
  child.once('exit', (code, signal) => (exitInfo = { code, signal }));

  const samples: Sample[] = [];
  const topicSeen = { exists: false };
  const pgPids = new Map<number, number>(); // backend pid → last CPU seconds
  let lastPidQuery = -1;
  let firstT: number | null = null;
  let peakSampled = 0;
  let lastHwm = 0;
  let lastProgressLog = 0;
  let cpuAtDone = 0;
  let pgCpuAtDone = 0;
  let kafkaAtDone: number | null = null;
  let machineAtDone = m0;
  let status: PgcdcResult['status'] = 'ok';
  let completed: { ts: number; seenAt: number } | undefined;
  const pgCpu = () => [...pgPids.values()].reduce((a, b) => a + b, 0);
  try {
    for (;;) {
      const t = (now() - t0) / 1000;
      if (exitInfo) {
        status = 'crashed';
        break;
      }
      if (failure) {
        status = 'failed';
        break;
      }
      if (t * 1000 > S.timeoutMs) {
        status = 'timeout';
        break;
      }
      const proc = readProc(child.pid);
      const events = await topicEnd(admin, topic, topicSeen);
      if (t - lastPidQuery >= 1) {
        lastPidQuery = t;
        const r = await mon.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [DB]).catch(() => ({ rows: [] as { pid: number }[] }));
        for (const { pid } of r.rows) if (!pgPids.has(pid)) pgPids.set(pid, 0);
      }
      for (const pid of pgPids.keys()) {
        const c = readCpu(pid);
        if (c !== null) pgPids.set(pid, c);
      }
      if (proc) {
        peakSampled = Math.max(peakSampled, proc.rssKb);
        lastHwm = Math.max(lastHwm, proc.hwmKb);
      }
      const st = (now() - t0) / 1000;
      samples.push({ t: round(st, 3), events, rssMb: mb(proc?.rssKb ?? 0), cpuS: proc?.cpuS ?? 0, pgCpuS: round(pgCpu(), 2) });
      if (firstT === null && events > 0) firstT = st;
      completed = watcher.completedAt.get(key);
      if (completed) {
        cpuAtDone = proc?.cpuS ?? 0;
        pgCpuAtDone = pgCpu();
        kafkaAtDone = readCpu(kPid);
        machineAtDone = readMachineCpu();
        samples.push({ t: round(st, 3), events: await topicEnd(admin, topic, topicSeen), rssMb: mb(proc?.rssKb ?? 0), cpuS: cpuAtDone, pgCpuS: round(pgCpuAtDone, 2) });
        break;
      }
      if (st - lastProgressLog >= 10) {
        lastProgressLog = st;
        log(`  t=${round(st)}s events=${fmtInt(events)}/${fmtInt(S.rows)} rss=${mb(proc?.rssKb ?? 0)}MB cpu=${proc?.cpuS ?? 0}s pg=${round(pgCpu())}s${startEpoch ? '' : ' (snapshot not started yet)'}`);
      }
      await sleep(Math.max(0, S.sampleMs - (now() - t0 - st * 1000)));
    }
    const final = readProc(child.pid);
    if (final) lastHwm = Math.max(lastHwm, final.hwmKb);
    if (!completed) {
      cpuAtDone = final?.cpuS ?? samples.at(-1)?.cpuS ?? 0;
      pgCpuAtDone = pgCpu();
      kafkaAtDone = readCpu(kPid);
      machineAtDone = readMachineCpu();
    }
    // the "not streaming" line follows the offset write; give it a moment so the log is complete
    for (let i = 0; i < 25 && completed && !doneLogged && !exitInfo; i++) await sleep(200);

    let shutdownSeconds: number | null = null;
    if (!exitInfo) {
      const ts = now();
      child.kill('SIGTERM');
      const r = await waitExit(child, 30_000);
      if (r.timedOut) {
        child.kill('SIGKILL');
        await waitExit(child, 5_000);
      } else shutdownSeconds = round((now() - ts) / 1000, 2);
    }
    const exit = exitInfo as { code: number | null; signal: string | null } | null;
    const exitText = exit ? (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`) : 'unknown';

    // verified with the connector's own reader, as a restarted connector would see it
    let offsetVerified = false;
    if (completed) {
      const stored = await new KafkaOffsetStore(kafka, OFFSET_TOPIC).read(key).catch(() => undefined);
      offsetVerified = stored?.snapshot_completed === true;
    }
    const delivered = await topicEnd(admin, topic, topicSeen);
    const recordBytes = delivered > 0 ? await sampleRecordBytes(kafka, topic) : null;
    const completedSeconds = completed ? (completed.ts - spawnEpoch) / 1000 : null;
    const startSeconds = startEpoch !== null ? (startEpoch - spawnEpoch) / 1000 : null;
    const t10 = interpolateTime(samples, S.rows * 0.1);
    const t90 = interpolateTime(samples, S.rows * 0.9);
    const busyCpuS = (machineAtDone.busy - m0.busy) / CLK_TCK;
    const kafkaCpuS = k0 !== null && kafkaAtDone !== null ? kafkaAtDone - k0 : null;
    const rep = reported as Record<string, unknown> | null;
    if (status === 'ok' && delivered < S.rows) status = 'failed';
    const result: PgcdcResult = {
      threads,
      status,
      failure: failure ?? (status === 'failed' && delivered < S.rows ? `only ${delivered} of ${S.rows} events in ${topic}` : null),
      connector: name,
      slot,
      topic,
      expectedRows: S.rows,
      deliveredEvents: delivered,
      duplicates: Math.max(0, delivered - S.rows),
      chunks,
      calibrationMs,
      distFingerprint: dist,
      recordBytes,
      offsetVerified,
      snapshotStartSeconds: startSeconds === null ? null : round(startSeconds, 2),
      firstEventSeconds: firstT === null ? null : round(firstT, 2),
      completedSeconds: completedSeconds === null ? null : round(completedSeconds, 2),
      rowsPerS: completedSeconds ? Math.round(S.rows / completedSeconds) : 0,
      rowsPerSPhase: completedSeconds && startSeconds !== null ? Math.round(S.rows / (completedSeconds - startSeconds)) : 0,
      rowsPerSSteady: t90 > t10 ? Math.round((S.rows * 0.8) / (t90 - t10)) : NaN,
      rowsPerSReported: rep && typeof rep.rows_per_second === 'number' ? rep.rows_per_second : null,
      peakRssMb: mb(lastHwm),
      peakRssSampledMb: mb(peakSampled),
      cpuS: round(cpuAtDone, 2),
      cpuPerMillionRowsS: round((cpuAtDone / S.rows) * 1e6, 2),
      pgCpuS: round(pgCpuAtDone, 2),
      kafkaCpuS: kafkaCpuS === null ? null : round(kafkaCpuS, 2),
      machineBusy: round((machineAtDone.busy - m0.busy) / Math.max(1, machineAtDone.total - m0.total), 3),
      otherCpuS: round(busyCpuS - cpuAtDone - pgCpuAtDone - (kafkaCpuS ?? 0), 2),
      busyBeforeStart,
      shutdownSeconds,
      exit: exitText,
      logFile,
      samples,
    };
    if (status !== 'ok') log(`pgcdc ${status}${result.failure ? `: ${result.failure}` : ''}; last log lines:\n${tail(logFile)}`);
    if (S.profile) {
      const files = existsSync(profDir) ? readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')) : [];
      if (files.length > 0) {
        const file = join(profDir, files[0]!);
        const s = summarizeProfile(file);
        result.profile = { file, totalMs: s.totalMs, top: s.top.slice(0, 30), byPackage: s.byPackage };
      } else log(`no .cpuprofile found in ${profDir}`);
    }
    return result;
  } finally {
    if (!exitInfo) child.kill('SIGKILL');
    out.end();
    // always: a slot left behind holds WAL, and the server has few of them
    await dropSlotIfExists(mon, slot).catch((err) => log(`WARNING: ${(err as Error).message}`));
    if (!S.keep) {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await deleteSubjects(topic);
    }
    await admin.disconnect().catch(() => {});
    await mon.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------- report

interface Report {
  meta: Record<string, unknown>;
  table: TableInfo | null;
  source: SourceRef[];
  runs: PgcdcResult[];
}

function printReport(r: Report): void {
  const m = r.meta;
  console.log(`\n## pgcdc snapshot benchmark (${m.date})\n`);
  console.log(`${m.cpu} ×${m.cores}, ${m.memGb} GB; node ${m.node}; ${m.postgres}; commit ${m.commit}${m.dirty ? ' (+ local changes in src/)' : ''}`);
  const fetch = S.fetchSize ?? DEFAULT_FETCH_SIZE;
  const chunk = S.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (r.table) {
    const t = r.table;
    console.log(`table ${DB}.${TABLE}: ${fmtInt(t.rows)} rows, ${fmtInt(t.avgRowBytes)} bytes/row (pg_column_size), heap ${fmtInt(t.heapMb)} MB (${t.avgRowBytesOnPage} bytes/row on disk), ${fmtInt(t.totalMb)} MB with index; ${t.reused ? 'reused' : `built in ${t.buildSeconds} s`}`);
  }
  console.log(`snapshot.fetch.size ${fmtInt(fetch)}, snapshot.chunk.rows ${fmtInt(chunk)}, Avro converters${S.profile ? '; PROFILED (--cpu-prof slows the child)' : ''}\n`);
  if (r.source.length > 0) {
    console.log('### Source limits (same table, page cache warm)\n');
    console.log('| reference | what it includes | time | rows/s | client CPU |');
    console.log('|---|---|---:|---:|---:|');
    for (const s of r.source) console.log(`| ${s.name} | ${s.what} | ${s.seconds} s | ${fmtInt(s.rowsPerS)} | ${s.clientCpuS === null ? '—' : `${s.clientCpuS} s`} |`);
    console.log('');
  }
  if (r.runs.length === 0) return;
  console.log('### pgcdc snapshot (snapshot.mode=initial_only)\n');
  const cols = r.runs.map((x) => `${x.threads} worker${x.threads > 1 ? 's' : ''}`);
  const row = (label: string, f: (x: PgcdcResult) => string) => console.log(`| ${label} | ${r.runs.map(f).join(' | ')} |`);
  const s = (v: number | null) => (v === null ? 'n/a' : `${v} s`);
  console.log(`| | ${cols.join(' | ')} |`);
  console.log(`|---|${cols.map(() => '---:').join('|')}|`);
  row('status', (x) => `${x.status}${x.failure ? ` — ${x.failure}` : ''} (${fmtInt(x.deliveredEvents)}/${fmtInt(x.expectedRows)} events${x.duplicates ? `, ${x.duplicates} duplicates` : ''}; ${x.chunks ?? '?'} chunks)`);
  row('offset topic: snapshot_completed (read back)', (x) => (x.offsetVerified ? 'yes' : 'NO'));
  row('Kafka record size, key / value (first records)', (x) => (x.recordBytes ? `${x.recordBytes.key} / ${x.recordBytes.value} bytes` : 'n/a'));
  row('compiled connector (dist/src)', (x) => x.distFingerprint);
  row('machine speed: fixed JS workload (lower = faster)', (x) => `${x.calibrationMs} ms`);
  row('spawn → "snapshot starts" (start-up, slot, plan)', (x) => s(x.snapshotStartSeconds));
  row('spawn → first event in Kafka (sampled)', (x) => s(x.firstEventSeconds));
  row('spawn → snapshot_completed offset', (x) => s(x.completedSeconds));
  row('**rows/s** (spawn → snapshot_completed)', (x) => `**${fmtInt(x.rowsPerS)}**`);
  row('rows/s, snapshot phase ("snapshot starts" → completed)', (x) => fmtInt(x.rowsPerSPhase));
  row('rows/s, steady (10 % → 90 % in Kafka)', (x) => fmtInt(x.rowsPerSSteady));
  row('rows/s as pgcdc logs it ("snapshot completed")', (x) => fmtInt(x.rowsPerSReported ?? NaN));
  row(`ratio to target ${fmtInt(TARGET_ROWS_PER_S)} rows/s`, (x) => pct(x.rowsPerS / TARGET_ROWS_PER_S));
  const psql1 = r.source.find((q) => q.name.startsWith('psql'));
  if (psql1) row('ratio to psql \\copy (1 connection)', (x) => pct(x.rowsPerS / psql1.rowsPerS));
  row('**peak RSS** (VmHWM)', (x) => `**${x.peakRssMb} MB**`);
  row(`ratio to RSS limit ${TARGET_RSS_MB} MB`, (x) => pct(x.peakRssMb / TARGET_RSS_MB));
  row('pgcdc CPU (user+sys) / per 1M rows', (x) => `${x.cpuS} s / ${x.cpuPerMillionRowsS} s`);
  row('pgcdc CPU share of wall time (1 core = 100 %)', (x) => (x.completedSeconds ? pct(x.cpuS / x.completedSeconds) : 'n/a'));
  row('PostgreSQL backends CPU / Kafka broker CPU', (x) => `${x.pgCpuS} s / ${x.kafkaCpuS ?? 'n/a'} s`);
  row(`machine busy (${cpus().length} cores = 100 %)`, (x) => pct(x.machineBusy));
  row('other CPU (other processes, sampler)', (x) => `${x.otherCpuS} s${x.busyBeforeStart > 0.25 ? ` (machine ${pct(x.busyBeforeStart)} busy before start!)` : ''}`);
  row('graceful stop (SIGTERM → exit)', (x) => `${x.shutdownSeconds ?? 'n/a'} s, ${x.exit}`);
  row('verdict', (x) => {
    const rate = x.status === 'ok' && x.rowsPerS >= TARGET_ROWS_PER_S ? 'rate OK' : 'rate BELOW target';
    const rss = x.peakRssMb < TARGET_RSS_MB ? 'RSS OK' : 'RSS OVER limit';
    return `${rate}; ${rss}`;
  });
  for (const x of r.runs) if (x.profile) printProfile(x.profile.file, 25);
}

// ---------------------------------------------------------------------------------------------- main

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--summarize') {
    if (argv.length < 2) {
      console.error('usage: bench-snapshot.js --summarize <file.cpuprofile>... [--top N]');
      return 2;
    }
    const topIdx = argv.indexOf('--top');
    const n = topIdx > 0 ? Number(argv[topIdx + 1]) : 10;
    for (const f of argv.slice(1).filter((a, i, all) => a !== '--top' && all[i - 1] !== '--top')) printProfile(f, n);
    return 0;
  }
  if (argv.length > 0) {
    console.error('usage: bench-snapshot.js [--summarize <file.cpuprofile>...]   (settings via BENCH_* env, see the file header)');
    return 2;
  }
  if (S.rows < 1) throw new Error('BENCH_SNAPSHOT_ROWS must be at least 1');

  const date = new Date();
  const stamp = date.toISOString().replace(/[:]/g, '').replace(/\..*$/, 'Z');
  const runId = date.getTime().toString(36);
  const pgVersion = await withClient(pgConfig('postgres'), async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);
  const meta = {
    date: date.toISOString(),
    cpu: cpus()[0]?.model ?? 'cpu',
    cores: cpus().length,
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: `PostgreSQL ${pgVersion}`,
    commit: sh('git rev-parse --short HEAD') || 'unknown',
    dirty: sh('git status --porcelain -- src') !== '',
    modifiedSrc: sh('git status --porcelain -- src').split('\n').filter(Boolean),
    settings: { ...S, pgPassword: undefined },
    targets: { rowsPerS: TARGET_ROWS_PER_S, rssMb: TARGET_RSS_MB },
  };
  const report: Report = { meta, table: null, source: [], runs: [] };
  const kafka = new Kafka({ clientId: 'pgcdc-bench', brokers: S.brokers, logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 100 } });
  const watcher = new OffsetWatcher(kafka);
  let interrupted = false;
  process.once('SIGINT', () => (interrupted = true));
  try {
    report.table = await prepareTable();
    const t = report.table;
    log(`table: ${fmtInt(t.rows)} rows, ${t.avgRowBytes} bytes/row, heap ${t.heapMb} MB, ${t.blocks} blocks`);
    if (!S.skipSource) report.source = await measureSource(t);
    await watcher.start();
    for (const threads of S.threads) {
      if (interrupted) break;
      const r = await runPgcdc(threads, kafka, watcher, stamp, runId);
      log(`  pgcdc ${threads} worker(s): ${r.status}, ${fmtInt(r.rowsPerS)} rows/s end to end (${fmtInt(r.rowsPerSPhase)} in the snapshot phase), peak RSS ${r.peakRssMb} MB, CPU ${r.cpuS} s`);
      report.runs.push(r);
    }
  } finally {
    await watcher.stop();
    const admin = kafka.admin();
    await admin.connect().catch(() => {});
    if (GROUPS.length > 0) await admin.deleteGroups(GROUPS).catch(() => {});
    if (!S.keep) await admin.deleteTopics({ topics: [OFFSET_TOPIC] }).catch(() => {});
    await admin.disconnect().catch(() => {});
    if (!S.keepDb) await dropDatabase().catch((err) => log(`WARNING: dropping ${DB}: ${(err as Error).message}`));
    if (report.table) {
      mkdirSync(S.outDir, { recursive: true });
      const file = join(S.outDir, `snapshot-${stamp}.json`);
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      printReport(report);
      console.log(`\nresults: ${file}`);
    }
  }
  const ok = report.runs.length === S.threads.length && report.runs.every((r) => r.status === 'ok' && r.offsetVerified);
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench-snapshot: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
