/**
 * A breaking schema change waiting for an operator, and the decisions taken. Plain JSON: it is
 * stored next to the connector's offset (state-store.ts), shown by status and REST, and holds the
 * new schemas so an approval can register them while the connector is paused.
 */
import { createHash } from 'node:crypto';
import type { ShapeChange } from './classify.js';
import type { TableShape } from './shape.js';

export interface RegistryVerdict {
  subject: string;
  compatible: boolean;
}

export interface PendingSchemaChange {
  /** stable for one change: table + position in the WAL + new schemas */
  id: string;
  table: string;
  topic: string;
  /** the Relation message's LSN, and the position delivery stopped at */
  lsn: string;
  position: string;
  detected_at: string;
  classification: 'breaking';
  changes: ShapeChange[];
  registry: RegistryVerdict[];
  /** what approve registers */
  subjects: { key: string | null; value: string };
  schemas: { key: unknown | null; value: unknown };
  /** the commit LSN of the transaction the change came in (absent when it came between transactions) */
  commit_lsn?: string;
  /** the shapes compared (absent in records stored before they were kept) */
  shapes?: { before: TableShape; after: TableShape };
  /** set by reject: still pending, still paused */
  rejected_at?: string;
}

export type DecisionKind = 'approved' | 'skipped-table' | 'superseded';

export interface SchemaChangeDecision {
  id: string;
  table: string;
  decision: DecisionKind;
  at: string;
  changes: string[];
  /** approve: the schema ids registered */
  registered?: Record<string, number>;
  /** approve under schema.change.breaking.topic.versioning: the table's topic from then on */
  topic?: string;
  note?: string;
}

export interface SchemaChangeState {
  pending: PendingSchemaChange | null;
  /** newest last, at most MAX_DECISIONS */
  decisions: SchemaChangeDecision[];
  /** `schema.table` names removed from capture by skip-table */
  skipped_tables: string[];
  /** schema.change.breaking.topic.versioning: `schema.table` → topic version (2, 3, ...) after approvals; absent: 1, the plain topic */
  topic_versions: Record<string, number>;
  /** `schema.table` → commit LSN of the transaction of the approved change that moved it (replayed Relations up to it keep their old topic) */
  topic_moved_at: Record<string, string>;
}

export const MAX_DECISIONS = 50;

export function emptyState(): SchemaChangeState {
  return { pending: null, decisions: [], skipped_tables: [], topic_versions: {}, topic_moved_at: {} };
}

export function changeId(table: string, position: string, schemas: { key: unknown; value: unknown }): string {
  return createHash('sha256').update(JSON.stringify([table, position, schemas.key, schemas.value])).digest('hex').slice(0, 16);
}

/** One line naming the table, each change and the registry's verdict (log, status trace). */
export function describePending(p: PendingSchemaChange): string {
  const verdicts = p.registry.map((v) => `${v.subject}: ${v.compatible ? 'compatible' : 'INCOMPATIBLE'}`).join(', ');
  return `breaking schema change of ${p.table} waits for a decision (id ${p.id}): ${p.changes.filter((c) => c.classification === 'breaking').map((c) => c.reason).join('; ') || 'the registry rejects the new version'}; registry: ${verdicts}. Nothing with the new shape was delivered (stopped at ${p.position}). Decide with POST /connectors/<name>/schema-changes/${p.id}/approve or /skip-table`;
}

export function withDecision(state: SchemaChangeState, d: SchemaChangeDecision): SchemaChangeState {
  return { ...state, pending: null, decisions: [...state.decisions, d].slice(-MAX_DECISIONS) };
}

/** Checks a stored record; anything unexpected reads as empty rather than crash the connector. */
export function parseState(value: unknown): SchemaChangeState {
  if (!value || typeof value !== 'object') return emptyState();
  const v = value as Partial<SchemaChangeState>;
  return {
    pending: v.pending && typeof v.pending === 'object' && typeof v.pending.id === 'string' ? v.pending : null,
    decisions: Array.isArray(v.decisions) ? v.decisions : [],
    skipped_tables: Array.isArray(v.skipped_tables) ? v.skipped_tables.filter((t): t is string => typeof t === 'string') : [],
    topic_versions: topicVersions(v.topic_versions),
    topic_moved_at: movedAt(v.topic_moved_at),
  };
}

function topicVersions(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [table, n] of Object.entries(v)) if (Number.isInteger(n) && (n as number) > 1) out[table] = n as number;
  return out;
}

function movedAt(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [table, lsn] of Object.entries(v)) if (typeof lsn === 'string' && /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/.test(lsn)) out[table] = lsn;
  return out;
}

/** The topic version of `schema.table`: 1 (the plain topic) unless an approval moved it. */
export function topicVersionOf(state: Pick<SchemaChangeState, 'topic_versions'>, table: string): number {
  return state.topic_versions[table] ?? 1;
}
