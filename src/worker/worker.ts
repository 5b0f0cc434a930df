/**
 * A worker hosts any number of connectors by name, keeps their definitions in a ConfigStore and
 * brings each one to its target state (RUNNING, PAUSED, STOPPED). Every change to one name runs
 * under a per-name lock, and is stored before it is applied, so that:
 *  - concurrent creates of one name end in exactly one success and "already exists" for the rest;
 *  - a definition the worker acted on is the one found again after a restart.
 * A config that fails validation is refused before anything is stored or started (no slot,
 * publication or topic is created for it).
 */
import type { Logger } from 'pino';
import type { WorkerServices } from '../connector/connector.js';
import type { KafkaClient } from '../kafka/ports.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import type { ConfigStore, StoredConnector, TargetState } from './config-store.js';
import { alreadyExists, invalidConfig, notFound, notRunningHere } from './errors.js';
import { KeyedLock } from './keyed-lock.js';
import { ManagedConnector, type ConnectorInfo, type ConnectorStatus } from './managed-connector.js';
import { checkName, configToStore, prepareConfig } from './validation.js';

export interface WorkerDeps {
  kafka: KafkaClient;
  offsetStore: OffsetStore;
  configStore: ConfigStore;
  log: Logger;
  /** `host:port` of this worker's REST API. */
  workerId: string;
  /** the Kafka bootstrap servers (named in lineage output datasets) */
  brokers?: readonly string[];
  /** exactly.once.source.support=enabled: connectors run exactly-once unless they ask for it themselves */
  exactlyOnceSourceSupport?: boolean;
  /** cluster mode (group.id): which connectors run here; absent, every connector runs here */
  placement?: Placement;
}

/**
 * How a cluster decides what runs on this worker (src/cluster/cluster-member.ts). Definitions are
 * shared by every worker (the config topic); a connector runs only on the worker it is assigned to.
 */
export interface Placement {
  /** the current assignment gives this connector to this worker */
  owns(name: string): boolean;
  /** the services a connector run here gets: its deliveries and offset writes hold the group lease */
  services(name: string, base: WorkerServices): WorkerServices;
  /** a stored definition changed: the group rebalances, and every worker rereads the config topic */
  changed(reason: string): void;
}

export class Worker {
  private readonly connectors = new Map<string, ManagedConnector>();
  /** the connectors running (or paused/stopped) on this worker; in cluster mode a subset of `connectors` */
  private readonly local = new Set<string>();
  private readonly lock = new KeyedLock();
  private readonly services: WorkerServices;
  clusterId: string | null = null;

  constructor(readonly deps: WorkerDeps) {
    this.services = { kafka: deps.kafka, offsetStore: deps.offsetStore, log: deps.log, brokers: deps.brokers ?? [], exactlyOnceSourceSupport: deps.exactlyOnceSourceSupport ?? false };
  }

  get workerId(): string {
    return this.deps.workerId;
  }

  /** Loads the stored connectors (not started yet: see startConnectors). */
  async open(): Promise<void> {
    this.clusterId = await this.deps.kafka.clusterId();
    const stored = await this.deps.configStore.load();
    for (const [name, definition] of stored) {
      const managed = new ManagedConnector(name, definition, this.services);
      this.connectors.set(name, managed);
      this.deps.log.info({ connector: name, target: definition.target_state }, 'connector loaded from the config store');
    }
  }

  /** Brings every connector to its target state (those already running are left alone). In cluster mode, only the assigned ones. */
  async startConnectors(): Promise<void> {
    for (const name of this.names()) await this.lock.run(name, async () => this.adopt(name));
  }

  /** The connectors running here (all of them, standalone): what this worker's metrics and readiness are about. */
  localNames(): string[] {
    return this.names().filter((n) => this.local.has(n));
  }

  /** Whether the connector runs on this worker (always, standalone). */
  isLocal(name: string): boolean {
    return this.local.has(name);
  }

  /**
   * Cluster mode, after every assignment: takes the stored definitions (the config topic, reread)
   * and the connectors assigned here. Deleted ones stop, changed ones restart with their new
   * definition, ones no longer assigned stop gracefully, newly assigned ones start. Returns the
   * names that stopped here and still exist (another worker takes them in the next round).
   */
  async reconcile(stored: ReadonlyMap<string, StoredConnector>, assigned: ReadonlySet<string>): Promise<string[]> {
    const released: string[] = [];
    for (const name of [...this.connectors.keys()]) {
      if (stored.has(name)) continue;
      await this.lock.run(name, async () => {
        const managed = this.connectors.get(name);
        if (!managed) return;
        if (this.local.delete(name)) await managed.close({ deleted: true });
        this.connectors.delete(name);
        this.deps.log.info({ connector: name }, 'connector deleted (config topic)');
      });
    }
    for (const [name, definition] of stored) {
      await this.lock.run(name, async () => {
        const existing = this.connectors.get(name);
        if (!existing) this.connectors.set(name, new ManagedConnector(name, definition, this.services));
        else if (JSON.stringify(existing.definition) !== JSON.stringify(definition)) {
          if (this.local.has(name)) await existing.replace(definition);
          else existing.redefine(definition);
        }
        if (this.local.has(name) && !assigned.has(name)) {
          await this.release(name);
          released.push(name);
        } else await this.adopt(name);
      });
    }
    return released;
  }

  /**
   * Cluster mode, after this worker forwarded a config write to the leader: takes the definitions
   * just read from the config topic for connectors that do not run here (new, changed, deleted),
   * so this worker answers about them at once. Connectors running here are left to the next
   * assignment, which the write triggers.
   */
  async learn(stored: ReadonlyMap<string, StoredConnector>): Promise<void> {
    for (const name of [...this.connectors.keys()]) {
      if (stored.has(name) || this.local.has(name)) continue;
      await this.lock.run(name, async () => {
        if (!this.local.has(name) && !stored.has(name)) this.connectors.delete(name);
      });
    }
    for (const [name, definition] of stored) {
      if (this.local.has(name)) continue;
      await this.lock.run(name, async () => {
        const existing = this.connectors.get(name);
        if (!existing) this.connectors.set(name, new ManagedConnector(name, definition, this.services));
        else if (!this.local.has(name) && JSON.stringify(existing.definition) !== JSON.stringify(definition)) existing.redefine(definition);
      });
    }
  }

  /** Stops every connector running here, gracefully (a rebalance took them away, or the worker lost its group lease). */
  async releaseAll(why: string): Promise<void> {
    const names = [...this.local];
    if (names.length > 0) this.deps.log.warn({ connectors: names }, `stopping the connectors of this worker: ${why}`);
    await Promise.all(names.map((name) => this.lock.run(name, () => this.release(name))));
  }

  /** Under the name's lock: stops the run here and keeps the definition, not running. */
  private async release(name: string): Promise<void> {
    const managed = this.connectors.get(name);
    if (!managed || !this.local.delete(name)) return;
    await managed.close().catch((err) => this.deps.log.error({ connector: name, err: managed.redact(String(err)) }, 'stop failed'));
    this.connectors.set(name, new ManagedConnector(name, managed.definition, this.services));
    this.deps.log.info({ connector: name }, 'connector released by this worker');
  }

  /** Under the name's lock: starts the connector here when this worker should run it (a fresh run, with the cluster's lease). */
  private async adopt(name: string): Promise<void> {
    const managed = this.connectors.get(name);
    if (!managed) return;
    const placement = this.deps.placement;
    if (this.local.has(name)) return void (await managed.apply());
    if (placement && !placement.owns(name)) return;
    const run = placement ? new ManagedConnector(name, managed.definition, placement.services(name, this.services)) : managed;
    this.connectors.set(name, run);
    this.local.add(name);
    if (placement) this.deps.log.info({ connector: name }, 'connector assigned to this worker');
    await run.apply();
  }

  names(): string[] {
    return [...this.connectors.keys()].sort();
  }

  /** The connector, or 404 (a name that cannot exist is a 400). */
  get(name: string): ManagedConnector {
    const found = this.connectors.get(name);
    if (found) return found;
    checkName(name);
    throw notFound(name);
  }

  status(name: string): ConnectorStatus {
    return this.get(name).status(this.workerId);
  }

  info(name: string): ConnectorInfo {
    return this.get(name).info();
  }

  /** POST /connectors: 409 when the name exists, 400 (nothing stored) when the config is invalid. */
  create(name: string, config: Record<string, unknown>, initialState: TargetState = 'RUNNING'): Promise<ConnectorInfo> {
    checkName(name);
    return this.lock.run(name, async () => {
      if (this.connectors.has(name)) throw alreadyExists(name);
      return this.define(name, config, initialState);
    });
  }

  /** PUT /connectors/{name}/config: creates (created=true) or replaces the config, keeping the target state. */
  putConfig(name: string, config: Record<string, unknown>): Promise<{ created: boolean; info: ConnectorInfo }> {
    checkName(name);
    return this.lock.run(name, async () => {
      const existing = this.connectors.get(name);
      if (!existing) return { created: true, info: await this.define(name, config, 'RUNNING') };
      return { created: false, info: await this.redefine(existing, configToStore(name, config, existing.definition.config)) };
    });
  }

  /** `pgcdc worker --load file.json`: creates the connector, or updates it when the file differs from the store. */
  load(name: string, config: Record<string, unknown>): Promise<'created' | 'updated' | 'unchanged'> {
    checkName(name);
    return this.lock.run(name, async () => {
      const existing = this.connectors.get(name);
      if (!existing) {
        await this.define(name, config, 'RUNNING');
        return 'created';
      }
      const next = configToStore(name, config, existing.definition.config);
      if (JSON.stringify(next) === JSON.stringify(existing.definition.config)) return 'unchanged';
      await this.redefine(existing, next);
      return 'updated';
    });
  }

  /** PATCH /connectors/{name}/config: merges the given keys; a null value removes the key. */
  patchConfig(name: string, patch: Record<string, unknown>): Promise<ConnectorInfo> {
    return this.lock.run(name, async () => {
      const existing = this.get(name);
      const merged: Record<string, unknown> = { ...existing.definition.config };
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      return this.redefine(existing, configToStore(name, merged, existing.definition.config));
    });
  }

  /** pause / resume / stop: stores the target, then applies it (a pause or stop has drained when this resolves). */
  setTarget(name: string, target: TargetState): Promise<void> {
    return this.lock.run(name, async () => {
      const managed = this.get(name);
      const definition: StoredConnector = { config: managed.definition.config, target_state: target };
      await this.deps.configStore.put(name, definition);
      this.deps.log.info({ connector: name, target }, 'connector target state changed');
      if (this.local.has(name)) await managed.replaceTarget(target);
      else managed.redefine(definition);
      this.deps.placement?.changed(`connector ${name} ${target}`);
    });
  }

  /** POST /connectors/{name}/restart; with onlyFailed, only a FAILED connector is restarted. Returns whether it was. */
  restart(name: string, onlyFailed = false): Promise<boolean> {
    return this.lock.run(name, async () => {
      const managed = this.get(name);
      if (!this.local.has(name)) throw notRunningHere(name);
      if (onlyFailed && !managed.failed) return false;
      this.deps.log.info({ connector: name }, 'connector restarting');
      await managed.restart();
      return true;
    });
  }

  /**
   * DELETE /connectors/{name}: stops the connector (draining) and forgets it; offsets and the slot
   * are kept (the slot is dropped with slot.drop.on.stop=true), and a slot or pgcdc publication
   * left behind is named in a warning with the statements that remove it.
   */
  delete(name: string): Promise<void> {
    return this.lock.run(name, async () => {
      const managed = this.get(name);
      if (this.local.delete(name)) await managed.close({ deleted: true });
      await this.deps.configStore.put(name, null);
      this.connectors.delete(name);
      this.deps.log.info({ connector: name }, 'connector deleted');
      this.deps.placement?.changed(`connector ${name} deleted`);
    });
  }

  /** Runs `operation` on a connector under its lock (offset changes). */
  withConnector<T>(name: string, operation: (managed: ManagedConnector) => Promise<T>): Promise<T> {
    return this.lock.run(name, async () => operation(this.get(name)));
  }

  /** Stops every connector gracefully; their target states stay as stored. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.connectors.values()].filter((c) => this.local.has(c.name)).map((c) => c.close().catch((err) => this.deps.log.error({ connector: c.name, err: c.redact(String(err)) }, 'stop failed'))));
  }

  private async define(name: string, config: Record<string, unknown>, target: TargetState): Promise<ConnectorInfo> {
    const stored = configToStore(name, config);
    const prepared = await prepareConfig(stored);
    if (prepared.errors.length > 0) throw invalidConfig(prepared.errors, prepared.warnings);
    const definition: StoredConnector = { config: stored, target_state: target };
    await this.deps.configStore.put(name, definition);
    const managed = new ManagedConnector(name, definition, this.services);
    this.connectors.set(name, managed);
    this.logWarnings(name, prepared.warnings);
    this.deps.log.info({ connector: name, target }, 'connector created');
    await this.adopt(name);
    this.deps.placement?.changed(`connector ${name} created`);
    return managed.info();
  }

  private async redefine(existing: ManagedConnector, config: Record<string, unknown>): Promise<ConnectorInfo> {
    const prepared = await prepareConfig(config);
    if (prepared.errors.length > 0) throw invalidConfig(prepared.errors, prepared.warnings);
    const definition: StoredConnector = { config, target_state: existing.target };
    await this.deps.configStore.put(existing.name, definition);
    this.logWarnings(existing.name, prepared.warnings);
    this.deps.log.info({ connector: existing.name }, 'connector config updated; restarting it');
    if (this.local.has(existing.name)) await existing.replace(definition);
    else existing.redefine(definition);
    this.deps.placement?.changed(`connector ${existing.name} reconfigured`);
    return existing.info();
  }

  private logWarnings(name: string, warnings: { key: string; message: string }[]): void {
    for (const w of warnings) this.deps.log.warn({ connector: name, key: w.key }, w.message);
  }
}
