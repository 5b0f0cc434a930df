#!/usr/bin/env node
import { createLogger } from './logging.js';
import { runStandalone, workerSettingsFromEnv } from './worker/standalone.js';
import { PGCDC_VERSION } from './version.js';

const HELP = `pgcdc ${PGCDC_VERSION} — Debezium-compatible change data capture for PostgreSQL

Usage:
  pgcdc run <connector.json>...   run connectors in this process (standalone mode) until SIGINT/SIGTERM
  pgcdc --version
  pgcdc --help

A connector file holds a POST /connectors body: {"name": "...", "config": {...}} (see connectors/).
Environment: PGCDC_KAFKA_BROKERS (127.0.0.1:9092), PGCDC_OFFSET_TOPIC (pgcdc-offsets), PGCDC_LOG_LEVEL (info).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return 0;
  }
  if (command === '--version') {
    console.log(PGCDC_VERSION);
    return 0;
  }
  if (command === 'run') {
    if (rest.length === 0 || rest.includes('--help')) {
      console.log('Usage: pgcdc run <connector.json>...\nRuns the connectors until SIGINT/SIGTERM, then drains, stores offsets and exits 0.');
      return rest.length === 0 ? 2 : 0;
    }
    await runStandalone(rest, workerSettingsFromEnv(), createLogger());
    return -1; // keeps running
  }
  console.error(`pgcdc: unknown command "${command}"; see pgcdc --help`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error(`pgcdc: ${(err as Error).message}`);
    process.exit(1);
  },
);
