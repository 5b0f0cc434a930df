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
import { registerWithOverride } from './override.js';
import { withDecision, type PendingSchemaChange, type SchemaChangeDecision, type SchemaChangeState } from './pending.js';
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

export function approveSchemaChange(worker: Worker, name: string, id: string): Promise<SchemaChangeDecision> {
  return worker.withConnector(name, async (managed) => {
    const store = storeOf(worker, managed);
    const state = await store.load();
    const p = pendingWithId(state, name, id);
    const cfg = managed.runConfig;
    if (!cfg) throw new WorkerError(409, `Connector ${name} has a configuration that cannot be run; fix it before approving schema change ${id}`);
    const registered: Record<string, number> = {};
    if (p.subjects.key && p.schemas.key) registered[p.subjects.key] = await registerWithOverride(new SchemaRegistrar(cfg.registry), p.subjects.key, p.schemas.key);
    registered[p.subjects.value] = await registerWithOverride(new SchemaRegistrar(cfg.registry), p.subjects.value, p.schemas.value);
    const d = decision(p, 'approved', { registered });
    await store.save(withDecision(state, d));
    worker.deps.log.info({ connector: name, id, table: p.table, registered }, 'schema change approved; resuming from the stored offset');
    await managed.restart();
    return d;
  });
}

export function skipTableForSchemaChange(worker: Worker, name: string, id: string): Promise<SchemaChangeDecision> {
  return worker.withConnector(name, async (managed) => {
    const store = storeOf(worker, managed);
    const state = await store.load();
    const p = pendingWithId(state, name, id);
    const d = decision(p, 'skipped-table', { note: `${p.table} is no longer captured; its changes from ${p.position} on are not delivered` });
    const next = withDecision(state, d);
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
    await store.save({ ...state, pending: p });
    worker.deps.log.warn({ connector: name, id, table: p.table }, 'schema change rejected; the connector stays paused');
    return p;
  });
}
