/**
 * The comparison of the compatibility suite: both sides' registered schemas and events, normalised
 * (each side's topic prefix becomes <prefix>, bytes become hex, the run-time fields below are dropped),
 * then walked field by field into differences with a path.
 */
export const PREFIX = '<prefix>';

export interface Difference {
  table: string;
  kind: 'schema' | 'event';
  /** "value v2" for a schema, "#3 u" (index in the topic, op) for an event */
  where: string;
  path: string;
  debezium: string;
  pgcdc: string;
}

/** A side's topic prefix replaced by <prefix> in every string; Buffers as hex, bigints as strings. */
export function normalise(value: unknown, prefix: string): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') return value.split(prefix).join(PREFIX);
  if (typeof value === 'bigint') return `${value}n`;
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map((v) => normalise(v, prefix));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k.split(prefix).join(PREFIX)] = normalise(v, prefix);
    return out;
  }
  return value;
}

/** Avro "fields" arrays keyed by field name (with their position), so a schema path reads fields.tstz.type. */
export function keyFields(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(keyFields);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    if (k === 'fields' && Array.isArray(v)) {
      const byName: Record<string, unknown> = {};
      v.forEach((f: any, i) => (byName[String(f?.name)] = { '#': i, ...(keyFields(f) as object) }));
      out[k] = byName;
    } else out[k] = keyFields(v);
  }
  return out;
}

const SNAPSHOT_ONLY = ['ts_ms', 'ts_us', 'ts_ns', 'lsn', 'sequence', 'txId'];

/**
 * Drops what must differ between two runs of a connector from a decoded value: the run-time ts_ms/us/ns,
 * source.version, and of a snapshot row (source.snapshot other than "false") its snapshot position and
 * time (source.ts_*, lsn, sequence, txId of each side's own snapshot transaction).
 */
export function withoutRunTimeFields(value: Record<string, any> | null): Record<string, any> | null {
  if (!value) return value;
  const out: Record<string, any> = { ...value };
  for (const k of ['ts_ms', 'ts_us', 'ts_ns']) if (k in out) out[k] = '<run time>';
  if (out.source && typeof out.source === 'object') {
    const source = { ...out.source };
    if ('version' in source) source.version = '<version>';
    const snapshot = source.snapshot;
    if (snapshot !== undefined && snapshot !== null && snapshot !== 'false') for (const k of SNAPSHOT_ONLY) if (k in source) source[k] = '<snapshot position>';
    out.source = source;
  }
  return out;
}

/** Headers in order, the per-run __debezium.context.runId value replaced. */
export function headerList(headers: [Buffer, Buffer][], prefix: string): string[][] {
  return headers.map(([k, v]) => {
    const key = k.toString();
    return [key, key === '__debezium.context.runId' ? '<run id>' : v.toString().split(prefix).join(PREFIX)];
  });
}

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));

/** Every leaf where a and b differ, as [path, a, b]. */
export function diff(a: unknown, b: unknown, path = ''): [string, string, string][] {
  if (a === b) return [];
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return JSON.stringify(a) === JSON.stringify(b) ? [] : [[path || '.', show(a), show(b)]];
  const keys = Array.isArray(a) ? [...Array(Math.max(a.length, (b as unknown[]).length)).keys()].map(String) : [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
  const out: [string, string, string][] = [];
  for (const k of keys) {
    const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    out.push(...diff((a as any)[k], (b as any)[k], sub));
  }
  return out;
}

/** The differences printed side by side, one line each. */
export function sideBySide(diffs: Difference[], label: (d: Difference) => string): string {
  const rows = diffs.map((d) => [`${d.table} ${d.kind} ${d.where}`, d.path, d.debezium, d.pgcdc, label(d)]);
  const head = ['where', 'field path', 'Debezium', 'pgcdc', ''];
  const clip = (s: string) => (s.length > 70 ? `${s.slice(0, 67)}...` : s);
  const all = [head, ...rows].map((r) => r.map(clip));
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd()).join('\n');
}
