/**
 * Cluster mode: the REST API of any worker serves the whole cluster, as Kafka Connect's does.
 *  - Writes to the shared configs (create, config changes, delete, pause/resume/stop) go to the
 *    group's leader, the one writer of the config topic (a per-name lock there keeps concurrent
 *    creates of one name to one success).
 *  - A connector's run-time routes (status, restart, offsets, metrics, ...) go to the worker that
 *    runs it, named in the last assignment.
 *  - Reads of definitions (list, info, config) are answered from the config topic, here; one this
 *    worker has not read yet (created through another worker a moment ago) is asked of the leader.
 * The request is sent on with its method, path, query, JSON body and Authorization header; the
 * answer comes back as it is. A request already forwarded is never forwarded again: if this worker
 * is not (any more) the right one, it answers 409 as Connect does during a rebalance.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { errorBody } from './errors.js';

/** What the REST layer needs to know of the cluster (src/cluster/cluster-member.ts). */
export interface ClusterRouting {
  readonly url: string;
  readonly isLeader: boolean;
  readonly leaderUrl: string | null;
  ownerUrl(name: string): string | null;
  /** a config write this worker forwarded succeeded: read the config topic again */
  afterForwardedWrite(): Promise<void>;
  /** whether this worker has read the connector's definition from the config topic yet */
  knows(name: string): boolean;
  /** the last state the connector's worker wrote to the status topic */
  lastStatus(name: string): Promise<{ state: string; trace: string | null; worker_id: string } | null>;
}

export const FORWARDED_HEADER = 'x-pgcdc-forwarded';
/** A worker that does not answer must not hold a read for long (it may be frozen); writes may drain a connector. */
const READ_TIMEOUT_MS = 5_000;
const WRITE_TIMEOUT_MS = 60_000;

/** Routes (method + pattern) only the leader may carry out. */
const LEADER_ROUTES = new Set([
  'POST /connectors',
  'PUT /connectors/:name/config',
  'PATCH /connectors/:name/config',
  'DELETE /connectors/:name',
  'PUT /connectors/:name/pause',
  'PUT /connectors/:name/resume',
  'PUT /connectors/:name/stop',
]);

/** Routes with a connector name answered from the shared definitions on any worker. */
const SHARED_ROUTES = new Set(['GET /connectors/:name', 'GET /connectors/:name/config']);

/** Where a request goes: 'here', a worker's base URL, or 'nobody' (no leader known yet). */
export function routeOf(method: string, pattern: string | undefined, name: string | undefined, cluster: ClusterRouting): string | 'here' | 'nobody' {
  if (pattern === undefined) return 'here';
  const key = `${method} ${pattern}`;
  if (LEADER_ROUTES.has(key)) {
    if (cluster.isLeader) return 'here';
    return cluster.leaderUrl ?? 'nobody';
  }
  if (name === undefined || !pattern.startsWith('/connectors/:name')) return 'here';
  // A connector created moments ago through another worker: the leader has its definition already.
  if (!cluster.knows(name) && !cluster.isLeader && cluster.leaderUrl !== null) return cluster.leaderUrl;
  if (SHARED_ROUTES.has(key)) return 'here';
  const owner = cluster.ownerUrl(name);
  return owner === null || owner === cluster.url ? 'here' : owner;
}

export function installForwarding(app: FastifyInstance, cluster: ClusterRouting, log: Logger): void {
  app.addHook('preHandler', async (request, reply) => {
    const name = (request.params as { name?: string } | undefined)?.name;
    const target = routeOf(request.method, request.routeOptions.url, name, cluster);
    if (target === 'here') return;
    if (request.headers[FORWARDED_HEADER] !== undefined || target === 'nobody') {
      return reply.code(409).send(errorBody(409, 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)'));
    }
    const answer = await forward(request, target, log);
    if (answer !== undefined) {
      // Read your own writes: a create sent through this worker is listed here once it is answered.
      if (answer.status < 300 && LEADER_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) {
        await cluster.afterForwardedWrite().catch((err) => log.warn({ err: (err as Error).message }, 'rereading the config topic after a forwarded write failed; the next rebalance brings the change'));
      }
      reply.code(answer.status);
      for (const [header, value] of Object.entries(answer.headers)) reply.header(header, value);
      return reply.send(answer.text === '' ? undefined : answer.text);
    }
    // The owner did not answer a status read: its last report from the status topic, as Connect shows it.
    if (request.routeOptions.url === '/connectors/:name/status' && name !== undefined) {
      const last = await cluster.lastStatus(name).catch(() => null);
      if (last) {
        const state = { state: last.state, worker_id: last.worker_id, ...(last.trace ? { trace: last.trace } : {}) };
        return reply.send({ name, connector: state, tasks: [{ id: 0, ...state }], type: 'source', stale: `the worker ${last.worker_id} did not answer: this is the last state it reported` });
      }
    }
  });
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The other worker's answer; a failure is answered 503, except a read, which resolves to undefined: this worker answers it from what it knows. */
async function forward(request: FastifyRequest, base: string, log: Logger): Promise<Answer | undefined> {
  const headers: Record<string, string> = { [FORWARDED_HEADER]: '1', accept: 'application/json' };
  if (request.headers.authorization) headers.authorization = request.headers.authorization;
  let body: string | undefined;
  if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] = 'application/json';
  }
  try {
    const answer = await fetch(new URL(request.url, base), { method: request.method, headers, body, signal: AbortSignal.timeout(request.method === 'GET' ? READ_TIMEOUT_MS : WRITE_TIMEOUT_MS), redirect: 'manual' });
    const text = await answer.text();
    const kept: Record<string, string> = {};
    for (const header of ['content-type', 'location']) {
      const value = answer.headers.get(header);
      if (value) kept[header] = value;
    }
    return { status: answer.status, headers: kept, text };
  } catch (err) {
    log.warn({ worker: base, path: request.url.split('?')[0]!.slice(0, 200), err: (err as Error).message }, 'forwarding a request to another worker of the cluster failed');
    // A read about a connector whose worker is gone: answered here (UNASSIGNED until the group moves it).
    if (request.method === 'GET') return undefined;
    const message = `The worker at ${base} that handles this request did not answer; the cluster rebalances when a worker is gone, try again shortly`;
    return { status: 503, headers: { 'content-type': 'application/json; charset=utf-8' }, text: JSON.stringify(errorBody(503, message)) };
  }
}

/** The status of a connector running on another worker (for GET /connectors?expand=status), or null. */
export async function remoteStatus(cluster: ClusterRouting, name: string, authorization: string | undefined): Promise<unknown | null> {
  const owner = cluster.ownerUrl(name);
  if (owner === null || owner === cluster.url) return null;
  try {
    const headers: Record<string, string> = { [FORWARDED_HEADER]: '1', accept: 'application/json' };
    if (authorization) headers.authorization = authorization;
    const answer = await fetch(new URL(`/connectors/${encodeURIComponent(name)}/status`, owner), { headers, signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
    return answer.ok ? ((await answer.json()) as unknown) : null;
  } catch {
    return null;
  }
}
