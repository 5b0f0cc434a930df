/** The overview: one sortable row per connector, refreshed by main.ts. */
import { el, fill, note } from './dom.js';
import { ALERT_LABELS, DASH, fmtBytes, fmtCount, fmtMs, fmtRate, stateBadge } from './format.js';

interface Row {
  name: string;
  state: string;
  eventsPerSecond: number | null;
  events: number | null;
  lagMs: number | null;
  lagBytes: number | null;
  retained: number | null;
  p99: number | null;
  alerts: string[];
  error: string | null;
  worker: string;
}

interface Column {
  key: string;
  label: string;
  numeric?: boolean;
  sort: (r: Row) => number | string;
  cell: (r: Row) => Node | string;
}

const STATE_ORDER: Record<string, number> = { FAILED: 0, RESTARTING: 1, UNASSIGNED: 2, PAUSED: 3, STOPPED: 4, RUNNING: 5 };
const num = (v: number | null) => v ?? -1;

const COLUMNS: Column[] = [
  { key: 'name', label: 'Connector', sort: (r) => r.name, cell: (r) => el('a', { href: `#/connector/${encodeURIComponent(r.name)}`, class: 'cname' }, r.name) },
  { key: 'state', label: 'State', sort: (r) => STATE_ORDER[r.state] ?? 9, cell: (r) => stateBadge(r.state) },
  { key: 'eps', label: 'Events/s', numeric: true, sort: (r) => num(r.eventsPerSecond), cell: (r) => fmtRate(r.eventsPerSecond) },
  { key: 'events', label: 'Events', numeric: true, sort: (r) => num(r.events), cell: (r) => fmtCount(r.events) },
  { key: 'lagms', label: 'Lag', numeric: true, sort: (r) => num(r.lagMs), cell: (r) => fmtMs(r.lagMs) },
  { key: 'lagbytes', label: 'Lag bytes', numeric: true, sort: (r) => num(r.lagBytes), cell: (r) => fmtBytes(r.lagBytes) },
  { key: 'wal', label: 'Retained WAL', numeric: true, sort: (r) => num(r.retained), cell: (r) => fmtBytes(r.retained) },
  { key: 'p99', label: 'p99 commit→ack', numeric: true, sort: (r) => num(r.p99), cell: (r) => fmtMs(r.p99) },
  {
    key: 'alerts', label: 'Alerts', sort: (r) => r.alerts.length,
    cell: (r) => (r.alerts.length ? el('span', { class: 'alert-chip' }, el('span', { 'aria-hidden': 'true' }, '▲ '), r.alerts.map((a) => ALERT_LABELS[a] ?? a).join(', ')) : el('span', { class: 'muted' }, 'none')),
  },
  { key: 'error', label: 'Last error', sort: (r) => r.error ?? '', cell: (r) => (r.error ? el('span', { class: 'err', title: r.error }, r.error.split('\n')[0]!.slice(0, 120)) : DASH) },
  { key: 'worker', label: 'Worker', sort: (r) => r.worker, cell: (r) => r.worker },
];

/** events_total and when it was read, per connector: events/s is the rise between two refreshes. */
const previous = new Map<string, { at: number; events: number; rate: number | null }>();
let sortKey = 'name';
let ascending = true;

/** A reading older than this is not a baseline for "now" (the overview was not shown meanwhile). */
const STALE_MS = 5_000;

function toRow(name: string, status: any, now: number): Row {
  const events: number | null = status?.metrics?.events_total ?? null;
  const before = previous.get(name);
  const fresh = before !== undefined && now - before.at <= STALE_MS;
  let rate = fresh ? before.rate : null;
  if (events !== null && fresh && now - before.at >= 500 && events >= before.events) rate = ((events - before.events) * 1000) / (now - before.at);
  if (events !== null && (!fresh || now - before.at >= 500)) previous.set(name, { at: now, events, rate });
  const lag = status?.lag ?? {};
  return {
    name,
    state: status?.connector?.state ?? 'UNASSIGNED',
    eventsPerSecond: rate,
    events,
    lagMs: lag.ms_behind_source ?? null,
    lagBytes: lag.bytes_behind ?? null,
    retained: lag.retained_wal_bytes ?? null,
    p99: status?.metrics?.commit_to_ack_ms?.p99 ?? null,
    alerts: (status?.alerts ?? []).filter((a: any) => a.state === 'firing').map((a: any) => a.name),
    error: status?.connector?.trace ?? null,
    worker: status?.connector?.worker_id ?? DASH,
  };
}

export function renderOverview(root: HTMLElement, expanded: Record<string, { status: any }>, now: number, rerender: () => void): void {
  const names = Object.keys(expanded);
  if (names.length === 0) {
    fill(root, el('h1', {}, 'Connectors'), note('No connectors on this worker yet. Create one with POST /connectors (a Kafka Connect connector body) or `npx pgcdc register connectors/inventory.json`; it appears here within 2 s.'));
    return;
  }
  const rows = names.map((n) => toRow(n, expanded[n]!.status, now));
  const column = COLUMNS.find((c) => c.key === sortKey) ?? COLUMNS[0]!;
  rows.sort((a, b) => {
    const x = column.sort(a);
    const y = column.sort(b);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return (ascending ? order : -order) || a.name.localeCompare(b.name);
  });
  const running = rows.filter((r) => r.state === 'RUNNING').length;
  const firing = rows.reduce((n, r) => n + r.alerts.length, 0);
  const failed = rows.filter((r) => r.state === 'FAILED').length;
  const head = el('tr', {}, ...COLUMNS.map((c) => {
    const b = el('button', { type: 'button', class: 'sort' }, c.label, c.key === sortKey ? el('span', { 'aria-hidden': 'true' }, ascending ? ' ▲' : ' ▼') : null);
    b.addEventListener('click', () => {
      ascending = c.key === sortKey ? !ascending : true;
      sortKey = c.key;
      rerender();
    });
    return el('th', { scope: 'col', class: c.numeric ? 'num' : null, 'aria-sort': c.key === sortKey ? (ascending ? 'ascending' : 'descending') : null }, b);
  }));
  const body = el('tbody', {}, ...rows.map((r) => el('tr', { 'data-connector': r.name, class: r.state === 'FAILED' ? 'row-bad' : r.alerts.length ? 'row-warn' : null },
    ...COLUMNS.map((c) => el('td', { class: c.numeric ? 'num' : null, 'data-col': c.key }, c.cell(r))))));
  fill(root,
    el('h1', {}, 'Connectors'),
    el('p', { class: 'summary' },
      `${rows.length} connector${rows.length === 1 ? '' : 's'} · ${running} running`,
      failed ? el('span', { class: 'bad-text' }, ` · ${failed} failed`) : null,
      firing ? el('span', { class: 'warn-text' }, ` · ${firing} alert${firing === 1 ? '' : 's'} firing`) : ' · no alert firing'),
    el('div', { class: 'table-wrap' }, el('table', { class: 'overview' }, el('thead', {}, head), body)),
  );
}
