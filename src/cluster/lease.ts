/**
 * A cluster worker runs a connector under a lease: its membership session at the time it was given
 * the connector. Every delivery, offset write and transaction commit first asks the lease, so a
 * worker that lost its place in the group (evicted, frozen past the session timeout, cut off) stops
 * acting on the connector before anything of it reaches Kafka; the LSN is confirmed only after an
 * offset write, so it cannot be confirmed either. The ports are wrapped here, once, so the
 * connector's own code does not know about clusters.
 */
import { PgcdcError } from '../errors/pgcdc-error.js';
import type { ConnectorMetrics } from '../metrics/connector-metrics.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import type { KafkaClient, LogRecord, ProducerSettings, RecordSink, SinkTransactions, TopicSettings } from '../kafka/ports.js';
import type { SinkRecord } from '../kafka/sink-record.js';

export interface Lease {
  /** true while the worker may still act for the connector */
  holds(): boolean;
  /** what the lease is, for the error (group and connector) */
  readonly description: string;
}

/** Retriable for the run (it stops and waits); the cluster worker stops the connector meanwhile. */
export function leaseLost(lease: Lease, what: string): PgcdcError {
  return new PgcdcError('sink-transient', `${what} refused: ${lease.description} lapsed; this worker no longer owns the connector`, {
    retriable: true,
    remedy: 'the group gives the connector to a live worker; this one rejoins the group',
  });
}

function check(lease: Lease, what: string): void {
  if (!lease.holds()) throw leaseLost(lease, what);
}

/** The worker's offset store, refusing writes without the lease (reads stay allowed). */
export function leasedOffsetStore(store: OffsetStore, lease: Lease): OffsetStore {
  return {
    get topic() {
      return store.topic;
    },
    start: () => store.start(),
    stop: () => store.stop(),
    read: (key) => store.read(key),
    readAll: () => store.readAll(),
    write: async (key, offset) => {
      check(lease, 'storing the offset');
      await store.write(key, offset);
    },
  };
}

class LeasedSink implements RecordSink {
  readonly transactions?: SinkTransactions;

  constructor(private readonly inner: RecordSink, private readonly lease: Lease) {
    const tx = inner.transactions;
    if (tx) {
      this.transactions = {
        fence: () => tx.fence(),
        get pending() {
          return tx.pending;
        },
        commit: async (offset: LogRecord) => {
          check(lease, 'committing the Kafka transaction');
          await tx.commit(offset);
        },
      };
    }
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }
  ensureTopic(topic: string, settings?: Partial<TopicSettings>): Promise<void> {
    return this.inner.ensureTopic(topic, settings);
  }
  async send(records: SinkRecord[]): Promise<void> {
    check(this.lease, 'delivering events');
    await this.inner.send(records);
  }
  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }
}

/** The worker's Kafka client whose sinks deliver only under the lease (admin and reads unchanged). */
export function leasedKafka(kafka: KafkaClient, lease: Lease): KafkaClient {
  return new Proxy(kafka, {
    get(target, prop, receiver) {
      if (prop === 'sink') {
        return (topicSettings: TopicSettings, metrics?: ConnectorMetrics, producer?: ProducerSettings) => new LeasedSink(target.sink(topicSettings, metrics, producer), lease);
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
