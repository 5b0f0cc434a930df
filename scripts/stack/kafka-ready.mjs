#!/usr/bin/env node
// Kafka readiness probe: exits 0 once the broker answers a metadata request with a
// controller elected (through @platformatic/kafka), 1 otherwise. Used by scripts/stack/kafka.sh
// only when the project's node_modules has @platformatic/kafka.
// Usage: node kafka-ready.mjs [host:port] [timeoutSeconds]
import { Admin } from '@platformatic/kafka';

const broker = process.argv[2] ?? '127.0.0.1:9092';
const timeoutMs = Number(process.argv[3] ?? 5) * 1000;

const admin = new Admin({ clientId: 'pgcdc-stack-probe', bootstrapBrokers: [broker], connectTimeout: 2000, timeout: timeoutMs, retries: 0 });

// Hard stop so a hung connection never blocks the caller's retry loop.
const timer = setTimeout(() => process.exit(1), timeoutMs + 1000);
try {
  const { brokers, controllerId } = await admin.metadata({ topics: [] });
  if (brokers.size === 0 || !(controllerId >= 0)) throw new Error('no controller yet');
  await admin.close();
  clearTimeout(timer);
  process.exit(0);
} catch (err) {
  if (process.env.STACK_DEBUG) console.error(`kafka-ready: ${err.message}`);
  process.exit(1);
}
