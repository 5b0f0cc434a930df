import { performance } from 'node:perf_hooks';
import { heartbeatV4, joinGroupV9, leaveGroupV5, syncGroupV5 } from '@platformatic/kafka';
import type { Logger } from 'pino';
import { classifyKafkaError } from '../errors/classify-kafka.js';
import { backoffMs, sleep } from '../errors/retry.js';
import type { KafkaConnection } from '../kafka/ports.js';
import { brokerAnswer, GroupCoordinator } from './group-coordinator.js';

/**
 * Membership in a Kafka group over the classic group protocol (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup), as Kafka Connect's distributed workers use it: the broker's group coordinator decides
 * who is in each generation, the leader it picks computes every member's assignment (opaque bytes)
 * and each member receives its own. No consensus of pgcdc's own.
 *
 * A member's protocol metadata on the wire is 4 bytes, the count of rebalances it requested, then
 * the bytes of `metadata()`: the coordinator rebalances on a follower's JoinGroup only when its
 * metadata changed (a follower rejoining with the same bytes just gets the current generation).
 */
export interface GroupMember {
  memberId: string;
  metadata: Buffer;
}

export interface GroupAssignment {
  generationId: number;
  memberId: string;
  leaderId: string;
  isLeader: boolean;
  bytes: Buffer;
}

export interface GroupMembershipOptions {
  connection: KafkaConnection;
  groupId: string;
  protocolType: string;
  protocolName: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** how long start() waits for the coordinator's first answer (default 30 s) */
  startTimeoutMs?: number;
  /** this member's metadata, asked at every join */
  metadata(): Buffer;
  /** on the leader only: the assignment bytes of every member (a member missing gets empty bytes) */
  assign(members: GroupMember[], leaderId: string): Map<string, Buffer> | Promise<Map<string, Buffer>>;
  /** a generation completed: this member's bytes */
  onAssigned(assignment: GroupAssignment): void | Promise<void>;
  /** the assignment no longer holds (rebalance, eviction, session lost, close): stop acting on it */
  onRevoked(reason: string): void | Promise<void>;
  log?: Pick<Logger, 'info' | 'warn' | 'debug'>;
}

const GROUP_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID', 'MEMBER_ID_REQUIRED']);
const COORDINATOR_ERRORS = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);

export class GroupMembership {
  private member: string | null = null;
  private generation = -1;
  private leader = false;
  /** the current generation's assignment was delivered and no rebalance or loss has been seen since */
  private holding = false;
  /** onAssigned was delivered and its onRevoked is owed */
  private delivered = false;
  /** when the last request the coordinator answered as from a live member was *sent* (monotonic ms): the broker's session timer started no earlier */
  private aliveSince = Number.NEGATIVE_INFINITY;
  /** why the next turn of the join loop (re)joins; null while the generation holds */
  private rejoin: string | null = 'joining';
  private joining = false;
  private rebalancesRequested = 0;
  /** counts unbroken memberships (see session()); `sessionMember` is the member id of the current one */
  private sessionNo = 0;
  private sessionMember: string | null = null;
  private closing = false;
  private handlers: Promise<void> = Promise.resolve();
  private readonly stopped = new AbortController();
  private wake: () => void = () => {};
  private readonly coordinator: GroupCoordinator;
  private starting?: Promise<void>;
  private startSettle?: { resolve(): void; reject(err: unknown): void };
  private loops?: Promise<unknown>;
  private closed?: Promise<void>;

  constructor(private readonly o: GroupMembershipOptions) {
    // A JoinGroup waits on the broker until every member rejoined (at most the rebalance timeout).
    this.coordinator = new GroupCoordinator(o.connection, o.groupId, { join: o.rebalanceTimeoutMs + 5000, heartbeat: o.sessionTimeoutMs });
  }

  get memberId(): string | null {
    return this.member;
  }
  get generationId(): number {
    return this.generation;
  }
  get isLeader(): boolean {
    return this.leader;
  }

  /** Joins the group; resolves once the first assignment was delivered (onAssigned returned). */
  start(): Promise<void> {
    if (this.closing && !this.starting) return Promise.reject(new Error(`group "${this.o.groupId}": closed`));
    this.starting ??= new Promise<void>((resolve, reject) => {
      this.startSettle = { resolve, reject };
      this.loops = Promise.all([this.joinLoop(), this.heartbeatLoop()]);
    });
    return this.starting;
  }

  /** This member rejoins, so the whole group rebalances (after a connector was created or deleted). */
  requestRebalance(reason: string): void {
    this.rebalancesRequested = (this.rebalancesRequested + 1) >>> 0;
    this.needRejoin(`rebalance requested: ${reason}`);
  }

  /**
   * The lease: the generation's assignment holds and the broker saw this member less than a session
   * timeout ago. Judged from the clock alone, so a process frozen (SIGSTOP, a long GC) for longer sees
   * false on waking, before any heartbeat of its own could run.
   */
  holds(): boolean {
    return this.holding && !this.closing && performance.now() - this.aliveSince < this.o.sessionTimeoutMs;
  }

  /**
   * The current unbroken membership: one member id, the lease never lapsed in between (a number),
   * or null while there is none. Work adopted in one session belongs to it: once the number changes
   * (evicted, frozen past the session timeout, rejoined under a new id), another worker may own it.
   */
  session(): number | null {
    if (this.closing || this.member === null || this.generation < 0 || performance.now() - this.aliveSince >= this.o.sessionTimeoutMs) {
      this.endSession();
      return null;
    }
    if (this.sessionMember !== this.member) {
      this.sessionMember = this.member;
      this.sessionNo++;
    }
    return this.sessionNo;
  }

  private endSession(): void {
    this.sessionMember = null;
  }

  /** Stops acting (onRevoked), leaves the group so the others rebalance at once, closes the connections. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.wake();
    // Revoke first, heartbeating meanwhile: the others must not take over work this member still does.
    this.revoke('closing');
    await this.handlers;
    this.stopped.abort();
    const member = this.member;
    if (member) {
      try {
        const conn = await this.coordinator.connection('heartbeat');
        await leaveGroupV5.api.async(conn, this.o.groupId, [{ memberId: member, groupInstanceId: null, reason: 'closing' }]);
      } catch (err) {
        this.o.log?.debug({ err, group: this.o.groupId }, 'LeaveGroup failed; the coordinator drops the member when its session expires');
      }
    }
    this.member = null;
    this.generation = -1;
    this.endSession();
    await this.coordinator.close();
    await this.loops;
    this.startSettle?.reject(new Error(`group "${this.o.groupId}": closed before the first assignment`));
  }

  private needRejoin(reason: string): void {
    this.holding = false;
    this.rejoin ??= reason;
    this.wake();
  }

  private revoke(reason: string): void {
    this.holding = false;
    if (!this.delivered) return;
    this.delivered = false;
    this.o.log?.info({ group: this.o.groupId, generation: this.generation, reason }, 'group assignment revoked');
    this.enqueue('onRevoked', () => this.o.onRevoked(reason));
  }

  /** Handlers run one at a time, in order; a failing one is logged, the membership goes on. */
  private enqueue(what: string, fn: () => void | Promise<void>): Promise<void> {
    this.handlers = this.handlers.then(async () => {
      try {
        await fn();
      } catch (err) {
        this.o.log?.warn({ err, group: this.o.groupId }, `${what} failed`);
      }
    });
    return this.handlers;
  }

  private async joinLoop(): Promise<void> {
    const startedAt = performance.now();
    let answeredAt = startedAt; // the coordinator's last answer (start() gives up after startTimeoutMs without one)
    let failures = 0;
    while (!this.stopped.signal.aborted && !this.closing) {
      if (this.rejoin === null) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const reason = this.rejoin;
      this.revoke(reason);
      await this.handlers; // heartbeats go on meanwhile: a slow stop does not evict this member
      if (this.closing) return;
      this.rejoin = null;
      this.joining = true;
      try {
        await this.joinAndSync(reason, () => (answeredAt = performance.now()));
        failures = 0;
        continue;
      } catch (err) {
        this.rejoin ??= reason;
        if (this.closing || this.stopped.signal.aborted) return;
        const answer = brokerAnswer(err);
        // Only the coordinator's own answers count: COORDINATOR_NOT_AVAILABLE forever (an offsets topic that cannot be created) must fail start().
        const noCoordinator = !answer || COORDINATOR_ERRORS.has(answer.type);
        if (!noCoordinator) answeredAt = performance.now();
        if (answer?.type === 'MEMBER_ID_REQUIRED' && answer.memberId) {
          this.member = answer.memberId; // the first-join handshake: join again at once with this id
          continue;
        }
        if (answer?.type === 'UNKNOWN_MEMBER_ID' || answer?.type === 'FENCED_INSTANCE_ID') {
          this.member = null;
          this.endSession();
        }
        if (noCoordinator) this.coordinator.reset();
        const context = `joining worker group "${this.o.groupId}"`;
        const classified = classifyKafkaError(err, context);
        // Permanent (authorization, a wrong password, INCONSISTENT_GROUP_PROTOCOL, ...): start() fails at once.
        const permanent = !(answer && (GROUP_ERRORS.has(answer.type) || COORDINATOR_ERRORS.has(answer.type))) && !classified.retriable;
        const unreachable = noCoordinator && performance.now() - answeredAt > (this.o.startTimeoutMs ?? 30_000);
        if (this.startSettle && (permanent || unreachable)) {
          const why = `no answer from its coordinator within ${(this.o.startTimeoutMs ?? 30_000) / 1000} s (brokers ${this.o.connection.brokers.join(', ')})`;
          const settle = this.startSettle;
          this.startSettle = undefined;
          settle.reject(permanent ? classified : classifyKafkaError(err, `${context}: ${why}`));
          void this.close();
          return;
        }
        // Expected group answers at debug; other failures at warn, the first and every tenth in a row.
        const level = (answer && GROUP_ERRORS.has(answer.type)) || failures % 10 !== 0 ? 'debug' : 'warn';
        this.o.log?.[level]({ err: classified, attempt: failures + 1 }, 'joining the worker group failed; retrying');
        await sleep(backoffMs(failures++, 100, 2000), this.stopped.signal);
      } finally {
        this.joining = false;
      }
    }
  }

  /** One JoinGroup + SyncGroup round; the assignment is handed to onAssigned (queued). */
  private async joinAndSync(reason: string, answered: () => void): Promise<void> {
    const { groupId, protocolType, protocolName } = this.o;
    const conn = await this.coordinator.connection('join');
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.rebalancesRequested);
    const protocols = [{ name: protocolName, metadata: Buffer.concat([count, this.o.metadata()]) }];
    const joined = await joinGroupV9.api.async(conn, groupId, this.o.sessionTimeoutMs, this.o.rebalanceTimeoutMs, this.member ?? '', null, protocolType, protocols, reason);
    answered();
    this.member = joined.memberId;
    this.generation = joined.generationId;
    this.leader = joined.leader === joined.memberId;
    let assignments: syncGroupV5.SyncGroupRequestAssignment[] = [];
    if (this.leader && !joined.skipAssignment) {
      const members = joined.members.map((m) => ({ memberId: m.memberId, metadata: Buffer.from(m.metadata.subarray(4)) })); // a copy: the reader may share the response buffer
      const planned = await this.o.assign(members, joined.leader);
      assignments = members.map((m) => ({ memberId: m.memberId, assignment: planned.get(m.memberId) ?? Buffer.alloc(0) }));
    }
    const sentAt = performance.now();
    const synced = await syncGroupV5.api.async(conn, groupId, joined.generationId, joined.memberId, null, protocolType, protocolName, assignments);
    answered();
    if (this.closing) return;
    if (sentAt - this.aliveSince >= this.o.sessionTimeoutMs) this.endSession(); // lapsed while joining: the broker may have dropped us meanwhile
    this.aliveSince = sentAt;
    this.holding = this.rejoin === null;
    this.delivered = true;
    const assignment = { generationId: joined.generationId, memberId: joined.memberId, leaderId: joined.leader, isLeader: this.leader, bytes: Buffer.from(synced.assignment) };
    this.o.log?.info({ group: groupId, generation: assignment.generationId, member: assignment.memberId, leader: assignment.isLeader }, 'group assignment received');
    const settle = this.startSettle;
    void this.enqueue('onAssigned', () => this.o.onAssigned(assignment)).then(() => {
      if (settle && this.startSettle === settle) {
        this.startSettle = undefined;
        settle.resolve();
      }
    });
  }

  /** Every heartbeat interval outside a join, for the current generation; notices rebalances and a lost session. */
  private async heartbeatLoop(): Promise<void> {
    const signal = this.stopped.signal;
    let failing = 0;
    while (!signal.aborted) {
      await sleep(this.o.heartbeatIntervalMs, signal);
      if (signal.aborted) return;
      const { member, generation } = this;
      if (this.joining || member === null || generation < 0) continue;
      if (performance.now() - this.aliveSince >= this.o.sessionTimeoutMs) {
        this.endSession();
        this.needRejoin('session expired');
      }
      const sentAt = performance.now();
      try {
        const conn = await this.coordinator.connection('heartbeat');
        await heartbeatV4.api.async(conn, this.o.groupId, generation, member, null);
        if (this.generation === generation && this.member === member) this.aliveSince = sentAt;
        failing = 0;
      } catch (err) {
        if (signal.aborted || this.joining || this.generation !== generation || this.member !== member) continue; // about a generation left behind
        const answer = brokerAnswer(err);
        if (answer?.type === 'REBALANCE_IN_PROGRESS') {
          this.aliveSince = sentAt; // still a member: the coordinator waits for its JoinGroup
          this.needRejoin('the group is rebalancing');
        } else if (answer?.type === 'UNKNOWN_MEMBER_ID' || answer?.type === 'FENCED_INSTANCE_ID' || answer?.type === 'ILLEGAL_GENERATION') {
          if (answer.type !== 'ILLEGAL_GENERATION') this.member = null;
          this.endSession();
          this.generation = -1;
          this.needRejoin(`evicted from the group (${answer.type})`);
        } else {
          if (!answer || COORDINATOR_ERRORS.has(answer.type)) this.coordinator.reset();
          this.o.log?.[failing++ % 10 === 0 ? 'warn' : 'debug']({ err: classifyKafkaError(err, `heartbeat of group "${this.o.groupId}"`) }, 'heartbeat failed');
        }
      }
    }
  }
}
