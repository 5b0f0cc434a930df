/**
 * The console's data beyond the status: the last hour of lag and throughput with the alert
 * transitions (GET /connectors/{name}/history), and the captured tables with their topics, subjects
 * and latest schema versions (GET /connectors/{name}/tables). Behind the same authentication as the
 * rest of the API.
 */
import type { FastifyInstance } from 'fastify';
import { keySubject, valueSubject, topicName } from '../../events/names.js';
import { latestVersion, type SubjectVersion } from '../../registry/subject-versions.js';
import type { RegistryAccess } from '../../registry/registry-access.js';
import { historyIntervalMs } from '../../metrics/history-sampler.js';
import { OPS, TOMBSTONE } from '../../metrics/connector-metrics.js';
import type { ManagedConnector } from '../../worker/managed-connector.js';
import type { Worker } from '../../worker/worker.js';
import { NameParams } from '../schemas.js';

type Named = { Params: { name: string } };

/** Registry answers are kept this long, so a console polling every few seconds costs few lookups. */
const VERSION_CACHE_MS = 15_000;
/** Tables listed at most (each costs two registry lookups when not cached). */
const MAX_TABLES = 200;

export function historyRoutes(app: FastifyInstance, worker: Worker): void {
  // A bad PGCDC_HISTORY_INTERVAL_MS stops the worker at start-up, not at its first connector.
  historyIntervalMs();
  app.get<Named>('/connectors/:name/history', {
    schema: { params: NameParams },
    config: {
      doc: {
        tag: 'lifecycle',
        summary: 'Last hour of lag, retained WAL and throughput samples, and alert transitions (pgcdc extension, kept in memory)',
        description: 'points: {at (epoch ms), events_total, events_per_second, lag_ms, lag_bytes, retained_wal_bytes}, oldest first, one per PGCDC_HISTORY_INTERVAL_MS; alerts: fired/resolved transitions, oldest first; thresholds: the alert thresholds (0 = off).',
        responses: { 200: ['History'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request) => {
    const managed = worker.get(request.params.name);
    const h = managed.history.history;
    const a = managed.runConfig?.alerts;
    return {
      interval_ms: h.intervalMs,
      retention_ms: h.retentionMs,
      points: h.points(Date.now()),
      alerts: h.alerts(),
      thresholds: a ? { lag_ms: a.lagMs, lag_bytes: a.lagBytes, slot_retained_wal_bytes: a.slotRetainedWalBytes, for_ms: a.forMs } : null,
    };
  });

  const cache = new Map<string, { at: number; version: Promise<SubjectVersion> }>();
  const lookup = (registry: RegistryAccess, subject: string): Promise<SubjectVersion> => {
    const key = `${JSON.stringify(registry)}\u0000${subject}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < VERSION_CACHE_MS) return hit.version;
    const version = latestVersion(registry, subject);
    cache.set(key, { at: Date.now(), version });
    // Bounded: entries of deleted connectors and renamed tables age out.
    for (const [k, v] of cache) if (Date.now() - v.at >= VERSION_CACHE_MS) cache.delete(k);
    return version;
  };

  app.get<Named>('/connectors/:name/tables', {
    schema: { params: NameParams },
    config: {
      doc: {
        tag: 'lifecycle',
        summary: 'Tables with events since the worker started, their topics, subjects and latest schema versions (pgcdc extension)',
        responses: { 200: ['Tables'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request) => tables(worker.get(request.params.name), lookup));
}

async function tables(managed: ManagedConnector, lookup: (registry: RegistryAccess, subject: string) => Promise<SubjectVersion>) {
  const cfg = managed.runConfig;
  if (!cfg) return { tables: [], note: 'the connector config does not validate: see its status' };
  const rows = managed.metrics.tables().slice(0, MAX_TABLES);
  const out = await Promise.all(rows.map(async (t) => {
    const dot = t.table.indexOf('.');
    // a table moved to <topic>.v<N> by an approval (schema.change.breaking.topic.versioning) shows that topic
    const topic = managed.versionedTopics[t.table] ?? topicName(cfg.topicPrefix, t.table.slice(0, dot), t.table.slice(dot + 1));
    const [key, value] = await Promise.all([lookup(cfg.registry, keySubject(topic)), lookup(cfg.registry, valueSubject(topic))]);
    return {
      table: t.table,
      topic,
      events: t.counts.slice(0, TOMBSTONE).reduce((n, c) => n + c, 0),
      snapshot_rows: t.counts[OPS.indexOf('r')] ?? 0,
      key_subject: { subject: keySubject(topic), ...key },
      value_subject: { subject: valueSubject(topic), ...value },
    };
  }));
  return { tables: out };
}
