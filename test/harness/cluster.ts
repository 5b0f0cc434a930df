/**
 * A cluster of `pgcdc worker` processes (cluster mode: PGCDC_KAFKA_GROUP_ID) on the shared stack,
 * for test/integration/cluster.test.ts: N WorkerHttp children with one group id and the same
 * config, offset and status topics, short group timings, and what the tests ask of them (the
 * status of every connector seen through one worker, the placement name -> worker_id, waiting for a
 * placement). Also the sources the connectors read: one fresh database per connector with the
 * `items` table and its WriteLoad, and the end-of-test checks (read_committed once, copy = source).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { RUN_ID, testConnectorConfig, topicPrefixFor } from './connector.js';
import { dropDatabase, freshDatabase, withClient } from './database.js';
import { connectorTopics, copyBuiltFrom, copyEqualsSource, exactlyOnceFindings, readCommitted, type ExactlyOnceFindings } from './eos-checks.js';
import { LOAD_TABLE_DDL, WriteLoad } from './fault-load.js';
import { PgOracle } from './pg-oracle.js';
import type { TestServices } from './services.js';
import { WorkerHttp } from './worker-http.js';

/** The group timings of every test cluster (Kafka Connect's defaults are 10 s / 3 s / 60 s). */
export const CLUSTER_TIMING = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000, rebalanceTimeoutMs: 10_000 } as const;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One connector's status as GET /connectors/{name}/status shows it on one worker. */
export interface ConnectorState {
  name: string;
  /** HTTP status of the answer (0: no answer) */
  http: number;
  /** connector.state, or null without an answer */
  state: string | null;
  /** connector.worker_id */
  workerId: string | null;
  taskState: string | null;
  taskWorkerId: string | null;
  /** the answer came from the status topic because the owner did not answer (`stale` in the body) */
  stale: boolean;
  at: number;
}

/** RUNNING on a worker that answered for it (not a stale report), connector and task alike. */
export const isRunning = (s: ConnectorState | undefined): boolean =>
  s !== undefined && s.state === 'RUNNING' && !s.stale && s.taskState === 'RUNNING' && s.workerId !== null && s.taskWorkerId === s.workerId;

export class TestCluster {
  readonly groupId: string;
  readonly configTopic: string;
  readonly offsetTopic: string;
  readonly statusTopic: string;
  readonly workers: WorkerHttp[];

  constructor(private readonly services: TestServices, readonly label: string, size: number, extraEnv: Record<string, string> = {}) {
    const id = `${label}-${RUN_ID}-${randomUUID().slice(0, 6)}`;
    this.groupId = `pgcdc-it-cluster-${id}`;
    this.configTopic = `pgcdc-test-cluster-configs-${id}`;
    this.offsetTopic = `pgcdc-test-cluster-offsets-${id}`;
    this.statusTopic = `pgcdc-test-cluster-status-${id}`;
    const env = {
      PGCDC_KAFKA_GROUP_ID: this.groupId,
      PGCDC_CONFIG_TOPIC: this.configTopic,
      PGCDC_OFFSET_TOPIC: this.offsetTopic,
      PGCDC_STATUS_TOPIC: this.statusTopic,
      PGCDC_KAFKA_SESSION_TIMEOUT_MS: String(CLUSTER_TIMING.sessionTimeoutMs),
      PGCDC_KAFKA_HEARTBEAT_INTERVAL_MS: String(CLUSTER_TIMING.heartbeatIntervalMs),
      PGCDC_KAFKA_REBALANCE_TIMEOUT_MS: String(CLUSTER_TIMING.rebalanceTimeoutMs),
      ...extraEnv,
    };
    this.workers = Array.from({ length: size }, (_, i) => new WorkerHttp(services, `${label}-w${i + 1}`, { env }));
  }

  /** Starts every worker (in parallel: they join the group together) and waits until each answers. */
  async start(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.start()));
  }

  /** Workers whose process runs and is not frozen. */
  live(): WorkerHttp[] {
    return this.workers.filter((w) => w.running && !w.frozen);
  }

  byId(workerId: string | null): WorkerHttp | undefined {
    return this.workers.find((w) => w.running && w.workerId === workerId);
  }

  /** Where an id comes from, for messages: `w2 (127.0.0.1:20345)`. */
  describe(workerId: string | null): string {
    const i = this.workers.findIndex((w) => w.workerId === workerId);
    return i < 0 ? String(workerId) : `w${i + 1} (${workerId})`;
  }

  /** Creates a connector through `via` (any worker: it is forwarded to the leader); 201 or throws. */
  async create(name: string, config: Record<string, unknown>, via: WorkerHttp = this.live()[0]!): Promise<void> {
    const { name: _drop, ...rest } = config;
    // Right after start-up the group may still be forming (409 during a rebalance, 503 while the leader is unknown).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await via.request('POST', '/connectors', { name, config: rest });
      if (res.status === 201) return;
      if (Date.now() > deadline || ![409, 503].includes(res.status)) throw new Error(`POST /connectors ${name} through ${this.describe(via.workerId)}: ${res.status} ${res.text}`);
      await sleep(500);
    }
  }

  /** GET /connectors/{name}/status on `via`; an unanswered request gives http 0. */
  async status(name: string, via: WorkerHttp): Promise<ConnectorState> {
    const at = Date.now();
    try {
      const res = await via.request('GET', `/connectors/${encodeURIComponent(name)}/status`);
      const b = res.body;
      return {
        name,
        http: res.status,
        state: b?.connector?.state ?? null,
        workerId: b?.connector?.worker_id ?? null,
        taskState: b?.tasks?.[0]?.state ?? null,
        taskWorkerId: b?.tasks?.[0]?.worker_id ?? null,
        stale: b?.stale !== undefined,
        at,
      };
    } catch {
      return { name, http: 0, state: null, workerId: null, taskState: null, taskWorkerId: null, stale: false, at };
    }
  }

  /** Every connector's status, asked of one worker (the first live one unless `via`). */
  async statuses(names: string[], via?: WorkerHttp): Promise<Map<string, ConnectorState>> {
    const w = via ?? this.live()[0];
    if (!w) throw new Error('no live worker to ask');
    const all = await Promise.all(names.map((n) => this.status(n, w)));
    return new Map(all.map((s) => [s.name, s]));
  }

  /** name -> worker_id of the worker running it (RUNNING, not stale), or null. */
  static placement(statuses: Map<string, ConnectorState>): Map<string, string | null> {
    return new Map([...statuses].map(([n, s]) => [n, isRunning(s) ? s.workerId : null]));
  }

  /** worker_id -> names it runs, for every live worker (those running nothing included). */
  spread(placement: Map<string, string | null>): Map<string, string[]> {
    const out = new Map(this.live().map((w) => [w.workerId, [] as string[]]));
    for (const [n, id] of placement) if (id !== null) out.set(id, [...(out.get(id) ?? []), n].sort());
    return out;
  }

  /** Every connector RUNNING on a live worker, no two counts of the live workers differing by more than one. */
  evenlyRunning(statuses: Map<string, ConnectorState>): boolean {
    const liveIds = new Set(this.live().map((w) => w.workerId));
    const placement = TestCluster.placement(statuses);
    if (![...placement.values()].every((id) => id !== null && liveIds.has(id))) return false;
    const counts = [...this.spread(placement).values()].map((l) => l.length);
    return Math.max(...counts) - Math.min(...counts) <= 1;
  }

  /** Readable placement for messages and logs. */
  show(statuses: Map<string, ConnectorState>): string {
    return [...statuses.values()].map((s) => `${s.name}=${s.state ?? `http ${s.http}`}${s.stale ? '(stale)' : ''}@${this.describe(s.workerId)}`).join(', ');
  }

  /**
   * Polls the statuses (through the first live worker unless `via`, every 250 ms) until `ok` holds;
   * resolves with them, or throws with the last ones seen.
   */
  async waitFor(names: string[], ok: (s: Map<string, ConnectorState>) => boolean, what: string, timeoutMs: number, via?: () => WorkerHttp | undefined): Promise<Map<string, ConnectorState>> {
    const deadline = Date.now() + timeoutMs;
    let last: Map<string, ConnectorState> | undefined;
    for (;;) {
      const w = via ? via() : this.live()[0];
      if (w) {
        last = await this.statuses(names, w);
        if (ok(last)) return last;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${last ? this.show(last) : 'nothing'}`);
      await sleep(250);
    }
  }

  /** Clean-up: every worker still running (frozen ones woken first) stopped, SIGKILL if it hangs. Never throws. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stopOrKill()));
    this.saveLogs();
  }

  /** Writes every worker's whole output (all its runs) to <tmpdir>/pgcdc-cluster-<label>-<run>/wN.log, for a failure's post-mortem. */
  saveLogs(): string {
    const dir = join(tmpdir(), `pgcdc-cluster-${this.label}-${RUN_ID}`);
    mkdirSync(dir, { recursive: true });
    this.workers.forEach((w, i) => writeFileSync(join(dir, `w${i + 1}.log`), w.output));
    console.log(`worker logs of the ${this.label} cluster: ${dir}`);
    return dir;
  }

  /** The log lines (pino JSON) a worker printed, parsed; unparsable lines are left out. */
  static logLines(w: WorkerHttp): LogLine[] {
    const out: LogLine[] = [];
    for (const line of w.output.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as LogLine);
      } catch {
        // a line cut by the process being killed
      }
    }
    return out;
  }
}

export interface LogLine {
  time: number;
  level: number;
  msg: string;
  connector?: string;
  connectors?: string[];
  [key: string]: unknown;
}

/**
 * Samples every connector's status through a live worker every `everyMs`, for the pauses of a
 * rolling restart: a connector's pause is the time from its last RUNNING sample before a stretch of
 * samples not RUNNING to the first RUNNING sample after it (an upper bound of the real pause).
 */
export class StatusSampler {
  readonly samples = new Map<string, { at: number; running: boolean; state: string }[]>();
  private stopping = false;
  private loop?: Promise<void>;

  constructor(private readonly cluster: TestCluster, private readonly names: string[], private readonly via: () => WorkerHttp | undefined, private readonly everyMs = 200) {
    for (const n of names) this.samples.set(n, []);
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopping) {
        const w = this.via();
        if (w) {
          const all = await Promise.all(this.names.map((n) => this.cluster.status(n, w)));
          // an unanswered request (the asked worker went away) says nothing about the connector
          for (const s of all) if (s.http !== 0) this.samples.get(s.name)!.push({ at: s.at, running: isRunning(s), state: `${s.state}${s.stale ? '(stale)' : ''}@${s.workerId}` });
        }
        await sleep(this.everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  /** Per connector: the longest pause in ms (0: never seen not RUNNING) and how many samples it had. */
  pauses(): Map<string, { longestMs: number; pauses: number; samples: number; notRunningSamples: number }> {
    const out = new Map<string, { longestMs: number; pauses: number; samples: number; notRunningSamples: number }>();
    for (const [name, list] of this.samples) {
      let longest = 0;
      let pauses = 0;
      let lastRunning: number | null = null;
      let inPause = false;
      for (const s of list) {
        if (s.running) {
          if (inPause) {
            longest = Math.max(longest, s.at - (lastRunning ?? list[0]!.at));
            pauses++;
          }
          inPause = false;
          lastRunning = s.at;
        } else inPause = true;
      }
      // still not RUNNING at the end: the pause so far
      if (inPause) {
        longest = Math.max(longest, list.at(-1)!.at - (lastRunning ?? list[0]!.at));
        pauses++;
      }
      out.set(name, { longestMs: longest, pauses, samples: list.length, notRunningSamples: list.filter((s) => !s.running).length });
    }
    return out;
  }
}

/** A source of one connector: its own database with `items`, its connector config, its write load. */
export class ClusterSource {
  db!: pg.ClientConfig;
  load!: WriteLoad;
  config!: Record<string, unknown>;
  readonly prefix: string;
  readonly slot: string;

  constructor(private readonly services: TestServices, readonly name: string, private readonly pauseMs: number, private readonly overrides: Record<string, unknown> = {}) {
    this.prefix = topicPrefixFor(name);
    this.slot = name.replace(/[^a-z0-9_]/g, '_');
  }

  async create(): Promise<void> {
    this.db = await freshDatabase(this.services, this.name);
    await withClient(this.db, (c) => c.query(LOAD_TABLE_DDL));
    this.config = testConnectorConfig(this.db, this.services, this.name, { 'exactly.once.support': 'required', ...this.overrides });
    this.load = new WriteLoad(this.db, this.pauseMs);
  }

  /** The slot's confirmed_flush_lsn and the PID of the walsender holding it (null when none). */
  async slotState(): Promise<{ confirmed: string | null; activePid: number | null }> {
    return withClient({ ...this.services.pg }, async (c) => {
      const r = await c.query<{ lsn: string | null; pid: number | null }>('SELECT confirmed_flush_lsn::text AS lsn, active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1', [this.slot]);
      return { confirmed: r.rows[0]?.lsn ?? null, activePid: r.rows[0]?.pid ?? null };
    });
  }

  /**
   * After the load stopped: the reference loader's copy equals the source, a read_committed read of
   * every topic of the connector holds each change once (one tombstone after each delete), and the
   * copy was built from exactly those records. Returns the findings (asserted here already).
   */
  async checkDelivered(timeoutMs = 180_000): Promise<ExactlyOnceFindings> {
    const oracle = await PgOracle.start({ brokers: this.services.kafkaBrokers, registryUrl: this.services.registryUrl, pg: this.services.pg, sourceDatabase: this.name, topicPrefix: this.prefix });
    try {
      await copyEqualsSource(oracle, this.db, ['public.items'], timeoutMs);
      const records = await readCommitted(this.services.kafkaBrokers, this.services.registryUrl, await connectorTopics(this.services.kafkaBrokers, this.prefix));
      const findings = exactlyOnceFindings(records);
      assert.deepEqual(findings.duplicates.slice(0, 20), [], `${this.name}: no change read twice by a read_committed consumer (first 20 duplicates)`);
      assert.deepEqual(findings.tombstoneProblems.slice(0, 20), [], `${this.name}: one tombstone right after each delete`);
      assert.ok(findings.events > this.load.committed / 2, `${this.name}: the changes were read back (${findings.events} events for ${this.load.committed} transactions)`);
      await copyBuiltFrom(oracle, this.services.kafkaBrokers, this.db, ['public.items'], records);
      return findings;
    } finally {
      await oracle.close();
    }
  }

  async drop(): Promise<void> {
    await this.load?.stop().catch(() => 0);
    await dropDatabase(this.services, this.name).catch(() => {});
  }
}
