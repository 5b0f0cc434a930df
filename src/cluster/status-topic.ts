/**
 * The cluster's status topic (status.storage.topic), in Kafka Connect's layout: key
 * `status-connector-<name>` and `status-task-<name>-0`, value
 * `{"state": "RUNNING", "trace": null, "worker_id": "host:port", "generation": 7}`; a deleted
 * connector's keys get tombstones. Each worker writes the records of the connectors it runs,
 * when their state changes and only while it holds its lease; any worker reads them back to answer
 * for a connector whose worker does not answer (the last state it reported, as Connect shows it).
 */
import type { Logger } from 'pino';
import type { CompactedLog } from '../kafka/ports.js';
import type { Worker } from '../worker/worker.js';

export interface StatusRecord {
  state: string;
  trace: string | null;
  worker_id: string;
  generation: number;
}

const connectorKey = (name: string) => `status-connector-${name}`;
const taskKey = (name: string) => `status-task-${name}-0`;
const POLL_MS = 1_000;

export class StatusTopic {
  /** the state, worker and trace this worker last wrote, by connector */
  private readonly written = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: CompactedLog,
    private readonly worker: Worker,
    private readonly lease: { holds(): boolean; generation(): number },
    private readonly logger: Logger,
  ) {}

  get topic(): string {
    return this.log.topic;
  }

  async open(): Promise<void> {
    await this.log.open();
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.publish()).catch((err) => this.logger.warn({ topic: this.log.topic, err: (err as Error).message }, 'writing the status topic failed; retrying'));
    }, POLL_MS);
    this.timer.unref();
  }

  /** Writes the changed states of the connectors running here, and tombstones for deleted ones this worker reported. */
  async publish(): Promise<void> {
    if (!this.lease.holds()) return;
    const names = new Set(this.worker.names());
    for (const name of names) {
      if (!this.worker.isLocal(name)) continue;
      const c = this.worker.status(name).connector;
      // the generation changes at every rebalance: written again only when the state or trace changed
      const seen = `${c.state}\n${c.worker_id}\n${c.trace ?? ''}`;
      if (this.written.get(name) === seen) continue;
      if (!this.lease.holds()) return;
      const text = JSON.stringify({ state: c.state, trace: c.trace ?? null, worker_id: c.worker_id, generation: this.lease.generation() } satisfies StatusRecord);
      await this.log.write(connectorKey(name), text);
      await this.log.write(taskKey(name), text);
      this.written.set(name, seen);
    }
    for (const name of [...this.written.keys()]) {
      if (names.has(name)) {
        if (!this.worker.isLocal(name)) this.written.delete(name); // another worker reports it now
        continue;
      }
      if (!this.lease.holds()) return;
      await this.log.write(connectorKey(name), null);
      await this.log.write(taskKey(name), null);
      this.written.delete(name);
    }
  }

  /** The last status a worker reported for the connector (null: none). */
  async read(name: string): Promise<StatusRecord | null> {
    const all = await this.log.readAll();
    const text = all.get(connectorKey(name));
    if (!text) return null;
    try {
      return JSON.parse(text) as StatusRecord;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.log.close();
  }
}
