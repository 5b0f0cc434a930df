/**
 * pgcdc as the benchmark runs it: `node dist/src/cli.js run <connector.json>` in a child process,
 * Avro through the registry, the settings below, its log in the results' tmp directory.
 */
import { NODE_FLAGS } from '../../src/node-flags.js';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatConfigIssues, validateConnectorConfig } from '../../src/config/index.js';
import { ROOT } from './common.js';
import { DB } from './database.js';
import type { ConnectorProcess } from './drain.js';
import type { BenchOptions } from './options.js';

export const PGCDC_OFFSET_TOPIC = `${DB.replace(/_/g, '-')}-offsets`;

/** pgcdc's throughput settings for the benchmark (the connector defaults otherwise). */
export const PGCDC_SETTINGS: Record<string, string> = {
  'max.batch.size': '2048',
  'max.queue.size': '8192',
  'offset.flush.interval.ms': '200',
  // lets the slot confirm past WAL that other databases write once everything is delivered
  'heartbeat.interval.ms': '1000',
};

export interface PgcdcRun {
  name: string;
  prefix: string;
  slot: string;
  publication: string;
  database: string;
  table: string;
  snapshotMode: 'no_data' | 'initial_only';
  extra?: Record<string, string>;
  tag: string; // file name part: workload and system
}

export function startPgcdc(o: BenchOptions, run: PgcdcRun): ConnectorProcess {
  const config: Record<string, string> = {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
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
    ...PGCDC_SETTINGS,
    'key.converter': 'io.confluent.connect.avro.AvroConverter',
    'key.converter.schema.registry.url': o.registryUrl,
    'value.converter': 'io.confluent.connect.avro.AvroConverter',
    'value.converter.schema.registry.url': o.registryUrl,
    ...run.extra,
  };
  const checked = validateConnectorConfig({ ...config, name: run.name });
  if (!checked.config) throw new Error(`benchmark connector config is invalid:\n${formatConfigIssues(checked.errors)}`);
  const cli = join(ROOT, 'dist/src/cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing; compile first (npx tsc -p .)`);
  const tmp = join(o.outDir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const configFile = join(tmp, `${run.name}.json`);
  writeFileSync(configFile, JSON.stringify({ name: run.name, config }, null, 2));
  const logFile = join(tmp, `${run.tag}-pgcdc.log`);
  const nodeArgs = [...NODE_FLAGS, ...(o.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(o.outDir, `prof-${run.tag}`)}`] : [])];
  const child = spawn(process.execPath, [...nodeArgs, cli, 'run', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PGCDC_KAFKA_BROKERS: o.brokers.join(','), PGCDC_OFFSET_TOPIC, PGCDC_LOG_LEVEL: process.env.PGCDC_LOG_LEVEL ?? 'info' },
  });
  const out = createWriteStream(logFile);
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  child.once('exit', () => out.end());
  // a FAILED connector keeps the process alive: its log line ends the run instead of a timeout
  let failure: string | null = null;
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (failure) return;
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.includes('"connector failed"')) continue;
      try {
        failure = String((JSON.parse(line) as { reason?: string }).reason ?? line);
      } catch {
        failure = line;
      }
    }
  });
  return { child, logFile, failure: () => failure };
}
