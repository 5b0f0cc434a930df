import pg from 'pg';
import type { Logger } from 'pino';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import { withRetry, type RetryOptions } from '../errors/retry.js';
import type { ChangeEventBuilder, ChangeRecord, TxContext } from '../events/change-events.js';
import type { SnapshotMarker } from '../events/source-schema.js';
import type { RecordSink } from '../kafka/ports.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import { qualifiedName } from '../postgres/publication.js';
import { ChangeBatch } from '../connector/change-batch.js';
import type { TableRegistry } from '../connector/table-registry.js';
import { relationFromCatalog } from './relation.js';
import { SnapshotProgress } from './progress.js';
import { toStoredSnapshot, type SnapshotChunk, type SnapshotState } from './snapshot-state.js';

export interface SnapshotOptions {
  maxThreads: number;
  fetchSize: number;
  offsetFlushIntervalMs: number;
  retry: Omit<RetryOptions, 'signal' | 'onRetry'>;
}

/**
 * The snapshot phase: reads the chunks not yet done on `maxThreads` connections that all import one
 * exported snapshot, turns rows into op=r events through the same table schemas as streaming, and
 * records each chunk as done (in the offset topic) once Kafka acknowledged all its rows.
 * Rows are fetched `fetchSize` at a time through a cursor; a table is never held in memory.
 */
export class SnapshotSource {
  readonly progress = new SnapshotProgress();
  private firstEmitted = false;
  private remainingChunks = 0;
  private stopped = false;
  private lastWrite = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: pg.ClientConfig,
    private readonly state: SnapshotState,
    private readonly tables: TableRegistry,
    private readonly events: ChangeEventBuilder,
    private readonly sink: RecordSink,
    private readonly offsets: { store: OffsetStore; key: string },
    private readonly opts: SnapshotOptions,
    private readonly log: Logger,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  /** Reads every pending chunk; `release` lets go of the exported snapshot once all workers hold it. */
  async run(snapshotName: string, release: () => Promise<void>): Promise<boolean> {
    const pending = this.state.chunks.filter((c) => !this.state.done.has(c.id));
    const p = this.progress;
    p.chunksTotal = this.state.chunks.length;
    p.chunksDone = this.state.done.size;
    p.tablesTotal = new Set(this.state.chunks.map((c) => `${c.schema}.${c.table}`)).size;
    p.tablesDone = p.tablesTotal - new Set(pending.map((c) => `${c.schema}.${c.table}`)).size;
    p.rowsTotalEstimate = pending.reduce((n, c) => n + c.estimatedRows, 0);
    this.remainingChunks = pending.length;
    const threads = Math.max(1, Math.min(this.opts.maxThreads, pending.length));
    const workers: pg.Client[] = [];
    try {
      for (let i = 0; i < threads; i++) {
        const client = new pg.Client(this.db);
        client.on('error', () => {});
        workers.push(client);
        await client.connect();
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query(`SET TRANSACTION SNAPSHOT '${snapshotName}'`);
      }
    } catch (err) {
      await Promise.all(workers.map((w) => w.end().catch(() => {})));
      throw classifyPostgresError(err, 'opening snapshot transactions');
    } finally {
      await release();
    }
    // Schemas are registered before any row is read, in the snapshot's view of the catalog.
    for (const oid of new Set(pending.map((c) => c.relationOid))) await this.tables.onRelation(await relationFromCatalog(workers[0], oid));

    const queue = [...pending];
    const ticker = setInterval(() => this.log.info({ snapshot: p.toJSON() }, 'snapshot progress'), 10_000);
    try {
      await Promise.all(
        workers.map(async (client) => {
          for (let chunk = queue.shift(); chunk && !this.stopped; chunk = queue.shift()) await this.readChunk(client, chunk);
        }),
      );
      await this.storeProgress(true);
    } catch (err) {
      throw err instanceof Error && 'kind' in err ? err : classifyPostgresError(err, 'reading the snapshot');
    } finally {
      clearInterval(ticker);
      await Promise.all(workers.map((w) => w.query('COMMIT').catch(() => {}).then(() => w.end().catch(() => {}))));
    }
    if (this.stopped) return false;
    p.finishedAt = Date.now();
    this.log.info({ snapshot: p.toJSON() }, 'snapshot completed');
    return true;
  }

  private async readChunk(client: pg.Client, chunk: SnapshotChunk): Promise<void> {
    const table = this.tables.get(chunk.relationOid);
    if (!table) throw new Error(`no schema registered for ${chunk.schema}.${chunk.table}`);
    const t = table.schema;
    // The SELECT lists every column of the relation in tuple order, so a row is a pgoutput-like tuple.
    const relation = await relationFromCatalog(client, chunk.relationOid);
    const list = relation.columns.map((c) => `"${c.name.replace(/"/g, '""')}"`).join(', ');
    const range = chunk.toBlock === null ? `ctid >= '(${chunk.fromBlock},0)'::tid` : `ctid >= '(${chunk.fromBlock},0)'::tid AND ctid < '(${chunk.toBlock},0)'::tid`;
    const cursor = `pgcdc_chunk_${chunk.index}_${Math.random().toString(36).slice(2, 8)}`;
    await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${list} FROM ${qualifiedName(chunk)} WHERE ${range}`);
    const tx: TxContext = { xid: 0, commitLsn: this.state.lsn, commitTimeUs: BigInt(Date.now()) * 1000n, previousCommitLsn: null };
    const isLastChunkOfTable = chunk.toBlock === null;
    let pendingRow: string[] | null = null;
    let rowsInChunk = 0;
    const out: ChangeRecord[] = [];
    for (;;) {
      const res = await client.query({ text: `FETCH ${this.opts.fetchSize} FROM ${cursor}`, rowMode: 'array' });
      const rows = res.rows as string[][];
      const batch = new ChangeBatch();
      const exhausted = rows.length < this.opts.fetchSize;
      // One row is held back so the chunk's (and the snapshot's) last row can be marked as such.
      const all: string[][] = pendingRow ? [pendingRow, ...rows] : rows;
      const emitCount = exhausted ? all.length : all.length - 1;
      for (let i = 0; i < emitCount; i++) {
        const lastOfChunk = exhausted && i === all.length - 1;
        const marker = this.marker(chunk.index === 0 && rowsInChunk === 0, lastOfChunk && isLastChunkOfTable, lastOfChunk);
        out.length = 0;
        this.events.read(t, all[i], marker, tx, this.state.lsn, out);
        batch.add(table, out, this.state.lsn);
        rowsInChunk++;
      }
      pendingRow = exhausted ? null : all[all.length - 1];
      if (batch.size > 0) await this.deliver(batch);
      this.progress.rowsDone += emitCount;
      if (exhausted || this.stopped) break;
    }
    await client.query(`CLOSE ${cursor}`);
    if (this.stopped) return;
    this.state.done.add(chunk.id);
    this.progress.chunksDone++;
    if (!this.state.chunks.some((c) => c.schema === chunk.schema && c.table === chunk.table && !this.state.done.has(c.id))) this.progress.tablesDone++;
    await this.storeProgress(false);
  }

  /** Debezium's source.snapshot markers: first, first_in_data_collection, true, last_in_data_collection, last. */
  private marker(firstOfTable: boolean, lastOfTable: boolean, lastOfChunk: boolean): SnapshotMarker {
    let marker: SnapshotMarker = 'true';
    if (!this.firstEmitted) {
      this.firstEmitted = true;
      marker = 'first';
    } else if (firstOfTable) marker = 'first_in_data_collection';
    if (lastOfChunk) {
      // JavaScript runs this check and the decrement together, so exactly one chunk sees 1.
      if (this.remainingChunks === 1) marker = 'last';
      else if (lastOfTable) marker = 'last_in_data_collection';
      this.remainingChunks--;
    }
    return marker;
  }

  private async deliver(batch: ChangeBatch): Promise<void> {
    await withRetry(() => this.sink.send(batch.records), {
      ...this.opts.retry,
      onRetry: (err, attempt, delayMs) => this.log.warn({ err: (err as Error).message, attempt, delayMs }, 'snapshot delivery to Kafka failed; retrying'),
    });
  }

  /** Writes the finished chunks to the offset topic, at most every offsetFlushIntervalMs unless forced. */
  private storeProgress(force: boolean): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastWrite < this.opts.offsetFlushIntervalMs) return this.writing;
    this.lastWrite = now;
    const snapshot = toStoredSnapshot(this.state);
    this.writing = this.writing.then(() => this.offsets.store.write(this.offsets.key, snapshot));
    return this.writing;
  }
}
