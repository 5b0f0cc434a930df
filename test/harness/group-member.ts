/**
 * A member of a test worker group (src/cluster/group-membership.ts) with a round-robin assignment of
 * a fixed list of names, in-process (groupMember) or as a child process (this file run by node with
 * its settings as JSON in argv[2]) that a test can freeze with SIGSTOP. The child prints JSON lines:
 * {e:'assigned', ...}, {e:'revoked', reason}, and every 100 ms {e:'holds', holds, gapMs} (gapMs:
 * since the previous tick, so the first tick after a freeze shows it).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { GroupMembership, type GroupMember } from '../../src/cluster/group-membership.js';
import type { KafkaSecurity } from '../../src/kafka/security.js';

export interface GroupMemberSettings {
  brokers: string[];
  groupId: string;
  /** what the leader deals out */
  names: string[];
  label: string;
  startTimeoutMs?: number;
  /** in-process members only (not JSON) */
  security?: KafkaSecurity;
}

export interface Assigned {
  generationId: number;
  memberId: string;
  isLeader: boolean;
  names: string[];
}

export const TIMEOUTS = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000, rebalanceTimeoutMs: 10_000 };

/** The names dealt round robin over the members in member id order; bytes are JSON. */
export function roundRobin(names: string[]) {
  return (members: GroupMember[]): Map<string, Buffer> => {
    const ids = members.map((m) => m.memberId).sort();
    const out = new Map<string, string[]>(ids.map((id) => [id, []]));
    names.forEach((n, i) => out.get(ids[i % ids.length]!)!.push(n));
    return new Map([...out].map(([id, list]) => [id, Buffer.from(JSON.stringify(list))]));
  };
}

export function groupMember(s: GroupMemberSettings, events: { assigned(a: Assigned): unknown; revoked(reason: string): unknown }): GroupMembership {
  return new GroupMembership({
    connection: { brokers: s.brokers, clientId: `pgcdc-test-${s.label}`, ...(s.security ? { security: s.security } : {}) },
    groupId: s.groupId,
    protocolType: 'pgcdc-worker',
    protocolName: 'pgcdc-v1',
    ...TIMEOUTS,
    startTimeoutMs: s.startTimeoutMs ?? 15_000,
    metadata: () => Buffer.from(JSON.stringify({ label: s.label })),
    assign: roundRobin(s.names),
    onAssigned: async (a) => void (await events.assigned({ generationId: a.generationId, memberId: a.memberId, isLeader: a.isLeader, names: JSON.parse(a.bytes.toString() || '[]') as string[] })),
    onRevoked: async (reason) => void (await events.revoked(reason)),
    log: pino({ level: process.env.PGCDC_TEST_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
  });
}

async function child(s: GroupMemberSettings): Promise<void> {
  const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const m = groupMember(s, { assigned: (a) => print({ e: 'assigned', ...a }), revoked: (reason) => print({ e: 'revoked', reason }) });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    print({ e: 'holds', holds: m.holds(), gapMs: Math.round(now - last) });
    last = now;
  }, 100);
  process.once('SIGTERM', () => void m.close().then(() => process.exit(0)));
  await m.start();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  child(JSON.parse(process.argv[2]!) as GroupMemberSettings).catch((err: unknown) => {
    process.stderr.write(`group member failed: ${String(err)}\n`);
    process.exit(1);
  });
}
