/** The connector page's snapshot section: the overall bar (rows/s, ETA) and one bar per table. */
import { el, fill, note } from './dom.js';
import { fmtCount, fmtMs, fmtRate, fmtSeconds } from './format.js';

/** Beyond this many tables, the rest are summed up in a line (a snapshot of thousands of tables). */
const MAX_TABLE_BARS = 25;

export function progressBar(label: string, pct: number, detail: string, attrs: Record<string, string> = {}): HTMLElement {
  const fillEl = el('div', { class: 'bar-fill' });
  fillEl.style.width = `${pct.toFixed(1)}%`;
  return el('div', { class: 'progress', ...attrs },
    el('div', { class: 'progress-head' }, el('span', {}, label), el('span', { class: 'muted' }, `${Math.round(pct)}%`)),
    el('div', { class: 'pbar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(pct), 'aria-label': label }, fillEl),
    el('div', { class: 'progress-detail' }, detail));
}

/** Rows done over the estimate, capped at 100% (the estimate comes from table statistics); done is 100%. */
function percent(done: number, estimate: number, finished: boolean): number {
  if (finished) return 100;
  return estimate > 0 ? Math.min(100, (done / estimate) * 100) : 0;
}

/** Tables being read first, then those waiting, then those done. */
const rank = (t: any) => (t.done ? 2 : t.rows_done > 0 || t.chunks_done > 0 ? 0 : 1);

export function renderSnapshot(body: HTMLElement, snap: any, incremental: any, tables: any[]): void {
  if (!snap && !incremental) {
    fill(body, note('No snapshot in the current run (a pause or restart starts a new run; snapshot.mode decides when to snapshot, and an ad-hoc snapshot is requested through the signal table).'));
    return;
  }
  const parts: Node[] = [];
  if (snap) {
    const pct = percent(snap.rows_done ?? 0, snap.rows_total_estimate ?? 0, !snap.running);
    parts.push(progressBar(snap.running ? 'Initial snapshot' : 'Initial snapshot (done)', pct,
      `${fmtCount(snap.rows_done)} of ~${fmtCount(snap.rows_total_estimate)} rows · ${snap.tables_done}/${snap.tables_total} tables · ${snap.chunks_done}/${snap.chunks_total} chunks · ${fmtRate(snap.rows_per_second, 'rows/s')} · ${snap.running ? `ETA ${snap.eta_seconds === null ? 'estimating…' : fmtSeconds(snap.eta_seconds)}` : `took ${fmtMs(snap.duration_ms)}`}`,
      { 'data-snapshot': 'total' }));
    const per: any[] = Array.isArray(snap.tables) ? [...snap.tables] : [];
    per.sort((a, b) => rank(a) - rank(b));
    if (per.length) {
      parts.push(el('div', { class: 'table-bars' }, ...per.slice(0, MAX_TABLE_BARS).map((t) => progressBar(t.table, percent(t.rows_done, t.rows_total_estimate, t.done),
        `${fmtCount(t.rows_done)} of ~${fmtCount(t.rows_total_estimate)} rows · ${t.chunks_done}/${t.chunks_total} chunks${t.done ? ' · done' : ''}`,
        { 'data-snapshot-table': t.table }))));
      const rest = per.slice(MAX_TABLE_BARS);
      if (rest.length) parts.push(note(`${rest.length} more tables: ${rest.filter((t) => t.done).length} done, ${rest.filter((t) => !t.done).length} waiting.`));
    }
  }
  if (incremental) parts.push(el('p', {}, `Ad-hoc snapshot ${incremental.running ? 'running' : 'finished'}: ${fmtCount(incremental.rows)} rows, ${incremental.tables_done} tables done${incremental.signals_skipped ? `, ${incremental.signals_skipped} signals skipped` : ''}.`));
  // Without the initial snapshot's per-table figures (an ad-hoc snapshot only): rows read per table, no bar.
  const read = snap?.tables ? [] : tables.filter((t) => t.snapshot_rows > 0);
  if (read.length) {
    parts.push(el('div', { class: 'table-wrap' }, el('table', { class: 'list per-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Table'), el('th', { class: 'num' }, 'Rows read'))),
      el('tbody', {}, ...read.map((t) => el('tr', {}, el('td', {}, t.table), el('td', { class: 'num' }, fmtCount(t.snapshot_rows))))))));
  }
  fill(body, ...parts);
}
