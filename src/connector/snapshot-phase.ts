import type pg from 'pg';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config/index.js';
import type { RetryOptions } from '../errors/retry.js';
import type { ChangeEventBuilder } from '../events/change-events.js';
import type { RecordSink } from '../kafka/ports.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import { toStored, type SourceOffset } from '../offsets/source-offset.js';
import { clientConfig, rawTextClientConfig } from '../postgres/connection.js';
import type { Lsn } from '../postgres/lsn.js';
import type { CapturedTable } from '../postgres/publication.js';
import { createSlotWithSnapshot, exportCurrentSnapshot } from '../postgres/snapshot-export.js';
import { planChunks } from '../snapshot/plan.js';
import { SnapshotSource } from '../snapshot/snapshot-source.js';
import { toStoredSnapshot, type SnapshotState } from '../snapshot/snapshot-state.js';
import type { StartPlan } from './start-plan.js';
import type { TableRegistry } from './table-registry.js';

export interface SnapshotPhaseDeps {
  config: ConnectorConfig;
  catalog: pg.Client;
  offsets: { store: OffsetStore; key: string };
  registry: TableRegistry;
  events: ChangeEventBuilder;
  sink: RecordSink;
  retry: Omit<RetryOptions, 'signal' | 'onRetry'>;
  log: Logger;
  /** lets the connector stop and watch the snapshot while it runs */
  onSource(source: SnapshotSource | null): void;
  /** called once the slot and the snapshot exist: changes from now on are streamed after it */
  onStarted(): void;
}

/**
 * Runs the snapshot the plan asks for and returns where streaming starts and with which offset,
 * or null when it was stopped before completing (its finished chunks are stored).
 */
export async function runSnapshotPhase(plan: StartPlan, tables: CapturedTable[], d: SnapshotPhaseDeps): Promise<{ lsn: Lsn; offset: SourceOffset } | null> {
  const cfg = d.config;
  const db = cfg.database;
  let state: SnapshotState;
  let exported;
  if (plan.snapshot === 'resume') {
    state = plan.interrupted!;
    exported = await exportCurrentSnapshot(clientConfig(db));
    d.log.info({ done: state.done.size, chunks: state.chunks.length }, 'resuming an interrupted snapshot');
  } else {
    exported = plan.snapshot === 'new-slot' ? await createSlotWithSnapshot(clientConfig(db), cfg.slotName) : await exportCurrentSnapshot(clientConfig(db));
    const lsn = exported.consistentPoint ?? plan.offset?.flushLsn ?? plan.slot?.confirmedFlushLsn ?? 0n;
    const include = snapshotFilter(cfg);
    state = { lsn, chunks: await planChunks(d.catalog, tables.filter((t) => include(t.schema, t.table)), cfg.snapshot.chunkRows), done: new Set() };
    // Stored before reading, so that a crash from here on resumes instead of starting over.
    await d.offsets.store.write(d.offsets.key, toStoredSnapshot(state));
    d.log.info({ tables: new Set(state.chunks.map((c) => c.table)).size, chunks: state.chunks.length, mode: cfg.snapshot.mode, exportedFromSlot: exported.consistentPoint !== null }, 'snapshot starts');
  }
  d.onStarted();
  const source = new SnapshotSource(rawTextClientConfig(db), state, d.registry, d.events, d.sink, d.offsets, {
    maxThreads: cfg.snapshot.maxThreads,
    fetchSize: cfg.snapshot.fetchSize,
    offsetFlushIntervalMs: cfg.offsetFlushIntervalMs,
    retry: d.retry,
  }, d.log);
  d.onSource(source);
  const completed = await source.run(exported.name, exported.release);
  if (!completed) return null;
  // Streaming continues from the stored streaming offset (snapshot.mode=always) or the snapshot's LSN.
  const offset: SourceOffset = plan.offset ?? { commitLsn: state.lsn, txChanges: 0, complete: false, lsn: state.lsn, flushLsn: state.lsn, txId: null, tsUsec: null };
  await d.offsets.store.write(d.offsets.key, { ...toStored(offset), snapshot_completed: true } as Record<string, unknown>);
  return { lsn: offset.flushLsn, offset };
}

/** snapshot.include.collection.list narrows which captured tables are snapshotted. */
function snapshotFilter(cfg: ConnectorConfig): (schema: string, table: string) => boolean {
  const list = cfg.snapshot.includeCollectionList;
  if (!list) return () => true;
  const patterns = list.map((p) => new RegExp(`^(?:${p})$`, 'i'));
  return (schema, table) => patterns.some((re) => re.test(`${schema}.${table}`));
}
