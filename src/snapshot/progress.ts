/** Snapshot progress for status, metrics and logs: tables and rows done, rate and time left. */
export class SnapshotProgress {
  tablesTotal = 0;
  tablesDone = 0;
  rowsTotalEstimate = 0;
  rowsDone = 0;
  chunksTotal = 0;
  chunksDone = 0;
  readonly startedAt = Date.now();
  finishedAt: number | null = null;

  get running(): boolean {
    return this.finishedAt === null;
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
    };
  }
}
