/**
 * One connector: state and actions, lag and throughput over the last hour, alerts, snapshot,
 * tables, the pending schema change. The skeleton (and so the buttons) is built once per visit; refreshes refill the sections.
 */
import { ApiError, call } from './api.js';
import { lineChart } from './chart.js';
import { button, el, fill, note, section } from './dom.js';
import { ALERT_LABELS, DASH, fmtAlertValue, fmtBytes, fmtCount, fmtMs, fmtRate, stateBadge, timeEl } from './format.js';
import { SchemaChangesView } from './schema-changes-view.js';
import { renderSnapshot } from './snapshot-view.js';

export interface ConnectorData {
  status: any;
  history: any;
  tables: any | null;
  tablesError: string | null;
  schemaChanges: any | null;
  schemaChangesError: string | null;
}

export class ConnectorPage {
  readonly root: HTMLElement;
  private readonly title = el('div', { class: 'title-row' });
  private readonly message = el('p', { class: 'action-msg', role: 'status', 'aria-live': 'polite' });
  private readonly figures = el('div', { class: 'figures' });
  private readonly trace = el('div');
  private readonly charts = section('Last hour', 'charts');
  private readonly alerts = section('Alerts', 'alerts');
  private readonly snapshot = section('Snapshot', 'snapshot');
  private readonly tables = section('Tables captured', 'tables');
  private readonly schemaChanges = section('Pending schema changes', 'schema-changes');
  private readonly buttons: Record<'pause' | 'resume' | 'restart', HTMLButtonElement>;
  private readonly schemaChangesView: SchemaChangesView;

  constructor(readonly name: string, private readonly refresh: () => void) {
    const path = `/connectors/${encodeURIComponent(name)}`;
    const act = (verb: 'pause' | 'resume' | 'restart', method: 'PUT' | 'POST', done: string) => async () => {
      for (const b of Object.values(this.buttons)) b.disabled = true;
      fill(this.message, `${verb[0]!.toUpperCase()}${verb.slice(1)} requested…`);
      try {
        await call(method, `${path}/${verb}`);
        fill(this.message, done);
      } catch (err) {
        fill(this.message, el('span', { class: 'bad-text' }, `${verb} failed: ${(err as Error).message}`));
      }
      this.refresh();
    };
    this.buttons = {
      pause: button('Pause', act('pause', 'PUT', 'Paused: events drained and the offset stored. The slot now retains WAL until you resume.'), { class: 'btn' }),
      resume: button('Resume', act('resume', 'PUT', 'Resumed from the stored offset.'), { class: 'btn primary' }),
      restart: button('Restart', act('restart', 'POST', 'Restarted: a fresh run from the stored config.'), { class: 'btn' }),
    };
    this.schemaChangesView = new SchemaChangesView(this.schemaChanges.body, name, refresh);
    this.root = el('div', { class: 'connector-page' },
      el('p', { class: 'crumbs' }, el('a', { href: '#/' }, '← All connectors')),
      this.title,
      el('div', { class: 'actions' }, this.buttons.pause, this.buttons.resume, this.buttons.restart, this.message),
      this.trace,
      this.figures,
      this.charts.root, this.alerts.root, this.snapshot.root, this.tables.root, this.schemaChanges.root,
    );
  }

  update(d: ConnectorData, now: number): void {
    const s = d.status;
    const state: string = s.connector?.state ?? 'UNASSIGNED';
    fill(this.title, el('h1', {}, this.name), stateBadge(state), el('span', { class: 'muted' }, `worker ${s.connector?.worker_id ?? DASH}`));
    this.buttons.pause.disabled = state === 'PAUSED' || state === 'STOPPED';
    this.buttons.resume.disabled = state === 'RUNNING' || state === 'RESTARTING';
    this.buttons.restart.disabled = false;
    const trace: string | undefined = s.connector?.trace;
    fill(this.trace, trace ? el('details', { class: state === 'FAILED' ? 'trace bad' : 'trace warn', open: true },
      el('summary', {}, state === 'FAILED' ? 'Failed: ' : s.schema_change_pending ? 'Paused at a schema change: ' : 'Retrying: ', trace.split('\n')[0]!), el('pre', {}, trace)) : null);

    const lag = s.lag ?? {};
    const m = s.metrics ?? {};
    const points: any[] = d.history?.points ?? [];
    const th = d.history?.thresholds ?? null;
    const lastRate = [...points].reverse().find((p) => p.events_per_second !== null)?.events_per_second ?? null;
    const figure = (label: string, value: string, extra?: string) => el('div', { class: 'figure' }, el('span', { class: 'flabel' }, label), el('span', { class: 'fvalue' }, value), extra ? el('span', { class: 'fextra' }, extra) : null);
    fill(this.figures,
      figure('Events', fmtCount(m.events_total), `${fmtCount(m.transactions)} transactions`),
      figure('Throughput', fmtRate(lastRate), 'last sample'),
      figure('Lag', fmtMs(lag.ms_behind_source), th?.lag_ms ? `alert at ${fmtMs(th.lag_ms)}` : 'no alert set'),
      figure('Lag bytes', fmtBytes(lag.bytes_behind), th?.lag_bytes ? `alert at ${fmtBytes(th.lag_bytes)}` : 'no alert set'),
      figure('Retained WAL', fmtBytes(lag.retained_wal_bytes), th?.slot_retained_wal_bytes ? `alert at ${fmtBytes(th.slot_retained_wal_bytes)}` : 'no alert set'),
      figure('p99 commit→ack', fmtMs(m.commit_to_ack_ms?.p99), `${fmtCount(m.commit_to_ack_ms?.count)} transactions measured`),
    );
    if (lag.error) this.figures.append(note(`Lag could not be sampled: ${lag.error}. Check that PostgreSQL is reachable from the worker.`, 'error'));

    this.updateCharts(points, th, d.history?.retention_ms ?? 3_600_000, now);
    this.updateAlerts(s.alerts ?? [], d.history?.alerts ?? [], th);
    renderSnapshot(this.snapshot.body, s.snapshot, s.incremental_snapshot, d.tables?.tables ?? []);
    this.updateTables(d);
    this.schemaChangesView.update(d.schemaChanges, d.schemaChangesError);
  }

  private updateCharts(points: any[], th: any, retentionMs: number, now: number): void {
    // Until an hour is kept (worker started recently), the charts span what there is, at least a minute.
    const spanMs = Math.min(retentionMs, Math.max(60_000, points.length ? now - points[0].at : 0));
    const series = (key: string): [number, number | null][] => points.map((p) => [p.at, p[key]]);
    const alertAt = (v: number | undefined, f: (n: number) => string) => (v ? `alert ${f(v)}` : undefined);
    fill(this.charts.body,
      spanMs < retentionMs && points.length ? note(`History since ${new Date(points[0].at).toLocaleTimeString()} (kept in the worker's memory for up to an hour; a worker restart starts it again).`) : null,
      el('div', { class: 'charts' },
        lineChart({ title: 'Lag (time)', points: series('lag_ms'), format: fmtMs, threshold: th?.lag_ms, thresholdLabel: alertAt(th?.lag_ms, fmtMs), spanMs, now }),
        lineChart({ title: 'Lag (bytes)', points: series('lag_bytes'), format: fmtBytes, threshold: th?.lag_bytes, thresholdLabel: alertAt(th?.lag_bytes, fmtBytes), spanMs, now }),
        lineChart({ title: 'Throughput', points: series('events_per_second'), format: (v) => fmtRate(v), spanMs, now }),
        lineChart({ title: 'Retained WAL', points: series('retained_wal_bytes'), format: fmtBytes, threshold: th?.slot_retained_wal_bytes, thresholdLabel: alertAt(th?.slot_retained_wal_bytes, fmtBytes), spanMs, now }),
      ));
  }

  private updateAlerts(active: any[], transitions: any[], th: any): void {
    const parts: Node[] = [];
    if (active.length) {
      parts.push(el('ul', { class: 'active-alerts' }, ...active.map((a) => el('li', { class: a.state === 'firing' ? 'firing' : 'pending', 'data-alert': a.name },
        el('strong', {}, a.state === 'firing' ? '▲ FIRING ' : '△ pending '), `${ALERT_LABELS[a.name] ?? a.name}: ${fmtAlertValue(a.name, a.value)} over ${fmtAlertValue(a.name, a.threshold)} since `, timeEl(a.since)))));
    } else parts.push(note('No alert is firing or pending.'));
    const off = !th || (!th.lag_ms && !th.lag_bytes && !th.slot_retained_wal_bytes);
    if (off) parts.push(note('No alert threshold is set: add lag.alert.ms, lag.alert.bytes or slot.retained.wal.alert.bytes to the connector config.'));
    if (transitions.length) {
      parts.push(el('h3', {}, 'History'), wrap(el('table', { class: 'list' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Time'), el('th', {}, 'Alert'), el('th', {}, 'Change'), el('th', { class: 'num' }, 'Value'), el('th', { class: 'num' }, 'Threshold'))),
        el('tbody', {}, ...[...transitions].reverse().map((t) => el('tr', { 'data-transition': `${t.name}:${t.state}` },
          el('td', {}, timeEl(t.at)), el('td', {}, ALERT_LABELS[t.name] ?? t.name),
          el('td', {}, el('span', { class: t.state === 'firing' ? 'warn-text' : 'ok-text' }, t.state === 'firing' ? '▲ fired' : '▼ resolved')),
          el('td', { class: 'num' }, fmtAlertValue(t.name, t.value)), el('td', { class: 'num' }, fmtAlertValue(t.name, t.threshold))))))));
    } else parts.push(note('No alert has fired or resolved since the worker started.'));
    fill(this.alerts.body, ...parts);
  }

  private updateTables(d: ConnectorData): void {
    if (d.tablesError) return fill(this.tables.body, note(`Could not list the tables: ${d.tablesError}`, 'error'));
    const rows: any[] = d.tables?.tables ?? [];
    if (rows.length === 0) return fill(this.tables.body, note(d.tables?.note ?? 'No table has delivered an event since the worker started: tables appear here with their first change.'));
    // The subject is the topic plus -key / -value (TopicNameStrategy): shown as the suffix, in full on hover.
    const subject = (s: any) => el('span', { class: 'subject', title: s.subject, 'data-subject': s.subject },
      s.subject.endsWith('-key') ? '-key ' : '-value ', 'version' in s ? el('span', { class: 'ver' }, `v${s.version} · id ${s.id}`) : el('span', { class: 'muted' }, `(${s.error})`));
    fill(this.tables.body, wrap(el('table', { class: 'list' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Table'), el('th', {}, 'Topic'), el('th', {}, 'Key subject'), el('th', {}, 'Value subject'), el('th', { class: 'num' }, 'Events'))),
      el('tbody', {}, ...rows.map((t) => el('tr', {}, el('td', {}, t.table), el('td', { class: 'mono' }, t.topic), el('td', {}, subject(t.key_subject)), el('td', {}, subject(t.value_subject)), el('td', { class: 'num' }, fmtCount(t.events))))))),
    note('Subjects are the topic name followed by -key and -value; hover one for its full name.'));
  }
}

const wrap = (table: HTMLElement) => el('div', { class: 'table-wrap' }, table);

/** Status, history and (every few refreshes) tables of one connector. */
export async function loadConnector(name: string, withTables: boolean, previous: ConnectorData | null): Promise<ConnectorData> {
  const path = `/connectors/${encodeURIComponent(name)}`;
  const [status, history] = await Promise.all([call('GET', `${path}/status`), call('GET', `${path}/history`)]);
  let tables = previous?.tables ?? null;
  let tablesError = previous?.tablesError ?? null;
  if (withTables || !previous) {
    try {
      tables = await call('GET', `${path}/tables`);
      tablesError = null;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      tablesError = err.message;
    }
  }
  // Read from the offset topic: when a pending change appears or goes, and with the tables otherwise.
  let schemaChanges = previous?.schemaChanges ?? null;
  let schemaChangesError = previous?.schemaChangesError ?? null;
  const pendingId = status?.schema_change_pending?.id ?? null;
  if (withTables || !previous || pendingId !== (schemaChanges?.pending?.id ?? null)) {
    try {
      schemaChanges = await call('GET', `${path}/schema-changes`);
      schemaChangesError = null;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      schemaChangesError = err.message;
    }
  }
  return { status, history, tables, tablesError, schemaChanges, schemaChangesError };
}
