/**
 * Debezium as its users run it: the PostgreSQL connector in Kafka Connect standalone
 * (org.apache.kafka.connect.cli.ConnectStandalone, one JVM, offsets in a file), pgoutput, Avro through
 * the registry with Apicurio's converter in the Confluent wire format, tuned for throughput.
 * The jars come from scripts/bench/debezium/fetch.sh (BENCH_DEBEZIUM_DIR).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ConnectorProcess } from './drain.js';
import type { BenchOptions } from './options.js';

/** Throughput tuning as Debezium's users do it (the defaults are 2048 / 8192 / 500 ms, batch.size 16 KB, linger 0). */
export const DEBEZIUM_SETTINGS: Record<string, string> = {
  'max.batch.size': '8192',
  'max.queue.size': '32768',
  // a batch that is not full waits up to this long in ChangeEventQueue.poll: lowered from 500 ms for latency
  'poll.interval.ms': '50',
};
export const CONNECT_PRODUCER_SETTINGS: Record<string, string> = {
  'producer.batch.size': '524288',
  'producer.linger.ms': '10',
};
/** What bin/connect-standalone.sh and kafka-run-class.sh give the JVM. */
export const CONNECT_JVM = ['-Xms256m', '-Xmx2g', '-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true'];

export interface DebeziumRun {
  name: string;
  prefix: string;
  slot: string;
  publication: string;
  database: string;
  table: string;
  snapshotMode: 'no_data' | 'initial_only';
  tag: string;
}

export function debeziumDir(o: BenchOptions): string {
  const dir = o.debeziumDir;
  if (!dir || !existsSync(join(dir, 'lib')) || !existsSync(join(dir, 'plugins', 'debezium-connector-postgres'))) {
    throw new Error(`Debezium is not fetched (BENCH_DEBEZIUM_DIR=${dir ?? 'unset'}); run scripts/bench.sh, which calls scripts/bench/debezium/fetch.sh`);
  }
  return dir;
}

/** A free loopback port for Connect's REST listener (8083 may be a pgcdc worker's). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });
}

const props = (p: Record<string, string>) => `${Object.entries(p).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;

function converter(side: 'key' | 'value', registryUrl: string): Record<string, string> {
  const v2 = registryUrl.replace(/\/apis\/ccompat\/v\d+\/?$/, '/apis/registry/v2');
  const p = `${side}.converter`;
  return {
    [p]: 'io.apicurio.registry.utils.converter.AvroConverter',
    [`${p}.apicurio.registry.url`]: v2,
    [`${p}.apicurio.registry.auto-register`]: 'true',
    [`${p}.apicurio.registry.find-latest`]: 'true',
    // magic byte + 4-byte id in the payload, as Confluent's converter and pgcdc write it
    [`${p}.apicurio.registry.headers.enabled`]: 'false',
    [`${p}.apicurio.registry.as-confluent`]: 'true',
    [`${p}.apicurio.registry.use-id`]: 'contentId',
  };
}

export function startDebezium(o: BenchOptions, run: DebeziumRun, restPort: number): ConnectorProcess {
  const dir = debeziumDir(o);
  const tmp = join(o.outDir, 'tmp', run.tag);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const logFile = join(o.outDir, 'tmp', `${run.tag}-debezium.log`);
  writeFileSync(join(tmp, 'worker.properties'), props({
    'bootstrap.servers': o.brokers.join(','),
    ...converter('key', o.registryUrl),
    ...converter('value', o.registryUrl),
    'offset.storage.file.filename': join(tmp, 'offsets.dat'),
    'offset.flush.interval.ms': '1000',
    'plugin.path': join(dir, 'plugins'),
    listeners: `http://127.0.0.1:${restPort}`,
    ...CONNECT_PRODUCER_SETTINGS,
  }));
  writeFileSync(join(tmp, 'connector.properties'), props({
    name: run.name,
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'database.hostname': o.pg.host,
    'database.port': String(o.pg.port),
    'database.user': o.pg.user,
    'database.password': o.pg.password,
    'database.dbname': run.database,
    'topic.prefix': run.prefix,
    'plugin.name': 'pgoutput',
    'slot.name': run.slot,
    'publication.name': run.publication,
    'publication.autocreate.mode': 'disabled',
    'table.include.list': `public.${run.table}`,
    'snapshot.mode': run.snapshotMode,
    ...DEBEZIUM_SETTINGS,
  }));
  writeFileSync(join(tmp, 'log4j2.xml'), `<Configuration status="warn">
  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders>
  <Loggers><Root level="info"><AppenderRef ref="out"/></Root></Loggers>
</Configuration>
`);
  const child = spawn('java', [...CONNECT_JVM, `-Dlog4j2.configurationFile=${join(tmp, 'log4j2.xml')}`, '-cp', `${join(dir, 'lib')}/*`,
    'org.apache.kafka.connect.cli.ConnectStandalone', join(tmp, 'worker.properties'), join(tmp, 'connector.properties')], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(logFile);
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  child.once('exit', () => out.end());
  // a failed task leaves Connect running: its log line ends the run instead of a timeout
  let failure: string | null = null;
  let pending = '';
  const watch = (chunk: Buffer) => {
    if (failure) return;
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (/\] ERROR /.test(line) && /unrecoverable|will not recover|Failed to (start|create)|Stopping due to error/i.test(line)) failure = line.slice(0, 400);
    }
  };
  child.stdout!.on('data', watch);
  child.stderr!.on('data', watch);
  return { child, logFile, failure: () => failure };
}
