/**
 * Group membership (src/cluster/group-membership.ts) on the real broker: one generation's
 * assignments cover the leader's list exactly once; a member that closes (LeaveGroup) or freezes
 * (SIGSTOP, no heartbeats) is replaced by a rebalance of the others; the frozen one sees its lease
 * gone the moment it wakes and rejoins; requestRebalance from a follower starts a new generation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { GroupMembership } from '../../src/cluster/group-membership.js';
import { kafkaSecurityFrom } from '../../src/kafka/security.js';
import { groupMember, TIMEOUTS, type Assigned } from '../harness/group-member.js';
import { SecureKafka } from '../harness/secure-kafka.js';
import { testServices } from '../harness/services.js';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

const until = async (what: string, ok: () => boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

interface Tracked {
  m: GroupMembership;
  assigned: Assigned[];
  revoked: string[];
  last(): Assigned | undefined;
}

type Handlers = { assigned?(a: Assigned): Promise<void>; revoked?(reason: string): Promise<void> };

async function group(label: string): Promise<{ groupId: string; join(name: string, slow?: Handlers): Tracked; brokers: string[] }> {
  const { kafkaBrokers } = await testServices();
  const groupId = `pgcdc-it-membership-${label}-${randomUUID().slice(0, 8)}`;
  return {
    groupId,
    brokers: kafkaBrokers,
    join(name, slow = {}) {
      const t: Tracked = { m: undefined as never, assigned: [], revoked: [], last: () => t.assigned[t.assigned.length - 1] };
      t.m = groupMember({ brokers: kafkaBrokers, groupId, names: NAMES, label: name }, {
        assigned: async (a) => void (t.assigned.push(a), await slow.assigned?.(a)),
        revoked: async (r) => void (t.revoked.push(r), await slow.revoked?.(r)),
      });
      return t;
    },
  };
}

/** All members' latest assignments are of one generation, after `after`, and each holds. */
function settled(members: { last(): Assigned | undefined }[], after = -1): boolean {
  const gens = new Set(members.map((t) => t.last()?.generationId ?? -1));
  return gens.size === 1 && [...gens][0]! > after;
}

/** Starts the members and waits until they all share one generation. */
async function startAll(members: Tracked[]): Promise<void> {
  await Promise.all(members.map((t) => t.m.start()));
  await until('one generation for all three', () => settled(members));
}

function assertCovers(assignments: Assigned[], what: string): void {
  assert.deepEqual(assignments.flatMap((a) => a.names).sort(), NAMES, `${what}: the names covered exactly once`);
  assert.equal(assignments.filter((a) => a.isLeader).length, 1, `${what}: exactly one leader`);
  assert.equal(new Set(assignments.map((a) => a.memberId)).size, assignments.length, `${what}: distinct members`);
}

test('three members: one generation covers the list exactly once, one leader; after a close the two others cover it within seconds', async () => {
  const g = await group('close');
  const members = ['m1', 'm2', 'm3'].map((n) => g.join(n));
  try {
    await startAll(members);
    assertCovers(members.map((t) => t.last()!), 'three members');
    assert.ok(members.every((t) => t.m.holds()), 'every member holds its lease');
    assert.equal(members.filter((t) => t.m.isLeader).length, 1);

    const gen = members[0]!.last()!.generationId;
    const [leaving, ...rest] = members;
    const t0 = Date.now();
    await leaving!.m.close();
    assert.equal(leaving!.revoked.at(-1), 'closing', 'the closing member revoked its own assignment');
    assert.equal(leaving!.m.holds(), false);
    await until('the two others in a new generation', () => settled(rest, gen), TIMEOUTS.sessionTimeoutMs);
    const ms = Date.now() - t0;
    console.log(`rebalance after close: ${ms} ms (session timeout ${TIMEOUTS.sessionTimeoutMs} ms)`);
    assertCovers(rest.map((t) => t.last()!), 'after the close');
    assert.ok(ms < TIMEOUTS.sessionTimeoutMs - 1000, `the LeaveGroup made the others rebalance at once (${ms} ms)`);
    assert.ok(rest.every((t) => t.revoked.length >= 1), 'the others revoked the old generation first');
  } finally {
    await Promise.all(members.map((t) => t.m.close()));
  }
});

test('requestRebalance from a follower starts a new generation for every member', async () => {
  const g = await group('request');
  const members = ['r1', 'r2', 'r3'].map((n) => g.join(n));
  try {
    await startAll(members);
    const gen = members[0]!.last()!.generationId;
    const revokes = members.map((t) => t.revoked.length);
    const follower = members.find((t) => !t.m.isLeader)!;
    follower.m.requestRebalance('a connector was created');
    assert.equal(follower.m.holds(), false, 'the requester stops holding at once');
    await until('a new generation for all three', () => settled(members, gen), 15_000);
    assertCovers(members.map((t) => t.last()!), 'after the request');
    members.forEach((t, i) => assert.ok(t.revoked.length > revokes[i]!, `member ${i} revoked the old generation`));
    assert.ok(members.every((t) => t.m.holds()));
  } finally {
    await Promise.all(members.map((t) => t.m.close()));
  }
});

test('a frozen member (SIGSTOP) is replaced after its session; on waking it does not hold its lease, then rejoins', async () => {
  const g = await group('frozen');
  const script = fileURLToPath(new URL('../harness/group-member.js', import.meta.url));
  const proc = spawn(process.execPath, [script, JSON.stringify({ brokers: g.brokers, groupId: g.groupId, names: NAMES, label: 'frozen' })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: { at: number; line: { e: string; holds?: boolean; gapMs?: number } & Partial<Assigned> }[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => lines.push({ at: Date.now(), line: JSON.parse(l) }));
  const frozen = { last: () => lines.filter((l) => l.line.e === 'assigned').at(-1)?.line as Assigned | undefined };
  const members = ['s1', 's2'].map((n) => g.join(n));
  try {
    await Promise.all(members.map((t) => t.m.start()));
    await until('one generation for all three', () => settled([...members, frozen]));
    assertCovers([...members, frozen].map((t) => t.last()!), 'three members');
    const gen = members[0]!.last()!.generationId;

    const stoppedAt = Date.now();
    process.kill(proc.pid!, 'SIGSTOP');
    await until('the survivors in a new generation', () => settled(members, gen), TIMEOUTS.sessionTimeoutMs + 10_000);
    const ms = Date.now() - stoppedAt;
    console.log(`rebalance after SIGSTOP: ${ms} ms (session timeout ${TIMEOUTS.sessionTimeoutMs} ms)`);
    assertCovers(members.map((t) => t.last()!), 'the survivors');
    assert.ok(ms >= TIMEOUTS.sessionTimeoutMs - 1500, `not before the session could expire (${ms} ms)`);
    assert.ok(ms < TIMEOUTS.sessionTimeoutMs + 4000, `within the session timeout and a few seconds (${ms} ms)`);

    await new Promise((r) => setTimeout(r, 500));
    const survivorsGen = members[0]!.last()!.generationId;
    const wokeAt = Date.now();
    const seen = lines.length;
    process.kill(proc.pid!, 'SIGCONT');
    await until('the child ticks after waking', () => lines.slice(seen).some((l) => l.line.e === 'holds'), 5000);
    const first = lines.slice(seen).find((l) => l.line.e === 'holds')!.line;
    assert.ok(first.gapMs! > TIMEOUTS.sessionTimeoutMs, `the first tick after waking (gap ${first.gapMs} ms)`);
    assert.equal(first.holds, false, 'a member frozen past its session does not hold its lease the moment it wakes');

    await until('the woken member rejoined: all three in a newer generation', () => settled([...members, frozen], survivorsGen), 20_000);
    console.log(`woken member back in the group ${Date.now() - wokeAt} ms after SIGCONT`);
    assertCovers([...members, frozen].map((t) => t.last()!), 'after the rejoin');
    const revokes = lines.filter((l) => l.line.e === 'revoked' && l.at >= wokeAt).map((l) => (l.line as { reason?: string }).reason);
    assert.ok(revokes.length >= 1, 'the woken member revoked its old assignment');
    await until('the woken member holds its lease again', () => lines.at(-1)?.line.e === 'holds' && lines.at(-1)!.line.holds === true, 5000);
  } finally {
    process.kill(proc.pid!, 'SIGCONT');
    proc.kill('SIGKILL');
    await Promise.all(members.map((t) => t.m.close()));
  }
});

test('slow handlers (longer than the session timeout) do not evict the member: heartbeats go on, handlers run one at a time, in order', async () => {
  const g = await group('slow');
  // Both longer than the session timeout; the revoke within the rebalance timeout (less a heartbeat interval).
  const SLOW_MS = { revoked: TIMEOUTS.sessionTimeoutMs + 1500, assigned: TIMEOUTS.sessionTimeoutMs + 3000 };
  const order: string[] = [];
  let slowNext = false;
  let running = 0;
  const step = async (what: 'assigned' | 'revoked') => {
    assert.equal(running++, 0, 'no two handler calls at once');
    order.push(`${what}:start`);
    if (slowNext) await new Promise((r) => setTimeout(r, SLOW_MS[what]));
    order.push(`${what}:end`);
    running--;
  };
  const slow = g.join('slow', { assigned: () => step('assigned'), revoked: () => step('revoked') });
  const other = g.join('other');
  try {
    await Promise.all([slow.m.start(), other.m.start()]);
    await until('one generation for both', () => settled([slow, other]));
    const gen = slow.last()!.generationId;
    const memberId = slow.m.memberId;
    order.length = 0;
    slowNext = true;
    const t0 = Date.now();
    other.m.requestRebalance('test');
    // The slow member's onRevoked (7.5 s) holds up the rebalance, but within the rebalance timeout (10 s).
    await until('slow onRevoked started', () => order.includes('revoked:start'), 5000);
    await until('the next generation (after the slow onRevoked)', () => settled([slow, other], gen), 20_000);
    assert.ok(Date.now() - t0 >= SLOW_MS.revoked - 500, `the rebalance waited for the slow onRevoked (${Date.now() - t0} ms)`);
    assert.equal(slow.m.memberId, memberId, 'the same member id: not evicted while its onRevoked ran past the session timeout');
    assert.equal(slow.last()!.generationId, gen + 1, 'one rebalance, no eviction in between');
    assertCovers([slow, other].map((t) => t.last()!), 'after the slow revoke');
    // Now onAssigned is slow: the lease must hold through it (heartbeats go on beyond the session timeout).
    await until('slow onAssigned started', () => order.includes('assigned:start'), 5000);
    const assignedAt = Date.now();
    await new Promise((r) => setTimeout(r, TIMEOUTS.sessionTimeoutMs + 1000));
    assert.ok(!order.includes('assigned:end'), 'onAssigned still running');
    assert.ok(slow.m.holds(), `the lease holds ${Date.now() - assignedAt} ms into a slow onAssigned`);
    await until('slow onAssigned ended', () => order.includes('assigned:end'), SLOW_MS.assigned);
    slowNext = false;
    assert.deepEqual(order, ['revoked:start', 'revoked:end', 'assigned:start', 'assigned:end'], 'in order, one at a time');
    assert.equal(slow.last()!.generationId, gen + 1, 'still the same generation after the slow onAssigned');
    assert.equal(other.last()!.generationId, gen + 1);
  } finally {
    slowNext = false;
    await Promise.all([slow.m.close(), other.m.close()]);
  }
});

test('start() rejects, naming the group, when no broker answers within the start timeout', async () => {
  const groupId = `pgcdc-it-membership-unreachable-${randomUUID().slice(0, 8)}`;
  const m = groupMember({ brokers: ['127.0.0.1:1'], groupId, names: NAMES, label: 'unreachable', startTimeoutMs: 2000 }, { assigned: () => {}, revoked: () => {} });
  const t0 = Date.now();
  await assert.rejects(m.start(), (err: Error) => {
    assert.match(err.message, new RegExp(`worker group "${groupId}".*no answer from its coordinator within 2 s`));
    assert.equal((err as { retriable?: boolean }).retriable, true, 'a connection failure is transient');
    return true;
  });
  assert.ok(Date.now() - t0 < 6000, `rejected after ${Date.now() - t0} ms`);
  await m.close();
});

test('over SASL_SSL (SCRAM-SHA-512): the coordinator connections use the TLS and SASL settings; a wrong password fails start() at once', async () => {
  const kafka = new SecureKafka({ basePort: 19392 });
  try {
    await kafka.start();
    const brokers = [`127.0.0.1:${kafka.saslPort}`];
    const security = (password: string) => {
      const problems: string[] = [];
      const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="pgcdc" password="${password}";`;
      const { security: s } = kafkaSecurityFrom(new Map([
        ['security.protocol', 'SASL_SSL'], ['sasl.mechanism', 'SCRAM-SHA-512'], ['sasl.jaas.config', jaas],
        ['ssl.truststore.type', 'PEM'], ['ssl.truststore.certificates', kafka.caPem],
      ]), problems);
      assert.deepEqual(problems, []);
      return s;
    };
    const groupId = `pgcdc-it-membership-secured-${randomUUID().slice(0, 8)}`;
    const tracked = ['t1', 't2'].map((label) => {
      const t = { assigned: [] as Assigned[], last: () => t.assigned.at(-1), m: undefined as unknown as GroupMembership };
      t.m = groupMember({ brokers, groupId, names: NAMES, label, security: security(kafka.password) }, { assigned: (a) => t.assigned.push(a), revoked: () => {} });
      return t;
    });
    try {
      await Promise.all(tracked.map((t) => t.m.start()));
      await until('one generation for both', () => settled(tracked));
      assertCovers(tracked.map((t) => t.last()!), 'over SASL_SSL');
    } finally {
      await Promise.all(tracked.map((t) => t.m.close()));
    }

    const wrong = groupMember({ brokers, groupId: `${groupId}-wrong`, names: NAMES, label: 'wrong', security: security('not-the-password') }, { assigned: () => {}, revoked: () => {} });
    const t0 = Date.now();
    await assert.rejects(wrong.start(), (err: Error & { retriable?: boolean }) => {
      assert.match(err.message, /worker group ".*-wrong".*sasl\.jaas\.config/s);
      assert.equal(err.retriable, false, 'an authentication failure is permanent');
      return true;
    });
    assert.ok(Date.now() - t0 < 10_000, `failed at once (${Date.now() - t0} ms), not after the start timeout`);
    await wrong.close();
  } finally {
    await kafka.cleanup();
  }
});
