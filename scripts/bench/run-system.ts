/**
 * One connector run in one workload, the same for pgcdc and Debezium: a fresh topic prefix, the topic
 * created up front, the drain measured, record sizes sampled, the slot dropped afterwards.
 */
import { log, round, waitForQuiet } from './common.js';
import { DB, PUB, SLOTS, TABLE, dropSlot, pgConfig } from './database.js';
import { CONNECT_PRODUCER_SETTINGS, DEBEZIUM_SETTINGS, freePort, startDebezium } from './debezium-runner.js';
import { drain, type ConnectorProcess, type DrainSpec } from './drain.js';
import type { BenchKafka } from './kafka-topics.js';
import type { BenchOptions } from './options.js';
import { PGCDC_SETTINGS, startPgcdc } from './pgcdc-runner.js';
import type { SystemResult } from './report.js';

export type System = 'pgcdc' | 'debezium';

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
const prefixOf = (ctx: RunContext, workload: string, system: System) => `pgcdc_bench_${ctx.runId}_${workload}_${system === 'pgcdc' ? 'pgcdc' : 'dbz'}`;

export async function runSystem(ctx: RunContext, system: System, spec: SystemRunSpec): Promise<SystemResult> {
  const { o, kafka } = ctx;
  const prefix = prefixOf(ctx, spec.workload, system);
  const topic = topicOf(ctx, spec.workload, system);
  const slot = SLOTS[system];
  const name = `bench_${ctx.runId}_${spec.workload}_${system}`;
  const tag = `${ctx.runId}-${spec.workload}-${system}`;
  await kafka.createTopic(topic, spec.logAppendTime);
  const busyBefore = await waitForQuiet(o.quietWaitS * 1000);
  const restPort = await freePort();
  const run = { name, prefix, slot, publication: PUB, database: DB, table: TABLE, snapshotMode: spec.snapshotMode, tag };
  log(`${system} ${spec.workload}: ${spec.expected.toLocaleString('en-US')} records into ${topic}`);
  const start = (): ConnectorProcess => (system === 'pgcdc' ? startPgcdc(o, { ...run, extra: spec.pgcdcExtra }) : startDebezium(o, run, restPort));
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
    });
    log(`  ${system}: ${result.status}, ${result.recordsPerS.toLocaleString('en-US')} records/s (first → last), CPU ${result.cpuS} s, peak RSS ${result.peakRssMb} MB${result.failure ? `; ${result.failure}` : ''}`);
    const recordBytes = result.delivered > 0 ? await kafka.recordBytes(topic) : null;
    const settings = system === 'pgcdc' ? { ...PGCDC_SETTINGS, ...spec.pgcdcExtra } : { ...DEBEZIUM_SETTINGS, ...CONNECT_PRODUCER_SETTINGS };
    return { system, drain: result, recordBytes, busyBefore: round(busyBefore, 2), settings };
  } finally {
    await dropSlot(o, slot).catch((err) => log(`WARNING: ${(err as Error).message}`));
  }
}
