#!/usr/bin/env node
// Kafka readiness probe: exits 0 once the broker answers a DescribeCluster
// (metadata) request through kafkajs, 1 otherwise. Used by scripts/stack/kafka.sh
// only when the project's node_modules has kafkajs.
// Usage: node kafka-ready.mjs [host:port] [timeoutSeconds]
import { createRequire } from 'node:module';

const broker = process.argv[2] ?? '127.0.0.1:9092';
const timeoutMs = Number(process.argv[3] ?? 5) * 1000;

// kafkajs is CommonJS; resolve it from this file upward (the repo's node_modules).
const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs');

const kafka = new Kafka({
  clientId: 'pgcdc-stack-probe',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: timeoutMs,
  retry: { retries: 0 },
});
const admin = kafka.admin();

// Hard stop so a hung connection never blocks the caller's retry loop.
const timer = setTimeout(() => process.exit(1), timeoutMs + 1000);
try {
  await admin.connect();
  const { brokers, controller } = await admin.describeCluster();
  if (!brokers.length || controller === null || controller < 0) throw new Error('no controller yet');
  await admin.disconnect();
  clearTimeout(timer);
  process.exit(0);
} catch (err) {
  if (process.env.STACK_DEBUG) console.error(`kafka-ready: ${err.message}`);
  process.exit(1);
}
