/**
 * A line chart in plain SVG (no library). The plot stretches to its box (non-scaling strokes), and
 * the labels are HTML around it, so text stays legible at phone width.
 */
import { el, svg } from './dom.js';

export interface ChartSpec {
  title: string;
  /** [epoch ms, value or null (gap)] oldest first */
  points: [number, number | null][];
  format: (v: number) => string;
  /** dashed line, e.g. the alert threshold (null or 0: none) */
  threshold?: number | null;
  thresholdLabel?: string;
  /** time span shown, ending now */
  spanMs: number;
  now: number;
}

/** Inline style attributes are refused by the page's CSP; CSSOM properties are not. */
function placed(node: HTMLElement, topPercent: number): HTMLElement {
  node.style.top = `${topPercent.toFixed(1)}%`;
  return node;
}

const W = 600;
const H = 150;

export function lineChart(spec: ChartSpec): HTMLElement {
  const from = spec.now - spec.spanMs;
  const values = spec.points.map((p) => p[1]).filter((v): v is number => v !== null);
  const threshold = spec.threshold && spec.threshold > 0 ? spec.threshold : null;
  const top = Math.max(...values, threshold ?? 0) * 1.1 || 1;
  const x = (t: number) => ((t - from) / spec.spanMs) * W;
  const y = (v: number) => H - (v / top) * H;

  let line = '';
  let area = '';
  let run: [number, number][] = [];
  const flush = () => {
    if (run.length === 0) return;
    line += run.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`).join('');
    area += `M${run[0]![0].toFixed(1)},${H}` + run.map(([px, py]) => `L${px.toFixed(1)},${py.toFixed(1)}`).join('') + `L${run[run.length - 1]![0].toFixed(1)},${H}Z`;
    run = [];
  };
  for (const [t, v] of spec.points) {
    if (t < from) continue;
    if (v === null) flush();
    else run.push([x(t), y(v)]);
  }
  flush();

  const latest = [...spec.points].reverse().find((p) => p[1] !== null)?.[1] ?? null;
  const peak = values.length ? Math.max(...values) : null;
  const label = `${spec.title}: ${latest === null ? 'no samples yet' : `now ${spec.format(latest)}, peak ${spec.format(peak!)}`} over the last ${Math.round(spec.spanMs / 60_000)} minutes`;

  const plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label, class: 'plot-svg' },
    ...[0.25, 0.5, 0.75].map((f) => svg('line', { x1: 0, x2: W, y1: H * f, y2: H * f, class: 'grid', 'vector-effect': 'non-scaling-stroke' })),
    area ? svg('path', { d: area, class: 'area' }) : null,
    line ? svg('path', { d: line, class: 'line', 'vector-effect': 'non-scaling-stroke' }) : null,
    threshold ? svg('line', { x1: 0, x2: W, y1: y(threshold), y2: y(threshold), class: 'threshold', 'vector-effect': 'non-scaling-stroke' }) : null,
  );
  const box = el('div', { class: 'plot' },
    el('span', { class: 'ymax' }, spec.format(top)),
    plot,
    threshold ? placed(el('span', { class: 'tlabel' }, spec.thresholdLabel ?? `threshold ${spec.format(threshold)}`), (y(threshold) / H) * 100) : null,
    values.length === 0 ? el('span', { class: 'nodata' }, 'No samples yet: the first arrives within a few seconds of the connector starting.') : null,
  );
  // Seconds matter on a short span (a worker that started minutes ago).
  const at = (t: number) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', ...(spec.spanMs < 600_000 ? { second: '2-digit' } : {}) });
  return el('figure', { class: 'chart' },
    el('figcaption', {}, el('span', { class: 'ctitle' }, spec.title), el('span', { class: 'cnow' }, latest === null ? '' : spec.format(latest))),
    box,
    el('div', { class: 'xaxis', 'aria-hidden': 'true' }, el('span', {}, at(from)), el('span', {}, at(from + spec.spanMs / 2)), el('span', {}, 'now')),
  );
}
