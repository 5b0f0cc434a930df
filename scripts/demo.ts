/**
 * The live demo: a fresh `inventory` database with a small write load, a pgcdc worker process
 * running the connector from connectors/inventory.json, a live view of the decoded events, and
 * every few seconds a status line read from the worker's REST API (events delivered, lag,
 * snapshot progress while the snapshot runs).
 *   node dist/scripts/demo.js [seconds] [--keep]      (0 = until Ctrl-C; default 30)
 * When it ends it removes its slot and publication, and its database unless --keep is given.
 */
import { NODE_FLAGS } from '../src/node-flags.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Admin } from '@platformatic/kafka';
import pg from 'pg';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { exactLongHook } from '../src/avro/codec.js';
import { openKafka } from '../src/kafka/client.js';
import { PartitionFetcher } from '../src/kafka/partition-fetch.js';
import { clientOptions, createTopicIfMissing } from '../src/kafka/platformatic-topics.js';
import { KafkaOffsetStore } from '../src/offsets/offset-store.js';
import { removeDemoObjects } from './demo/cleanup.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const definition = JSON.parse(readFileSync(resolve(root, 'connectors/inventory.json'), 'utf8'));
const cfg = definition.config as Record<string, string>;
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const seconds = Number(args.find((a) => a !== '--keep') ?? process.env.DEMO_SECONDS ?? 30);
const brokers = (process.env.PGCDC_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const offsetTopic = process.env.PGCDC_OFFSET_TOPIC ?? 'pgcdc-offsets';
const admin = { host: cfg['database.hostname'], port: Number(cfg['database.port']), user: cfg['database.user'], password: process.env.PGPASSWORD ?? 'postgres' };
const created = { database: cfg['database.dbname'], slot: cfg['slot.name'], publication: cfg['publication.name'] };

/** Removes the slot, publication and (unless --keep) database; says what it did. */
async function cleanUp(): Promise<void> {
  const removed = await removeDemoObjects({ ...admin, database: 'postgres' }, created, keep);
  console.log(`demo: removed ${removed.join(', ') || 'nothing (already gone)'}${keep ? `; database "${created.database}" kept (--keep)` : ''}`);
}

async function resetDatabase(): Promise<void> {
  const c = new pg.Client({ ...admin, database: 'postgres' });
  await c.connect();
  await c.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active`, [cfg['slot.name']]);
  await c.query(`DROP DATABASE IF EXISTS ${cfg['database.dbname']} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${cfg['database.dbname']}`);
  await c.end();
  const d = new pg.Client({ ...admin, database: cfg['database.dbname'] });
  await d.connect();
  await d.query(readFileSync(resolve(root, 'scripts/demo/inventory.sql'), 'utf8'));
  await d.end();
  // A new database and slot start a new history: forget the previous run's offset.
  const offsets = new KafkaOffsetStore(openKafka({ clientId: 'pgcdc-demo', brokers }), offsetTopic);
  await offsets.start();
  await offsets.write(KafkaOffsetStore.key(definition.name, cfg['topic.prefix']), null);
  await offsets.stop();
}

/** A few writes every 300 ms: new customers and orders, price changes, cancelled orders. */
function startWriteLoad(): () => Promise<void> {
  const c = new pg.Client({ ...admin, database: cfg['database.dbname'] });
  let stopped = false;
  const done = (async () => {
    await c.connect();
    for (let i = 1; !stopped; i++) {
      await c.query('BEGIN');
      if (i % 5 === 1) await c.query(`INSERT INTO customers (name, email) VALUES ($1, $2)`, [`Customer ${i}`, `c${i}@example.com`]);
      await c.query(`INSERT INTO orders (customer_id, product_id, quantity) SELECT (SELECT id FROM customers ORDER BY random() LIMIT 1), (SELECT id FROM products ORDER BY random() LIMIT 1), $1`, [1 + (i % 4)]);
      if (i % 3 === 0) await c.query(`UPDATE products SET price = price + 0.10 WHERE id = 1 + $1 % 3`, [i]);
      if (i % 7 === 0) await c.query(`DELETE FROM orders WHERE id = (SELECT min(id) FROM orders)`);
      await c.query('COMMIT');
      await new Promise((r) => setTimeout(r, 300));
    }
    await c.end();
  })();
  return async () => {
    stopped = true;
    await done;
  };
}

async function liveView(): Promise<{ stop: () => Promise<number> }> {
  const connection = { clientId: 'pgcdc-demo-view', brokers };
  // Debezium's ts_ns exceeds 2^53: decode longs exactly (as bigint when needed), not as lossy numbers.
  const registry = new SchemaRegistry({ host: cfg['value.converter.schema.registry.url'] }, { [SchemaType.AVRO]: { typeHook: exactLongHook } } as never);
  // The topics exist before pgcdc writes to them, so the view can read exactly them from their
  // current end and show only this run's events (topics of earlier runs keep their old events).
  const topics = ['customers', 'products', 'orders'].map((t) => `${cfg['topic.prefix']}.public.${t}`);
  const admin = new Admin(clientOptions(connection, 'admin'));
  try {
    for (const topic of topics) await createTopicIfMissing(admin, topic, { partitions: 1, replicationFactor: -1, cleanupPolicy: 'delete' });
  } finally {
    await admin.close();
  }
  // Read by partition and offset: a view that only reads joins no consumer group.
  const fetcher = new PartitionFetcher(connection, 'view');
  const positions: { topic: string; partition: number; next: bigint }[] = [];
  for (const topic of topics) for (const [partition, next] of (await fetcher.endOffsets(topic)).entries()) positions.push({ topic, partition, next });
  let count = 0;
  let stopped = false;
  const reading = (async () => {
    while (!stopped) {
      for (const p of positions) {
        const fetched = await fetcher.fetch(p.topic, p.partition, p.next, 100).catch(() => ({ records: [], next: p.next }));
        p.next = fetched.next;
        for (const r of fetched.records) {
          count++;
          try {
            await printEvent(p.topic, r.key, r.value);
          } catch (err) {
            console.log(`  ${p.topic}: cannot decode (${(err as Error).message})`);
          }
        }
      }
    }
    await fetcher.close();
  })();
  async function printEvent(topic: string, keyBytes: Buffer | null, valueBytes: Buffer | null): Promise<void> {
    {
      const message = { key: keyBytes, value: valueBytes };
      const key = message.key ? await registry.decode(message.key) : null;
      const value = message.value ? await registry.decode(message.value) : null;
      const table = topic.split('.').slice(1).join('.');
      const show = (row: unknown) => JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? v.toString() : v && v.type === 'Buffer' ? `0x${Buffer.from(v.data).toString('hex')}` : v));
      if (!value) console.log(`  ${table.padEnd(18)} tombstone  key=${show(key)}`);
      else {
        const lagMs = Date.now() - Number(value.source.ts_ms);
        console.log(`  ${table.padEnd(18)} op=${value.op}  key=${show(key)}  ${value.op === 'd' ? 'before' : 'after'}=${show(value.op === 'd' ? value.before : value.after)}  (commit→view ${lagMs} ms)`);
      }
    }
  }
  return {
    stop: async () => {
      stopped = true;
      await reading;
      return count;
    },
  };
}

/** A free loopback port for the demo worker's REST API (8083 may be taken by a real worker). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Every `everyMs`, one line from GET /connectors/inventory/status: events delivered, lag, snapshot progress. */
function statusLines(url: string, everyMs: number): () => void {
  let shownSnapshotDone = false;
  const timer = setInterval(async () => {
    try {
      const s = (await (await fetch(`${url}/connectors/${definition.name}/status`, { signal: AbortSignal.timeout(everyMs) })).json()) as any;
      const m = s.metrics ?? {};
      const lag = s.lag ?? {};
      const p99 = m.commit_to_ack_ms?.p99;
      const parts = [
        `state ${s.connector?.state}`,
        `${m.events_total ?? 0} events in ${m.transactions ?? 0} transactions delivered`,
        `lag ${lag.ms_behind_source ?? '?'} ms / ${lag.bytes_behind ?? '?'} bytes`,
        `retained WAL ${lag.retained_wal_bytes ?? '?'} bytes`,
        ...(p99 != null ? [`commit→ack p99 ${p99} ms`] : []),
      ];
      const snap = s.snapshot;
      if (snap && (snap.running || !shownSnapshotDone)) {
        parts.push(`snapshot ${snap.running ? 'running' : 'done'}: ${snap.tables_done}/${snap.tables_total} tables, ${snap.rows_done}/${snap.rows_total_estimate} rows`);
        if (!snap.running) shownSnapshotDone = true;
      }
      console.log(`[pgcdc] ${parts.join(' | ')}`);
    } catch {
      // the worker is starting or stopping: skip this line
    }
  }, everyMs);
  return () => clearInterval(timer);
}

async function main(): Promise<void> {
  console.log('demo: recreating database "inventory" and its slot');
  await resetDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The demo's connector config lives in a temp file, not the shared pgcdc-configs topic.
  const configDir = mkdtempSync(join(tmpdir(), 'pgcdc-demo-'));
  console.log(`demo: starting a pgcdc worker with connectors/inventory.json (REST ${url}; try curl ${url}/metrics)`);
  const worker = spawn(process.execPath, [...NODE_FLAGS, resolve(root, 'dist/src/cli.js'), 'worker', '--load', resolve(root, 'connectors/inventory.json')], {
    env: {
      ...process.env,
      PGPASSWORD: admin.password,
      // connectors/inventory.json reads the password with ${env:PGPASSWORD}; providers are off unless enabled
      PGCDC_CONFIG_PROVIDERS: 'env',
      PGCDC_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN: 'PGPASSWORD',
      PGCDC_LOG_LEVEL: process.env.PGCDC_LOG_LEVEL ?? 'warn',
      PGCDC_REST_HOST: '127.0.0.1',
      PGCDC_REST_PORT: String(port),
      PGCDC_CONFIG_FILE: join(configDir, 'connectors.json'),
      PGCDC_METRICS_INTERVAL_MS: '1000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Whatever fails from here on, the worker does not outlive the demo and its slot is removed.
  failureCleanup = async () => {
    if (worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
    rmSync(configDir, { recursive: true, force: true });
  };
  const stopStatus = statusLines(url, 3000);
  const view = await liveView();
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`demo: writing to customers, products and orders${seconds > 0 ? ` for ${seconds} s` : ' (Ctrl-C to stop)'}; events as they arrive:`);
  const stopLoad = startWriteLoad();
  const finish = async () => {
    await stopLoad();
    await new Promise((r) => setTimeout(r, 2000));
    const count = await view.stop();
    stopStatus();
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    rmSync(configDir, { recursive: true, force: true });
    console.log(`demo: ${count} events decoded; pgcdc stopped cleanly`);
    await cleanUp();
    process.exit(count > 0 ? 0 : 1);
  };
  process.once('SIGINT', () => void finish());
  if (seconds > 0) setTimeout(() => void finish(), seconds * 1000);
}

let failureCleanup: () => Promise<void> = async () => {};

main().catch(async (err) => {
  console.error(`demo: ${(err as Error).message}`);
  await failureCleanup().catch(() => {});
  await cleanUp().catch((e) => console.error(`demo: cleanup failed: ${(e as Error).message}`));
  process.exit(1);
});
