/**
 * Debezium's PostgreSQL connector in Kafka Connect standalone (org.apache.kafka.connect.cli.ConnectStandalone,
 * one JVM, offsets in a file), Avro through the registry with Apicurio's converter in the Confluent wire
 * format: the piece the benchmark (scripts/bench/debezium-runner.ts) and the differential compatibility
 * suite (test/compat/) share. The jars come from fetch.sh beside this file.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What bin/connect-standalone.sh and kafka-run-class.sh give the JVM. */
export const CONNECT_JVM = ['-Xms256m', '-Xmx2g', '-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true'];

export interface ConnectStandalone {
  child: ChildProcess;
  logFile: string;
  /** the first ERROR line saying the task or connector failed, or null */
  failure(): string | null;
}

/** Whether `dir` holds what fetch.sh leaves: lib/ (Connect runtime) and plugins/debezium-connector-postgres. */
export function isDebeziumDir(dir: string | null | undefined): dir is string {
  return !!dir && existsSync(join(dir, 'lib')) && existsSync(join(dir, 'plugins', 'debezium-connector-postgres'));
}

/** Runs fetch.sh (a no-op once cached under $STACK_DIR/cache) and returns the Debezium directory. */
export function fetchDebezium(env: NodeJS.ProcessEnv = process.env): string {
  const script = resolve(new URL('../../../../scripts/bench/debezium/fetch.sh', import.meta.url).pathname);
  const dir = execFileSync('bash', [script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 }).trim().split('\n').pop() ?? '';
  if (!isDebeziumDir(dir)) throw new Error(`fetch.sh printed ${dir}, which has no lib/ and plugins/debezium-connector-postgres`);
  return dir;
}

export const props = (p: Record<string, string>) => `${Object.entries(p).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;

/** Apicurio's AvroConverter writing the Confluent wire format (magic byte + 4-byte id), auto-registering. */
export function apicurioConverter(side: 'key' | 'value', registryUrl: string): Record<string, string> {
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

export interface ConnectStandaloneOptions {
  /** the fetched Debezium directory (fetch.sh) */
  dir: string;
  /** scratch directory for the properties and the offsets file (emptied first) */
  tmp: string;
  logFile: string;
  brokers: string[];
  registryUrl: string;
  restPort: number;
  /** extra worker properties (producer tuning) */
  worker?: Record<string, string>;
  /** the connector's properties (name, connector.class, database.*, ...) */
  connector: Record<string, string>;
}

export function startConnectStandalone(o: ConnectStandaloneOptions): ConnectStandalone {
  rmSync(o.tmp, { recursive: true, force: true });
  mkdirSync(o.tmp, { recursive: true });
  writeFileSync(join(o.tmp, 'worker.properties'), props({
    'bootstrap.servers': o.brokers.join(','),
    ...apicurioConverter('key', o.registryUrl),
    ...apicurioConverter('value', o.registryUrl),
    'offset.storage.file.filename': join(o.tmp, 'offsets.dat'),
    'offset.flush.interval.ms': '1000',
    'plugin.path': join(o.dir, 'plugins'),
    listeners: `http://127.0.0.1:${o.restPort}`,
    ...o.worker,
  }));
  writeFileSync(join(o.tmp, 'connector.properties'), props(o.connector));
  writeFileSync(join(o.tmp, 'log4j2.xml'), `<Configuration status="warn">
  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders>
  <Loggers><Root level="info"><AppenderRef ref="out"/></Root></Loggers>
</Configuration>
`);
  const child = spawn('java', [...CONNECT_JVM, `-Dlog4j2.configurationFile=${join(o.tmp, 'log4j2.xml')}`, '-cp', `${join(o.dir, 'lib')}/*`,
    'org.apache.kafka.connect.cli.ConnectStandalone', join(o.tmp, 'worker.properties'), join(o.tmp, 'connector.properties')], {
    cwd: o.tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(o.logFile);
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
  return { child, logFile: o.logFile, failure: () => failure };
}
