/**
 * Where a worker keeps its connectors' definitions so they survive a restart.
 *
 * Record: key = connector name, value = `{"config": {...as written...}, "target_state": "RUNNING"}`,
 * null = deleted. Configs are stored exactly as given: `${env:...}`/`${file:...}` references stay
 * references (resolved only when a connector starts), so secrets behind them never reach the store.
 * A literal password in a config is stored as given, like Kafka Connect does: prefer references.
 *
 * Guarantees (KafkaConfigStore): `put` resolves once the record is on all in-sync replicas (acks=all,
 * idempotent producer, one partition), so an acknowledged change survives the worker; `load` replays
 * the topic to its end at start-up and returns the last record of every name. Standalone, one
 * worker owns a config topic; in a cluster (group.id) every worker reads it and only the group's
 * leader writes it (the others forward their writes there).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CompactedLog, KafkaClient } from '../kafka/ports.js';
import { classifyKafkaError } from '../errors/classify-kafka.js';

export type TargetState = 'RUNNING' | 'PAUSED' | 'STOPPED';
export const TARGET_STATES: readonly TargetState[] = ['RUNNING', 'PAUSED', 'STOPPED'];

export interface StoredConnector {
  config: Record<string, unknown>;
  target_state: TargetState;
}

export interface ConfigStore {
  /** Opens the store and returns every stored connector by name. */
  load(): Promise<Map<string, StoredConnector>>;
  /** Durably records a connector (null: deleted). */
  put(name: string, value: StoredConnector | null): Promise<void>;
  close(): Promise<void>;
  readonly description: string;
}

/** Checks a record read back from a store; a damaged record is skipped rather than crash the worker. */
export function parseStored(value: unknown): StoredConnector | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Partial<StoredConnector>;
  if (typeof v.config !== 'object' || v.config === null || Array.isArray(v.config)) return null;
  const target = TARGET_STATES.includes(v.target_state as TargetState) ? (v.target_state as TargetState) : 'RUNNING';
  return { config: v.config, target_state: target };
}

export class KafkaConfigStore implements ConfigStore {
  private readonly log: CompactedLog;

  constructor(client: Pick<KafkaClient, 'compactedLog'>, readonly topic: string) {
    this.log = client.compactedLog(topic);
  }

  get description(): string {
    return `Kafka topic ${this.topic}`;
  }

  /** Opens the topic and reads it from the beginning to its end at start-up. */
  async load(): Promise<Map<string, StoredConnector>> {
    try {
      await this.log.open();
    } catch (err) {
      throw classifyKafkaError(err, `opening config topic "${this.topic}"`);
    }
    return this.reload();
  }

  /** Reads the open topic again, from its beginning to its end now (a cluster's workers reread it after each rebalance). */
  async reload(): Promise<Map<string, StoredConnector>> {
    let raw: Map<string, string>;
    try {
      raw = await this.log.readAll();
    } catch (err) {
      throw classifyKafkaError(err, `reading config topic "${this.topic}"`);
    }
    const latest = new Map<string, StoredConnector>();
    for (const [name, value] of raw) {
      const parsed = parseStored(safeJson(value));
      if (parsed) latest.set(name, parsed);
    }
    return latest;
  }

  async put(name: string, value: StoredConnector | null): Promise<void> {
    try {
      await this.log.write(name, value === null ? null : JSON.stringify(value));
    } catch (err) {
      throw classifyKafkaError(err, `storing the config of connector ${name} in "${this.topic}"`);
    }
  }

  async close(): Promise<void> {
    await this.log.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Local JSON file `{ "<name>": {config, target_state} }`, rewritten whole on every change through a
 * temporary file and a rename, so a crash leaves either the old or the new file, never half of one.
 */
export class FileConfigStore implements ConfigStore {
  private entries = new Map<string, StoredConnector>();

  constructor(readonly path: string) {}

  get description(): string {
    return `file ${this.path}`;
  }

  async load(): Promise<Map<string, StoredConnector>> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new Error(`cannot read config file ${this.path} (${(err as NodeJS.ErrnoException).code ?? 'read error'})`);
    }
    const data = safeJson(text);
    if (typeof data !== 'object' || data === null) throw new Error(`config file ${this.path} is not a JSON object`);
    for (const [name, value] of Object.entries(data)) {
      const parsed = parseStored(value);
      if (parsed) this.entries.set(name, parsed);
    }
    return new Map(this.entries);
  }

  async put(name: string, value: StoredConnector | null): Promise<void> {
    if (value === null) this.entries.delete(name);
    else this.entries.set(name, value);
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries), null, 2), { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  async close(): Promise<void> {}
}
