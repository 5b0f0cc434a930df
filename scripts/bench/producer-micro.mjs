#!/usr/bin/env node
// Producer micro-benchmark for choosing pgcdc's Kafka client: one process per run, one
// single-partition topic, records of the events' size, acks=all, idempotent, sent as pgcdc's sink
// sends them (a batch of `batch` records handed over, the next only once all are acknowledged).
// Prints one JSON line: records/s, CPU seconds (user+sys, whole process, producing only), peak RSS,
// p50/p99 of the per-batch acknowledgement latency. Plain JS so that it runs whichever client
// packages are installed (npm install --no-save ...), without compiling.
// Usage: node producer-micro.mjs <platformatic|confluent> [recordBytes=250] [records=500000] [batch=512] [broker=127.0.0.1:9092]
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
const [client = 'platformatic', bytesArg = '250', recordsArg = '500000', batchArg = '512', broker = '127.0.0.1:9092'] = process.argv.slice(2);
const recordBytes = Number(bytesArg);
const total = Number(recordsArg);
const batch = Number(batchArg);
const topic = `pgcdc_bench_micro_${client}_${recordBytes}_${Date.now().toString(36)}`;

// Keys of ~40 bytes like a primary-key Avro record, values filling the rest (incompressible).
const keyBytes = 40;
const pool = Array.from({ length: 1024 }, () => ({ key: randomBytes(keyBytes), value: randomBytes(recordBytes - keyBytes) }));

async function createTopic() {
  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({ clientId: 'pgcdc-bench-micro-admin', bootstrapBrokers: [broker] });
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
  // Wait until the partition has a leader (a producer asked to send before that fails).
  for (;;) {
    const meta = await admin.metadata({ topics: [topic], forceUpdate: true }).catch(() => undefined);
    if ((meta?.topics.get(topic)?.partitions[0]?.leader ?? -1) >= 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.close();
  };
}

/** Each returns { send(records) → Promise acknowledged, close() }. */
const clients = {
  async platformatic() {
    const { Producer, ProduceAcks } = await import('@platformatic/kafka');
    const producer = new Producer({ clientId: 'pgcdc-bench-micro', bootstrapBrokers: [broker], idempotent: true, acks: ProduceAcks.ALL, autocreateTopics: false });
    return {
      send: (records) => producer.send({ messages: records.map((r) => ({ topic, key: r.key, value: r.value })) }),
      close: () => producer.close(),
    };
  },
  async confluent() {
    const { KafkaJS } = require('@confluentinc/kafka-javascript');
    const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [broker], clientId: 'pgcdc-bench-micro', logLevel: KafkaJS.logLevel.WARN } });
    // linger 5 ms as librdkafka's default; idempotence implies acks=all and ordered retries.
    const producer = kafka.producer({ 'enable.idempotence': true, acks: -1, 'linger.ms': 5, 'compression.type': 'none' });
    await producer.connect();
    return {
      send: (records) => producer.send({ topic, messages: records }),
      close: () => producer.disconnect(),
    };
  },
};

const dropTopic = await createTopic();
if (!(client in clients)) throw new Error(`unknown client ${client} (platformatic or confluent)`);
const impl = await clients[client]();
// Warm-up (connections, producer id, metadata), not measured.
await impl.send(pool.slice(0, 10));
const latencies = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let sent = 0; sent < total; sent += batch) {
  const n = Math.min(batch, total - sent);
  const records = new Array(n);
  for (let i = 0; i < n; i++) records[i] = pool[(sent + i) & 1023];
  const s = performance.now();
  await impl.send(records);
  latencies.push(performance.now() - s);
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await impl.close();
await dropTopic();
latencies.sort((a, b) => a - b);
const q = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 10) / 10;
console.log(JSON.stringify({
  client, node: process.version, recordBytes, records: total, batch,
  recordsPerS: Math.round(total / seconds),
  cpuS: Math.round(((cpu.user + cpu.system) / 1e6) * 100) / 100,
  cpuSPer1M: Math.round((((cpu.user + cpu.system) / 1e6) * 1e6 / total) * 100) / 100,
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  batchAckMs: { p50: q(0.5), p99: q(0.99) },
}));
process.exit(0);
