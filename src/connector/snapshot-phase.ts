import { snapshotOrder } from '../config/filters.js';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config/index.js';
import type { RetryOptions } from '../errors/retry.js';
import type { ChangeEventBuilder } from '../events/change-events.js';
import type { RecordSink } from '../kafka/ports.js';
import type { OffsetWriter } from '../offsets/offset-store.js';
import { toStored, type SourceOffset } from '../offsets/source-offset.js';
import { clientConfig, rawTextClientConfig } from '../postgres/connection.js';
import { formatLsn, type Lsn } from '../postgres/lsn.js';
import type { CapturedTable } from '../postgres/publication.js';
import { createSlotWithSnapshot, exportCurrentSnapshot, exportSnapshotAtLsn } from '../postgres/snapshot-export.js';
import { planChunks } from '../snapshot/plan.js';
import { SnapshotSource } from '../snapshot/snapshot-source.js';
import { tableKey, toStoredSnapshot, type SnapshotState } from '../snapshot/snapshot-state.js';
import type { StartPlan } from './start-plan.js';
import type { TableRegistry } from './table-registry.js';

export interface SnapshotPhaseDeps {
  config: ConnectorConfig;
  catalog: pg.Client;
  /** the connector's offsets: the worker's store, or its Kafka transaction under exactly-once */
  offsets: { store: OffsetWriter; key: string };
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

/** Where streaming starts after a snapshot, and the offset it resumes from. */
export interface SnapshotOutcome {
  lsn: Lsn;
  offset: SourceOffset;
}

/**
 * A snapshot interrupted by a crash or a stop, opened in a new snapshot at `consistentPoint` and
 * read once streaming (from `start`) has reached that point: see src/snapshot/resumed-snapshot.ts.
 */
export interface PreparedResume {
  source: SnapshotSource;
  state: SnapshotState;
  consistentPoint: Lsn;
  start: SnapshotOutcome;
}

/**
 * Runs the snapshot the plan asks for (`new-slot`, `existing-slot`, or a `resume` under
 * snapshot.mode=initial_only) and returns where streaming starts and with which offset, or null when
 * it was stopped before completing (its finished chunks are stored).
 */
export async function runSnapshotPhase(plan: StartPlan, tables: CapturedTable[], d: SnapshotPhaseDeps): Promise<SnapshotOutcome | null> {
  const cfg = d.config;
  const db = cfg.database;
  let state: SnapshotState;
  let exported;
  if (plan.snapshot === 'resume') {
    // No stream follows (initial_only): the partly read tables are read again whole in one snapshot.
    state = plan.interrupted!;
    await reconcileTables(state, tables, d);
    exported = await exportCurrentSnapshot(clientConfig(db));
    d.log.info({ done: state.done.size, chunks: state.chunks.length }, 'resuming an interrupted snapshot (initial_only: partly read tables are read again whole)');
  } else {
    exported = plan.snapshot === 'new-slot' ? await createSlotWithSnapshot(clientConfig(db), cfg.slotName) : await exportCurrentSnapshot(clientConfig(db));
    const lsn = exported.consistentPoint ?? plan.offset?.flushLsn ?? plan.slot?.confirmedFlushLsn ?? 0n;
    const include = snapshotFilter(cfg);
    // Tables in Debezium's order: by table.include.list entry, then by name.
    const ordered = snapshotOrder(tables.filter((t) => include(t.schema, t.table)), cfg.filterLists.tableIncludeList);
    const chunks = await planChunks(d.catalog, ordered, chunkBounds(cfg));
    state = { lsn, chunks, done: new Set(), stream: plan.offset, filenodes: {} };
    // Stored before reading, so that a crash from here on resumes instead of starting over.
    await d.offsets.store.write(d.offsets.key, toStoredSnapshot(state));
    d.log.info({ tables: new Set(state.chunks.map((c) => c.table)).size, chunks: state.chunks.length, mode: cfg.snapshot.mode, exportedFromSlot: exported.consistentPoint !== null }, 'snapshot starts');
  }
  d.onStarted();
  const source = newSource(state, d);
  d.onSource(source);
  await source.open(exported.name, exported.release);
  let completed;
  try {
    if (plan.snapshot === 'resume') for (const oid of source.partlyRead()) await source.rereadWhole(oid);
    completed = await source.readPending();
  } finally {
    await source.close();
  }
  if (!completed) return null;
  const done = streamStart(state);
  await d.offsets.store.write(d.offsets.key, { ...toStored(done.offset), snapshot_completed: true } as Record<string, unknown>);
  return done;
}

/**
 * Opens an interrupted snapshot again for streaming to finish it: a new snapshot is exported at a
 * known position and held open; the caller streams from `start` and reads the rest at that position.
 */
export async function prepareResume(plan: StartPlan, tables: CapturedTable[], d: SnapshotPhaseDeps): Promise<PreparedResume> {
  const state = plan.interrupted!;
  await reconcileTables(state, tables, d);
  const exported = await exportSnapshotAtLsn(clientConfig(d.config.database));
  const start = streamStart(state);
  d.log.info(
    { done: state.done.size, chunks: state.chunks.length, streamFrom: formatLsn(start.lsn), readAt: formatLsn(exported.consistentPoint) },
    'resuming an interrupted snapshot: streaming from where it stood, the remaining chunks are read when the stream reaches the new snapshot',
  );
  const source = newSource(state, d);
  d.onSource(source);
  await source.open(exported.name, exported.release);
  d.onStarted();
  return { source, state, consistentPoint: exported.consistentPoint, start };
}

/**
 * An interrupted snapshot resumed after table.include.list (or snapshot.include.collection.list)
 * changed: the chunks of tables no longer captured are dropped (so a table that failed the snapshot
 * can be left out and the rest goes on), and captured tables the snapshot never planned are
 * planned now; they are read in the resumed snapshot like the chunks still to read.
 */
async function reconcileTables(state: SnapshotState, tables: CapturedTable[], d: SnapshotPhaseDeps): Promise<void> {
  const include = snapshotFilter(d.config);
  const wanted = snapshotOrder(tables.filter((t) => include(t.schema, t.table)), d.config.filterLists.tableIncludeList);
  const keys = new Set(wanted.map(tableKey));
  const dropped = [...new Set(state.chunks.filter((c) => !keys.has(tableKey(c))).map(tableKey))];
  if (dropped.length > 0) {
    state.chunks = state.chunks.filter((c) => keys.has(tableKey(c)));
    const ids = new Set(state.chunks.map((c) => c.id));
    for (const id of [...state.done]) if (!ids.has(id)) state.done.delete(id);
    d.log.info({ tables: dropped }, 'resuming the snapshot without the tables no longer captured');
  }
  const planned = new Set(state.chunks.map(tableKey));
  const added = wanted.filter((t) => !planned.has(tableKey(t)));
  if (added.length > 0) {
    state.chunks.push(...(await planChunks(d.catalog, added, chunkBounds(d.config))));
    d.log.info({ tables: added.map(tableKey) }, 'resuming the snapshot with tables captured since it started');
  }
}

function newSource(state: SnapshotState, d: SnapshotPhaseDeps): SnapshotSource {
  const cfg = d.config;
  return new SnapshotSource(rawTextClientConfig(cfg.database), state, d.registry, d.events, d.sink, d.offsets, {
    maxThreads: cfg.snapshot.maxThreads,
    fetchSize: cfg.snapshot.fetchSize,
    offsetFlushIntervalMs: cfg.offsetFlushIntervalMs,
    chunkBounds: chunkBounds(cfg),
    retry: d.retry,
    exactlyOnce: cfg.exactlyOnce !== null,
  }, d.log);
}

function chunkBounds(cfg: ConnectorConfig) {
  return { rows: cfg.snapshot.chunkRows, bytes: cfg.snapshot.chunkBytes };
}

/** Streaming continues from the stored streaming offset (snapshot.mode=always, a resumed snapshot) or the snapshot's LSN. */
function streamStart(state: SnapshotState): SnapshotOutcome {
  const offset: SourceOffset = state.stream ?? { commitLsn: state.lsn, txChanges: 0, complete: false, lsn: state.lsn, flushLsn: state.lsn, txId: null, tsUsec: null };
  return { lsn: offset.flushLsn, offset };
}

/** snapshot.include.collection.list narrows which captured tables are snapshotted. */
function snapshotFilter(cfg: ConnectorConfig): (schema: string, table: string) => boolean {
  const list = cfg.snapshot.includeCollectionList;
  if (!list) return () => true;
  const patterns = list.map((p) => new RegExp(`^(?:${p})$`, 'i'));
  return (schema, table) => patterns.some((re) => re.test(`${schema}.${table}`));
}
