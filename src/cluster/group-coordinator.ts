import { Connection, findCoordinatorV4 } from '@platformatic/kafka';
import { clientOptions } from '../kafka/platformatic-topics.js';
import type { KafkaConnection } from '../kafka/ports.js';

/**
 * A group's connections to its coordinator (the broker that runs the group): found with
 * FindCoordinator (key type 0, a group) on a bootstrap broker, then opened with the same TLS and
 * SASL options as pgcdc's other clients. Two connections, by role: a broker handles one request
 * of a connection at a time, and a JoinGroup waits there up to the rebalance timeout, so heartbeats
 * and the LeaveGroup of a close must not queue behind it.
 */
export type CoordinatorRole = 'join' | 'heartbeat';

export interface BrokerAnswer {
  /** the broker's error name: REBALANCE_IN_PROGRESS, NOT_COORDINATOR, ... */
  type: string;
  /** whether the library marks it retriable */
  canRetry: boolean;
  /** the member id a MEMBER_ID_REQUIRED answer carries */
  memberId?: string;
}

/** The first broker error answer inside a library error (a ResponseError holds ProtocolErrors); undefined for network errors. */
export function brokerAnswer(err: unknown, depth = 0): BrokerAnswer | undefined {
  const e = err as { apiId?: unknown; canRetry?: boolean; memberId?: string; response?: { memberId?: string }; errors?: unknown[]; cause?: unknown } | undefined;
  if (!e || typeof e !== 'object' || depth > 5) return undefined;
  if (typeof e.apiId === 'string') return { type: e.apiId, canRetry: e.canRetry === true, ...(e.memberId || e.response?.memberId ? { memberId: e.memberId || e.response?.memberId } : {}) };
  for (const inner of [...(Array.isArray(e.errors) ? e.errors : []), e.cause]) {
    const found = brokerAnswer(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export class GroupCoordinator {
  private address: Promise<{ host: string; port: number }> | undefined;
  private readonly connections = new Map<CoordinatorRole, Promise<Connection>>();
  private nextBroker = 0;
  private closed = false;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly groupId: string,
    private readonly requestTimeoutMs: Record<CoordinatorRole, number>,
  ) {}

  /** The open connection of this role, connecting (and finding the coordinator) when there is none. */
  connection(role: CoordinatorRole): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error(`group "${this.groupId}": closed`));
    let conn = this.connections.get(role);
    if (!conn) {
      conn = this.open(role);
      this.connections.set(role, conn);
      const forget = () => {
        if (this.connections.get(role) === conn) this.connections.delete(role);
      };
      conn.then((c) => c.once('close', forget), forget);
    }
    return conn;
  }

  /** After NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a network error: find the coordinator again. */
  reset(): void {
    this.address = undefined;
    const open = [...this.connections.values()];
    this.connections.clear();
    for (const c of open) c.then((conn) => conn.close()).catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    const open = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(open.map((c) => c.then((conn) => conn.close()).catch(() => {})));
  }

  private async open(role: CoordinatorRole): Promise<Connection> {
    const lookup = (this.address ??= this.find());
    lookup.catch(() => {
      if (this.address === lookup) this.address = undefined;
    });
    const { host, port } = await lookup;
    const conn = this.newConnection(role, this.requestTimeoutMs[role]);
    try {
      await conn.connect(host, port);
    } catch (err) {
      this.reset(); // the coordinator may have moved or be down: look it up again next time
      throw err;
    }
    if (this.closed) {
      await conn.close().catch(() => {});
      throw new Error(`group "${this.groupId}": closed`);
    }
    return conn;
  }

  /** Asks the bootstrap brokers in turn; a broker's error answer (COORDINATOR_NOT_AVAILABLE, ...) is thrown at once. */
  private async find(): Promise<{ host: string; port: number }> {
    const brokers = this.kafka.brokers;
    const failures: unknown[] = [];
    for (let i = 0; i < brokers.length; i++) {
      const broker = brokers[this.nextBroker++ % brokers.length]!;
      const conn = this.newConnection('bootstrap', 10_000);
      try {
        const { host, port } = parseBroker(broker);
        await conn.connect(host, port);
        const { coordinators } = await findCoordinatorV4.api.async(conn, 0, [this.groupId]);
        const found = coordinators.find((c) => c.key === this.groupId);
        if (!found) throw new Error(`broker ${broker} named no coordinator for group "${this.groupId}"`);
        return { host: found.host, port: found.port };
      } catch (err) {
        if (brokerAnswer(err)) throw err;
        failures.push(err);
      } finally {
        conn.close().catch(() => {});
      }
    }
    throw failures.length === 1 ? failures[0] : new AggregateError(failures, `no bootstrap broker answered (${brokers.join(', ')})`);
  }

  private newConnection(role: string, requestTimeout: number): Connection {
    const o = clientOptions(this.kafka, `group-${role}`);
    const conn = new Connection(o.clientId, {
      connectTimeout: o.connectTimeout,
      requestTimeout,
      ...(o.tls ? { tls: o.tls, tlsServerName: o.tlsServerName } : {}),
      ...(o.sasl ? { sasl: o.sasl } : {}),
    });
    // Failures reach the pending requests; without a listener an 'error' event would throw.
    conn.on('error', () => {});
    return conn;
  }
}

/** "host:port", "[v6 address]:port"; Kafka's port when none is given. */
function parseBroker(broker: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(broker.trim());
  if (!m) throw new Error(`bad broker address "${broker}"`);
  return { host: (m[1] ?? m[2])!, port: m[3] ? Number(m[3]) : 9092 };
}
