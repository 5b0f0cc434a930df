/**
 * One connector run in one workload, the same for pgcdc, pgcdc-eos (pgcdc with exactly-once
 * delivery) and Debezium: a fresh topic prefix, the topic created up front, the drain measured,
 * record sizes sampled, the slot dropped afterwards.
 */
import { log, round, waitForQuiet } from './common.js';
import { DB, PUB, SLOTS, TABLE, dropSlot, pgConfig } from './database.js';
import { CONNECT_PRODUCER_SETTINGS, DEBEZIUM_SETTINGS, freePort, startDebezium } from './debezium-runner.js';
import { drain, type ConnectorProcess, type DrainSpec } from './drain.js';
import type { BenchKafka } from './kafka-topics.js';
import type { BenchOptions } from './options.js';
import { PGCDC_EOS_SETTINGS, PGCDC_SETTINGS, startPgcdc } from './pgcdc-runner.js';
import type { SystemResult } from './report.js';

export type System = 'pgcdc' | 'pgcdc-eos' | 'debezium';

/** Part of topic prefixes; also in connector names (and so in pgcdc-eos's transactional.id). */
const SHORT: Record<System, string> = { pgcdc: 'pgcdc', 'pgcdc-eos': 'pgcdc_eos', debezium: 'dbz' };
/** pgcdc-eos: pgcdc's run plus PGCDC_EOS_SETTINGS, on a transactional topic. */
const eos = (system: System) => system === 'pgcdc-eos';

export interface RunContext {
  o: BenchOptions;
  kafka: BenchKafka;
  runId: string;
}

export interface SystemRunSpec {
  workload: string;
  expected: number;
  snapshotMode: 'no_data' | 'initial_only';
  logAppendTime?: boolean;
  onRunning?: DrainSpec['onRunning'];
  pgcdcExtra?: Record<string, string>;
}

export const topicOf = (ctx: RunContext, workload: string, system: System) => `${prefixOf(ctx, workload, system)}.public.${TABLE}`;
const prefixOf = (ctx: RunContext, workload: string, system: System) => `pgcdc_bench_${ctx.runId}_${workload}_${SHORT[system]}`;

export async function runSystem(ctx: RunContext, system: System, spec: SystemRunSpec): Promise<SystemResult> {
  const { o, kafka } = ctx;
  const prefix = prefixOf(ctx, spec.workload, system);
  const topic = topicOf(ctx, spec.workload, system);
  const slot = SLOTS[system];
  const name = `bench_${ctx.runId}_${spec.workload}_${system === 'debezium' ? system : SHORT[system]}`;
  const tag = `${ctx.runId}-${spec.workload}-${system}`;
  // pgcdc-eos's topic is transactional: its drain counts committed records, not end offsets
  await kafka.createTopic(topic, spec.logAppendTime, eos(system));
  const busyBefore = await waitForQuiet(o.quietWaitS * 1000);
  const restPort = await freePort();
  const run = { name, prefix, slot, publication: PUB, database: DB, table: TABLE, snapshotMode: spec.snapshotMode, tag };
  log(`${system} ${spec.workload}: ${spec.expected.toLocaleString('en-US')} records into ${topic}`);
  const pgcdcExtra = { ...spec.pgcdcExtra, ...(eos(system) ? PGCDC_EOS_SETTINGS : {}) };
  const start = (): ConnectorProcess => (system === 'debezium' ? startDebezium(o, run, restPort) : startPgcdc(o, { ...run, extra: pgcdcExtra }));
  try {
    const result = await drain(kafka, {
      label: system,
      topic,
      expected: spec.expected,
      slot,
      timeoutMs: o.timeoutS * 1000,
      pg: pgConfig(o, 'postgres'),
      start,
      onRunning: spec.onRunning,
      ...(eos(system) ? { written: () => kafka.written(topic) } : {}),
    });
    log(`  ${system}: ${result.status}, ${result.recordsPerS.toLocaleString('en-US')} records/s (first → last), CPU ${result.cpuS} s, peak RSS ${result.peakRssMb} MB${result.failure ? `; ${result.failure}` : ''}`);
    // offsets past the committed records are commit markers (no transaction is open after the drain)
    const written = eos(system) && result.status === 'ok' ? await kafka.written(topic) : null;
    const transactions = written === null ? undefined : written - result.delivered;
    if (transactions !== undefined) log(`  ${system}: ${transactions.toLocaleString('en-US')} transaction(s) (offsets ${written!.toLocaleString('en-US')} − records ${result.delivered.toLocaleString('en-US')})`);
    const recordBytes = result.delivered > 0 ? await kafka.recordBytes(topic) : null;
    const settings = system === 'debezium' ? { ...DEBEZIUM_SETTINGS, ...CONNECT_PRODUCER_SETTINGS } : { ...PGCDC_SETTINGS, ...pgcdcExtra };
    return { system, drain: result, recordBytes, busyBefore: round(busyBefore, 2), settings, ...(transactions === undefined ? {} : { transactions }) };
  } finally {
    await dropSlot(o, slot).catch((err) => log(`WARNING: ${(err as Error).message}`));
  }
}
