/** Snapshot progress for status, metrics, logs and the console: totals and per table, rate and time left. */

/** One table's figures; rows count this run's reading (a resumed snapshot's earlier chunks are only in chunksDone). */
export interface TableProgress {
  readonly table: string;
  rowsTotalEstimate: number;
  rowsDone: number;
  chunksTotal: number;
  chunksDone: number;
}

interface PlannedChunk {
  id: string;
  schema: string;
  table: string;
  estimatedRows: number;
}

export class SnapshotProgress {
  tablesTotal = 0;
  tablesDone = 0;
  rowsTotalEstimate = 0;
  rowsDone = 0;
  chunksTotal = 0;
  chunksDone = 0;
  readonly startedAt = Date.now();
  finishedAt: number | null = null;
  /** "schema.table" → figures, in plan order */
  private readonly tables = new Map<string, TableProgress>();

  get running(): boolean {
    return this.finishedAt === null;
  }

  /** Sets the totals from the plan: every chunk of the snapshot and those already done (a resumed one). */
  plan(chunks: readonly PlannedChunk[], done: ReadonlySet<string>): void {
    this.tables.clear();
    this.chunksTotal = chunks.length;
    this.chunksDone = 0;
    this.rowsTotalEstimate = 0;
    for (const c of chunks) {
      const key = `${c.schema}.${c.table}`;
      let t = this.tables.get(key);
      if (!t) this.tables.set(key, (t = { table: key, rowsTotalEstimate: 0, rowsDone: 0, chunksTotal: 0, chunksDone: 0 }));
      t.chunksTotal++;
      if (done.has(c.id)) {
        t.chunksDone++;
        this.chunksDone++;
      } else {
        // Only what this run reads: rowsDone starts at 0, so the estimate must too.
        t.rowsTotalEstimate += c.estimatedRows;
        this.rowsTotalEstimate += c.estimatedRows;
      }
    }
    this.tablesTotal = this.tables.size;
    this.tablesDone = [...this.tables.values()].filter((t) => t.chunksDone === t.chunksTotal).length;
  }

  /** The figures of one table, looked up once per chunk (the read loop adds to them per fetch). */
  table(key: string): TableProgress {
    let t = this.tables.get(key);
    if (!t) this.tables.set(key, (t = { table: key, rowsTotalEstimate: 0, rowsDone: 0, chunksTotal: 0, chunksDone: 0 }));
    return t;
  }

  addRows(t: TableProgress, n: number): void {
    t.rowsDone += n;
    this.rowsDone += n;
  }

  chunkDone(t: TableProgress): void {
    t.chunksDone++;
    this.chunksDone++;
    if (t.chunksDone === t.chunksTotal) this.tablesDone++;
  }

  get rowsPerSecond(): number {
    const seconds = ((this.finishedAt ?? Date.now()) - this.startedAt) / 1000;
    return seconds > 0 ? Math.round(this.rowsDone / seconds) : 0;
  }

  /** seconds left at the current rate; null while unknown */
  get etaSeconds(): number | null {
    const rate = this.rowsPerSecond;
    if (!this.running) return 0;
    if (rate === 0) return null;
    return Math.max(0, Math.round((this.rowsTotalEstimate - this.rowsDone) / rate));
  }

  toJSON(): Record<string, unknown> {
    return {
      running: this.running,
      tables_total: this.tablesTotal,
      tables_done: this.tablesDone,
      chunks_total: this.chunksTotal,
      chunks_done: this.chunksDone,
      rows_done: this.rowsDone,
      rows_total_estimate: this.rowsTotalEstimate,
      rows_per_second: this.rowsPerSecond,
      eta_seconds: this.etaSeconds,
      duration_ms: (this.finishedAt ?? Date.now()) - this.startedAt,
      tables: [...this.tables.values()].map((t) => ({
        table: t.table,
        rows_done: t.rowsDone,
        rows_total_estimate: t.rowsTotalEstimate,
        chunks_done: t.chunksDone,
        chunks_total: t.chunksTotal,
        done: t.chunksDone === t.chunksTotal,
      })),
    };
  }
}
