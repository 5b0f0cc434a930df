/**
 * A worker as a member of a cluster (group.id): it joins the Kafka group, and at every rebalance
 *  - the leader rereads the config topic and assigns every connector to one member (assignor.ts,
 *    sticky, moves in two steps so nothing runs twice);
 *  - every member rereads the config topic and brings its connectors in line with its assignment
 *    (Worker.reconcile): new ones start, removed ones stop, changed ones restart;
 *  - connectors started here run under a lease (lease.ts): the membership session they started in.
 * A watchdog stops every connector at once when the session ends (evicted, frozen past the session
 * timeout): the lease already refuses their deliveries and offset writes by then.
 */
import type { Logger } from 'pino';
import type { WorkerServices } from '../connector/connector.js';
import type { KafkaClient, KafkaConnection } from '../kafka/ports.js';
import type { KafkaConfigStore } from '../worker/config-store.js';
import type { Placement, Worker } from '../worker/worker.js';
import { assignConnectors, withoutConcurrentMoves } from './assignor.js';
import type { ClusterSettings } from './cluster-settings.js';
import { GroupMembership, type GroupAssignment, type GroupMember } from './group-membership.js';
import { leasedKafka, leasedOffsetStore, type Lease } from './lease.js';
import { StatusTopic, type StatusRecord } from './status-topic.js';
import { decodeAssignment, decodeMetadata, encodeAssignment, encodeMetadata, type WorkerAssignment } from './protocol.js';

export const PROTOCOL_TYPE = 'pgcdc-worker';
const PROTOCOL_NAME = 'sticky-v1';
const WATCHDOG_MS = 200;

export class ClusterMember implements Placement {
  private readonly membership: GroupMembership;
  private worker: Worker | null = null;
  /** the last assignment; null before the first and after the lease was lost */
  private current: WorkerAssignment | null = null;
  /** the membership session the connectors running here were started in */
  private session: number | null = null;
  private watchdog?: NodeJS.Timeout;
  private stopping: Promise<void> | null = null;
  private status: StatusTopic | null = null;
  /** set by close(): nothing is adopted any more (an assignment may arrive while connectors stop) */
  private closing = false;

  constructor(
    private readonly settings: ClusterSettings,
    connection: KafkaConnection,
    private readonly kafka: Pick<KafkaClient, 'compactedLog'>,
    private readonly configStore: KafkaConfigStore,
    private readonly log: Logger,
  ) {
    this.membership = new GroupMembership({
      connection,
      groupId: settings.groupId,
      protocolType: PROTOCOL_TYPE,
      protocolName: PROTOCOL_NAME,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      rebalanceTimeoutMs: settings.rebalanceTimeoutMs,
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      metadata: () => encodeMetadata({ url: settings.advertisedUrl, owned: this.owned() }),
      assign: (members, leaderId) => this.assign(members, leaderId),
      onAssigned: (a) => this.assigned(a),
      onRevoked: () => {}, // a rebalance: connectors keep running until the new assignment says otherwise
      log,
    });
  }

  /** Joins the group; resolves once the first assignment was applied. */
  async start(worker: Worker): Promise<void> {
    this.worker = worker;
    const lease = { holds: () => this.session !== null && this.membership.session() === this.session, generation: () => this.membership.generationId };
    this.status = new StatusTopic(this.kafka.compactedLog(this.settings.statusTopic), worker, lease, this.log);
    await this.status.open();
    this.watchdog = setInterval(() => this.checkLease(), WATCHDOG_MS);
    this.watchdog.unref();
    await this.membership.start();
  }

  /** Stops this worker's connectors (draining, while the lease still holds), then leaves the group. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.watchdog);
    await this.worker?.releaseAll('the worker is shutting down');
    this.current = null;
    await this.membership.close();
    // An assignment handled while the first releaseAll ran cannot have started anything (closing),
    // but a connector it restarted in place is stopped here.
    await this.worker?.releaseAll('the worker is shutting down');
    await this.status?.close();
  }

  /** The last state the connector's worker wrote to the status topic (for when that worker does not answer). */
  lastStatus(name: string): Promise<StatusRecord | null> {
    return this.status ? this.status.read(name) : Promise.resolve(null);
  }

  get isLeader(): boolean {
    return this.membership.isLeader && this.current !== null;
  }

  /** Where writes go: the leader's REST URL (null until the first assignment). */
  get leaderUrl(): string | null {
    return this.current?.leaderUrl ?? null;
  }

  /** The REST URL of the worker running the connector, per the last assignment (null: none). */
  ownerUrl(name: string): string | null {
    return this.current?.owners[name] ?? null;
  }

  /** After a write this worker forwarded to the leader: learn the new definitions now (the rebalance it triggers follows). */
  async afterForwardedWrite(): Promise<void> {
    if (this.worker && !this.closing) await this.worker.learn(await this.configStore.reload());
  }

  knows(name: string): boolean {
    return this.worker?.names().includes(name) ?? false;
  }

  get url(): string {
    return this.settings.advertisedUrl;
  }

  // --- Placement (what the Worker asks) ---

  owns(name: string): boolean {
    return !this.closing && this.current?.connectors.includes(name) === true && this.session !== null && this.membership.session() === this.session;
  }

  services(name: string, base: WorkerServices): WorkerServices {
    const session = this.session;
    const lease: Lease = {
      holds: () => session !== null && this.membership.session() === session,
      description: `the group membership (group "${this.settings.groupId}", worker ${this.settings.advertisedId}) connector ${name} was started under`,
    };
    return { ...base, kafka: leasedKafka(base.kafka, lease), offsetStore: leasedOffsetStore(base.offsetStore, lease), takeOverSlot: true };
  }

  changed(reason: string): void {
    this.membership.requestRebalance(reason);
  }

  // --- the group protocol ---

  /** What this worker runs, for its join metadata; nothing once its lease is lost (they are stopping). */
  private owned(): string[] {
    const worker = this.worker;
    if (!worker || this.session === null || this.membership.session() !== this.session) return [];
    return worker.names().filter((n) => worker.isLocal(n));
  }

  /** On the leader: every connector of the config topic to one member. */
  private async assign(members: GroupMember[], leaderId: string): Promise<Map<string, Buffer>> {
    const stored = await this.configStore.reload();
    const reports = members.map((m) => {
      const meta = decodeMetadata(m.metadata);
      if (!meta) this.log.warn({ member: m.memberId }, 'a group member sent metadata this worker cannot read; it is assigned nothing');
      return { memberId: m.memberId, url: meta?.url ?? null, owned: meta?.owned ?? [] };
    });
    const readable = reports.filter((r) => r.url !== null);
    const plan = withoutConcurrentMoves(assignConnectors(readable, [...stored.keys()]), readable);
    const urls = new Map(readable.map((r) => [r.memberId, r.url!]));
    const owners: Record<string, string> = {};
    for (const [id, names] of plan) for (const name of names) owners[name] = urls.get(id)!;
    const leaderUrl = urls.get(leaderId) ?? this.settings.advertisedUrl;
    const out = new Map<string, Buffer>();
    for (const r of reports) out.set(r.memberId, encodeAssignment({ leaderId, leaderUrl, configOffset: '', connectors: plan.get(r.memberId) ?? [], owners }));
    this.log.info({ members: reports.length, connectors: stored.size, plan: Object.fromEntries(plan) }, 'assigned the connectors of the cluster');
    return out;
  }

  /** Every member: rereads the configs and runs exactly what was assigned to it. */
  private async assigned(a: GroupAssignment): Promise<void> {
    const worker = this.worker;
    if (!worker || this.closing) return;
    const decoded = decodeAssignment(a.bytes);
    if (!decoded) this.log.warn({ generation: a.generationId }, 'the assignment could not be read; running nothing until the next one');
    const session = this.membership.session();
    if (this.session !== session) {
      // Connectors started under an earlier session are not ours any more, whatever this assignment says.
      await worker.releaseAll('this worker lost its place in the group');
      this.session = session;
    }
    this.current = decoded;
    const stored = await this.configStore.reload();
    const released = await worker.reconcile(stored, new Set(decoded?.connectors ?? []));
    if (released.length > 0) this.membership.requestRebalance(`released ${released.join(', ')} for another worker`);
  }

  /** Stops everything at once when the session the connectors run under has ended. */
  private checkLease(): void {
    if (this.stopping || this.session === null || !this.worker) return;
    if (this.membership.session() === this.session) return;
    const worker = this.worker;
    this.session = null;
    this.current = null;
    this.log.warn({ group: this.settings.groupId }, 'this worker lost its group lease (session expired or evicted): its connectors stop now, without delivering or storing anything more');
    this.stopping = worker.releaseAll('group lease lost').finally(() => (this.stopping = null));
  }
}
