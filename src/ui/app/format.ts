/** Numbers with units and times in the viewer's local time (UTC on hover). */
import { el } from './dom.js';

export const DASH = '—';

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms * 10) / 10} ms`;
  return fmtSeconds(ms / 1000);
}

export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return DASH;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

export function fmtCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? DASH : Math.round(n).toLocaleString();
}

export function fmtRate(n: number | null | undefined, unit = 'ev/s'): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  return `${n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString()} ${unit}`;
}

/** A <time> in local time; the UTC ISO time on hover. */
export function timeEl(t: number | string, withDate = false): HTMLTimeElement {
  const d = new Date(t);
  const iso = d.toISOString();
  const today = new Date().toDateString() === d.toDateString();
  const text = withDate || !today ? d.toLocaleString() : d.toLocaleTimeString();
  return el('time', { datetime: iso, title: `UTC: ${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}` }, text);
}

/** Colour, shape and text: readable without colour. */
const STATES: Record<string, { cls: string; icon: string }> = {
  RUNNING: { cls: 'ok', icon: '●' },
  PAUSED: { cls: 'warn', icon: '❚❚' },
  STOPPED: { cls: 'idle', icon: '■' },
  UNASSIGNED: { cls: 'idle', icon: '○' },
  RESTARTING: { cls: 'warn', icon: '↻' },
  FAILED: { cls: 'bad', icon: '✖' },
};

export function stateBadge(state: string): HTMLElement {
  const s = STATES[state] ?? { cls: 'idle', icon: '?' };
  return el('span', { class: `badge ${s.cls}`, 'data-state': state }, el('span', { 'aria-hidden': 'true' }, s.icon), ` ${state}`);
}

/** lag_ms is in ms, the other alerts in bytes. */
export function fmtAlertValue(alert: string, v: number): string {
  return alert === 'lag_ms' ? fmtMs(v) : fmtBytes(v);
}

export const ALERT_LABELS: Record<string, string> = { lag_ms: 'Lag (time)', lag_bytes: 'Lag (bytes)', slot_retained_wal_bytes: 'Retained WAL' };
