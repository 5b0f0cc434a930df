/**
 * Classifies the difference between the last registered shape of a table and its new one, per
 * column. Pure and table-tested (test/unit/schema-change-classify.test.ts).
 *
 * additive: a nullable column added, a column with a DEFAULT added, a type widened the way Avro
 *   promotes it (int16 → int32 → int64 → float → double), NOT NULL dropped, a nullable column
 *   dropped (readers of the old schema get its default null);
 * breaking: a NOT NULL column dropped, a column renamed (pgoutput shows a drop + an add: any drop
 *   together with an add), another type change, NOT NULL added, a NOT NULL column without default
 *   added, the primary key changed, the replica identity changed;
 * neutral: no difference consumers can see (e.g. varchar(10) → varchar(20), both Avro strings).
 */
import type { ColumnShape, TableShape } from './shape.js';

export type Classification = 'neutral' | 'additive' | 'breaking';

export type ChangeKind =
  | 'column-added'
  | 'column-dropped'
  | 'column-renamed'
  | 'type-widened'
  | 'type-changed'
  | 'not-null-dropped'
  | 'not-null-added'
  | 'primary-key-changed'
  | 'replica-identity-changed';

export interface ShapeChange {
  kind: ChangeKind;
  classification: Exclude<Classification, 'neutral'>;
  /** the column (the old name for a rename); null for table-level changes */
  column: string | null;
  before: ColumnShape | string[] | string | null;
  after: ColumnShape | string[] | string | null;
  reason: string;
}

export interface ShapeDiff {
  classification: Classification;
  changes: ShapeChange[];
}

export function classifyChange(before: TableShape, after: TableShape): ShapeDiff {
  const changes: ShapeChange[] = [];
  const old = new Map(before.columns.map((c) => [c.name, c]));
  const now = new Map(after.columns.map((c) => [c.name, c]));
  const dropped = before.columns.filter((c) => !now.has(c.name));
  const added = after.columns.filter((c) => !old.has(c.name));
  const renamedTo = new Map<string, ColumnShape>();
  // pgoutput cannot tell a rename from a drop + add: a drop that comes with an add of the same type is a rename.
  for (const d of dropped) {
    const twin = added.find((a) => !renamedTo.has(a.name) && sameType(a.type, d.type));
    if (twin) renamedTo.set(twin.name, d);
  }
  for (const [to, from] of renamedTo) {
    changes.push(breaking('column-renamed', from.name, from, now.get(to)!, `column "${from.name}" renamed to "${to}" (or dropped, and "${to}" added): consumers lose the field`));
  }
  const renamedFrom = new Set([...renamedTo.values()].map((c) => c.name));
  for (const d of dropped) {
    if (renamedFrom.has(d.name)) continue;
    if (d.optional) changes.push(additive('column-dropped', d.name, d, null, `nullable column "${d.name}" dropped: readers of the old schema get null`));
    else changes.push(breaking('column-dropped', d.name, d, null, `NOT NULL column "${d.name}" dropped: consumers require it`));
  }
  for (const a of added) {
    if (renamedTo.has(a.name)) continue;
    if (a.optional) changes.push(additive('column-added', a.name, null, a, `nullable column "${a.name}" added`));
    else if (a.hasDefault) changes.push(additive('column-added', a.name, null, a, `NOT NULL column "${a.name}" with a default added`));
    else changes.push(breaking('column-added', a.name, null, a, `NOT NULL column "${a.name}" without default added`));
  }
  for (const b of before.columns) {
    const a = now.get(b.name);
    if (!a) continue;
    if (!sameType(a.type, b.type)) {
      if (widens(b.type, a.type)) changes.push(additive('type-widened', b.name, b, a, `column "${b.name}" widened from ${typeName(b.type)} to ${typeName(a.type)}`));
      else changes.push(breaking('type-changed', b.name, b, a, `column "${b.name}" changed type from ${typeName(b.type)} to ${typeName(a.type)}`));
    }
    if (b.optional && !a.optional) changes.push(breaking('not-null-added', b.name, b, a, `column "${b.name}" became NOT NULL`));
    if (!b.optional && a.optional) changes.push(additive('not-null-dropped', b.name, b, a, `column "${b.name}" no longer NOT NULL`));
  }
  if (before.key.join('\u0000') !== after.key.join('\u0000')) {
    changes.push(breaking('primary-key-changed', null, before.key, after.key, `primary key changed from (${before.key.join(', ') || 'none'}) to (${after.key.join(', ') || 'none'})`));
  }
  if (before.replicaIdentity !== null && after.replicaIdentity !== null && before.replicaIdentity !== after.replicaIdentity) {
    changes.push(breaking('replica-identity-changed', null, before.replicaIdentity, after.replicaIdentity, `REPLICA IDENTITY changed from ${before.replicaIdentity.toUpperCase()} to ${after.replicaIdentity.toUpperCase()}: "before" carries other columns`));
  }
  const classification: Classification = changes.some((c) => c.classification === 'breaking') ? 'breaking' : changes.length > 0 ? 'additive' : 'neutral';
  return { classification, changes };
}

function additive(kind: ChangeKind, column: string | null, before: ShapeChange['before'], after: ShapeChange['after'], reason: string): ShapeChange {
  return { kind, classification: 'additive', column, before, after, reason };
}

function breaking(kind: ChangeKind, column: string | null, before: ShapeChange['before'], after: ShapeChange['after'], reason: string): ShapeChange {
  return { kind, classification: 'breaking', column, before, after, reason };
}

/** Canonical JSON (keys sorted), so two equal schemas compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function sameType(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/**
 * Numeric widening as Avro promotes it and Debezium maps it: int2 (int, connect.type int16) →
 * int4 (int) → int8 (long) → float4 (float) → float8 (double). Logical types (dates, times,
 * decimals) never widen: their meaning changes with the type.
 */
const NUMERIC_RANK: Record<string, number> = { int16: 1, int: 2, long: 3, float: 4, double: 5 };

function numericRank(t: unknown): number | null {
  if (typeof t === 'string') return NUMERIC_RANK[t] ?? null;
  if (!t || typeof t !== 'object' || Array.isArray(t)) return null;
  const s = t as Record<string, unknown>;
  const extra = Object.keys(s).filter((k) => k !== 'type' && k !== 'connect.type');
  if (extra.length > 0) return null;
  if (s.type === 'int' && s['connect.type'] === 'int16') return NUMERIC_RANK.int16!;
  if (s['connect.type'] !== undefined) return null;
  return typeof s.type === 'string' ? (NUMERIC_RANK[s.type] ?? null) : null;
}

function widens(from: unknown, to: unknown): boolean {
  const a = numericRank(from);
  const b = numericRank(to);
  return a !== null && b !== null && b > a;
}

function typeName(t: unknown): string {
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && !Array.isArray(t)) {
    const s = t as Record<string, unknown>;
    const name = s['connect.name'] ?? s.logicalType ?? s['connect.type'] ?? s.type;
    const params = s['connect.parameters'] as Record<string, unknown> | undefined;
    return params && Object.keys(params).length > 0 ? `${String(name)}(${Object.entries(params).map(([k, v]) => `${k}=${String(v)}`).join(', ')})` : String(name);
  }
  return canonical(t);
}
