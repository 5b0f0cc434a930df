/**
 * Workload (c): a steady rate of inserts in 10-row transactions, committed with synchronous_commit on
 * (with it off the walsender would only see the WAL at the WAL writer's next flush, adding up to
 * wal_writer_delay to every latency). The writer records when each COMMIT was acknowledged; the
 * latency of an event is the broker's LogAppendTime of its record minus that commit time.
 */
import pg from 'pg';
import { log, round, sleep } from './common.js';
import { ROW_SQL, TABLE } from './database.js';

export const STEADY_TX_ROWS = 10;
const CONNECTIONS = 4; // commits overlap a little, as independent clients' would

export interface SteadyLoad {
  rate: number;
  seconds: number;
  transactions: number;
  changes: number;
  achievedRate: number;
  lateTransactions: number; // started more than 20 ms after their slot (the writer fell behind)
  commitMs: Float64Array; // per transaction: wall clock (ms) of the COMMIT acknowledgement
}

const wallMs = () => performance.timeOrigin + performance.now();

/** Writes `rate` changes/s for `seconds`; transaction i inserts ids idBase + 10i + 1 … idBase + 10i + 10. */
export async function writeSteady(config: pg.ClientConfig, rate: number, seconds: number, idBase = 0): Promise<SteadyLoad> {
  const transactions = Math.max(1, Math.round((rate * seconds) / STEADY_TX_ROWS));
  const intervalMs = (1000 * STEADY_TX_ROWS) / rate;
  const commitMs = new Float64Array(transactions);
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    const c = new pg.Client(config);
    await c.connect();
    return c;
  }));
  const free = [...clients];
  const waiters: ((c: pg.Client) => void)[] = [];
  const acquire = () => (free.length > 0 ? Promise.resolve(free.pop()!) : new Promise<pg.Client>((r) => waiters.push(r)));
  const release = (c: pg.Client) => (waiters.length > 0 ? waiters.shift()!(c) : free.push(c));
  const sql = `INSERT INTO ${TABLE} ${ROW_SQL}`;
  let late = 0;
  let failed: unknown = null;
  const inflight = new Set<Promise<void>>();
  log(`steady writer${idBase < 0 ? ' (warm-up)' : ''}: ${rate.toLocaleString('en-US')} changes/s for ${seconds} s (${transactions.toLocaleString('en-US')} transactions of ${STEADY_TX_ROWS})`);
  const t0 = performance.now();
  try {
    for (let i = 0; i < transactions && !failed; i++) {
      const due = t0 + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const c = await acquire();
      if (performance.now() - due > 20) late++;
      const first = idBase + i * STEADY_TX_ROWS + 1;
      const p = c.query(sql, [first, first + STEADY_TX_ROWS - 1]).then(
        () => void (commitMs[i] = wallMs()),
        (err) => void (failed = err),
      ).finally(() => {
        release(c);
        inflight.delete(p);
      });
      inflight.add(p);
    }
    await Promise.all(inflight);
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
  if (failed) throw failed;
  const elapsed = (performance.now() - t0) / 1000;
  return {
    rate,
    seconds,
    transactions,
    changes: transactions * STEADY_TX_ROWS,
    achievedRate: Math.round((transactions * STEADY_TX_ROWS) / elapsed),
    lateTransactions: late,
    commitMs,
  };
}

/** The bigint id of a key in the Confluent wire format (magic 0, 4-byte schema id, Avro record {id: long}). */
export function keyId(key: Buffer): number {
  if (key.length < 6 || key[0] !== 0) throw new Error(`not a Confluent-framed Avro key: ${key.toString('hex')}`);
  let shift = 0;
  let n = 0;
  for (let i = 5; i < key.length; i++) {
    const b = key[i]!;
    n += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2; // zig-zag
}

export interface Latency {
  records: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentiles(values: Float64Array): Latency {
  const v = values.slice().sort();
  const at = (q: number) => round(v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] ?? NaN, 1);
  const mean = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  return { records: v.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(v[v.length - 1] ?? NaN, 1), mean: round(mean, 1) };
}

/** Ids of the warm-up rows: below zero, so they never mix with the measured ones. */
export const WARMUP_ID_BASE = -1_000_000_000;

/** Latency per measured record: LogAppendTime minus the commit time of the transaction that wrote its row. */
export function latencyOf(load: SteadyLoad, records: { key: Buffer; timestamp: number }[]): Latency {
  const out: number[] = [];
  for (const r of records) {
    const id = keyId(r.key);
    if (id > 0) out.push(r.timestamp - load.commitMs[Math.floor((id - 1) / STEADY_TX_ROWS)]!);
  }
  return percentiles(Float64Array.from(out));
}
