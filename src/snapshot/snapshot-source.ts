import pg from 'pg';
import type { Logger } from 'pino';
import type { Tuple } from '../decoding/messages.js';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import { withRetry, type RetryOptions } from '../errors/retry.js';
import type { ChangeEventBuilder, ChangeRecord, TxContext } from '../events/change-events.js';
import type { SnapshotMarker } from '../events/source-schema.js';
import type { RecordSink } from '../kafka/ports.js';
import type { OffsetWriter } from '../offsets/offset-store.js';
import { CommitGate } from './commit-gate.js';
import type { Lsn } from '../postgres/lsn.js';
import { connect } from '../postgres/connection.js';
import { qualifiedName } from '../postgres/publication.js';
import { ChangeBatch } from '../connector/change-batch.js';
import type { RegisteredTable, TableRegistry } from '../connector/table-registry.js';
import { planChunks, type ChunkBounds } from './plan.js';
import { relationFromCatalog } from './relation.js';
import { SnapshotProgress } from './progress.js';
import { tableKey, toStoredSnapshot, type SnapshotChunk, type SnapshotState } from './snapshot-state.js';

export interface SnapshotOptions {
  maxThreads: number;
  fetchSize: number;
  offsetFlushIntervalMs: number;
  chunkBounds: ChunkBounds;
  retry: Omit<RetryOptions, 'signal' | 'onRetry'>;
  /** exactly-once: the offset writer commits a Kafka transaction, so commits wait for chunk boundaries (commit-gate.ts) */
  exactlyOnce?: boolean;
}

/**
 * The snapshot phase: reads the chunks not yet done on `maxThreads` connections that all import one
 * exported snapshot, turns rows into op=r events through the same table schemas as streaming, and
 * records each chunk as done (in the offset topic) once Kafka acknowledged all its rows.
 * Rows are fetched `fetchSize` at a time through a cursor; a table is never held in memory.
 *
 * `open` imports the snapshot and locks the tables (ACCESS SHARE: no rewrite can move rows between
 * chunks while they are read); `readPending` reads; the two are separate because a resumed snapshot
 * reads only once the stream has reached the snapshot's position (see resumed-snapshot.ts).
 * A stop finishes the chunks being read, so that a clean stop never leaves a chunk half delivered.
 */
export class SnapshotSource {
  readonly progress = new SnapshotProgress();
  /** the LSN the rows are read at: the source block's lsn and the read events' commit LSN */
  readAt: Lsn;
  private firstEmitted = false;
  private remainingChunks = 0;
  private stopped = false;
  private lastWrite = 0;
  private writing: Promise<void> = Promise.resolve();
  private workers: pg.Client[] = [];
  /** the snapshot transaction's id (source.txId of its events), read when the transactions open */
  private snapshotXid = 0;
  private readonly gate: CommitGate | null;

  constructor(
    private readonly db: pg.ClientConfig,
    private readonly state: SnapshotState,
    private readonly tables: TableRegistry,
    private readonly events: ChangeEventBuilder,
    private readonly sink: RecordSink,
    private readonly offsets: { store: OffsetWriter; key: string },
    private readonly opts: SnapshotOptions,
    private readonly log: Logger,
  ) {
    this.readAt = state.lsn;
    this.gate = opts.exactlyOnce ? new CommitGate() : null;
  }

  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Opens, reads every pending chunk and closes; false when stopped before completing. */
  async run(snapshotName: string, release: () => Promise<void>): Promise<boolean> {
    await this.open(snapshotName, release);
    try {
      return await this.readPending();
    } finally {
      await this.close();
    }
  }

  /**
   * Opens the worker transactions on the exported snapshot (`release` lets go of the exporter once
   * all hold it), locks the tables still to read, and checks that each partly read table is still
   * the same file: a rewritten one is planned and read again whole.
   */
  async open(snapshotName: string, release: () => Promise<void>): Promise<void> {
    const threads = Math.max(1, Math.min(this.opts.maxThreads, this.pending().length));
    try {
      for (let i = 0; i < threads; i++) {
        const client = await connect(this.db);
        this.workers.push(client);
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query(`SET TRANSACTION SNAPSHOT '${snapshotName}'`);
      }
      // source.txId of snapshot events: the snapshot transaction's id, as Debezium reads it
      // (txid_current() gives it one; pg_current_xact_id() is the same from PostgreSQL 13 on).
      const xid = await this.workers[0]!.query('SELECT txid_current()::text AS xid');
      this.snapshotXid = Number(xid.rows[0].xid);
    } catch (err) {
      await this.close();
      throw classifyPostgresError(err, 'opening snapshot transactions');
    } finally {
      await release();
    }
    try {
      await this.checkFiles(this.workers[0]);
      const names = [...new Map(this.pending().map((c) => [tableKey(c), qualifiedName(c)])).values()];
      if (names.length > 0) for (const w of this.workers) await w.query(`LOCK TABLE ${names.join(', ')} IN ACCESS SHARE MODE`);
    } catch (err) {
      await this.close();
      throw classifyPostgresError(err, 'locking the tables to snapshot');
    }
  }

  /** Tables with chunks done and chunks still to read: rows may have moved out of the unread ranges. */
  partlyRead(): Set<number> {
    const pending = new Set(this.pending().map((c) => c.relationOid));
    return new Set(this.state.chunks.filter((c) => this.state.done.has(c.id) && pending.has(c.relationOid)).map((c) => c.relationOid));
  }

  /** Plans a table again and marks all of it to read (its heap-block ranges can no longer be trusted). */
  async rereadWhole(relationOid: number): Promise<void> {
    const old = this.state.chunks.filter((c) => c.relationOid === relationOid);
    if (old.length === 0) return;
    const fresh = await planChunks(this.workers[0], [{ schema: old[0].schema, table: old[0].table }], this.opts.chunkBounds);
    for (const c of old) this.state.done.delete(c.id);
    this.state.chunks = [...this.state.chunks.filter((c) => c.relationOid !== relationOid), ...fresh];
  }

  private pending(): SnapshotChunk[] {
    return this.state.chunks.filter((c) => !this.state.done.has(c.id));
  }

  private async checkFiles(client: pg.Client): Promise<void> {
    for (const key of new Set(this.pending().map(tableKey))) {
      const chunk = this.state.chunks.find((c) => tableKey(c) === key)!;
      const res = await client.query(
        `SELECT c.oid::int AS oid, pg_relation_filenode(c.oid)::int8 AS filenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
        [chunk.schema, chunk.table],
      );
      const row = res.rows[0] as { oid: number; filenode: string } | undefined;
      if (!row) {
        // Dropped meanwhile: nothing left to read (its drop is not an event, as when streaming).
        this.log.warn({ table: key }, 'a table of the snapshot no longer exists; its remaining chunks are skipped');
        this.state.chunks = this.state.chunks.filter((c) => tableKey(c) !== key);
        continue;
      }
      const filenode = Number(row.filenode);
      const anyDone = this.state.chunks.some((c) => tableKey(c) === key && this.state.done.has(c.id));
      if (anyDone && (this.state.filenodes[key] !== filenode || chunk.relationOid !== Number(row.oid))) {
        this.log.info({ table: key }, 'table rewritten since part of it was read (VACUUM FULL, CLUSTER, a rewriting ALTER TABLE): reading it again whole');
        await this.rereadWhole(chunk.relationOid);
      }
      this.state.filenodes[key] = filenode;
    }
  }

  /** Reads every pending chunk; true when all are done, false when stopped first. */
  async readPending(): Promise<boolean> {
    const pending = this.pending();
    const p = this.progress;
    p.plan(this.state.chunks, this.state.done);
    this.remainingChunks = pending.length;
    // Schemas are registered before any row is read, in the snapshot's view of the catalog.
    for (const oid of new Set(pending.map((c) => c.relationOid))) await this.tables.onRelation(await relationFromCatalog(this.workers[0], oid));

    const queue = [...pending];
    const ticker = setInterval(() => this.log.info({ snapshot: p.toJSON() }, 'snapshot progress'), 10_000);
    try {
      await Promise.all(
        this.workers.map(async (client) => {
          for (let chunk = queue.shift(); chunk && !this.stopped; chunk = queue.shift()) await this.readChunk(client, chunk);
        }),
      );
      await this.storeProgress(true);
    } catch (err) {
      throw err instanceof Error && 'kind' in err ? err : classifyPostgresError(err, 'reading the snapshot');
    } finally {
      clearInterval(ticker);
    }
    if (this.pending().length > 0) return false;
    p.finishedAt = Date.now();
    this.log.info({ snapshot: p.toJSON() }, 'snapshot completed');
    return true;
  }

  /** Ends the snapshot transactions. */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.query('COMMIT').catch(() => {}).then(() => w.end().catch(() => {}))));
  }

  /** Reads rows by primary key in the snapshot and delivers them as read events (rows gone are skipped). */
  async readKeys(table: RegisteredTable, keys: Tuple[]): Promise<number> {
    // The table's shape in this snapshot: the stream may have registered an older one meanwhile.
    const relation = await relationFromCatalog(this.workers[0], table.schema.relationOid);
    await this.tables.onRelation(relation);
    const current = this.tables.get(relation.relationOid);
    if (!current) return 0;
    table = current;
    const t = table.schema;
    const list = relation.columns.map((c) => `"${c.name.replace(/"/g, '""')}"`).join(', ');
    const keyNames = t.keyColumns.map((i) => `"${t.columns[i].name.replace(/"/g, '""')}"`);
    // Rows now in a chunk still to read are read there, at the same position: reading them here too
    // would send them twice.
    const outsidePending = this.pendingBlockRanges(t.relationOid).map(([from, to]) => ` AND NOT (${ctidRange(from, to)})`).join('');
    let read = 0;
    for (let from = 0; from < keys.length; from += 500) {
      const slice = keys.slice(from, from + 500);
      const values: unknown[] = [];
      const where = slice.map((key) => `(${keyNames.map((name, j) => `${name} = $${values.push(key[j])}`).join(' AND ')})`).join(' OR ');
      const res = await this.workers[0].query({ text: `SELECT ${list} FROM ${qualifiedName(t)} WHERE (${where})${outsidePending}`, values, rowMode: 'array' });
      const batch = new ChangeBatch();
      const out: ChangeRecord[] = [];
      for (const row of res.rows as string[][]) {
        out.length = 0;
        this.events.read(t, row, 'true', this.txContext(), this.readAt, out);
        batch.add(table, out, this.readAt);
      }
      if (batch.size > 0) await this.deliver(batch);
      read += res.rows.length;
    }
    return read;
  }

  /** The heap-block ranges of a table's chunks still to read, adjacent ones merged ([from, to), to null: the end). */
  private pendingBlockRanges(relationOid: number): [number, number | null][] {
    const pending = this.pending().filter((c) => c.relationOid === relationOid).sort((a, b) => a.fromBlock - b.fromBlock);
    const ranges: [number, number | null][] = [];
    for (const c of pending) {
      const last = ranges[ranges.length - 1];
      if (last && last[1] === c.fromBlock) last[1] = c.toBlock;
      else ranges.push([c.fromBlock, c.toBlock]);
    }
    return ranges;
  }

  private txContext(): TxContext {
    return { xid: this.snapshotXid, commitLsn: this.readAt, commitTimeUs: BigInt(Date.now()) * 1000n, previousCommitLsn: null };
  }

  /** Reads one chunk, then stores the progress (under exactly-once the chunk holds the commit gate while it is sent). */
  private async readChunk(client: pg.Client, chunk: SnapshotChunk): Promise<void> {
    await this.gate?.enter();
    try {
      await this.sendChunk(client, chunk);
    } finally {
      this.gate?.leave();
    }
    await this.storeProgress(false);
  }

  private async sendChunk(client: pg.Client, chunk: SnapshotChunk): Promise<void> {
    const table = this.tables.get(chunk.relationOid);
    if (!table) throw new Error(`no schema registered for ${chunk.schema}.${chunk.table}`);
    const t = table.schema;
    // The SELECT lists every column of the relation in tuple order, so a row is a pgoutput-like tuple.
    const relation = await relationFromCatalog(client, chunk.relationOid);
    const list = relation.columns.map((c) => `"${c.name.replace(/"/g, '""')}"`).join(', ');
    const range = ctidRange(chunk.fromBlock, chunk.toBlock);
    const cursor = `pgcdc_chunk_${chunk.index}_${Math.random().toString(36).slice(2, 8)}`;
    await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${list} FROM ${qualifiedName(chunk)} WHERE ${range}`);
    const tx = this.txContext();
    const isLastChunkOfTable = chunk.toBlock === null;
    let pendingRow: string[] | null = null;
    let rowsInChunk = 0;
    const out: ChangeRecord[] = [];
    const counts = this.progress.table(tableKey(chunk));
    // A chunk is read to its end even when a stop is requested: a clean stop must not leave a chunk
    // whose rows were partly delivered (they would be sent again); chunks are bounded by bytes.
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
        this.events.read(t, all[i], marker, tx, this.readAt, out);
        batch.add(table, out, this.readAt);
        rowsInChunk++;
      }
      pendingRow = exhausted ? null : all[all.length - 1];
      if (batch.size > 0) await this.deliver(batch);
      this.progress.addRows(counts, emitCount);
      if (exhausted) break;
    }
    await client.query(`CLOSE ${cursor}`);
    this.state.done.add(chunk.id);
    this.progress.chunkDone(counts);
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

  /** Writes the snapshot state (finished chunks) to the offset topic, at most every offsetFlushIntervalMs unless forced. */
  storeProgress(force: boolean): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastWrite < this.opts.offsetFlushIntervalMs) return this.writing;
    this.lastWrite = now;
    if (this.gate) {
      // The state is read when the commit runs: every chunk it lists as done is in the transaction.
      this.writing = this.gate.exclusive(() => this.offsets.store.write(this.offsets.key, toStoredSnapshot(this.state)));
      return this.writing;
    }
    const snapshot = toStoredSnapshot(this.state);
    this.writing = this.writing.then(() => this.offsets.store.write(this.offsets.key, snapshot));
    return this.writing;
  }
}

/** A TID range scan condition for heap blocks [from, to) (to null: to the end of the table). */
function ctidRange(from: number, to: number | null): string {
  return to === null ? `ctid >= '(${from},0)'::tid` : `ctid >= '(${from},0)'::tid AND ctid < '(${to},0)'::tid`;
}
