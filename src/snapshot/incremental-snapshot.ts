import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { PgoutputMessage, Tuple } from '../decoding/messages.js';
import type { ChangeEventBuilder, ChangeRecord, TxContext } from '../events/change-events.js';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import type { Lsn } from '../postgres/lsn.js';
import { connect } from '../postgres/connection.js';
import { qualifiedName, type CapturedTable } from '../postgres/publication.js';
import type { RegisteredTable, TableRegistry } from '../connector/table-registry.js';
import { relationFromCatalog } from './relation.js';

type Change = Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' | 'truncate' }>;
export type Emit = (table: RegisteredTable, records: ChangeRecord[]) => void;

interface Chunk {
  id: string;
  table: RegisteredTable;
  rows: Map<string, Tuple>;
  /** transactions (xids) streamed since the chunk began that changed each key */
  seen: Map<string, number[]>;
  /** the SELECT's snapshot: which transactions its rows reflect */
  visible: ((xid: number) => boolean) | null;
  full: boolean;
  lastKey: (string | null)[] | null;
  open: boolean;
  truncated: boolean;
}

/**
 * Ad-hoc ("incremental") snapshots while streaming, DBLog style, driven by Debezium's signal table:
 * an `execute-snapshot` row names tables; each is read in primary-key chunks. For every chunk pgcdc
 * writes a low watermark to the signal table, selects the chunk, writes a high watermark. From the
 * chunk's start the stream notes which transactions changed which keys; at the high watermark the
 * chunk's rows are emitted as op=r events, except those whose key was changed by a transaction the
 * SELECT did not see (that change is streamed, so the row would be stale). `stop-snapshot` cancels. Not persisted: a restart drops it.
 */
export class IncrementalSnapshot {
  private queue: (CapturedTable & { signal: string | null })[] = [];
  private chunk: Chunk | null = null;
  private lastKey: (string | null)[] | null = null;
  private client: pg.Client | null = null;
  rowsEmitted = 0;
  tablesDone = 0;
  /** signals logged and skipped: malformed, unknown type, or naming a table that is missing or not captured */
  signalsSkipped = 0;

  constructor(
    private readonly db: pg.ClientConfig,
    private readonly signal: CapturedTable,
    private readonly chunkSize: number,
    private readonly tables: TableRegistry,
    private readonly events: ChangeEventBuilder,
    private readonly log: Logger,
    private readonly fail: (err: unknown) => void,
  ) {}

  get running(): boolean {
    return this.chunk !== null || this.queue.length > 0;
  }

  /** Sees every streamed change in order; `emit` adds records to the stream at this position. */
  observe(m: Change, tx: TxContext, lsn: Lsn, emit: Emit): void {
    if (m.tag === 'truncate') {
      if (this.chunk?.open && m.relationOids.includes(this.chunk.table.schema.relationOid)) this.chunk.truncated = true;
      return;
    }
    const rel = this.tables.relation(m.relationOid);
    if (rel && rel.schema === this.signal.schema && rel.table === this.signal.table) {
      if (m.tag === 'insert') this.onSignal(rel.columns.map((c) => c.name), m.newTuple, tx, lsn, emit);
      return;
    }
    const c = this.chunk;
    if (!c || m.relationOid !== c.table.schema.relationOid) return;
    const tuples = m.tag === 'insert' ? [m.newTuple] : m.tag === 'update' ? [m.newTuple, m.keyTuple, m.oldTuple] : [m.keyTuple, m.oldTuple];
    for (const tuple of tuples) {
      if (!tuple) continue;
      const key = keyOf(c.table, tuple);
      const xids = c.seen.get(key);
      if (xids) xids.push(tx.xid);
      else c.seen.set(key, [tx.xid]);
    }
  }

  private onSignal(columns: string[], tuple: Tuple, tx: TxContext, lsn: Lsn, emit: Emit): void {
    const field = (name: string) => {
      const i = columns.indexOf(name);
      return i < 0 ? null : (tuple[i] as string | null);
    };
    const id = field('id');
    const type = field('type');
    const data = field('data');
    if (type === 'execute-snapshot') {
      const parsed = parseTables(data);
      if (typeof parsed === 'string') return this.skipSignal(id, type, parsed);
      this.log.info({ signal: id, tables: parsed.map((t) => `${t.schema}.${t.table}`) }, 'ad-hoc snapshot requested');
      const idle = !this.running;
      this.queue.push(...parsed.map((t) => ({ ...t, signal: id })));
      if (idle) this.next();
    } else if (type === 'stop-snapshot') {
      this.log.info({ signal: id }, 'ad-hoc snapshot stopped by signal');
      this.queue = [];
      this.chunk = null;
    } else if (type === 'snapshot-window-open') {
      if (this.chunk && data === this.chunk.id) this.chunk.open = true;
    } else if (type === 'snapshot-window-close') {
      if (this.chunk && data === this.chunk.id) this.closeWindow(this.chunk, tx, lsn, emit);
    } else {
      this.skipSignal(id, type, `unknown signal type "${type}" (pgcdc acts on execute-snapshot and stop-snapshot)`);
    }
  }

  /**
   * A signal pgcdc cannot act on is logged and skipped, as Debezium does: failing would replay the
   * same row from the WAL on every restart and wedge the connector for good.
   */
  private skipSignal(id: string | null, type: string | null, reason: string): void {
    this.signalsSkipped++;
    this.log.warn({ signal: id, type, reason }, `signal ${id ?? '(no id)'} skipped: ${reason}`);
  }

  private closeWindow(c: Chunk, tx: TxContext, lsn: Lsn, emit: Emit): void {
    const out: ChangeRecord[] = [];
    if (!c.truncated) {
      // A row is stale when a transaction the SELECT did not see changed its key: that change was
      // (or will be) streamed, so the row is dropped. Commit order in the WAL can differ from
      // visibility order by a hair, hence visibility rather than window position decides.
      const visible = c.visible!;
      for (const [key, tuple] of c.rows) {
        if (c.seen.get(key)?.some((xid) => !visible(xid))) continue;
        this.events.read(c.table.schema, tuple, 'incremental', tx, lsn, out);
      }
    }
    if (out.length > 0) emit(c.table, out);
    this.rowsEmitted += out.length;
    this.lastKey = c.lastKey;
    if (!c.full) {
      this.queue.shift();
      this.lastKey = null;
      this.tablesDone++;
    }
    this.chunk = null;
    this.next();
  }

  /** Reads the next chunk between two watermarks, off the streaming loop. */
  private next(): void {
    const target = this.queue[0];
    if (!target) {
      void this.client?.end().catch(() => {});
      this.client = null;
      return;
    }
    this.readChunk(target).then(
      () => (this.attempts = 0),
      (err) => {
        const e = classifyPostgresError(err, `ad-hoc snapshot of ${target.schema}.${target.table}`);
        // A lost connection costs only this chunk: it is read again on a new connection.
        void this.client?.end().catch(() => {});
        this.client = null;
        this.chunk = null;
        if (!e.retriable || ++this.attempts > 5) return this.fail(e);
        this.log.warn({ reason: e.message, attempt: this.attempts }, 'ad-hoc snapshot chunk failed; retrying');
        setTimeout(() => this.next(), 200 * 2 ** this.attempts);
      },
    );
  }
  private attempts = 0;

  private async readChunk(target: CapturedTable & { signal: string | null }): Promise<void> {
    if (!this.client) {
      this.client = await connect(this.db);
    }
    const client = this.client;
    const name = `${target.schema}.${target.table}`;
    const oid = await oidOf(client, target);
    const rel = oid === null ? null : await relationFromCatalog(client, oid);
    if (rel) await this.tables.onRelation(rel);
    const table = rel ? this.tables.get(rel.relationOid) : null;
    const problem = !rel ? `table ${name} does not exist` : !table ? `table ${name} is not captured (table.include.list / table.exclude.list)` : table.schema.keyColumns.length === 0 ? `table ${name} has no primary key` : null;
    if (problem || !table || !rel) {
      this.skipSignal(target.signal, 'execute-snapshot', problem ?? `table ${name} is not captured`);
      this.queue.shift();
      this.next();
      return;
    }
    const t = table.schema;
    const keyCols = t.keyColumns.map((i) => `"${t.columns[i].name.replace(/"/g, '""')}"`);
    const list = rel.columns.map((c) => `"${c.name.replace(/"/g, '""')}"`).join(', ');
    const after = this.lastKey ? `WHERE (${keyCols.join(', ')}) > (${keyCols.map((_, i) => `$${i + 1}`).join(', ')})` : '';
    const chunk: Chunk = { id: randomUUID(), table, rows: new Map(), seen: new Map(), visible: null, full: false, lastKey: null, open: false, truncated: false };
    this.chunk = chunk;
    await this.watermark('snapshot-window-open', chunk.id);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snap = await client.query(`SELECT pg_current_snapshot()::text AS s`);
    const res = await client.query({ text: `SELECT ${list} FROM ${qualifiedName(target)} ${after} ORDER BY ${keyCols.join(', ')} LIMIT ${this.chunkSize}`, values: this.lastKey ?? [], rowMode: 'array' });
    await client.query('COMMIT');
    chunk.visible = visibility(snap.rows[0].s);
    for (const row of res.rows as Tuple[]) chunk.rows.set(keyOf(table, row), row);
    chunk.full = res.rows.length === this.chunkSize;
    const last = res.rows[res.rows.length - 1] as Tuple | undefined;
    chunk.lastKey = last ? t.keyColumns.map((i) => last[t.columns[i].tupleIndex] as string | null) : null;
    await this.watermark('snapshot-window-close', chunk.id);
  }

  private async watermark(type: string, chunkId: string): Promise<void> {
    await this.client!.query(`INSERT INTO ${qualifiedName(this.signal)} (id, type, data) VALUES ($1, $2, $3)`, [randomUUID(), type, chunkId]);
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => {});
    this.client = null;
  }
}

function keyOf(table: RegisteredTable, tuple: Tuple): string {
  const t = table.schema;
  return JSON.stringify(t.keyColumns.map((i) => tuple[t.columns[i].tupleIndex]));
}

/**
 * Debezium's execute-snapshot data: {"data-collections": ["schema.table", ...], "type": "incremental"}.
 * Returns the tables, or why the signal cannot be acted on.
 */
function parseTables(data: string | null): CapturedTable[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data ?? '');
  } catch {
    return `data is not JSON: ${JSON.stringify((data ?? '').slice(0, 100))}`;
  }
  const collections = (parsed as { 'data-collections'?: unknown } | null)?.['data-collections'];
  if (!Array.isArray(collections) || collections.length === 0 || !collections.every((c) => typeof c === 'string' && c.length > 0)) {
    return 'data has no "data-collections" list of table names';
  }
  const type = (parsed as { type?: unknown }).type;
  if (type !== undefined && typeof type === 'string' && type.toLowerCase() !== 'incremental') {
    return `snapshot type "${type}" is not supported (pgcdc runs incremental ad-hoc snapshots)`;
  }
  return (collections as string[]).map((name) => {
    const [schema, table] = name.includes('.') ? [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)] : ['public', name];
    return { schema, table };
  });
}

/** The table's oid, or null when it does not exist. */
async function oidOf(client: pg.Client, t: CapturedTable): Promise<number | null> {
  const res = await client.query(`SELECT to_regclass($1)::oid::int AS oid`, [qualifiedName(t)]);
  return res.rows[0].oid === null ? null : Number(res.rows[0].oid);
}

/**
 * Visibility of 32-bit xids (as pgoutput sends them) under a snapshot printed as "xmin:xmax:xip,...":
 * visible when it precedes xmax (modulo wraparound) and was not in progress.
 */
export function visibility(snapshot: string): (xid: number) => boolean {
  const [, xmaxText, xipText] = snapshot.split(':');
  const low32 = (v: string) => Number(BigInt(v) & 0xffffffffn);
  const xmax = low32(xmaxText);
  const inProgress = new Set((xipText ?? '').split(',').filter(Boolean).map(low32));
  return (xid) => ((xid - xmax) | 0) < 0 && !inProgress.has(xid);
}
