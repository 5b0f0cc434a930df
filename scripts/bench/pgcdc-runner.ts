/**
 * pgcdc as users run it: a worker (`node dist/src/cli.js worker`) in a child process, the connector
 * registered over its REST API (POST /connectors), Avro through the registry, the settings below,
 * its log in the results' tmp directory. Each run gets its own config topic, so a later worker does
 * not start an earlier run's connector again; main.ts deletes them with the run's other topics.
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
import { sharedConnectorConfig, type BenchRun } from './connector-config.js';

export const PGCDC_OFFSET_TOPIC = `${DB.replace(/_/g, '-')}-offsets`;
/** Config topics of the workers started so far (deleted at the end of the benchmark). */
export const PGCDC_CONFIG_TOPICS: string[] = [];
/** The benchmark worker's REST port (not 8083: a worker of the operator's may be running there). */
const REST_PORT = Number(process.env.BENCH_REST_PORT ?? 18083);

/** pgcdc's throughput settings for the benchmark (the connector defaults otherwise). */
export const PGCDC_SETTINGS: Record<string, string> = {
  'max.batch.size': '2048',
  'max.queue.size': '8192',
  'offset.flush.interval.ms': '200',
  // lets the slot confirm past WAL that other databases write once everything is delivered
  'heartbeat.interval.ms': '1000',
};

/**
 * What pgcdc-eos adds to PGCDC_SETTINGS: exactly-once delivery with the default boundary (poll), so
 * one Kafka transaction per delivered batch of up to max.batch.size records.
 */
export const PGCDC_EOS_SETTINGS: Record<string, string> = {
  'exactly.once.support': 'required',
};

export interface PgcdcRun extends BenchRun {
  extra?: Record<string, string>;
}

export function startPgcdc(o: BenchOptions, run: PgcdcRun): ConnectorProcess {
  const config: Record<string, string> = {
    ...sharedConnectorConfig(o, run),
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
  writeFileSync(join(tmp, `${run.name}.json`), JSON.stringify({ name: run.name, config }, null, 2));
  const configTopic = `${DB.replace(/_/g, '-')}-configs-${run.tag}-${Date.now()}`;
  PGCDC_CONFIG_TOPICS.push(configTopic);
  const logFile = join(tmp, `${run.tag}-pgcdc.log`);
  const nodeArgs = [...NODE_FLAGS, ...(o.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(o.outDir, `prof-${run.tag}`)}`] : [])];
  const child = spawn(process.execPath, [...nodeArgs, cli, 'worker'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PGCDC_KAFKA_BROKERS: o.brokers.join(','),
      PGCDC_OFFSET_TOPIC,
      PGCDC_CONFIG_TOPIC: configTopic,
      PGCDC_REST_HOST: '127.0.0.1',
      PGCDC_REST_PORT: String(REST_PORT),
      PGCDC_LOG_LEVEL: process.env.PGCDC_LOG_LEVEL ?? 'info',
    },
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
  registerOverRest(run.name, config, child).catch((err: Error) => {
    failure ??= `registering ${run.name} over REST: ${err.message}`;
  });
  return { child, logFile, failure: () => failure };
}

/** Waits for the worker's REST API, then POSTs the connector as a user would. */
async function registerOverRest(name: string, config: Record<string, string>, child: ConnectorProcess['child']): Promise<void> {
  const base = `http://127.0.0.1:${REST_PORT}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('the worker exited before its REST API answered');
    const up = await fetch(`${base}/`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`no answer from ${base} within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const res = await fetch(`${base}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, config }) });
  if (res.status !== 201) throw new Error(`POST /connectors answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
}
