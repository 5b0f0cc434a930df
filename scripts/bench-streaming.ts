/**
 * Streaming benchmark: how fast pgcdc drains WAL into Kafka, and how much memory it needs.
 *
 *   node dist/scripts/bench-streaming.js                      run (see the env settings below)
 *   node dist/scripts/bench-streaming.js --summarize F...     top self-time functions of .cpuprofile files
 *
 * Per workload: a fresh database `pgcdc_bench`, table `bench`, publication and two pgoutput slots
 * created BEFORE the workload is written (so both see exactly the same WAL); then
 *   1. pg_recvlogical drains one slot to /dev/null (the source limit: walsender decoding + transport);
 *   2. pgcdc runs as a child process (`node dist/src/cli.js run <connector.json>`) on the other slot;
 *      it is done when the topic's high watermark reaches the expected event count (all events
 *      acknowledged by Kafka) and the slot's confirmed_flush_lsn reaches the WAL end of the workload.
 * The child's RSS (VmRSS, VmHWM) and CPU time are read from /proc every BENCH_SAMPLE_MS.
 *
 * Env: BENCH_ROWS (1000000), BENCH_TX_ROWS (10), BENCH_TEXT_BYTES (48: length of column b), BENCH_BIG_TX (0 | 1 | both: one transaction of
 * BENCH_ROWS rows), BENCH_MAX_BATCH (2048), BENCH_MAX_QUEUE (8192), BENCH_PROFILE (0 | 1: child runs
 * with --cpu-prof, summary printed), BENCH_SKIP_RECVLOGICAL (0), BENCH_TIMEOUT_S (480, per drain),
 * BENCH_KEEP (0 | 1: keep database, slots and topics), BENCH_SAMPLE_MS (200), BENCH_OUT_DIR
 * (bench-results), BENCH_DB (pgcdc_bench), BENCH_QUIET_WAIT_S (60: wait for other load to end), BENCH_NODE_OPTIONS (extra node flags for the child), PGHOST/PGPORT/PGUSER,
 * PGCDC_KAFKA_BROKERS, BENCH_REGISTRY_URL.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pg from 'pg';
import { formatConfigIssues, validateConnectorConfig } from '../src/config/index.js';

// ---------------------------------------------------------------------------------------------- settings

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const intEnv = (name: string, dflt: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
};
const flagEnv = (name: string): boolean => ['1', 'true', 'yes'].includes((env[name] ?? '').toLowerCase());

const S = {
  rows: intEnv('BENCH_ROWS', 1_000_000),
  txRows: Math.max(1, intEnv('BENCH_TX_ROWS', 10)),
  textBytes: intEnv('BENCH_TEXT_BYTES', 48),
  bigTx: (env.BENCH_BIG_TX ?? '0').toLowerCase(),
  maxBatch: intEnv('BENCH_MAX_BATCH', 2048),
  maxQueue: intEnv('BENCH_MAX_QUEUE', 8192),
  profile: flagEnv('BENCH_PROFILE'),
  skipRecv: flagEnv('BENCH_SKIP_RECVLOGICAL'),
  timeoutMs: intEnv('BENCH_TIMEOUT_S', 480) * 1000,
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

const TARGET_EVENTS_PER_S = 60_000;
const TARGET_RSS_MB = 300;
const ISSUE_RECVLOGICAL_PER_S = 220_000;
// BENCH_DB: another database name (and with it slots, publication and offset topic), so runs of
// different benchmarks on a shared machine never drop each other's database or slots.
const DB = env.BENCH_DB ?? 'pgcdc_bench';
if (!/^[a-z_][a-z0-9_]{0,40}$/.test(DB)) throw new Error(`BENCH_DB must be a lower-case SQL identifier, got "${DB}"`);
const PUB = `${DB}_pub`;
const CDC_SLOT = `${DB}_cdc`;
const RECV_SLOT = `${DB}_recv`;
const OFFSET_TOPIC = `${DB.replace(/_/g, '-')}-offsets`;
const PG_RECVLOGICAL = ['/usr/lib/postgresql/15/bin/pg_recvlogical', 'pg_recvlogical'];
const CLK_TCK = 100;

// ---------------------------------------------------------------------------------------------- /proc

interface ProcSample {
  rssKb: number;
  hwmKb: number;
  cpuS: number;
}

function readProc(pid: number | undefined): ProcSample | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), cpuS: readCpu(pid) ?? 0 };
  } catch {
    return null;
  }
}

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
function readCpu(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Machine-wide CPU jiffies: busy and total (first line of /proc/stat). */
function readMachineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = f[3]! + (f[4] ?? 0);
  return { busy: total - idle, total };
}

function kafkaPid(): number | undefined {
  try {
    const pid = Number(readFileSync(join(ROOT, '.stack/run/kafka.pid'), 'utf8').trim());
    return pid > 0 && existsSync(`/proc/${pid}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------- helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
const round = (x: number, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : NaN);
const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : 'n/a');
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function lsnToBig(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

function pgConfig(database: string): pg.ClientConfig {
  return { host: S.pgHost, port: S.pgPort, user: S.pgUser, password: S.pgPassword, database };
}

async function withClient<T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(pgConfig(database));
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

function findRecvlogical(): string {
  for (const p of PG_RECVLOGICAL) {
    if (p.includes('/') ? existsSync(p) : whichOk(p)) return p;
  }
  throw new Error(`pg_recvlogical not found (tried ${PG_RECVLOGICAL.join(', ')}); set BENCH_SKIP_RECVLOGICAL=1 to skip the source-limit run`);
}

function whichOk(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function sh(cmd: string): string {
  try {
    return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], cwd: ROOT }).trim();
  } catch {
    return '';
  }
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: string | null; timedOut: boolean }> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveExit({ code: child.exitCode, signal: child.signalCode, timedOut: false });
      return;
    }
    const timer = setTimeout(() => resolveExit({ code: null, signal: null, timedOut: true }), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolveExit({ code, signal, timedOut: false });
    });
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------- database

async function dropSlotIfExists(c: pg.Client, slot: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await c.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (r.rowCount === 0) return;
    const pid = r.rows[0].active_pid as number | null;
    if (pid) {
      await c.query('SELECT pg_terminate_backend($1)', [pid]).catch(() => {});
      await sleep(200);
      continue;
    }
    try {
      await c.query('SELECT pg_drop_replication_slot($1)', [slot]);
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`could not drop replication slot ${slot}`);
}

async function resetDatabase(): Promise<void> {
  await withClient('postgres', async (c) => {
    for (const slot of [CDC_SLOT, RECV_SLOT]) await dropSlotIfExists(c, slot);
    await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${DB}`);
  });
}

async function cleanupDatabase(): Promise<void> {
  await withClient('postgres', async (c) => {
    for (const slot of [CDC_SLOT, RECV_SLOT]) await dropSlotIfExists(c, slot);
    await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  });
}

interface Workload {
  kind: 'small-tx' | 'big-tx';
  rows: number;
  txRows: number;
  transactions: number;
  writeSeconds: number;
  startLsn: string;
  endLsn: string;
  walBytes: number;
}

/** Creates table, publication and slots, then writes the workload; returns the WAL range it covers. */
async function prepareWorkload(big: boolean): Promise<Workload> {
  await resetDatabase();
  return withClient(DB, async (c) => {
    await c.query(`CREATE TABLE bench (id bigint PRIMARY KEY, a int NOT NULL, b text NOT NULL, c timestamptz NOT NULL, d numeric(12,2) NOT NULL)`);
    await c.query(`CREATE PUBLICATION ${PUB} FOR TABLE bench`);
    await c.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [CDC_SLOT]);
    if (!S.skipRecv) await c.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [RECV_SLOT]);
    // ~100-byte rows: 8 + 4 + 48 + 8 + ~8 bytes of data plus the tuple header (b is BENCH_TEXT_BYTES long)
    const text = S.textBytes === 48
      ? `md5(g::text) || left(md5((g * 7)::text), 16)`
      : `left(repeat(md5(g::text), ${Math.ceil(S.textBytes / 32)}), ${S.textBytes})`;
    const rowSql = `SELECT g, (g % 1000003)::int, ${text},
                           timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', ((g * 37) % 10000000) / 100.0
                      FROM generate_series($1::bigint, $2::bigint) g`;
    await c.query(`CREATE PROCEDURE bench_fill(total bigint, per_tx int) LANGUAGE plpgsql AS $$
      DECLARE i bigint := 0;
      BEGIN
        WHILE i < total LOOP
          INSERT INTO bench ${rowSql.replace('$1::bigint', 'i + 1').replace('$2::bigint', 'least(i + per_tx, total)')};
          COMMIT;
          i := i + per_tx;
        END LOOP;
      END $$`);
    await c.query('SET synchronous_commit = off');
    const startLsn = (await c.query('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0].l as string;
    const t0 = now();
    if (big) await c.query(`INSERT INTO bench ${rowSql}`, [1, S.rows]);
    else await c.query('CALL bench_fill($1, $2)', [S.rows, S.txRows]);
    const writeSeconds = (now() - t0) / 1000;
    // The position after the workload; pg_switch_wal is not used (it would add 16 MB of WAL to read).
    const endLsn = (await c.query('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0].l as string;
    await c.query('SET synchronous_commit = on');
    await c.query('SELECT txid_current()'); // a synchronous commit flushes the WAL written above
    const walBytes = Number(lsnToBig(endLsn) - lsnToBig(startLsn));
    const count = Number((await c.query('SELECT count(*) AS n FROM bench')).rows[0].n);
    if (count !== S.rows) throw new Error(`workload wrote ${count} rows, expected ${S.rows}`);
    return {
      kind: big ? 'big-tx' : 'small-tx',
      rows: S.rows,
      txRows: big ? S.rows : S.txRows,
      transactions: big ? 1 : Math.ceil(S.rows / S.txRows),
      writeSeconds: round(writeSeconds, 2),
      startLsn,
      endLsn,
      walBytes,
    };
  });
}

/** PID of the walsender streaming `slot`, once it is active. */
async function walsenderPid(c: pg.Client, slot: string): Promise<number | undefined> {
  const r = await c.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return (r.rows[0]?.active_pid as number | null) ?? undefined;
}

/** Share of all cores busy over `ms`. */
async function machineBusy(ms: number): Promise<number> {
  const a = readMachineCpu();
  await sleep(ms);
  const b = readMachineCpu();
  return (b.busy - a.busy) / Math.max(1, b.total - a.total);
}

/**
 * Other work on this small machine (test suites, builds) skews the figures: waits up to
 * BENCH_QUIET_WAIT_S for a second with under 25 % of the cores busy, and warns when there was none.
 */
async function waitForQuiet(): Promise<number> {
  const deadline = now() + S.quietWaitMs;
  let busy = await machineBusy(1000);
  while (busy > 0.25 && now() < deadline) busy = await machineBusy(1000);
  if (busy > 0.25) log(`WARNING: ${pct(busy)} of the CPU is busy with other work before the run; figures will be low (see "other CPU" in the report)`);
  return round(busy, 3);
}

// ---------------------------------------------------------------------------------------------- pg_recvlogical

interface RecvResult {
  seconds: number;
  changesPerS: number;
  cpuS: number | null;
  walsenderCpuS: number | null;
  exitCode: number | null;
  busyBeforeStart: number;
}

async function runRecvlogical(w: Workload): Promise<RecvResult> {
  const bin = findRecvlogical();
  const args = [
    '-h', S.pgHost, '-p', String(S.pgPort), '-U', S.pgUser, '-d', DB, '--slot', RECV_SLOT, '--start', '--no-loop',
    '-o', 'proto_version=1', '-o', `publication_names=${PUB}`, '-f', '/dev/null', '--endpos', w.endLsn, '-s', '1',
  ];
  const busyBeforeStart = await waitForQuiet();
  log(`pg_recvlogical draining ${fmtInt(w.rows)} changes up to ${w.endLsn}`);
  const mon = new pg.Client(pgConfig('postgres'));
  await mon.connect();
  let stderr = '';
  const t0 = now();
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...env, PGPASSWORD: S.pgPassword } });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let cpu: number | null = null;
  let wsPid: number | undefined;
  let wsCpu: number | null = null;
  const exited = waitExit(child, S.timeoutMs);
  let done = false;
  void exited.then(() => (done = true));
  try {
    while (!done) {
      cpu = readCpu(child.pid) ?? cpu;
      wsPid ??= await walsenderPid(mon, RECV_SLOT).catch(() => undefined);
      wsCpu = readCpu(wsPid) ?? wsCpu;
      await Promise.race([sleep(50), exited]);
    }
  } finally {
    await mon.end().catch(() => {});
  }
  const { code, timedOut } = await exited;
  const seconds = (now() - t0) / 1000;
  if (timedOut) child.kill('SIGKILL');
  if (code !== 0) throw new Error(`pg_recvlogical exited with ${code}${timedOut ? ' (timed out)' : ''}: ${stderr.trim()}`);
  return { seconds: round(seconds, 3), changesPerS: Math.round(w.rows / seconds), cpuS: cpu, walsenderCpuS: wsCpu, exitCode: code, busyBeforeStart };
}

// ---------------------------------------------------------------------------------------------- pgcdc

interface Sample {
  t: number; // seconds since spawn
  events: number; // topic high watermark
  rssMb: number;
  cpuS: number;
  walsenderCpuS: number | null;
  confirmedLsn: string | null;
}

interface PgcdcResult {
  status: 'ok' | 'timeout' | 'crashed' | 'failed';
  failure: string | null; // the connector's "connector failed" reason, when it went FAILED
  expectedEvents: number;
  deliveredEvents: number;
  duplicates: number;
  startupSeconds: number | null; // spawn → first event acknowledged by Kafka
  deliveredSeconds: number | null; // spawn → all events acknowledged
  confirmedSeconds: number | null; // spawn → slot confirmed past the workload
  eventsPerS: number; // first → last event (the drain; excludes process start-up)
  eventsPerSEndToEnd: number; // spawn → last event
  eventsPerSSteady: number; // between 10 % and 90 % of the events
  peakRssMb: number; // VmHWM of the child
  peakRssSampledMb: number;
  cpuS: number; // child user + system time until all events were delivered
  cpuPerMillionEventsS: number;
  walsenderCpuS: number | null;
  kafkaCpuS: number | null;
  machineBusy: number; // share of all cores busy during the drain
  otherCpuS: number | null; // busy CPU during the drain not used by pgcdc, its walsender or Kafka (other users, this sampler)
  busyBeforeStart: number; // share of all cores busy in the second before the child started
  shutdownSeconds: number | null;
  exit: string;
  logFile: string;
  profile?: { file: string; top: ProfileRow[]; byPackage: { name: string; selfMs: number; share: number }[] };
  samples: Sample[];
}

/**
 * Events in the topic (sum of high watermarks); 0 until the connector created it. Existence is checked
 * with listTopics first: fetchTopicOffsets on a missing topic retries for seconds, stalling the sampler.
 */
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

async function runPgcdc(w: Workload, stamp: string, runId: string): Promise<PgcdcResult> {
  // a fresh connector name and topic prefix per workload: no stored offset, no events from before
  runId = `${runId}_${w.kind === 'big-tx' ? 'big' : 'small'}`;
  const prefix = `pgcdc_bench_${runId}`;
  const topic = `${prefix}.public.bench`;
  const name = `bench_${runId}`;
  const raw: Record<string, unknown> = {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': S.pgHost,
    'database.port': String(S.pgPort),
    'database.user': S.pgUser,
    'database.password': S.pgPassword,
    'database.dbname': DB,
    'topic.prefix': prefix,
    'plugin.name': 'pgoutput',
    'slot.name': CDC_SLOT,
    'publication.name': PUB,
    'publication.autocreate.mode': 'disabled',
    'table.include.list': 'public.bench',
    'snapshot.mode': 'no_data',
    'max.batch.size': String(S.maxBatch),
    'max.queue.size': String(S.maxQueue),
    'offset.flush.interval.ms': '200',
    // lets the slot confirm past WAL written by other databases once everything is delivered
    'heartbeat.interval.ms': '1000',
    'key.converter': 'io.confluent.connect.avro.AvroConverter',
    'key.converter.schema.registry.url': S.registryUrl,
    'value.converter': 'io.confluent.connect.avro.AvroConverter',
    'value.converter.schema.registry.url': S.registryUrl,
  };
  const checked = validateConnectorConfig({ ...raw, name });
  if (!checked.config) throw new Error(`benchmark connector config is invalid:\n${formatConfigIssues(checked.errors)}`);

  mkdirSync(S.outDir, { recursive: true });
  const tmpDir = join(S.outDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  const configFile = join(tmpDir, `${name}.json`);
  writeFileSync(configFile, JSON.stringify({ name, config: raw }, null, 2));
  const logFile = join(tmpDir, `${stamp}-${w.kind}-pgcdc.log`);
  const profDir = join(S.outDir, `prof-${stamp}-${w.kind}`);
  const nodeArgs = [...S.childNodeOptions];
  if (S.profile) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profDir}`);
  const cli = join(ROOT, 'dist/src/cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing; compile first (bash scripts/install.sh)`);

  const kafka = new Kafka({ clientId: 'pgcdc-bench', brokers: S.brokers, logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
  const admin = kafka.admin();
  await admin.connect();
  const mon = new pg.Client(pgConfig('postgres'));
  await mon.connect();
  const kPid = kafkaPid();
  const endLsn = lsnToBig(w.endLsn);

  const busyBeforeStart = await waitForQuiet();
  log(`pgcdc draining ${fmtInt(w.rows)} events into ${topic} (batch ${S.maxBatch}, queue ${S.maxQueue}${S.profile ? ', --cpu-prof' : ''}); log: ${logFile}`);
  const out = createWriteStream(logFile);
  const m0 = readMachineCpu();
  const k0 = readCpu(kPid);
  const t0 = now();
  const child = spawn(process.execPath, [...nodeArgs, cli, 'run', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, PGCDC_KAFKA_BROKERS: S.brokers.join(','), PGCDC_OFFSET_TOPIC: OFFSET_TOPIC, PGCDC_LOG_LEVEL: env.PGCDC_LOG_LEVEL ?? 'info' },
  });
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  // A connector that goes FAILED keeps the process alive: watch the log for it instead of timing out.
  let failure: string | null = null;
  let pendingLine = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (failure) return;
    const lines = (pendingLine + chunk.toString()).split('\n');
    pendingLine = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.includes('"connector failed"')) continue;
      try {
        failure = String((JSON.parse(line) as { reason?: string }).reason ?? line);
      } catch {
        failure = line;
      }
    }
  });
  let exitInfo: { code: number | null; signal: string | null } | null = null;
  child.once('exit', (code, signal) => (exitInfo = { code, signal }));

  const samples: Sample[] = [];
  const topicSeen = { exists: false };
  let wsPid: number | undefined;
  let firstT: number | null = null;
  let deliveredT: number | null = null;
  let confirmedT: number | null = null;
  let cpuAtDelivered = 0;
  let wsCpuAtDelivered: number | null = null;
  let kafkaCpuAtDelivered: number | null = null;
  let machineAtDelivered = m0;
  let peakSampled = 0;
  let lastHwm = 0;
  let lastProgressLog = 0;
  let status: PgcdcResult['status'] = 'ok';
  const expected = w.rows;
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
      wsPid ??= await walsenderPid(mon, CDC_SLOT).catch(() => undefined);
      const slot = await mon.query('SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1', [CDC_SLOT]);
      const confirmed = (slot.rows[0]?.l as string | null) ?? null;
      const wsCpu = readCpu(wsPid);
      if (proc) {
        peakSampled = Math.max(peakSampled, proc.rssKb);
        lastHwm = Math.max(lastHwm, proc.hwmKb);
      }
      const st = (now() - t0) / 1000;
      samples.push({ t: round(st, 3), events, rssMb: mb(proc?.rssKb ?? 0), cpuS: proc?.cpuS ?? 0, walsenderCpuS: wsCpu, confirmedLsn: confirmed });
      if (firstT === null && events > 0) firstT = st;
      if (deliveredT === null && events >= expected) {
        deliveredT = st;
        cpuAtDelivered = proc?.cpuS ?? 0;
        wsCpuAtDelivered = wsCpu;
        kafkaCpuAtDelivered = readCpu(kPid);
        machineAtDelivered = readMachineCpu();
      }
      if (confirmedT === null && confirmed && lsnToBig(confirmed) >= endLsn) confirmedT = st;
      if (st - lastProgressLog >= 10) {
        lastProgressLog = st;
        log(`  t=${round(st)}s events=${fmtInt(events)}/${fmtInt(expected)} rss=${mb(proc?.rssKb ?? 0)}MB cpu=${proc?.cpuS ?? 0}s confirmed=${confirmed}`);
      }
      if (deliveredT !== null && confirmedT !== null) break;
      // the slot may lag the delivery by one offset flush plus one heartbeat; give up on it after 15 s
      if (deliveredT !== null && st - deliveredT > 15) break;
      await sleep(Math.max(0, S.sampleMs - (now() - t0 - st * 1000)));
    }
    const final = readProc(child.pid);
    if (final) lastHwm = Math.max(lastHwm, final.hwmKb);
    const cpuFinal = final?.cpuS ?? samples.at(-1)?.cpuS ?? 0;

    // graceful stop (drain, store offsets, confirm) and its duration
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

    const delivered = samples.at(-1)?.events ?? 0;
    const tDone = deliveredT ?? samples.at(-1)?.t ?? NaN;
    const t10 = interpolateTime(samples, expected * 0.1);
    const t90 = interpolateTime(samples, expected * 0.9);
    const mEnd = deliveredT !== null ? machineAtDelivered : readMachineCpu();
    const cpu = deliveredT !== null ? cpuAtDelivered : cpuFinal;
    const busyCpuS = (mEnd.busy - m0.busy) / CLK_TCK;
    const wsCpuEnd = wsCpuAtDelivered ?? samples.at(-1)?.walsenderCpuS ?? null;
    const kafkaCpuS = k0 !== null && kafkaCpuAtDelivered !== null ? kafkaCpuAtDelivered - k0 : null;
    const result: PgcdcResult = {
      status,
      failure,
      expectedEvents: expected,
      deliveredEvents: delivered,
      duplicates: Math.max(0, delivered - expected),
      startupSeconds: firstT === null ? null : round(firstT, 2),
      deliveredSeconds: deliveredT === null ? null : round(deliveredT, 2),
      confirmedSeconds: confirmedT === null ? null : round(confirmedT, 2),
      eventsPerS: firstT !== null && tDone > firstT ? Math.round(Math.min(delivered, expected) / (tDone - firstT)) : 0,
      eventsPerSEndToEnd: tDone > 0 ? Math.round(Math.min(delivered, expected) / tDone) : 0,
      eventsPerSSteady: t90 > t10 ? Math.round((expected * 0.8) / (t90 - t10)) : NaN,
      peakRssMb: mb(lastHwm),
      peakRssSampledMb: mb(peakSampled),
      cpuS: round(cpu, 2),
      cpuPerMillionEventsS: delivered > 0 ? round((cpu / Math.min(delivered, expected)) * 1e6, 2) : NaN,
      walsenderCpuS: wsCpuEnd,
      kafkaCpuS: kafkaCpuS === null ? null : round(kafkaCpuS, 2),
      machineBusy: round((mEnd.busy - m0.busy) / Math.max(1, mEnd.total - m0.total), 3),
      otherCpuS: round(busyCpuS - cpu - (wsCpuEnd ?? 0) - (kafkaCpuS ?? 0), 2),
      busyBeforeStart,
      shutdownSeconds,
      exit: exitText,
      logFile,
      samples,
    };
    if (status !== 'ok') log(`pgcdc ${status}; last log lines:\n${tail(logFile)}`);
    if (S.profile) {
      const files = existsSync(profDir) ? readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')) : [];
      if (files.length > 0) {
        const file = join(profDir, files[0]!);
        const summary = summarizeProfile(file);
        result.profile = { file, top: summary.top.slice(0, 25), byPackage: summary.byPackage };
      } else log(`no .cpuprofile found in ${profDir}`);
    }
    if (!S.keep) await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    return result;
  } finally {
    if (!exitInfo) child.kill('SIGKILL');
    out.end();
    await admin.disconnect().catch(() => {});
    await mon.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------- profiles

interface ProfileRow {
  function: string;
  location: string;
  selfMs: number;
  share: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Sums self time per function (and per package) of a V8 .cpuprofile. */
export function summarizeProfile(file: string): { totalMs: number; top: ProfileRow[]; byPackage: { name: string; selfMs: number; share: number }[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const perFn = new Map<string, { function: string; location: string; us: number }>();
  const perPkg = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    total += us;
    const url = cf.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    const location = url ? `${url}:${cf.lineNumber + 1}` : '';
    const fn = cf.functionName || (url ? '(anonymous)' : '(native)');
    const key = `${fn}@${location}`;
    const row = perFn.get(key) ?? { function: fn, location, us: 0 };
    row.us += us;
    perFn.set(key, row);
    const own = /(?:^|\/)dist\/src\/([^/]+)\//.exec(url)?.[1];
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]
      ?? (own ? `pgcdc ${own}/` : url.startsWith('node:') ? 'node core' : url ? url : fn.startsWith('(') ? fn : '(native/V8)');
    perPkg.set(pkg, (perPkg.get(pkg) ?? 0) + us);
  }
  const top = [...perFn.values()]
    .sort((a, b) => b.us - a.us)
    .map((r) => ({ function: r.function, location: r.location, selfMs: round(r.us / 1000, 1), share: round(r.us / total, 4) }));
  const byPackage = [...perPkg]
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => ({ name, selfMs: round(us / 1000, 1), share: round(us / total, 4) }));
  return { totalMs: round(total / 1000, 1), top, byPackage };
}

function printProfile(file: string, n = 10): void {
  const s = summarizeProfile(file);
  console.log(`\nCPU profile ${file} (${fmtInt(s.totalMs)} ms sampled)\n`);
  console.log('| # | function | location | self ms | self % |');
  console.log('|---|---|---|---:|---:|');
  s.top.slice(0, n).forEach((r, i) => console.log(`| ${i + 1} | \`${r.function}\` | ${r.location} | ${fmtInt(r.selfMs)} | ${(r.share * 100).toFixed(1)}% |`));
  console.log('\n| package / area | self ms | self % |');
  console.log('|---|---:|---:|');
  for (const r of s.byPackage.slice(0, 12)) console.log(`| ${r.name} | ${fmtInt(r.selfMs)} | ${(r.share * 100).toFixed(1)}% |`);
}

// ---------------------------------------------------------------------------------------------- report

interface WorkloadResult {
  workload: Workload;
  recvlogical: RecvResult | null;
  pgcdc: PgcdcResult;
}

function printReport(results: WorkloadResult[], meta: Record<string, unknown>): void {
  console.log(`\n## pgcdc streaming benchmark (${meta.date})\n`);
  console.log(`${meta.cpu} ×${meta.cores}, ${meta.memGb} GB; node ${meta.node}; ${meta.postgres}; commit ${meta.commit}${meta.dirty ? ' (+ local changes)' : ''}`);
  console.log(`max.batch.size ${S.maxBatch}, max.queue.size ${S.maxQueue}, offset.flush.interval.ms 200${S.profile ? '; PROFILED (--cpu-prof slows the child)' : ''}\n`);
  const cols = results.map((r) => `${r.workload.kind} (${fmtInt(r.workload.rows)} rows, ${fmtInt(r.workload.txRows)}/tx)`);
  const row = (label: string, f: (r: WorkloadResult) => string) => console.log(`| ${label} | ${results.map(f).join(' | ')} |`);
  console.log(`| | ${cols.join(' | ')} |`);
  console.log(`|---|${cols.map(() => '---:').join('|')}|`);
  row('workload write time (not measured)', (r) => `${r.workload.writeSeconds} s, ${round(r.workload.walBytes / 1048576)} MB WAL`);
  row('pg_recvlogical drain', (r) => (r.recvlogical ? `${r.recvlogical.seconds} s${r.recvlogical.busyBeforeStart > 0.25 ? ` (machine ${pct(r.recvlogical.busyBeforeStart)} busy before start!)` : ''}` : 'skipped'));
  row('**pg_recvlogical changes/s**', (r) => (r.recvlogical ? `**${fmtInt(r.recvlogical.changesPerS)}**` : 'n/a'));
  row('pg_recvlogical CPU / walsender CPU', (r) => (r.recvlogical ? `${r.recvlogical.cpuS ?? 'n/a'} s / ${r.recvlogical.walsenderCpuS ?? 'n/a'} s` : 'n/a'));
  row('pgcdc status', (r) => `${r.pgcdc.status}${r.pgcdc.failure ? ` — ${r.pgcdc.failure}` : ''} (${fmtInt(r.pgcdc.deliveredEvents)}/${fmtInt(r.pgcdc.expectedEvents)} events${r.pgcdc.duplicates ? `, ${r.pgcdc.duplicates} duplicates` : ''})`);
  row('pgcdc start-up (spawn → first event in Kafka)', (r) => `${r.pgcdc.startupSeconds ?? 'n/a'} s`);
  row('pgcdc spawn → all events in Kafka', (r) => `${r.pgcdc.deliveredSeconds ?? 'n/a'} s`);
  row('pgcdc spawn → slot confirmed past workload', (r) => `${r.pgcdc.confirmedSeconds ?? 'not reached'}${r.pgcdc.confirmedSeconds !== null ? ' s' : ''}`);
  row('**pgcdc events/s** (first → last event)', (r) => `**${fmtInt(r.pgcdc.eventsPerS)}**`);
  row('pgcdc events/s, steady (10 % → 90 %)', (r) => fmtInt(r.pgcdc.eventsPerSSteady));
  row('pgcdc events/s, end to end (from spawn)', (r) => fmtInt(r.pgcdc.eventsPerSEndToEnd));
  row(`ratio to target ${fmtInt(TARGET_EVENTS_PER_S)}/s`, (r) => pct(r.pgcdc.eventsPerS / TARGET_EVENTS_PER_S));
  row('ratio to pg_recvlogical (this run)', (r) => (r.recvlogical ? pct(r.pgcdc.eventsPerS / r.recvlogical.changesPerS) : 'n/a'));
  row(`ratio to pg_recvlogical (issue: ${fmtInt(ISSUE_RECVLOGICAL_PER_S)}/s)`, (r) => pct(r.pgcdc.eventsPerS / ISSUE_RECVLOGICAL_PER_S));
  row('**pgcdc peak RSS** (VmHWM)', (r) => `**${r.pgcdc.peakRssMb} MB**`);
  row(`ratio to RSS limit ${TARGET_RSS_MB} MB`, (r) => pct(r.pgcdc.peakRssMb / TARGET_RSS_MB));
  row('pgcdc CPU (user+sys) / per 1M events', (r) => `${r.pgcdc.cpuS} s / ${r.pgcdc.cpuPerMillionEventsS} s`);
  row('walsender CPU / Kafka broker CPU', (r) => `${r.pgcdc.walsenderCpuS ?? 'n/a'} s / ${r.pgcdc.kafkaCpuS ?? 'n/a'} s`);
  row(`machine busy during drain (${cpus().length} cores = 100 %)`, (r) => pct(r.pgcdc.machineBusy));
  row('other CPU during drain (other processes, sampler)', (r) => `${r.pgcdc.otherCpuS} s${r.pgcdc.busyBeforeStart > 0.25 ? ` (machine ${pct(r.pgcdc.busyBeforeStart)} busy before start!)` : ''}`);
  row('graceful stop (SIGTERM → exit)', (r) => `${r.pgcdc.shutdownSeconds ?? 'n/a'} s, ${r.pgcdc.exit}`);
  row('verdict', (r) => {
    const rate = r.pgcdc.status === 'ok' && r.pgcdc.eventsPerS >= TARGET_EVENTS_PER_S ? 'rate OK' : 'rate BELOW target';
    const rss = r.pgcdc.peakRssMb < TARGET_RSS_MB ? 'RSS OK' : 'RSS OVER limit';
    return `${rate}; ${rss}`;
  });
  for (const r of results) if (r.pgcdc.profile) printProfile(r.pgcdc.profile.file);
}

// ---------------------------------------------------------------------------------------------- main

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--summarize') {
    if (argv.length < 2) {
      console.error('usage: bench-streaming.js --summarize <file.cpuprofile>... [--top N]');
      return 2;
    }
    const topIdx = argv.indexOf('--top');
    const n = topIdx > 0 ? Number(argv[topIdx + 1]) : 10;
    for (const f of argv.slice(1).filter((a, i, all) => a !== '--top' && all[i - 1] !== '--top')) printProfile(f, n);
    return 0;
  }
  if (argv.length > 0) {
    console.error('usage: bench-streaming.js [--summarize <file.cpuprofile>...]   (settings via BENCH_* env, see the file header)');
    return 2;
  }
  const kinds: boolean[] = S.bigTx === 'both' ? [false, true] : [['1', 'true', 'yes'].includes(S.bigTx)];
  if (S.maxQueue <= S.maxBatch) throw new Error('BENCH_MAX_QUEUE must be greater than BENCH_MAX_BATCH');
  if (S.rows < 1) throw new Error('BENCH_ROWS must be at least 1');
  if (!S.skipRecv) findRecvlogical();

  const date = new Date();
  const stamp = date.toISOString().replace(/[:]/g, '').replace(/\..*$/, 'Z');
  const runId = date.getTime().toString(36);
  const pgVersion = await withClient('postgres', async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);
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
    targets: { eventsPerS: TARGET_EVENTS_PER_S, rssMb: TARGET_RSS_MB, issueRecvlogicalPerS: ISSUE_RECVLOGICAL_PER_S },
  };

  const results: WorkloadResult[] = [];
  let interrupted = false;
  process.once('SIGINT', () => (interrupted = true));
  try {
    for (const big of kinds) {
      if (interrupted) break;
      log(`workload ${big ? 'big-tx' : 'small-tx'}: writing ${fmtInt(S.rows)} rows${big ? ' in one transaction' : ` in transactions of ${S.txRows}`}`);
      const workload = await prepareWorkload(big);
      log(`  written in ${workload.writeSeconds} s: ${round(workload.walBytes / 1048576)} MB of WAL, ${workload.startLsn} → ${workload.endLsn}`);
      let recvlogical: RecvResult | null = null;
      if (!S.skipRecv) {
        recvlogical = await runRecvlogical(workload);
        log(`  pg_recvlogical: ${recvlogical.seconds} s, ${fmtInt(recvlogical.changesPerS)} changes/s`);
        await withClient('postgres', (c) => dropSlotIfExists(c, RECV_SLOT)); // its WAL need not be kept
      }
      const pgcdc = await runPgcdc(workload, stamp, runId);
      log(`  pgcdc: ${pgcdc.status}, ${fmtInt(pgcdc.eventsPerS)} events/s, peak RSS ${pgcdc.peakRssMb} MB, CPU ${pgcdc.cpuS} s`);
      results.push({ workload, recvlogical, pgcdc });
      if (!S.keep) await cleanupDatabase();
    }
  } finally {
    if (results.length > 0) {
      mkdirSync(S.outDir, { recursive: true });
      const file = join(S.outDir, `streaming-${stamp}.json`);
      writeFileSync(file, `${JSON.stringify({ meta, results }, null, 2)}\n`);
      printReport(results, meta);
      console.log(`\nresults: ${file}`);
    }
  }
  const ok = results.length === kinds.length && results.every((r) => r.pgcdc.status === 'ok');
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench-streaming: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
