import { isIP } from 'node:net';
import type { Admin, BaseOptions } from '@platformatic/kafka';
import type { KafkaConnection, TopicSettings } from './ports.js';

/**
 * Client options shared by pgcdc's @platformatic/kafka clients. Retries are kept short: a failed
 * call comes back within seconds and pgcdc's jittered backoff (errors.retry.delay.*) decides when
 * to try again, so the status shows the retry and recovery does not wait out a long internal cycle.
 * (The idempotent producer would otherwise retry forever: it raises retries <= 1 to MAX_SAFE_INTEGER.)
 */
export function clientOptions(connection: KafkaConnection, role: string): BaseOptions {
  return {
    clientId: `${connection.clientId}-${role}`,
    bootstrapBrokers: connection.brokers,
    connectTimeout: 3000,
    // Kafka's own request.timeout.ms default: a produce with acks=all waits on the replicas.
    timeout: 30_000,
    retries: 2,
    retryDelay: sharedRetryDelay,
    autocreateTopics: false,
    ...(connection.security?.tls ? { tls: connection.security.tls, tlsServerName: sniWanted(connection.brokers) } : {}),
    ...(connection.security?.sasl ? { sasl: { ...connection.security.sasl } } : {}),
  };
}

/** The library's backoff between its own retries: 200 ms, doubling, at most 2 s. */
export function sharedRetryDelay(_client: unknown, _operation: string, attempt: number, _retries?: number, _error?: unknown): number {
  return Math.min(200 * 2 ** (attempt - 1), 2000);
}

/**
 * Node sends no SNI unless told, and managed Kafka services route TLS connections by it: send each
 * broker's host name. Not for IP addresses (RFC 6066 forbids them there; Node warns).
 */
function sniWanted(brokers: string[]): boolean {
  return brokers.some((b) => isIP(b.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')) === 0);
}

/**
 * Creates the topic when missing and waits until every partition has a leader (a producer asked
 * to send before that fails). A concurrent creator (another connector or worker) is not an error:
 * only a topic still missing afterwards is.
 */
/** TOPIC_ALREADY_EXISTS anywhere in the error or the errors it wraps. */
function alreadyExists(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as { message?: unknown; apiId?: unknown; errors?: unknown; cause?: unknown; response?: unknown };
  if (e.apiId === 'TOPIC_ALREADY_EXISTS' || (typeof e.message === 'string' && /already exists/i.test(e.message))) return true;
  const inner = [...(Array.isArray(e.errors) ? e.errors : []), e.cause];
  return inner.some((i) => alreadyExists(i, depth + 1));
}

export async function createTopicIfMissing(admin: Admin, topic: string, s: TopicSettings, timeoutMs = 30_000): Promise<void> {
  if (!(await admin.listTopics()).includes(topic)) {
    try {
      await admin.createTopics({ topics: [topic], partitions: s.partitions, replicas: s.replicationFactor, configs: [{ name: 'cleanup.policy', value: s.cleanupPolicy }] });
    } catch (err) {
      // Another worker created it first (the broker's answer, or the topic listed since).
      if (!alreadyExists(err) && !(await admin.listTopics().catch((): string[] => [])).includes(topic)) throw err;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const meta = await admin.metadata({ topics: [topic], forceUpdate: true }).catch(() => undefined);
    const partitions = meta?.topics.get(topic)?.partitions;
    if (partitions && partitions.length > 0 && partitions.every((p) => p && p.leader >= 0)) return;
    if (Date.now() > deadline) throw new Error(`topic "${topic}" has no leader for every partition after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
