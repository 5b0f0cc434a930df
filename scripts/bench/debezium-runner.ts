/**
 * Debezium as its users run it: the PostgreSQL connector in Kafka Connect standalone
 * (scripts/bench/debezium/connect-standalone.ts, shared with test/compat/), pgoutput, tuned for throughput.
 * The jars come from scripts/bench/debezium/fetch.sh (BENCH_DEBEZIUM_DIR).
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ConnectorProcess } from './drain.js';
import type { BenchOptions } from './options.js';
import { sharedConnectorConfig, type BenchRun } from './connector-config.js';
import { isDebeziumDir, startConnectStandalone } from './debezium/connect-standalone.js';

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

export type DebeziumRun = BenchRun;

export function debeziumDir(o: BenchOptions): string {
  const dir = o.debeziumDir;
  if (!isDebeziumDir(dir)) {
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

export function startDebezium(o: BenchOptions, run: DebeziumRun, restPort: number): ConnectorProcess {
  return startConnectStandalone({
    dir: debeziumDir(o),
    tmp: join(o.outDir, 'tmp', run.tag),
    logFile: join(o.outDir, 'tmp', `${run.tag}-debezium.log`),
    brokers: o.brokers,
    registryUrl: o.registryUrl,
    restPort,
    worker: CONNECT_PRODUCER_SETTINGS,
    connector: {
      name: run.name,
      ...sharedConnectorConfig(o, run),
      'tasks.max': '1',
      ...DEBEZIUM_SETTINGS,
    },
  });
}
