/**
 * An operator's decisions on a pending breaking schema change (REST and CLI): approve registers the
 * new version with a one-time compatibility override and restarts the run, which resumes exactly
 * at the stored offset (before the change); skip-table removes the table from capture; reject
 * records the refusal and leaves the connector paused. Each decision names the change by its id,
 * applies to that change only, and is stored before the run restarts.
 */
import { WorkerError } from '../worker/errors.js';
import type { ManagedConnector } from '../worker/managed-connector.js';
import { topicPrefixOf } from '../worker/offsets.js';
import type { Worker } from '../worker/worker.js';
import { SchemaRegistrar } from '../registry/schema-registrar.js';
import { keySubject, MAX_TOPIC_LENGTH, topicName, valueSubject } from '../events/names.js';
import type { ConnectorConfig } from '../config/index.js';
import type { SchemaChangeOutcome } from './change-record.js';
import { SchemaChangeTopic } from './change-topic.js';
import { registerWithOverride } from './override.js';
import { topicVersionOf, withDecision, type PendingSchemaChange, type SchemaChangeDecision, type SchemaChangeState } from './pending.js';
import { SchemaChangeStore } from './state-store.js';

function storeOf(worker: Worker, managed: ManagedConnector): SchemaChangeStore {
  return new SchemaChangeStore(worker.deps.offsetStore, SchemaChangeStore.key(managed.name, topicPrefixOf(managed)));
}

export async function listSchemaChanges(worker: Worker, name: string): Promise<SchemaChangeState> {
  return storeOf(worker, worker.get(name)).load();
}

/** The pending change with this id, or 404 naming what is pending instead. */
function pendingWithId(state: SchemaChangeState, name: string, id: string): PendingSchemaChange {
  const p = state.pending;
  if (p && p.id === id) return p;
  const decided = state.decisions.find((d) => d.id === id);
  if (decided) throw new WorkerError(409, `Schema change ${id} of connector ${name} was already decided: ${decided.decision} at ${decided.at}`);
  throw new WorkerError(404, `Connector ${name} has no pending schema change ${id}${p ? ` (pending: ${p.id}, table ${p.table})` : ' (none is pending)'}`);
}

function decision(p: PendingSchemaChange, kind: SchemaChangeDecision['decision'], extra: Partial<SchemaChangeDecision> = {}): SchemaChangeDecision {
  return { id: p.id, table: p.table, decision: kind, at: new Date().toISOString(), changes: p.changes.map((c) => c.reason), ...extra };
}

/**
 * Tells the schema-change topic (when enabled) of a decision before it is stored and the run
 * restarts, so the record precedes every event of the shape it lets through (a failure to write it
 * fails the decision, which can be taken again).
 */
async function announceDecision(worker: Worker, cfg: ConnectorConfig, p: PendingSchemaChange, outcome: SchemaChangeOutcome, topic = p.topic): Promise<void> {
  if (!cfg.schemaChangeTopic) return;
  const sink = worker.deps.kafka.sink(cfg.topicCreation, undefined, { compression: cfg.compression });
  await sink.connect();
  try {
    await new SchemaChangeTopic(cfg.schemaChangeTopic, sink, new SchemaRegistrar(cfg.registry)).announce({
      id: p.id, database: cfg.database.dbname, table: p.table, topic, lsn: p.lsn, classification: 'breaking', changes: p.changes,
      before: p.shapes?.before ?? null, after: p.shapes?.after ?? null, registry: p.registry, decision: outcome, at: new Date(),
    });
  } finally {
    await sink.disconnect();
  }
}

function runnable(managed: ManagedConnector, name: string, id: string): ConnectorConfig {
  const cfg = managed.runConfig;
  if (!cfg) throw new WorkerError(409, `Connector ${name} has a configuration that cannot be run; fix it before deciding on schema change ${id}`);
  return cfg;
}

/**
 * Approve: with schema.change.breaking.topic.versioning the new schemas become the first versions of
 * the subjects of the table's next topic `<topic>.v<N>` (no override needed) and the table's topic
 * version is stored with the decision; otherwise they are registered on the same subjects with a
 * one-time compatibility override.
 */
export function approveSchemaChange(worker: Worker, name: string, id: string): Promise<SchemaChangeDecision> {
  return worker.withConnector(name, async (managed) => {
    const store = storeOf(worker, managed);
    const state = await store.load();
    const p = pendingWithId(state, name, id);
    const cfg = runnable(managed, name, id);
    const registrar = new SchemaRegistrar(cfg.registry);
    const registered: Record<string, number> = {};
    let next = state;
    let d: SchemaChangeDecision;
    if (cfg.schemaChangeTopicVersioning) {
      const version = topicVersionOf(state, p.table) + 1;
      const dot = p.table.indexOf('.');
      const topic = topicName(cfg.topicPrefix, p.table.slice(0, dot), p.table.slice(dot + 1), version);
      if (topic.length > MAX_TOPIC_LENGTH) throw new WorkerError(409, `The versioned topic ${topic} would be ${topic.length} characters long; Kafka allows ${MAX_TOPIC_LENGTH}. Skip the table or approve with schema.change.breaking.topic.versioning=false`);
      if (p.schemas.key) registered[keySubject(topic)] = await registrar.register(keySubject(topic), p.schemas.key);
      registered[valueSubject(topic)] = await registrar.register(valueSubject(topic), p.schemas.value);
      d = decision(p, 'approved', { registered, topic });
      const movedAt = { ...state.topic_moved_at };
      if (p.commit_lsn) movedAt[p.table] = p.commit_lsn;
      else delete movedAt[p.table];
      next = { ...withDecision(state, d), topic_versions: { ...state.topic_versions, [p.table]: version }, topic_moved_at: movedAt };
    } else {
      if (p.subjects.key && p.schemas.key) registered[p.subjects.key] = await registerWithOverride(registrar, p.subjects.key, p.schemas.key);
      registered[p.subjects.value] = await registerWithOverride(registrar, p.subjects.value, p.schemas.value);
      d = decision(p, 'approved', { registered });
      next = withDecision(state, d);
    }
    await announceDecision(worker, cfg, p, 'approved', d.topic);
    await store.save(next);
    worker.deps.log.info({ connector: name, id, table: p.table, registered, topic: d.topic ?? p.topic }, 'schema change approved; resuming from the stored offset');
    await managed.restart();
    return d;
  });
}

export function skipTableForSchemaChange(worker: Worker, name: string, id: string): Promise<SchemaChangeDecision> {
  return worker.withConnector(name, async (managed) => {
    const store = storeOf(worker, managed);
    const state = await store.load();
    const p = pendingWithId(state, name, id);
    const cfg = runnable(managed, name, id);
    const d = decision(p, 'skipped-table', { note: `${p.table} is no longer captured; its changes from ${p.position} on are not delivered` });
    const next = withDecision(state, d);
    await announceDecision(worker, cfg, p, 'skipped-table');
    await store.save({ ...next, skipped_tables: [...new Set([...next.skipped_tables, p.table])] });
    worker.deps.log.warn({ connector: name, id, table: p.table }, `schema change: table ${p.table} removed from capture (skip-table)`);
    await managed.restart();
    return d;
  });
}

export function rejectSchemaChange(worker: Worker, name: string, id: string): Promise<PendingSchemaChange> {
  return worker.withConnector(name, async (managed) => {
    const store = storeOf(worker, managed);
    const state = await store.load();
    const p = { ...pendingWithId(state, name, id), rejected_at: new Date().toISOString() };
    const cfg = runnable(managed, name, id);
    await announceDecision(worker, cfg, p, 'rejected');
    await store.save({ ...state, pending: p });
    worker.deps.log.warn({ connector: name, id, table: p.table }, 'schema change rejected; the connector stays paused');
    return p;
  });
}
